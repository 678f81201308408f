"""Revisions: history, compare and restore, with bylines and tags, within the workflow."""

import datetime as dt

import pytest
from django.utils import timezone
from reversion.models import Version

from articles.models import Article, Byline, Status
from tests.admin_forms import (
    ARTICLE_ADD,
    change_url,
    form_data,
    set_bylines,
)
from tests.factories import AuthorFactory, SectionFactory


def history_url(article) -> str:
    return f"/admin/articles/article/{article.pk}/history/"


def revision_url(article, version) -> str:
    return f"/admin/articles/article/{article.pk}/history/{version.pk}/"


@pytest.fixture
def two_versions(client, editor):
    """A story saved twice through the admin: different headline, byline and tags."""
    leyla, rauf = AuthorFactory(name="Leyla Mammadova"), AuthorFactory(name="Rauf Aliyev")
    client.force_login(editor)
    data = form_data(client.get(ARTICLE_ADD))
    data.update(
        headline="Oil output falls",
        body="<p>First draft.</p>",
        section=SectionFactory().pk,
        kind="news",
        tags="Baku, Oil",
    )
    set_bylines(data, (leyla, Byline.Role.WRITTEN_BY))
    assert client.post(ARTICLE_ADD, data).status_code == 302
    article = Article.objects.get()

    data = form_data(client.get(change_url(article)))
    data.update(headline="Gas output rises", body="<p>Rewritten.</p>", tags="Gas")
    set_bylines(data, (rauf, Byline.Role.ADDITIONAL_REPORTING))
    assert client.post(change_url(article), data).status_code == 302
    versions = list(Version.objects.get_for_object(article).order_by("pk"))
    assert len(versions) == 2
    return article, versions


def bylines_of(article):
    return [(b.author.name, b.role) for b in article.bylines.all()]


def test_every_admin_save_keeps_a_revision_with_bylines_and_tags(two_versions):
    _article, (first, second) = two_versions
    revision_models = {v.content_type.model for v in first.revision.version_set.all()}
    assert revision_models == {"article", "byline", "taggedarticle"}
    assert second.field_dict["headline"] == "Gas output rises"


def test_editor_sees_history_and_compares_two_versions(client, two_versions):
    article, (first, second) = two_versions
    history = client.get(history_url(article))
    assert history.status_code == 200
    assert b"version_id1" in history.content
    compare = client.get(
        f"{history_url(article)}compare/",
        {"version_id1": first.pk, "version_id2": second.pk},
    )
    assert compare.status_code == 200
    page = compare.content.decode()
    assert "<del>Oil</del> <ins>Gas</ins> output <del>falls</del> <ins>rises</ins>" in page


def test_restore_brings_back_text_bylines_and_tags(client, two_versions):
    article, (first, _) = two_versions
    page = client.get(revision_url(article, first))
    assert page.status_code == 200
    # Looking at an old version changes nothing.
    article.refresh_from_db()
    assert article.headline == "Gas output rises"

    response = client.post(revision_url(article, first), form_data(page))
    assert response.status_code == 302
    article = Article.objects.get(pk=article.pk)
    assert article.headline == "Oil output falls"
    assert article.body == "<p>First draft.</p>"
    assert bylines_of(article) == [("Leyla Mammadova", "author")]
    assert sorted(t.name for t in article.tags.all()) == ["Baku", "Oil"]
    # The restore is itself a revision, so it can be undone.
    assert Version.objects.get_for_object(article).count() == 3


def test_restore_keeps_the_workflow_state(client, editor, two_versions):
    article, (first, _) = two_versions
    article.publish(editor)
    article.refresh_from_db()
    published_at = article.publish_at
    page = client.get(revision_url(article, first))
    data = form_data(page, update_kind="minor")
    assert client.post(revision_url(article, first), data).status_code == 302
    article.refresh_from_db()
    assert article.headline == "Oil output falls"
    assert article.status == Status.PUBLISHED
    assert article.publish_at == published_at
    assert article.is_live()


