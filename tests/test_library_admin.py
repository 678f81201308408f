"""Sections, tags, authors, corrections, banners and share links in the admin, by role."""

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from reversion.models import Version
from taggit.models import Tag

from accounts.models import Author
from articles.models import BreakingBanner, Correction, Section, ShareLink
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CorrectionFactory,
    ImageFactory,
    SectionFactory,
)


def _split(when: dt.datetime, name: str) -> dict[str, str]:
    """The admin's split date/time widget fields for one datetime."""
    local = timezone.localtime(when)
    return {f"{name}_0": local.strftime("%Y-%m-%d"), f"{name}_1": local.strftime("%H:%M:%S")}


# --- Sections ---------------------------------------------------------------------------


@pytest.mark.parametrize("slug", ["admin", "search", "feeds", "tags", "authors", "static", "media"])
def test_reserved_section_slug_is_refused_with_a_form_error(client, editor, slug):
    client.force_login(editor)
    response = client.post(
        "/admin/articles/section/add/",
        {"name": slug.title(), "slug": slug, "position": 0, "description": ""},
    )
    assert response.status_code == 200
    assert "is used by the site itself; choose another slug" in response.content.decode()
    assert not Section.objects.filter(slug=slug).exists()


def test_editor_adds_a_subsection(client, editor):
    nation = SectionFactory(name="Nation", slug="nation")
    client.force_login(editor)
    response = client.post(
        "/admin/articles/section/add/",
        {"name": "Politics", "slug": "politics", "parent": nation.pk, "position": 1},
    )
    assert response.status_code == 302
    politics = Section.objects.get(slug="politics")
    assert politics.parent == nation
    assert str(politics) == "Nation › Politics"


def test_section_list_has_a_bounded_number_of_queries(
    client, editor, django_assert_max_num_queries
):
    parent = SectionFactory(name="Nation", slug="nation")
    for n in range(15):
        SectionFactory(name=f"Region {n}", slug=f"region-{n}", parent=parent)
    client.force_login(editor)
    with django_assert_max_num_queries(12):
        assert client.get("/admin/articles/section/").status_code == 200


# --- Roles --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/admin/articles/section/add/",
        "/admin/articles/correction/add/",
        "/admin/articles/breakingbanner/add/",
        "/admin/accounts/author/add/",
        "/admin/taggit/tag/add/",
    ],
)
def test_journalist_may_not_add_desk_material(client, journalist, url):
    client.force_login(journalist)
    assert client.get(url).status_code == 403
    assert client.post(url, {"name": "Sneaky", "slug": "sneaky", "text": "x"}).status_code == 403


def test_journalist_post_of_a_correction_changes_nothing(client, journalist):
    article = ArticleFactory(published=True)
    client.force_login(journalist)
    response = client.post(
        "/admin/articles/correction/add/",
        {
            "article": article.pk,
            "kind": "correction",
            "text": "Nope",
            **_split(timezone.now(), "published_at"),
        },
    )
    assert response.status_code == 403
    assert not Correction.objects.exists()
    article.refresh_from_db()
    assert article.updated_at is None


def test_journalist_may_not_create_a_section(client, journalist):
    client.force_login(journalist)
    client.post("/admin/articles/section/add/", {"name": "Sneaky", "slug": "sneaky", "position": 0})
    assert not Section.objects.filter(slug="sneaky").exists()


# --- Corrections --------------------------------------------------------------------------


def test_editor_adds_a_correction_and_it_is_a_significant_update(client, editor):
    article = ArticleFactory(published=True)
    assert article.updated_at is None
    client.force_login(editor)
    when = timezone.now().replace(microsecond=0)
    response = client.post(
        "/admin/articles/correction/add/",
        {
            "article": article.pk,
            "kind": "clarification",
            "text": "An earlier version of this story misstated the date of the vote.",
            **_split(when, "published_at"),
        },
    )
    assert response.status_code == 302
    correction = Correction.objects.get()
    assert correction.created_by == editor
    assert correction.get_kind_display() == "Clarification"
    article.refresh_from_db()
    assert article.updated_at == when
    assert article.last_modified == when
    assert Version.objects.get_for_object(correction).count() == 1


