"""Steps readers would notice are taken on purpose: withdrawing asks why, an embargo holds.

Through the admin's real change form (whose workflow buttons save the edits first) and the
story list's actions: a step refused for want of its reason or confirmation changes nothing
and keeps what was typed.
"""

import pytest

from articles.models import Article, ArticleEvent, Correction, Status
from tests.admin_forms import change_url, form_data
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/articles/article/"


def press(client, article, step: str, **inputs):
    """Type a new standfirst into the story's form and press a workflow button."""
    data = form_data(client.get(change_url(article)), standfirst="Typed before pressing.")
    if "update_kind" in data:
        data["update_kind"] = "minor"
    data.update(inputs, _workflow=step)
    return client.post(change_url(article), data)


# --- Unpublish ------------------------------------------------------------------------


def test_unpublish_is_folded_away_with_its_reason_and_box(client, editor):
    article = ArticleFactory(published=True)
    client.force_login(editor)
    page = client.get(change_url(article)).content.decode()
    assert '<details class="desk-confirm desk-confirm-unpublish">' in page
    assert 'name="withdraw_reason"' in page and 'name="withdraw_notice"' in page
    assert 'name="workflow_confirm" value="unpublish"' in page


@pytest.mark.parametrize(
    "inputs, refusal",
    [
        ({"workflow_confirm": "unpublish"}, "Give the reason for withdrawing the story"),
        ({"withdraw_reason": "   ", "workflow_confirm": "unpublish"}, "Give the reason"),
        ({"withdraw_reason": "Legal asked us to."}, "tick “Yes, take this story down now”"),
    ],
)
def test_unpublish_without_reason_or_confirmation_is_refused_and_nothing_changes(
    client, editor, inputs, refusal
):
    article = ArticleFactory(published=True, standfirst="As published.")
    client.force_login(editor)

    response = press(client, article, "unpublish", **inputs)

    assert response.status_code == 200
    page = response.content.decode()
    assert refusal in page
    assert "Typed before pressing." in page  # the edit is still in the form
    assert '<details class="desk-confirm desk-confirm-unpublish" open>' in page
    article.refresh_from_db()
    assert article.is_live() and article.standfirst == "As published."
    assert not ArticleEvent.objects.exists() and not Correction.objects.exists()
    assert client.get(article.get_absolute_url()).status_code == 200


def test_unpublish_with_a_reason_withdraws_and_logs_it_privately(client, editor):
    article = ArticleFactory(published=True, headline="Minister resigns")
    client.force_login(editor)

    response = press(
        client,
        article,
        "unpublish",
        withdraw_reason="The source retracted.",
        workflow_confirm="unpublish",
    )

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == Status.WITHDRAWN
    assert article.standfirst == "Typed before pressing."
    event = article.events.exclude(action="edited").get()  # the typed edit is logged apart
    assert (event.to_status, event.note, event.actor) == (
        "Withdrawn",
        "The source retracted.",
        editor,
    )
    assert "The source retracted." in client.get(change_url(article)).content.decode()
    client.logout()
    gone = client.get(article.get_absolute_url())
    assert gone.status_code == 410
    assert "The source retracted." not in gone.content.decode()  # the reason stays inside
    assert "Minister resigns" not in client.get("/corrections/").content.decode()


def test_a_withdrawal_notice_is_published_when_the_editor_ticks_it(client, editor):
    article = ArticleFactory(published=True, headline="Minister resigns")
    client.force_login(editor)

    press(
        client,
        article,
        "unpublish",
        withdraw_reason="The source retracted the claim.",
        withdraw_notice="on",
        workflow_confirm="unpublish",
    )

    notice = Correction.objects.get()
    assert (notice.article, notice.kind) == (article, Correction.Kind.WITHDRAWAL)
    client.logout()
    gone = client.get(article.get_absolute_url())
    assert gone.status_code == 410
    assert "Withdrawal notice: Minister resigns" in gone.content.decode()
    assert "The source retracted the claim." in gone.content.decode()
    corrections = client.get("/corrections/").content.decode()
    assert "Withdrawal notice" in corrections and "The source retracted the claim." in corrections
    assert (
        "The source retracted the claim." in client.get("/feeds/corrections/rss/").content.decode()
    )


def test_the_410_page_of_a_withdrawn_story_runs_few_queries(
    client, editor, django_assert_max_num_queries
):
    article = ArticleFactory(published=True)
    article.unpublish(editor, note="Legal.", public_notice=True)
    # The live story looked for, the gone one found and its notice, the site state (4, with
    # the fronts) and the latest stories the page offers instead.
    with django_assert_max_num_queries(8):
        assert client.get(article.get_absolute_url()).status_code == 410


# --- Scheduled stories ----------------------------------------------------------------


