"""Slugs are never empty: tags, sections, authors and stories get a readable one whatever
their name (“#” becomes “tag”), and an old row without one never makes a page answer 500."""

import importlib

import pytest
from django.apps import apps
from django.test import Client
from taggit.models import Tag

from accounts.models import Author
from articles.models import Article, Section, ShareLink
from tests.admin_forms import ARTICLE_ADD, change_url, form_data
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db


def public_pages_of(story: Article) -> list[str]:
    return [
        story.get_absolute_url(),
        "/",
        story.section.get_absolute_url(),
        "/sitemap.xml",
        "/sitemap-tags.xml",
        "/sitemap-authors.xml",
        "/sitemap-sections.xml",
        "/sitemap-news.xml",
        "/feeds/rss/",
        "/feeds/atom/",
        f"/feeds/sections/{story.section.slug}/rss/",
    ]


def test_punctuation_only_tags_typed_on_the_story_form_get_readable_slugs(
    client, journalist, editor
):
    client.force_login(journalist)
    data = form_data(client.get(ARTICLE_ADD))
    data.update(
        headline="Hashtags take over the campaign",
        body="<p>Text.</p>",
        section=SectionFactory(name="Politics", slug="politics").pk,
        kind="news",
        tags='"#", "&", "?!", Baku',
    )
    assert client.post(ARTICLE_ADD, data).status_code == 302
    slugs = dict(Tag.objects.values_list("name", "slug"))
    assert slugs == {"#": "tag", "&": "tag-2", "?!": "tag-3", "Baku": "baku"}

    story = Article.objects.get()
    assert client.get(f"/preview/{story.pk}/").status_code == 200
    link = ShareLink.objects.create(article=story, created_by=journalist)
    assert Client().get(link.secret_path()).status_code == 200
    story.publish(editor)
    page = client.get(story.get_absolute_url())
    assert page.status_code == 200
    assert 'href="/tags/tag-2/" rel="tag">&amp;</a>' in page.content.decode()
    for path in [*public_pages_of(story), "/tags/tag/", "/feeds/tags/tag-3/rss/"]:
        assert client.get(path).status_code == 200, path
    assert "/tags/tag/<" in client.get("/sitemap-tags.xml").content.decode()


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: AuthorFactory(name="???"), "author"),
        (lambda: Section.objects.create(name="!!!", slug=""), "section"),
        (lambda: Section.objects.create(name="News", slug=""), "news-2"),  # “news” is reserved
        (lambda: Tag.objects.create(name="?!"), "tag"),
        (lambda: ArticleFactory(headline="?!", slug=""), "story"),
        (lambda: ArticleFactory(headline="Москва", slug="москва"), "moskva"),
    ],
)
def test_every_kind_of_slug_falls_back_to_a_readable_word(make, expected):
    assert make().slug == expected


def test_a_second_nameless_author_gets_a_numbered_slug():
    AuthorFactory(name="???")
    assert AuthorFactory(name="!!!").slug == "author-2"


def test_an_editor_typing_a_slug_the_site_cannot_address_gets_an_ascii_one(client, editor):
    tag = Tag.objects.create(name="Gəncə")
    client.force_login(editor)
    url = f"/admin/taggit/tag/{tag.pk}/change/"
    data = form_data(client.get(url), slug="gəncə-şəhəri")
    assert client.post(url, data).status_code == 302
    tag.refresh_from_db()
    assert tag.slug == "gence"


# --- Old rows saved before the rule ----------------------------------------------------------


@pytest.fixture
def old_rows_without_slugs(editor):
    """A live story carrying a tag and an author whose slugs were lost (update(), no save),
    and a live story that has no slug itself, in a section that has none either."""
    author = AuthorFactory(name="Leyla Mammadova")
    story = ArticleFactory(
        published=True, authors=[author, AuthorFactory()], tag_names=["#", "Baku"]
    )
    Tag.objects.filter(name="#").update(slug="")
    Author.objects.filter(pk=author.pk).update(slug="")
    nameless = ArticleFactory(published=True, section=SectionFactory(name="!", slug="bang"))
    Article.objects.filter(pk=nameless.pk).update(slug="")
    Section.objects.filter(slug="bang").update(slug="")
    story.refresh_from_db()
    return story


def test_pages_linking_to_an_old_row_without_a_slug_answer_200(
    client, editor, old_rows_without_slugs
):
    story = old_rows_without_slugs
    for path in public_pages_of(story):
        response = client.get(path)
        assert response.status_code == 200, path
        assert b"/tags//" not in response.content and b"/authors//" not in response.content
    page = client.get(story.get_absolute_url()).content.decode()
    assert "<li>#</li>" in page  # the tag, unlinked
    assert "Leyla Mammadova" in page
    client.force_login(editor)
    assert client.get(f"/preview/{story.pk}/").status_code == 200
    link = ShareLink.objects.create(article=story, created_by=editor)
    assert Client().get(link.secret_path()).status_code == 200
    assert client.get(change_url(story)).status_code == 200


def test_the_migrations_mend_old_rows_without_slugs(client, old_rows_without_slugs):
    importlib.import_module("articles.migrations.0013_harden_slugs").mend_slugs(apps, None)
    importlib.import_module("accounts.migrations.0004_harden_author_slugs").mend_slugs(apps, None)
    assert Tag.objects.get(name="#").slug == "tag"
    assert Author.objects.get(name="Leyla Mammadova").slug == "leyla-mammadova"
    assert Section.objects.get(name="!").slug == "section"
    assert not Article.objects.filter(slug="").exists()
    story = old_rows_without_slugs
    assert client.get("/tags/tag/").status_code == 200
    assert client.get("/authors/leyla-mammadova/").status_code == 200
    assert 'href="/tags/tag/"' in client.get(story.get_absolute_url()).content.decode()
