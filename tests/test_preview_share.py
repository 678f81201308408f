"""Seeing a story before readers do: staff preview and expiring, revocable share links."""

import datetime as dt

import time_machine
from django.utils import timezone

from articles.models import ShareLink
from tests.admin_forms import change_url
from tests.factories import ArticleFactory, UserFactory

ROBOTS_NOINDEX = '<meta name="robots" content="noindex, nofollow">'


def preview_url(article) -> str:
    return f"/preview/{article.pk}/"


def share_create_url(article) -> str:
    return f"/admin/articles/article/{article.pk}/share/"


def revoke_url(link) -> str:
    return f"/admin/articles/article/{link.article_id}/share/{link.pk}/revoke/"


# --- Preview --------------------------------------------------------------------------


def test_editor_previews_a_draft_as_readers_will_see_it(client, editor):
    article = ArticleFactory(headline="Secret budget plan", standfirst="Numbers leak.")
    client.force_login(editor)
    response = client.get(preview_url(article))
    assert response.status_code == 200
    assert "articles/article_detail.html" in [t.name for t in response.templates]
    page = response.content.decode()
    assert "PREVIEW" in page and "Secret budget plan" in page and "Numbers leak." in page
    assert ROBOTS_NOINDEX in page
    assert "noindex" in response["X-Robots-Tag"]
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_journalist_previews_own_draft_but_not_someone_elses(client, journalist, other_journalist):
    mine = ArticleFactory(created_by=journalist)
    theirs = ArticleFactory(created_by=other_journalist)
    client.force_login(journalist)
    assert client.get(preview_url(mine)).status_code == 200
    assert client.get(preview_url(theirs)).status_code == 404


def test_logged_out_and_non_staff_users_cannot_preview(client, db):
    article = ArticleFactory(headline="Not yet")
    response = client.get(preview_url(article))
    assert response.status_code == 302 and "/admin/login/" in response.url
    client.force_login(UserFactory(is_staff=False))
    response = client.get(preview_url(article))
    assert response.status_code in (302, 404)
    assert b"Not yet" not in response.content


def test_change_form_links_to_the_preview(client, journalist):
    article = ArticleFactory(created_by=journalist)
    client.force_login(journalist)
    assert preview_url(article) in client.get(change_url(article)).content.decode()


def test_drafts_are_not_public(client, db):
    article = ArticleFactory(headline="Draft headline")
    assert client.get(article.get_absolute_url()).status_code == 404
    scheduled = ArticleFactory(scheduled=True)
    assert client.get(scheduled.get_absolute_url()).status_code == 404


# --- Share links ----------------------------------------------------------------------


def test_editor_creates_a_share_link_and_sees_its_url(client, editor):
    article = ArticleFactory(headline="Under legal review")
    client.force_login(editor)
    response = client.post(share_create_url(article), {"note": "lawyer"}, follow=True)
    link = ShareLink.objects.get()
    assert (link.article, link.created_by, link.note) == (article, editor, "lawyer")
    assert link.secret_path() in response.content.decode()
    assert abs(link.expires_at - (timezone.now() + dt.timedelta(hours=48))) < dt.timedelta(
        minutes=1
    )


def test_share_link_expiry_follows_the_setting(client, editor, settings):
    settings.SHARE_LINK_HOURS = 6
    article = ArticleFactory()
    client.force_login(editor)
    client.post(share_create_url(article))
    link = ShareLink.objects.get()
    assert link.expires_at - link.created_at < dt.timedelta(hours=6, minutes=1)


def test_reviewer_without_account_reads_the_draft_marked_noindex(client, editor):
    article = ArticleFactory(headline="Under legal review")
    link = ShareLink.objects.create(article=article, created_by=editor)
    response = client.get(link.secret_path())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Under legal review" in page and "PREVIEW" in page
    assert ROBOTS_NOINDEX in page
    assert "noindex" in response["X-Robots-Tag"]