def test_restoring_an_old_version_never_publishes_a_withdrawn_story(client, editor, two_versions):
    article, (_first, _second) = two_versions
    article.publish(editor)
    client.post(
        change_url(article), form_data(client.get(change_url(article)), update_kind="minor")
    )
    article.refresh_from_db()
    article.unpublish(editor, note="Taken down.")
    live_version = Version.objects.get_for_object(article).order_by("-pk").first()
    assert live_version.field_dict["status"] == Status.PUBLISHED
    page = client.get(revision_url(article, live_version))
    client.post(revision_url(article, live_version), form_data(page))
    article.refresh_from_db()
    assert article.status == Status.WITHDRAWN


def test_journalist_cannot_see_or_restore_someone_elses_history(client, two_versions, journalist):
    article, (first, second) = two_versions
    client.force_login(journalist)
    assert client.get(history_url(article)).status_code == 403
    compare = client.get(
        f"{history_url(article)}compare/", {"version_id1": first.pk, "version_id2": second.pk}
    )
    assert compare.status_code == 403
    assert client.get(revision_url(article, first)).status_code == 403
    response = client.post(revision_url(article, first), {"headline": "Oil output falls"})
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.headline == "Gas output rises"
    assert bylines_of(article) == [("Rauf Aliyev", "reporting")]


def test_journalist_cannot_restore_own_story_in_review(client, journalist, editor):
    client.force_login(journalist)
    data = form_data(client.get(ARTICLE_ADD))
    data.update(headline="First", section=SectionFactory().pk, kind="news", body="<p>x</p>")
    client.post(ARTICLE_ADD, data)
    article = Article.objects.get()
    client.post(change_url(article), form_data(client.get(change_url(article)), headline="Second"))
    article.refresh_from_db()
    article.submit(journalist)
    first = Version.objects.get_for_object(article).order_by("pk").first()
    # History is theirs to read…
    assert client.get(history_url(article)).status_code == 200
    # …but the story is with the editors now: no restoring behind their back.
    editor_client = client.__class__()
    editor_client.force_login(editor)
    data = form_data(editor_client.get(revision_url(article, first)))
    assert client.post(revision_url(article, first), data).status_code == 403
    article.refresh_from_db()
    assert article.headline == "Second"
    assert article.status == Status.IN_REVIEW


def test_recovering_deleted_stories_is_for_editors(client, journalist, editor):
    client.force_login(journalist)
    assert client.get("/admin/articles/article/recover/").status_code == 403
    client.force_login(editor)
    assert client.get("/admin/articles/article/recover/").status_code == 200


def test_recover_link_is_shown_to_editors_only(client, journalist, editor):
    client.force_login(journalist)
    assert b"Recover deleted" not in client.get("/admin/articles/article/").content
    client.force_login(editor)
    assert b"Recover deleted" in client.get("/admin/articles/article/").content


def test_a_recovered_story_comes_back_as_a_draft(client, editor, db):
    from tests.factories import UserFactory

    client.force_login(editor)
    data = form_data(client.get(ARTICLE_ADD))
    data.update(headline="Deleted by mistake", section=SectionFactory().pk, kind="news")
    client.post(ARTICLE_ADD, data)
    article = Article.objects.get()
    # Scheduled, never out: it may be deleted (a story that was ever published is spiked).
    article.schedule(editor, timezone.now() + dt.timedelta(hours=2))
    superuser = UserFactory(is_superuser=True, role=None)
    client.force_login(superuser)
    client.post(f"/admin/articles/article/{article.pk}/delete/", {"post": "yes"})
    assert not Article.objects.exists()

    client.force_login(editor)
    deleted = Version.objects.get_deleted(Article).first()
    recover_url = f"/admin/articles/article/recover/{deleted.pk}/"
    assert client.post(recover_url, form_data(client.get(recover_url))).status_code == 302
    recovered = Article.objects.get()
    assert recovered.headline == "Deleted by mistake"
    assert recovered.status == Status.DRAFT and not recovered.is_live()
