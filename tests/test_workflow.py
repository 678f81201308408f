"""The publishing workflow in the admin: every role x transition, allowed and refused."""

import datetime as dt

import pytest
from django.utils import timezone

from articles.models import Article, ArticleEvent, Status
from tests.admin_forms import (
    change_url,
    form_data,
)
from tests.factories import ArticleFactory

CHANGELIST = "/admin/articles/article/"

# transition -> (starting trait, extra POST data, resulting state label)
TRANSITIONS = {
    "submit": ("draft", {}, "In review"),
    "publish": ("in_review", {}, "Published"),
    "schedule": ("in_review", {"at": "2031-05-04T09:30"}, "Scheduled"),
    "return_to_authors": ("in_review", {"note": "Source the figures."}, "Returned to authors"),
    "unpublish": ("published", {"note": "Legal asked.", "confirm": "unpublish"}, "Withdrawn"),
    "unschedule": ("scheduled", {"confirm": "unschedule"}, "Draft"),
    "lift_embargo": ("scheduled", {"confirm": "lift_embargo"}, "Published"),
}
# Who may take each step (journalist = the story's own author).
ALLOWED = {
    "journalist": {"submit"},
    "other_journalist": set(),
    "editor": {
        "submit",
        "publish",
        "schedule",
        "return_to_authors",
        "unpublish",
        "unschedule",
        "lift_embargo",
    },
}


def workflow_url(article, transition: str) -> str:
    return f"/admin/articles/article/{article.pk}/workflow/{transition}/"


def story_owned_by(user, trait: str) -> Article:
    traits = {} if trait == "draft" else {trait: True}
    return ArticleFactory(created_by=user, authors=[user.author], **traits)


@pytest.mark.parametrize("role", sorted(ALLOWED))
@pytest.mark.parametrize("transition", sorted(TRANSITIONS))
def test_role_x_transition_through_the_workflow_url(request, client, journalist, role, transition):
    actor = request.getfixturevalue(role)
    trait, data, result = TRANSITIONS[transition]
    article = story_owned_by(journalist, trait)
    before = (article.status, article.publish_at, article.version)
    client.force_login(actor)

    response = client.post(workflow_url(article, transition), data)

    article.refresh_from_db()
    if transition in ALLOWED[role]:
        assert response.status_code == 302
        assert article.state_label == result
        event = article.events.get()
        assert (event.actor, event.to_status) == (actor, result)
    else:
        assert response.status_code == 403
        assert (article.status, article.publish_at, article.version) == before
        assert not article.events.exists()


@pytest.mark.parametrize("role", sorted(ALLOWED))
@pytest.mark.parametrize("transition", sorted(TRANSITIONS))
def test_change_form_shows_only_the_users_transitions(
    request, client, journalist, role, transition
):
    actor = request.getfixturevalue(role)
    trait, _, _ = TRANSITIONS[transition]
    article = story_owned_by(journalist, trait)
    client.force_login(actor)
    response = client.get(change_url(article))
    if role == "other_journalist":
        assert response.status_code == 302  # the admin's "doesn't exist": not theirs to see
        return
    shown = f'name="_workflow" value="{transition}"' in response.content.decode()
    assert shown == (
        transition in ALLOWED[role] and transition in article.available_transitions(actor)
    )


def test_schedule_time_is_newsroom_local_time(client, editor):
    article = ArticleFactory(in_review=True)
    client.force_login(editor)
    client.post(workflow_url(article, "schedule"), {"at": "2031-05-04T09:30"})
    article.refresh_from_db()
    assert timezone.localtime(article.publish_at).strftime("%Y-%m-%d %H:%M") == "2031-05-04 09:30"
    assert article.is_scheduled() and not Article.objects.live().filter(pk=article.pk).exists()


def test_schedule_without_a_time_is_an_error_and_changes_nothing(client, editor):
    article = ArticleFactory(in_review=True)
    client.force_login(editor)
    response = client.post(workflow_url(article, "schedule"), follow=True)
    assert "Choose when the story should go live" in response.content.decode()
    article.refresh_from_db()
    assert article.status == Status.IN_REVIEW