def test_revoked_link_stops_working(client, editor):
    article = ArticleFactory()
    client.force_login(editor)
    client.post(share_create_url(article))
    link = ShareLink.objects.get()
    assert client.get(link.secret_path()).status_code == 200
    assert client.post(revoke_url(link)).status_code == 302
    client.logout()
    assert client.get(link.secret_path()).status_code == 404


def test_link_expires_after_48_hours(client, editor):
    article = ArticleFactory()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        link = ShareLink.objects.create(article=article, created_by=editor)
        traveller.shift(dt.timedelta(hours=47))
        assert client.get(link.secret_path()).status_code == 200
        traveller.shift(dt.timedelta(hours=1, seconds=1))
        assert client.get(link.secret_path()).status_code == 404


def test_unknown_token_is_not_found(client, db):
    ArticleFactory()
    assert client.get("/share/not-a-real-token/").status_code == 404


def test_journalist_shares_own_draft_but_not_someone_elses(client, journalist, other_journalist):
    mine = ArticleFactory(created_by=journalist)
    theirs = ArticleFactory(created_by=other_journalist)
    client.force_login(journalist)
    assert client.post(share_create_url(mine)).status_code == 302
    assert client.post(share_create_url(theirs)).status_code == 403
    assert list(ShareLink.objects.values_list("article", flat=True)) == [mine.pk]


def test_only_the_maker_or_an_editor_revokes(client, journalist, other_journalist, editor):
    article = ArticleFactory(created_by=journalist, authors=[other_journalist.author])
    link = ShareLink.objects.create(article=article, created_by=journalist)
    client.force_login(other_journalist)
    assert client.post(revoke_url(link)).status_code == 403
    link.refresh_from_db()
    assert link.is_valid()
    client.force_login(journalist)
    client.post(revoke_url(link))
    link.refresh_from_db()
    assert not link.is_valid()
    other = ShareLink.objects.create(article=article, created_by=journalist)
    client.force_login(editor)
    client.post(revoke_url(other))
    other.refresh_from_db()
    assert not other.is_valid()


def test_share_links_are_listed_on_the_change_form(client, editor):
    article = ArticleFactory()
    link = ShareLink.objects.create(article=article, created_by=editor, note="source")
    client.force_login(editor)
    page = client.get(change_url(article)).content.decode()
    assert link.secret_path() in page and "source" in page
    assert revoke_url(link) in page


def test_a_share_link_opens_only_its_own_story(client, editor):
    shared = ArticleFactory(headline="Shared story")
    ArticleFactory(headline="Other draft")
    link = ShareLink.objects.create(article=shared, created_by=editor)
    page = client.get(link.secret_path()).content.decode()
    assert "Shared story" in page and "Other draft" not in page


def test_withdrawing_a_story_closes_its_share_links_at_once(client, editor):
    article = ArticleFactory(published=True, headline="Legal takedown")
    link = ShareLink.objects.create(article=article, created_by=editor)
    assert client.get(link.secret_path()).status_code == 200
    article.unpublish(editor, note="Legal")
    assert client.get(link.secret_path()).status_code == 404
    link.refresh_from_db()
    assert not link.is_valid()


def test_every_share_link_view_is_logged_and_listed_to_editors(client, editor, journalist):
    article = ArticleFactory(created_by=journalist, authors=[journalist.author])
    link = ShareLink.objects.create(article=article, created_by=journalist, note="lawyer")
    client.get(link.secret_path(), REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="Lawyer's phone")
    client.get(link.secret_path(), REMOTE_ADDR="198.51.100.4")
    views = list(link.views.order_by("viewed_at"))
    assert [v.address for v in views] == ["203.0.113.7", "198.51.100.4"]
    assert views[0].user_agent == "Lawyer's phone"

    client.force_login(editor)
    page = client.get(change_url(article)).content.decode()
    assert "2 times" in page and "203.0.113.7" in page and "198.51.100.4" in page
    client.force_login(journalist)
    assert "203.0.113.7" not in client.get(change_url(article)).content.decode()
