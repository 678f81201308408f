"""The desk's activity log (/admin/articles/activity/) and readable revision compare.

Each step is taken through the admin's real forms, as a journalist and an editor would; the
log is then read as an editor reads it. The compare page is read as a person reads it: text
with words struck and added, bylines and tags as lists, no HTML and no internal counters.
"""

import importlib
from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from reversion.models import Version

from articles.admin import COMPARE_EXCLUDE
from articles.forms import ArticleAdminForm
from articles.models import Article, ArticleEvent, Byline, Status
from tests.admin_forms import ARTICLE_ADD, change_url, form_data, set_bylines
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

LOG = "/admin/articles/activity/"

pytestmark = pytest.mark.django_db


def press(client, article, button: str = "", **changes):
    """Open the story's change form, change what is given, and press Save or a button."""
    data = form_data(client.get(change_url(article)), **changes)
    if article.is_live() and "update_kind" not in changes:
        data["update_kind"] = "minor"
    if button:
        data["_workflow"] = button
    response = client.post(change_url(article), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    article.refresh_from_db()
    return response


def logged(client, **filters) -> list[tuple[str, int | None, str]]:
    """(action, actor id, headline) of each row of the log page, newest first."""
    response = client.get(LOG, filters)
    assert response.status_code == 200
    return [(e.action, e.actor_id, e.article.headline) for e in response.context["cl"].result_list]


def test_every_step_taken_in_the_admin_is_in_the_log_with_who_took_it(client, journalist, editor):
    client.force_login(journalist)
    data = form_data(client.get(ARTICLE_ADD))
    data.update(headline="Port strike ends", section=SectionFactory().pk, kind="news")
    assert client.post(ARTICLE_ADD, data).status_code == 302
    story = Article.objects.get()
    press(client, story, headline="Port strike ends after talks")
    press(client, story, "submit")
    client.force_login(editor)
    press(client, story, "return_to_authors", workflow_note="Name the union.")
    client.force_login(journalist)
    press(client, story, "submit", standfirst="The dockers' union agreed a deal.")
    client.force_login(editor)
    press(client, story, "schedule", workflow_at="2031-05-04T09:30")
    press(client, story, "unschedule", workflow_confirm="unschedule")
    press(client, story, "publish")
    press(client, story, "unpublish", withdraw_reason="Legal.", workflow_confirm="unpublish")
    assert story.status == Status.WITHDRAWN

    j, e, headline = journalist.pk, editor.pk, "Port strike ends after talks"
    assert logged(client) == [
        ("withdrew", e, headline),
        ("published", e, headline),
        ("unscheduled", e, headline),
        ("scheduled", e, headline),
        ("submitted", j, headline),
        ("edited", j, headline),  # the edit saved with the Submit button, logged first
        ("returned", e, headline),
        ("submitted", j, headline),
        ("edited", j, headline),
        ("created", j, headline),
    ]
    page = client.get(LOG).content.decode()
    assert f'<a href="{change_url(story)}">Port strike ends after talks</a>' in page
    assert "Changed headline." in page and "Name the union." in page


def test_a_save_that_changes_nothing_logs_no_edit(client, editor):
    story = ArticleFactory(in_review=True)
    client.force_login(editor)
    press(client, story)
    press(client, story, "publish")
    assert list(story.events.values_list("action", flat=True)) == ["published"]


def test_bylines_changed_alone_are_an_edit(client, editor):
    story = ArticleFactory()
    client.force_login(editor)
    data = form_data(client.get(change_url(story)))
    set_bylines(data, (AuthorFactory(name="Rauf Aliyev"), Byline.Role.WRITTEN_BY))
    assert client.post(change_url(story), data).status_code == 302
    assert story.events.get().note == "Changed bylines."


def test_restoring_a_revision_and_recovering_a_deleted_story_are_logged(client, editor):
    client.force_login(editor)
    data = form_data(client.get(ARTICLE_ADD))
    data.update(headline="Gas deal signed", section=SectionFactory().pk, kind="news")
    assert client.post(ARTICLE_ADD, data).status_code == 302
    story = Article.objects.get()
    press(client, story, headline="Gas deal signed in Baku")
    first = Version.objects.get_for_object(story).order_by("pk").first()
    restore = f"/admin/articles/article/{story.pk}/history/{first.pk}/"
    assert client.post(restore, form_data(client.get(restore))).status_code == 302
    latest = story.events.first()
    assert (latest.action, latest.actor, latest.note) == (
        "edited",
        editor,
        "Restored an earlier version.",
    )

    client.post(f"/admin/articles/article/{story.pk}/delete/", {"post": "yes"})
    deleted = Version.objects.get_deleted(Article).first()
    recover = f"/admin/articles/article/recover/{deleted.pk}/"
    assert client.post(recover, form_data(client.get(recover))).status_code == 302
    event = Article.objects.get().events.get()  # the deleted story's events went with it
    assert (event.action, event.note) == ("created", "Recovered after it was deleted.")


def test_spike_and_restore_are_named_by_the_spiked_state():
    assert ArticleEvent.Action.for_move(Status.PUBLISHED, "spiked") == "spiked"
    assert ArticleEvent.Action.for_move("spiked", Status.DRAFT) == "restored"
    assert ArticleEvent.Action.for_move(Status.WITHDRAWN, Status.PUBLISHED) == "published"
    assert ArticleEvent.Action.for_move(Status.WITHDRAWN, Status.DRAFT) == ""


@pytest.fixture
def desk_day(journalist, other_journalist, editor):
    """Two stories, each moved by different people."""
    budget = ArticleFactory(headline="Budget passes", created_by=journalist)
    budget.submit(journalist)
    budget.publish(editor)
    floods = ArticleFactory(headline="Floods in Quba", created_by=other_journalist)
    floods.submit(other_journalist)
    floods.return_to_authors(editor, "Add the death toll.")
    return budget, floods


def test_editors_filter_the_log_by_action_person_and_story(client, editor, desk_day, journalist):
    budget, floods = desk_day
    client.force_login(editor)
    assert logged(client, action__exact="submitted") == [
        ("submitted", floods.created_by_id, "Floods in Quba"),
        ("submitted", journalist.pk, "Budget passes"),
    ]
    assert logged(client, actor=editor.pk) == [
        ("returned", editor.pk, "Floods in Quba"),
        ("published", editor.pk, "Budget passes"),
    ]
    assert [row[0] for row in logged(client, article=budget.pk)] == ["published", "submitted"]
    assert {row[2] for row in logged(client, q="Quba")} == {"Floods in Quba"}
    # The story filter says which story it shows, and offers the people to pick from.
    page = client.get(LOG, {"article": budget.pk}).content.decode()
    assert "Budget passes" in page and journalist.get_full_name() in page
    # Nonsense in the address filters nothing away and fails nothing.
    assert client.get(LOG, {"actor": "x", "article": "'"}).status_code == 200


def test_the_story_form_shows_its_actions_and_links_editors_to_the_log(
    client, editor, journalist, desk_day
):
    budget, _floods = desk_day
    client.force_login(editor)
    page = client.get(change_url(budget)).content.decode()
    assert "<td>Published</td>" in page and "<td>Submitted</td>" in page
    assert f'href="{LOG}?article={budget.pk}"' in page


def test_journalists_have_no_activity_log(client, journalist, desk_day):
    client.force_login(journalist)
    assert client.get(LOG).status_code == 403
    assert "Activity log" not in client.get("/admin/").content.decode()
    assert client.get(f"{LOG}{ArticleEvent.objects.first().pk}/change/").status_code == 403


def test_editors_see_the_log_on_the_admin_index_and_cannot_change_it(client, editor, desk_day):
    client.force_login(editor)
    assert f'href="{LOG}"' in client.get("/admin/").content.decode()
    page = client.get(LOG).content.decode()
    assert "Activity log" in page and "action-checkbox" not in page
    event = ArticleEvent.objects.first()
    deleting = client.post(f"{LOG}{event.pk}/delete/", {"post": "yes"})
    assert deleting.status_code == 302 and ArticleEvent.objects.filter(pk=event.pk).exists()
    assert "Save" not in client.get(f"{LOG}{event.pk}/change/").content.decode()
    client.post(f"{LOG}add/", {"note": "Invented"})
    assert not ArticleEvent.objects.filter(note="Invented").exists()


def test_a_story_with_events_can_still_be_deleted(client, editor):
    """The read-only log must not make the admin refuse to delete a story's events with it."""
    story = ArticleFactory(in_review=True)
    story.return_to_authors(editor, "Shorter, please.")
    client.force_login(editor)
    response = client.post(f"/admin/articles/article/{story.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Article.objects.exists() and not ArticleEvent.objects.exists()


def test_the_log_reads_a_fixed_number_of_queries_however_many_rows(
    client, editor, journalist, django_assert_max_num_queries
):
    for n in range(40):
        story = ArticleFactory(headline=f"Story {n}", created_by=journalist)
        story.submit(journalist)
        story.publish(editor)
    client.force_login(editor)
    with django_assert_max_num_queries(10):
        response = client.get(LOG, {"action__exact": "published", "actor": editor.pk})
    assert len(response.context["cl"].result_list) == 40
    with django_assert_max_num_queries(10):
        assert len(client.get(LOG).context["cl"].result_list) == 80


# --- Revision compare -----------------------------------------------------------------------


@pytest.fixture
def revised(client, editor):
    """A story saved twice through the admin: a word and a list item of the body, the
    headline, a byline and the tags changed."""
    leyla, rauf = AuthorFactory(name="Leyla Mammadova"), AuthorFactory(name="Rauf Aliyev")
    client.force_login(editor)
    data = form_data(client.get(ARTICLE_ADD))
    data.update(
        headline="Oil output falls",
        body="<p>Output <strong>fell</strong> in March.</p><ul><li><p>Azeri field</p></li></ul>",
        section=SectionFactory().pk,
        kind="news",
        tags="Baku, Oil",
    )
    set_bylines(data, (leyla, Byline.Role.WRITTEN_BY))
    assert client.post(ARTICLE_ADD, data).status_code == 302
    story = Article.objects.get()
    data = form_data(client.get(change_url(story)))
    data.update(
        headline="Oil output falls again",
        body="<p>Output <strong>dropped</strong> in March.</p>"
        "<ul><li><p>Azeri field</p></li><li><p>Chirag field</p></li></ul>",
        tags="Oil, Energy",
    )
    set_bylines(data, (leyla, Byline.Role.WRITTEN_BY), (rauf, Byline.Role.ADDITIONAL_REPORTING))
    assert client.post(change_url(story), data).status_code == 302
    first, second = Version.objects.get_for_object(story).order_by("pk")
    page = client.get(
        f"/admin/articles/article/{story.pk}/history/compare/",
        {"version_id1": first.pk, "version_id2": second.pk},
    )
    assert page.status_code == 200
    return page.content.decode()


def test_compare_shows_the_body_as_text_with_words_struck_and_added(revised):
    assert "<p>Output <del>fell</del> <ins>dropped</ins> in March.</p>" in revised
    assert "<p>• Azeri field</p><p><ins>• Chirag field</ins></p>" in revised
    assert "&lt;p&gt;" not in revised and "&lt;strong&gt;" not in revised
    assert "Oil output falls <ins>again</ins>" in revised


def test_compare_lists_bylines_and_tags_with_what_was_added_and_removed(revised):
    assert "<li>Written by Leyla Mammadova</li>" in revised
    assert '<ins>Additional reporting Rauf Aliyev</ins> <span class="help">(added)</span>' in (
        revised
    )
    assert "<h3>tags</h3>" in revised and "tagged_items" not in revised
    assert "<li>Oil</li>" in revised
    assert "<ins>Energy</ins>" in revised and "<del>Baku</del>" in revised


def test_compare_leaves_internal_counters_and_stamps_out(revised):
    for heading in ("version", "word count", "search document", "modified at", "created by"):
        assert f"<h3>{heading}</h3>" not in revised
    assert "<h3>section" not in revised  # unchanged, so not listed (see settings)


def test_every_story_field_is_compared_or_deliberately_left_out():
    """A new field must be either part of the form (and so compared) or named in
    COMPARE_EXCLUDE with the reason there: never shown by accident."""
    fields = {f.name for f in Article._meta.get_fields() if f.concrete} - {"id"}
    assert fields == set(ArticleAdminForm.Meta.fields) | set(COMPARE_EXCLUDE)


# --- Migration 0017: the actions of events recorded before it ---------------------------------


def test_the_migration_names_old_events_from_their_labels_in_batches(editor):
    module = importlib.import_module("articles.migrations.0017_event_actions")
    assert module.Migration.atomic is False  # each batch its own transaction
    story = ArticleFactory()
    moves = [
        ("Draft", "In review", "submitted"),
        ("In review", "Returned to authors", "returned"),
        ("In review", "Scheduled", "scheduled"),
        ("Scheduled", "Draft", "unscheduled"),
        ("Scheduled", "Published", "published"),
        ("Published", "Withdrawn", "withdrew"),
        ("Withdrawn", "Published", "published"),
        ("Published", "Spiked", "spiked"),
        ("Spiked", "Withdrawn", "restored"),
        ("Draft", "Somewhere new", ""),
    ]
    events = ArticleEvent.objects.bulk_create(
        ArticleEvent(article=story, actor=editor, from_status=a, to_status=b) for a, b, _ in moves
    )
    apps = (
        MigrationExecutor(connection).loader.project_state(("articles", "0017_event_actions")).apps
    )
    migrate = SimpleNamespace(connection=connection)  # all the function asks of its editor
    module.name_old_actions(apps, migrate)
    module.name_old_actions(apps, migrate)  # a second run changes nothing
    named = dict(
        ArticleEvent.objects.filter(pk__in=[e.pk for e in events]).values_list("pk", "action")
    )
    assert [named[e.pk] for e in events] == [action for _, _, action in moves]