def test_schedule_in_the_past_is_an_error(client, editor):
    article = ArticleFactory(in_review=True)
    client.force_login(editor)
    response = client.post(
        workflow_url(article, "schedule"), {"at": "2001-01-01T09:00"}, follow=True
    )
    assert "Choose a time in the future" in response.content.decode()
    article.refresh_from_db()
    assert article.status == Status.IN_REVIEW


def test_return_needs_a_note(client, editor):
    article = ArticleFactory(in_review=True)
    client.force_login(editor)
    response = client.post(workflow_url(article, "return_to_authors"), {"note": " "}, follow=True)
    assert "Say what the authors should change" in response.content.decode()
    article.refresh_from_db()
    assert article.status == Status.IN_REVIEW
    assert not ArticleEvent.objects.exists()


def test_returned_story_shows_the_note_and_can_be_resubmitted(client, editor, journalist):
    article = story_owned_by(journalist, "in_review")
    client.force_login(editor)
    client.post(workflow_url(article, "return_to_authors"), {"note": "Name the minister."})
    client.force_login(journalist)
    page = client.get(change_url(article)).content.decode()
    assert "Name the minister." in page
    assert 'name="_workflow" value="submit"' in page
    assert client.post(workflow_url(article, "submit")).status_code == 302
    article.refresh_from_db()
    assert article.status == Status.IN_REVIEW


def test_cancelling_a_schedule_returns_the_story_to_draft_once_confirmed(client, editor):
    article = ArticleFactory(scheduled=True)
    client.force_login(editor)
    page = client.get(change_url(article)).content.decode()
    assert 'name="_workflow" value="unschedule"' in page and "Cancel schedule" in page
    assert 'value="unpublish"' not in page  # withdrawing is for live stories only

    refused = client.post(workflow_url(article, "unschedule"), follow=True)
    assert "tick “Yes, cancel the schedule" in refused.content.decode()
    article.refresh_from_db()
    assert article.is_scheduled() and not article.events.exists()

    client.post(workflow_url(article, "unschedule"), {"confirm": "unschedule"})
    article.refresh_from_db()
    assert article.status == Status.DRAFT and article.publish_at is None
    assert article.first_published_at is None  # it never went out


def test_workflow_urls_refuse_get(client, editor):
    article = ArticleFactory(in_review=True)
    client.force_login(editor)
    assert client.get(workflow_url(article, "publish")).status_code == 405
    article.refresh_from_db()
    assert article.status == Status.IN_REVIEW


def test_logged_out_user_cannot_use_workflow_urls(client, db):
    article = ArticleFactory(in_review=True)
    response = client.post(workflow_url(article, "publish"))
    assert response.status_code == 302 and "/admin/login/" in response.url
    article.refresh_from_db()
    assert article.status == Status.IN_REVIEW


# --- Admin actions --------------------------------------------------------------------


def run_action(client, action: str, *articles):
    return client.post(CHANGELIST, {"action": action, "_selected_action": [a.pk for a in articles]})


def test_editor_publishes_selected(client, editor):
    stories = ArticleFactory.create_batch(2, in_review=True)
    client.force_login(editor)
    run_action(client, "publish_selected", *stories)
    assert all(a.is_live() for a in Article.objects.all())


def test_journalist_has_no_publish_action_and_a_crafted_one_changes_nothing(client, journalist):
    article = story_owned_by(journalist, "in_review")
    client.force_login(journalist)
    page = client.get(CHANGELIST).content.decode()
    assert "publish_selected" not in page and "unpublish_selected" not in page
    assert "submit_selected" in page
    run_action(client, "publish_selected", article)
    published = story_owned_by(journalist, "published")
    run_action(client, "unpublish_selected", published)
    client.post(
        CHANGELIST,
        {
            "action": "unpublish_selected",
            "_selected_action": [published.pk],
            "reason": "Sneaky",
            "_confirmed": "Yes",
        },
    )
    article.refresh_from_db()
    published.refresh_from_db()
    assert article.status == Status.IN_REVIEW
    assert published.is_live()
    assert not ArticleEvent.objects.exists()


