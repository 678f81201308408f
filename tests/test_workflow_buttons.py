"""The change form's workflow buttons save what is in the form first: no edit is ever lost.

Each button is a submit button of the story's change form (name "_workflow"), so pressing it
posts the edits with the step; they go through the same validation, stale-version check and
revision as Save, then the model's workflow method runs. A step that cannot be taken refuses
the whole save and shows the form again, still filled, saying why.
"""

import pytest
import reversion
from reversion.models import Version

from articles.models import Article, ArticleEvent, Status
from tests.admin_forms import change_url, form_data
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

# button -> (starting trait, who presses it, workflow inputs, resulting state label)
BUTTONS = {
    "submit": ("draft", "journalist", {}, "In review"),
    "publish": ("in_review", "editor", {}, "Published"),
    "schedule": ("in_review", "editor", {"workflow_at": "2031-05-04T09:30"}, "Scheduled"),
    "return_to_authors": (
        "in_review",
        "editor",
        {"workflow_note": "Source the figures."},
        "Returned to authors",
    ),
    "unpublish": (
        "published",
        "editor",
        {"withdraw_reason": "Legal asked.", "workflow_confirm": "unpublish"},
        "Withdrawn",
    ),
    "unschedule": ("scheduled", "editor", {"workflow_confirm": "unschedule"}, "Draft"),
    "lift_embargo": ("scheduled", "editor", {"workflow_confirm": "lift_embargo"}, "Published"),
}


def story_for(journalist, trait: str) -> Article:
    traits = {} if trait == "draft" else {trait: True}
    return ArticleFactory(created_by=journalist, authors=[journalist.author], **traits)


@pytest.mark.parametrize("button", sorted(BUTTONS))
def test_a_workflow_button_saves_the_unsaved_edit_then_takes_the_step(
    request, client, journalist, button
):
    trait, role, inputs, result = BUTTONS[button]
    article = story_for(journalist, trait)
    client.force_login(request.getfixturevalue(role))
    page = client.get(change_url(article))
    data = form_data(page, standfirst="A standfirst typed just before the button.", **inputs)
    if article.is_live():
        data["update_kind"] = "minor"
    data["_workflow"] = button

    response = client.post(change_url(article), data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert response.url == change_url(article)
    article.refresh_from_db()
    assert article.standfirst == "A standfirst typed just before the button."
    assert article.state_label == result
    # The activity log has both: the edit, then the step it was saved with.
    step, edit = article.events.all()
    assert step.to_status == result
    assert (edit.action, edit.note) == ("edited", "Changed standfirst.")
    # The edit went through Save's path: it has a revision of its own.
    assert any(
        v.field_dict["standfirst"] == "A standfirst typed just before the button."
        for v in Version.objects.get_for_object(article)
    )


def test_a_refused_step_keeps_the_form_filled_and_changes_nothing(client, editor):
    article = ArticleFactory(in_review=True, standfirst="As saved.")
    client.force_login(editor)
    data = form_data(client.get(change_url(article)), standfirst="Typed, not saved yet.")
    data["_workflow"] = "return_to_authors"  # with no note: the model refuses

    response = client.post(change_url(article), data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Say what the authors should change." in page
    assert "Typed, not saved yet." in page  # still in the form, nothing to retype
    article.refresh_from_db()
    assert (article.standfirst, article.status) == ("As saved.", Status.IN_REVIEW)
    assert not ArticleEvent.objects.exists()


def test_schedule_in_the_past_from_the_form_is_refused_with_the_edits_kept(client, editor):
    article = ArticleFactory(in_review=True)
    client.force_login(editor)
    data = form_data(
        client.get(change_url(article)), headline="A new headline", workflow_at="2001-01-01T09:00"
    )
    data["_workflow"] = "schedule"
    response = client.post(change_url(article), data)
    assert response.status_code == 200
    assert "Choose a time in the future" in response.content.decode()
    assert "A new headline" in response.content.decode()
    article.refresh_from_db()
    assert article.headline != "A new headline" and article.status == Status.IN_REVIEW


def test_a_step_the_user_may_not_take_is_refused_and_nothing_is_saved(client, journalist):
    article = story_for(journalist, "draft")
    client.force_login(journalist)
    data = form_data(client.get(change_url(article)), headline="Sneaky")
    data["_workflow"] = "publish"  # journalists never publish, whatever they post
    response = client.post(change_url(article), data)
    assert response.status_code == 200
    assert "You may not publish" in response.content.decode()
    article.refresh_from_db()
    assert article.headline != "Sneaky" and article.status == Status.DRAFT


def test_a_stale_form_with_a_button_is_refused_like_a_stale_save(client, editor, journalist):
    article = story_for(journalist, "draft")
    client.force_login(journalist)
    data = form_data(client.get(change_url(article)), headline="My late edit")
    data["_workflow"] = "submit"
    with reversion.create_revision():
        Article.objects.get(pk=article.pk).save()  # someone else saved meanwhile
    response = client.post(change_url(article), data)
    assert response.status_code == 200
    assert "after you opened it" in response.content.decode()
    article.refresh_from_db()
    assert article.headline != "My late edit" and article.status == Status.DRAFT


def test_pressing_a_button_on_an_unchanged_live_story_needs_no_update_choice(client, editor):
    article = ArticleFactory(published=True)
    client.force_login(editor)
    data = form_data(client.get(change_url(article)), withdraw_reason="Legal asked.")
    data["_workflow"], data["workflow_confirm"] = "unpublish", "unpublish"
    assert client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert article.status == Status.WITHDRAWN