def test_correction_needs_a_live_story(client, editor):
    draft = ArticleFactory()
    client.force_login(editor)
    response = client.post(
        "/admin/articles/correction/add/",
        {
            "article": draft.pk,
            "kind": "correction",
            "text": "x",
            **_split(timezone.now(), "published_at"),
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Correction.objects.exists()


def test_correction_autocomplete_offers_only_live_stories(client, editor):
    live = ArticleFactory(published=True, headline="Budget vote delayed again")
    ArticleFactory(headline="Budget vote draft")
    ArticleFactory(scheduled=True, headline="Budget vote scheduled")
    client.force_login(editor)
    response = client.get(
        "/admin/autocomplete/",
        {
            "app_label": "articles",
            "model_name": "correction",
            "field_name": "article",
            "term": "budget",
        },
    )
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [str(live.pk)]


def test_changing_a_correction_keeps_its_history(client, editor):
    correction = CorrectionFactory()
    client.force_login(editor)
    url = f"/admin/articles/correction/{correction.pk}/change/"
    for text in ("First wording.", "Second wording."):
        response = client.post(
            url,
            {
                "article": correction.article.pk,
                "kind": "correction",
                "text": text,
                **_split(correction.published_at, "published_at"),
            },
        )
        assert response.status_code == 302
    versions = Version.objects.get_for_object(correction)
    assert [v.field_dict["text"] for v in versions] == ["Second wording.", "First wording."]
    history = client.get(f"/admin/articles/correction/{correction.pk}/history/")
    assert history.status_code == 200


def test_editors_cannot_delete_corrections_but_superusers_can(client, editor):
    correction = CorrectionFactory()
    url = f"/admin/articles/correction/{correction.pk}/delete/"
    client.force_login(editor)
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Correction.objects.filter(pk=correction.pk).exists()
    assert (
        'value="delete_selected"' not in client.get("/admin/articles/correction/").content.decode()
    )

    admin = User.objects.create_superuser("boss", "boss@example.com", "x-long-secret-1")
    client.force_login(admin)
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Correction.objects.filter(pk=correction.pk).exists()


# --- Breaking banner ----------------------------------------------------------------------


def test_banner_must_end_after_it_starts(client, editor):
    client.force_login(editor)
    start = timezone.now()
    response = client.post(
        "/admin/articles/breakingbanner/add/",
        {
            "text": "Earthquake in Şamaxı",
            "url": "/nation/",
            **_split(start, "starts_at"),
            **_split(start - dt.timedelta(hours=1), "ends_at"),
        },
    )
    assert response.status_code == 200
    assert "The banner must end after it starts." in response.content.decode()
    assert not BreakingBanner.objects.exists()


def test_editor_switches_on_a_banner(client, editor):
    client.force_login(editor)
    start = timezone.now()
    response = client.post(
        "/admin/articles/breakingbanner/add/",
        {
            "text": "Earthquake in Şamaxı",
            "url": "/nation/",
            **_split(start, "starts_at"),
            **_split(start + dt.timedelta(hours=2), "ends_at"),
        },
    )
    assert response.status_code == 302
    assert BreakingBanner.objects.current().get().text == "Earthquake in Şamaxı"


# --- Share links --------------------------------------------------------------------------


def test_editor_revokes_share_links_from_the_list(client, editor, journalist):
    article = ArticleFactory()
    links = [ShareLink.objects.create(article=article, created_by=journalist) for _ in range(2)]
    client.force_login(editor)
    page = client.get("/admin/articles/sharelink/")
    assert page.status_code == 200
    assert links[0].secret_path() in page.content.decode()

    response = client.post(
        "/admin/articles/sharelink/",
        {"action": "revoke", "_selected_action": [links[0].pk], "index": 0},
    )
    assert response.status_code == 302
    links[0].refresh_from_db()
    links[1].refresh_from_db()
    assert not links[0].is_valid()
    assert links[1].is_valid()
    assert client.get(links[0].secret_path()).status_code == 404


def test_share_links_are_not_added_or_edited_here(client, editor):
    client.force_login(editor)
    assert client.get("/admin/articles/sharelink/add/").status_code == 403


def test_journalist_sees_and_revokes_only_their_own_links(client, journalist, other_journalist):
    article = ArticleFactory(created_by=journalist)
    mine = ShareLink.objects.create(article=article, created_by=journalist, note="lawyer")
    theirs = ShareLink.objects.create(article=article, created_by=other_journalist, note="source")
    client.force_login(journalist)
    html = client.get("/admin/articles/sharelink/").content.decode()
    assert mine.secret_path() in html
    assert theirs.secret_path() not in html

    client.post(
        "/admin/articles/sharelink/",
        {"action": "revoke", "_selected_action": [mine.pk, theirs.pk], "index": 0},
    )
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.revoked_at is not None
    assert theirs.revoked_at is None


# --- Authors and tags ---------------------------------------------------------------------


def test_author_list_searches_and_shows_photos_within_a_query_budget(
    client, editor, django_assert_max_num_queries
):
    for n in range(10):
        AuthorFactory(name=f"Reporter {n}", photo=ImageFactory() if n < 3 else None)
    AuthorFactory(name="Leyla Məmmədova", twitter="leyla_m")
    client.force_login(editor)
    with django_assert_max_num_queries(10):
        response = client.get("/admin/accounts/author/")
    assert response.status_code == 200
    assert "renditions/" in response.content.decode()
    found = client.get("/admin/accounts/author/", {"q": "leyla_m"})
    assert list(found.context["cl"].result_list) == [Author.objects.get(twitter="leyla_m")]


def test_editor_adds_a_guest_author_without_a_login(client, editor):
    client.force_login(editor)
    response = client.post(
        "/admin/accounts/author/add/",
        {
            "name": "Gəncə Press Agency",
            "slug": "",
            "job_title": "news agency",
            "bio": "",
            "twitter": "@gencepress",
            "website": "",
            "linkedin": "",
            "mastodon": "",
        },
    )
    assert response.status_code == 302
    agency = Author.objects.get(name="Gəncə Press Agency")
    assert agency.slug == "gence-press-agency"
    assert agency.twitter == "gencepress"
    assert agency.user is None


def test_photo_autocomplete_for_authors_finds_library_photos(client, editor):
    ImageFactory(alt_text="Portrait of Leyla at the Baku bureau")
    client.force_login(editor)
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "accounts", "model_name": "author", "field_name": "photo", "term": "leyla"},
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == [
        "Portrait of Leyla at the Baku bureau"
    ]


def test_tag_admin_searches_and_counts_stories(client, editor):
    ArticleFactory(tag_names=["Azerbaijan", "OSCE"])
    ArticleFactory(tag_names=["Azerbaijan"])
    client.force_login(editor)
    response = client.get("/admin/taggit/tag/", {"q": "azer"})
    assert response.status_code == 200
    result = list(response.context["cl"].result_list)
    assert [t.name for t in result] == ["Azerbaijan"]
    assert result[0].stories == 2
    assert Tag.objects.count() == 2


def test_tags_in_any_script_get_ascii_slugs_and_a_working_page(client, db):
    article = ArticleFactory(published=True, tag_names=["Şəki", "Москва"])
    assert sorted(article.tags.values_list("slug", flat=True)) == ["moskva", "seki"]
    assert client.get("/tags/seki/").status_code == 200
    assert client.get(article.get_absolute_url()).status_code == 200
    Tag.objects.create(name="Şəki!")  # a different name with the same ASCII form
    assert Tag.objects.get(name="Şəki!").slug == "seki-2"


@pytest.mark.parametrize(
    "url",
    [
        "/admin/articles/correction/",
        "/admin/taggit/tag/",
        "/admin/articles/sharelink/",
        "/admin/articles/breakingbanner/",
    ],
)
def test_library_lists_run_a_bounded_number_of_queries(
    client, editor, url, django_assert_max_num_queries
):
    for n in range(12):
        article = ArticleFactory(published=True, tag_names=[f"tag {n}", "common"])
        CorrectionFactory(article=article, created_by=editor)
        ShareLink.objects.create(article=article, created_by=editor)
        BreakingBanner.objects.create(
            text=f"Banner {n}", ends_at=timezone.now() + dt.timedelta(hours=n + 1)
        )
    client.force_login(editor)
    # +2 on PostgreSQL: the staff statement timeout is raised and reset (newsroom.middleware).
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200