def test_submit_selected_skips_stories_the_journalist_may_not_submit(
    client, journalist, other_journalist
):
    mine = story_owned_by(journalist, "draft")
    already = story_owned_by(journalist, "in_review")
    theirs = story_owned_by(other_journalist, "draft")
    client.force_login(journalist)
    response = run_action(client, "submit_selected", mine, already, theirs)
    assert response.status_code == 302
    for article in (mine, already, theirs):
        article.refresh_from_db()
    assert mine.status == Status.IN_REVIEW
    assert already.status == Status.IN_REVIEW and not already.events.exists()
    assert theirs.status == Status.DRAFT


# --- Crafted change-form POSTs --------------------------------------------------------


def test_journalist_cannot_edit_own_story_once_submitted(client, journalist):
    article = story_owned_by(journalist, "draft")
    client.force_login(journalist)
    data = form_data(client.get(change_url(article)), headline="Sneaky change")
    article.submit(journalist)
    assert client.post(change_url(article), data).status_code == 403
    article.refresh_from_db()
    assert article.headline != "Sneaky change"


def test_journalist_cannot_edit_someone_elses_story(client, journalist, other_journalist):
    article = story_owned_by(other_journalist, "draft")
    client.force_login(other_journalist)
    data = form_data(client.get(change_url(article)), headline="Hijacked")
    client.force_login(journalist)
    response = client.post(change_url(article), data)
    assert response.status_code in (302, 403)
    article.refresh_from_db()
    assert article.headline != "Hijacked"


def test_journalist_cannot_edit_a_published_story(client, journalist):
    article = story_owned_by(journalist, "published")
    client.force_login(journalist)
    page = client.get(change_url(article))
    assert page.status_code == 200  # read-only view of their own story
    assert b'name="headline"' not in page.content
    data = {"headline": "Rewritten", "section": article.section_id, "kind": "news"}
    assert client.post(change_url(article), data).status_code == 403
    article.refresh_from_db()
    assert article.headline != "Rewritten"


def test_publish_event_records_who_when_from_and_to(client, editor):
    article = ArticleFactory(in_review=True)
    client.force_login(editor)
    before = timezone.now() - dt.timedelta(seconds=1)
    client.post(workflow_url(article, "publish"), {"note": "Legal cleared it"})
    event = article.events.get()
    assert event.actor == editor
    assert (event.from_status, event.to_status, event.note) == (
        "In review",
        "Published",
        "Legal cleared it",
    )
    assert event.created_at >= before


# --- Roles ----------------------------------------------------------------------------

DESK_NEEDS = {
    # Writing: the story, its bylines and tag links, photos to pick, review links, history.
    "Journalists": {
        "articles.add_article",
        "articles.change_article",
        "articles.delete_article",
        "articles.view_article",
        "articles.add_byline",
        "articles.change_byline",
        "articles.delete_byline",
        "articles.add_taggedarticle",
        "articles.delete_taggedarticle",
        "articles.view_image",
        "articles.view_section",
        "articles.add_sharelink",
        "accounts.view_author",
        "taggit.view_tag",
    },
}
EDITORS_ALSO = {
    "articles.publish_article",
    "articles.change_sharelink",
    "articles.add_correction",
    "articles.change_section",
    "accounts.change_author",
    "taggit.change_tag",
    "articles.change_image",
}
NEVER_JOURNALISTS = {
    "articles.publish_article",
    "articles.change_sharelink",
    "articles.change_section",
    "accounts.change_author",
    "taggit.change_tag",
    "taggit.delete_tag",
    "articles.add_correction",
}


def test_roles_have_what_the_desk_needs_and_journalists_nothing_more(journalist, editor):
    journalist_perms, editor_perms = journalist.get_all_permissions(), editor.get_all_permissions()
    assert DESK_NEEDS["Journalists"] <= journalist_perms
    assert DESK_NEEDS["Journalists"] | EDITORS_ALSO <= editor_perms
    assert not NEVER_JOURNALISTS & journalist_perms