def test_a_scheduled_story_offers_no_publish_now_and_save_keeps_the_schedule(client, editor):
    article = ArticleFactory(scheduled=True)
    due = article.publish_at
    client.force_login(editor)
    page = client.get(change_url(article)).content.decode()
    assert 'value="publish"' not in page and ">Publish now<" not in page
    assert 'class="button desk-transition-lift_embargo"' in page  # folded, never the default
    assert "Lift embargo and publish now" in page and "Reschedule" in page

    data = form_data(client.get(change_url(article)), headline="A better headline")
    assert client.post(change_url(article), {**data, "_continue": "1"}).status_code == 302

    article.refresh_from_db()
    assert article.headline == "A better headline"
    assert article.is_scheduled() and article.publish_at == due
    assert list(article.events.values_list("action", flat=True)) == ["edited"]  # no step


def test_lifting_an_embargo_without_confirming_is_refused_with_the_edits_kept(client, editor):
    article = ArticleFactory(scheduled=True, standfirst="As scheduled.")
    client.force_login(editor)

    response = press(client, article, "lift_embargo")

    assert response.status_code == 200
    page = response.content.decode()
    assert "tick “Yes, lift the embargo and publish it now”" in page
    assert "Typed before pressing." in page
    article.refresh_from_db()
    assert article.is_scheduled() and article.standfirst == "As scheduled."
    assert not article.events.exists()


def test_publish_now_posted_on_a_scheduled_story_is_refused(client, editor):
    article = ArticleFactory(scheduled=True)
    client.force_login(editor)
    response = press(client, article, "publish")
    assert response.status_code == 200
    assert "You may not publish a story that is scheduled" in response.content.decode()
    article.refresh_from_db()
    assert article.is_scheduled()


def test_lifting_an_embargo_publishes_now_and_says_so_in_the_history(client, editor):
    article = ArticleFactory(scheduled=True)
    client.force_login(editor)

    response = press(
        client,
        article,
        "lift_embargo",
        workflow_confirm="lift_embargo",
        workflow_note="Rivals ran it.",
    )

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.is_live() and article.standfirst == "Typed before pressing."
    event = article.events.exclude(action="edited").get()
    assert (event.from_status, event.to_status) == ("Scheduled", "Published")
    assert event.note.startswith("Embargo lifted: published before its scheduled time (")
    assert event.note.endswith("Rivals ran it.")
    assert client.get(article.get_absolute_url()).status_code == 200


def test_cancelling_a_schedule_needs_its_own_confirmation(client, editor):
    article = ArticleFactory(scheduled=True)
    client.force_login(editor)
    assert press(client, article, "unschedule").status_code == 200
    article.refresh_from_db()
    assert article.is_scheduled()

    assert press(client, article, "unschedule", workflow_confirm="unschedule").status_code == 302
    article.refresh_from_db()
    assert article.status == Status.DRAFT and article.publish_at is None


def test_one_steps_box_does_not_confirm_another(client, editor):
    article = ArticleFactory(scheduled=True)
    client.force_login(editor)
    response = press(client, article, "lift_embargo", workflow_confirm="unschedule")
    assert response.status_code == 200
    article.refresh_from_db()
    assert article.is_scheduled()


# --- Bulk actions ---------------------------------------------------------------------


def test_bulk_publish_skips_embargoed_stories_and_names_them(client, editor):
    ready = ArticleFactory(in_review=True, headline="Ready to go")
    embargoed = ArticleFactory(scheduled=True, headline="Embargoed report")
    due = embargoed.publish_at
    client.force_login(editor)

    response = client.post(
        CHANGELIST,
        {"action": "publish_selected", "_selected_action": [ready.pk, embargoed.pk]},
        follow=True,
    )

    page = response.content.decode()
    assert "Not published early, as they are embargoed: “Embargoed report”" in page
    ready.refresh_from_db()
    embargoed.refresh_from_db()
    assert ready.is_live()
    assert embargoed.is_scheduled() and embargoed.publish_at == due
    assert not embargoed.events.exists()


def test_bulk_unpublish_asks_for_a_reason_on_a_confirmation_page(
    client, editor, django_assert_max_num_queries
):
    live = ArticleFactory.create_batch(2, published=True)
    scheduled = ArticleFactory(scheduled=True, headline="Due tomorrow")
    selected = [*live, scheduled]
    client.force_login(editor)
    choose = {"action": "unpublish_selected", "_selected_action": [a.pk for a in selected]}

    with django_assert_max_num_queries(20):
        page = client.post(CHANGELIST, choose)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Unpublish these stories?" in text and live[0].headline in text
    assert "Not live, so left as they are" in text and "Due tomorrow" in text

    refused = client.post(CHANGELIST, {**choose, "_confirmed": "Yes", "reason": ""})
    assert "Give the reason" in refused.content.decode()
    assert Article.objects.live().count() == 2 and not ArticleEvent.objects.exists()

    done = client.post(CHANGELIST, {**choose, "_confirmed": "Yes", "reason": "Court order."})
    assert done.status_code == 302
    assert not Article.objects.live().exists()
    assert [e.note for e in ArticleEvent.objects.all()] == ["Court order.", "Court order."]
    scheduled.refresh_from_db()
    assert scheduled.is_scheduled()
    assert not Correction.objects.exists()  # no notice unless ticked
