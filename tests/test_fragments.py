"""Rendered story fragments: pages are rebuilt from them, never from stale ones.

The app has no page cache of its own (the edge is the page cache), so what readers get here
depends only on the fragments.
"""

import pytest
from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.models import Site
from django.db import connection
from django.test.utils import CaptureQueriesContext
from taggit.models import Tag

from articles.models import Byline
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CorrectionFactory,
    ImageFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def author():
    return AuthorFactory(name="Leyla Mammadova", bio="Covers energy.")


@pytest.fixture
def story(author):
    section = SectionFactory(name="Energy", slug="energy")
    article = ArticleFactory(
        published=True,
        headline="Pipeline deal signed",
        section=section,
        featured_image=ImageFactory(caption="The terminal at dawn."),
        tag_names=["oil"],
    )
    Byline.objects.create(article=article, author=author)
    ArticleFactory(published=True, headline="Older oil story", section=section, tag_names=["oil"])
    return article


def _pages(story, author):
    return ["/", story.get_absolute_url(), "/energy/", "/tags/oil/", author.get_absolute_url()]


def test_pages_rebuilt_from_fragments_match_fresh_renders_and_cost_few_queries(
    client, story, author
):
    for path in _pages(story, author):
        first = client.get(path)
        with CaptureQueriesContext(connection) as queries:
            again = client.get(path)
        assert again.content == first.content, path
        # Only the queries that choose the stories run again: no bylines, tags or corrections.
        loaded = " ".join(q["sql"].split(" WHERE ")[0] for q in queries.captured_queries)
        for table in ("articles_byline", "articles_correction"):
            assert f'FROM "{table}"' not in loaded, (path, table)
    with CaptureQueriesContext(connection) as queries:
        client.get(story.get_absolute_url())
    assert len(queries) == 1  # the story with its related stories


def _rename_author(story, author):
    author.name = "Leyla Mammadli"
    author.save()
    return "Leyla Mammadli"


def _edit_caption(story, author):
    image = story.featured_image
    image.caption = "The terminal at dusk."
    image.save()
    return "The terminal at dusk."


def _rename_tag(story, author):
    tag = Tag.objects.get(name="oil")
    tag.name = "Oil and gas"
    tag.save()
    return "Oil and gas"


def _rename_section(story, author):
    section = story.section
    section.name = "Power and energy"
    section.save()
    return "Power and energy"


def _edit_headline(story, author):
    story.headline = "Pipeline deal signed at last"
    story.save()
    return "Pipeline deal signed at last"


def _edit_headline_quietly(story, author):
    story.headline = "Pipeline deal, quietly retitled"
    story.save(update_fields=["headline"])
    return "Pipeline deal, quietly retitled"


def _add_byline(story, author):
    Byline.objects.create(
        article=story, author=AuthorFactory(name="Farid Aliyev"), role=Byline.Role.PHOTOGRAPHS
    )
    return "Farid Aliyev"


def _add_tag(story, author):
    story.tags.add("Caspian Sea")
    return "Caspian Sea"


@pytest.mark.parametrize(
    "change",
    [
        _rename_author,
        _edit_caption,
        _rename_tag,
        _rename_section,
        _edit_headline,
        _edit_headline_quietly,
        _add_byline,
        _add_tag,
    ],
)
def test_what_a_story_shows_changes_at_once_on_its_page_and_in_lists(client, story, author, change):
    story_url = story.get_absolute_url()
    for path in _pages(story, author):
        client.get(path)
    expected = change(story, author).encode()
    story.refresh_from_db()
    assert expected in client.get(story.get_absolute_url()).content
    if change is _edit_headline or change is _edit_headline_quietly:
        assert expected in client.get("/").content
        assert expected in client.get("/tags/oil/").content
    if change is _rename_author:
        assert expected in client.get("/").content
    if change is _rename_section:
        assert expected in client.get("/tags/oil/").content
    assert story.get_absolute_url() == story_url or client.get(story_url).status_code == 301


def test_corrections_added_edited_and_deleted_show_at_once(client, story):
    url = story.get_absolute_url()
    client.get(url)
    correction = CorrectionFactory(article=story, text="The vote was on Monday, not Tuesday.")
    assert b"not Tuesday" in client.get(url).content
    correction.text = "The vote was on Monday, not Wednesday."
    correction.save()
    html = client.get(url).content
    assert b"not Wednesday" in html and b"not Tuesday" not in html
    correction.delete()
    assert b"not Wednesday" not in client.get(url).content
    moved = CorrectionFactory(article=story, text="The port opened in May.")
    other = ArticleFactory(published=True, headline="Port story", section=story.section)
    client.get(other.get_absolute_url())
    assert b"opened in May" in client.get(url).content
    moved.article = other
    moved.save()
    assert b"opened in May" not in client.get(url).content
    assert b"opened in May" in client.get(other.get_absolute_url()).content


def test_a_withdrawn_story_leaves_every_list_though_its_teaser_was_rendered(
    client, story, author, editor
):
    for path in _pages(story, author):
        assert b"Pipeline deal signed" in client.get(path).content, path
    story.unpublish(editor, note="Taken down.")
    for path in ["/", "/energy/", "/tags/oil/", author.get_absolute_url()]:
        assert b"Pipeline deal signed" not in client.get(path).content, path
    older = client.get("/tags/oil/").content
    assert b"Older oil story" in older


def test_a_newly_published_story_shows_in_related_stories_at_once(client, story, editor):
    other = ArticleFactory(headline="Refinery expands", section=story.section, tag_names=["oil"])
    assert b"Refinery expands" not in client.get(story.get_absolute_url()).content
    other.publish(editor)
    assert b"Refinery expands" in client.get(story.get_absolute_url()).content


def test_fragments_rendered_under_other_settings_are_not_reused(client, story, settings):
    client.get(story.get_absolute_url())
    settings.SITE_NAME = "The Baku Ledger"
    html = client.get(story.get_absolute_url()).content
    # The structured data inside the story's cached head names the publisher.
    assert b'"name":"The Baku Ledger"' in html


def test_standing_page_edits_show_at_once(client):
    page = FlatPage.objects.create(url="/pages/about/", title="About", content="<p>Old.</p>")
    page.sites.add(Site.objects.get_current())
    client.get("/pages/about/")
    page.content = "<p>New.</p>"
    page.save()
    assert b"<p>New.</p>" in client.get("/pages/about/").content
