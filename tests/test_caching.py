"""Public pages name what they show (Surrogate-Key) and say how long the edge may keep them;
every change purges exactly the pages it touches once it commits."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from articles.models import Article, BreakingBanner, Byline
from articles.sitemap_summary import month_key
from articles.sitemaps import month_url
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CorrectionFactory,
    ImageFactory,
    SectionFactory,
)
from tests.purges import surrogate_keys

pytestmark = pytest.mark.django_db

# "api": the read API's lists (api.views), purged with the site's.
STORY_LISTS = {"home", "feeds", "sitemaps", "search", "corrections", "api"}


def s_maxage(response) -> int:
    directives = dict(
        part.strip().partition("=")[::2] for part in response["Cache-Control"].split(",")
    )
    return int(directives["s-maxage"])


@pytest.fixture
def author():
    return AuthorFactory(name="Leyla Mammadova", photo=ImageFactory())


@pytest.fixture
def story(author):
    article = ArticleFactory(
        published=True,
        headline="Cached story",
        tag_names=["oil"],
        authors=[author],
        featured_image=ImageFactory(),
    )
    return article


@pytest.fixture
def unrelated():
    other = SectionFactory(name="Sport", slug="sport")
    return ArticleFactory(published=True, headline="Derby tonight", section=other, tag_names=["f"])


def test_public_pages_send_edge_headers_and_an_etag(client, story):
    for path in ("/", story.get_absolute_url(), "/politics/", "/tags/oil/", "/search/?q=oil"):
        response = client.get(path)
        assert response["Cache-Control"] == (
            "public, max-age=60, s-maxage=3600, stale-while-revalidate=600"
        ), path
        assert response["ETag"], path
        assert {"all", "chrome", f"story-{story.pk}"} <= surrogate_keys(response), path
        # Readers never cost a session lookup, so pages don't vary by cookie.
        assert "Cookie" not in response.get("Vary", ""), path


def test_the_story_page_names_the_story_its_section_tags_authors_photos_and_related(
    client, story, author
):
    related = ArticleFactory(published=True, headline="Older oil story", tag_names=["oil"])
    tag = story.tags.get()
    shown = surrogate_keys(client.get(story.get_absolute_url()))
    assert {
        "all",
        "chrome",
        f"story-{story.pk}",
        f"section-{story.section_id}",
        f"tag-{tag.pk}",
        f"author-{author.pk}",
        f"image-{author.photo_id}",
        f"image-{story.featured_image_id}",
        f"story-{related.pk}",
    } <= shown
    # A story page is no list: a publish elsewhere does not purge it.
    assert not shown & (STORY_LISTS | {f"section-{story.section_id}-list"})


def test_list_pages_feeds_and_sitemaps_carry_their_list_keys(client, story, author):
    tag = story.tags.get()
    section = story.section_id
    expected = {
        "/": {"home", "chrome", f"story-{story.pk}", f"author-{author.pk}"},
        "/politics/": {f"section-{section}", f"section-{section}-list", f"story-{story.pk}"},
        "/tags/oil/": {f"tag-{tag.pk}", f"tag-{tag.pk}-list", f"story-{story.pk}"},
        author.get_absolute_url(): {f"author-{author.pk}", f"author-{author.pk}-list"},
        "/search/?q=cached": {"search", f"story-{story.pk}"},
        "/corrections/": {"corrections", "chrome"},
        "/feeds/rss/": {"feeds", f"story-{story.pk}", f"tag-{tag.pk}"},
        "/feeds/sections/politics/rss/": {"feeds", f"section-{section}-list"},
        "/feeds/tags/oil/atom/": {"feeds", f"tag-{tag.pk}-list"},
        f"/feeds/authors/{author.slug}/rss/": {"feeds", f"author-{author.pk}-list"},
        "/feeds/corrections/rss/": {"feeds", "corrections"},
        "/sitemap.xml": {"sitemaps"},
        month_url(month_key(story.publish_at)): {"sitemaps"},
        "/sitemap-news.xml": {"sitemaps"},
    }
    for path, wanted in expected.items():
        response = client.get(path)
        assert response.status_code == 200, path
        assert wanted | {"all"} <= surrogate_keys(response), (path, surrogate_keys(response))
    assert "chrome" not in surrogate_keys(client.get("/feeds/rss/"))  # no HTML, no chrome


def test_standing_pages_withdrawn_stories_and_old_addresses_carry_their_keys(client, story, editor):
    from django.contrib.flatpages.models import FlatPage
    from django.contrib.sites.models import Site

    page = FlatPage.objects.create(url="/pages/about/", title="About", content="<p>Us.</p>")
    page.sites.add(Site.objects.get_current())
    assert {f"page-{page.pk}", "chrome"} <= surrogate_keys(client.get("/pages/about/"))
    old_url = story.get_absolute_url()
    story.slug = "cached-story-renamed"
    story.save()
    moved = client.get(old_url)
    assert moved.status_code == 301 and f"story-{story.pk}" in surrogate_keys(moved)
    story.unpublish(editor, note="Taken down.")
    for url in (old_url, story.get_absolute_url()):
        gone = client.get(url)
        assert gone.status_code == 410 and f"story-{story.pk}" in surrogate_keys(gone)


def test_404s_carry_no_cache_headers(client):
    response = client.get("/politics/2020/01/01/no-such-story/")
    assert response.status_code == 404
    assert "Surrogate-Key" not in response and "public" not in response.get("Cache-Control", "")


def test_conditional_get_answers_304_with_an_empty_body_and_the_keys(client, story):
    first = client.get(story.get_absolute_url())
    again = client.get(story.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    assert again["Surrogate-Key"] == first["Surrogate-Key"]
    other = client.get(story.get_absolute_url(), HTTP_IF_NONE_MATCH='"something-else"')
    assert other.status_code == 200


def test_staff_always_get_fresh_private_pages(client, story, editor):
    client.force_login(editor)
    response = client.get("/")
    assert "private" in response["Cache-Control"] and "no-cache" in response["Cache-Control"]
    assert "Surrogate-Key" not in response
    story.headline = "Edited quietly"
    story.save(update_fields=["headline"])
    assert b"Edited quietly" in client.get("/").content


def test_the_edge_ttl_of_lists_ends_when_the_next_scheduled_story_is_due(client, story):
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        later = ArticleFactory(
            published=True,
            headline="Scheduled story",
            publish_at=now + dt.timedelta(minutes=10),
            first_published_at=now + dt.timedelta(minutes=10),
        )
        for path in ("/", "/politics/", "/feeds/rss/", "/sitemap.xml"):
            assert s_maxage(client.get(path)) == 600, path
        # Story pages do not list stories: the schedule does not shorten their stay.
        assert s_maxage(client.get(story.get_absolute_url())) == 3600
        assert client.get(later.get_absolute_url()).status_code == 404
    with time_machine.travel(now + dt.timedelta(minutes=11), tick=False):
        assert b"Scheduled story" in client.get("/").content
        assert client.get(later.get_absolute_url()).status_code == 200
        assert s_maxage(client.get("/")) == 3600


def test_a_banner_shows_and_goes_on_time_and_bounds_every_html_page(client, story):
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        BreakingBanner.objects.create(
            text="Polls close at eight",
            starts_at=now + dt.timedelta(minutes=5),
            ends_at=now + dt.timedelta(minutes=20),
        )
        response = client.get(story.get_absolute_url())
        assert b"Polls close" not in response.content
        assert s_maxage(response) == 300
        assert s_maxage(client.get("/feeds/rss/")) == 300  # lists: the banner's times too
    with time_machine.travel(now + dt.timedelta(minutes=6), tick=False):
        response = client.get(story.get_absolute_url())
        assert b"Polls close" in response.content
        assert s_maxage(response) == 14 * 60
    with time_machine.travel(now + dt.timedelta(minutes=21), tick=False):
        response = client.get(story.get_absolute_url())
        assert b"Polls close" not in response.content
        assert s_maxage(response) == 3600


def test_edge_ttl_follows_the_setting(client, story, settings):
    settings.EDGE_TTL = 120
    assert s_maxage(client.get(story.get_absolute_url())) == 120


# --- What each change purges ------------------------------------------------------------


def test_a_publish_purges_home_and_its_lists_but_no_other_story(
    client, story, unrelated, editor, author, purged
):
    fresh = ArticleFactory(headline="Fresh news", section=story.section, tag_names=["oil"])
    Byline.objects.create(article=fresh, author=author)
    assert purged.after(lambda: fresh.save()) == set()  # a draft purges nothing
    sent = purged.after(lambda: fresh.publish(editor))
    tag = story.tags.get()
    assert sent == {
        f"story-{fresh.pk}",
        *STORY_LISTS,
        f"section-{story.section_id}-list",
        f"tag-{tag.pk}-list",
        f"author-{author.pk}-list",
        f"archive-{timezone.localdate(fresh.publish_at)}",
    }
    assert f"story-{story.pk}" not in sent and f"story-{unrelated.pk}" not in sent
    for path in ("/", story.section.get_absolute_url(), "/tags/oil/"):
        assert b"Fresh news" in client.get(path).content, path


def test_a_story_in_a_subsection_purges_its_parents_list_too(editor, purged):
    nation = SectionFactory(name="Nation", slug="nation")
    regions = SectionFactory(name="Regions", slug="regions", parent=nation)
    story = ArticleFactory(section=regions)
    sent = purged.after(lambda: story.publish(editor))
    assert {f"section-{regions.pk}-list", f"section-{nation.pk}-list"} <= sent


def test_an_edit_purges_the_story_and_its_lists(story, unrelated, purged):
    story.headline = "Cached story, updated"
    sent = purged.after(story.save)
    assert {f"story-{story.pk}", "home", f"section-{story.section_id}-list"} <= sent
    assert f"story-{unrelated.pk}" not in sent


def test_moving_a_story_purges_the_lists_it_left_and_joined(client, story, unrelated, purged):
    old_section, new_section = story.section, unrelated.section
    story.section = new_section
    sent = purged.after(story.save)
    assert {f"section-{old_section.pk}-list", f"section-{new_section.pk}-list"} <= sent
    assert f"story-{story.pk}" in sent  # every URL of the story: the old one now redirects
    story.tags.set(["gas"])
    assert client.get("/tags/oil/").status_code == 404  # no live story carries the tag now


def test_retagging_and_bylines_purge_the_lists_they_leave(story, author, purged):
    oil = story.tags.get()
    sent = purged.after(lambda: story.tags.set(["gas"]))
    gas = story.tags.get()
    assert {f"story-{story.pk}", f"tag-{oil.pk}-list", f"tag-{gas.pk}-list"} <= sent
    sent = purged.after(lambda: Byline.objects.filter(article=story).delete())
    assert {f"story-{story.pk}", f"author-{author.pk}-list"} <= sent


def test_a_correction_purges_its_story_and_the_corrections(client, story, unrelated, purged):
    correction = None

    def add():
        nonlocal correction
        correction = CorrectionFactory(article=story)

    sent = purged.after(add)
    assert {f"story-{story.pk}", "corrections"} <= sent
    assert f"story-{unrelated.pk}" not in sent
    assert b"misstated the date" in client.get(story.get_absolute_url()).content
    assert {f"story-{story.pk}", "corrections"} <= purged.after(correction.delete)
    assert b"misstated the date" not in client.get(story.get_absolute_url()).content


def test_a_withdrawal_purges_the_story_and_every_list_it_was_on(
    client, story, author, editor, purged
):
    tag = story.tags.get()
    sent = purged.after(lambda: story.unpublish(editor, note="Taken down."))
    assert {
        f"story-{story.pk}",
        *STORY_LISTS,
        f"section-{story.section_id}-list",
        f"tag-{tag.pk}-list",
        f"author-{author.pk}-list",
    } <= sent
    assert client.get(story.get_absolute_url()).status_code == 410
    assert b"Cached story" not in client.get("/").content


def test_deleting_a_live_story_purges_it_and_its_lists(client, story, author, purged):
    url, pk, tag = story.get_absolute_url(), story.pk, story.tags.get()
    sent = purged.after(story.delete)
    assert {f"story-{pk}", "home", f"tag-{tag.pk}-list", f"author-{author.pk}-list"} <= sent
    assert client.get(url).status_code == 404


def test_scheduling_purges_the_lists_so_their_edge_ttl_is_cut_to_the_new_due_time(
    story, editor, purged
):
    later = ArticleFactory(section=story.section)
    at = timezone.now() + dt.timedelta(hours=2)
    sent = purged.after(lambda: later.schedule(editor, at))
    assert {"home", f"section-{story.section_id}-list"} <= sent


def test_objects_stories_show_purge_their_own_key_only(story, author, purged):
    author.bio = "New bio."
    assert purged.after(author.save) == {f"author-{author.pk}", "sitemaps"}
    image = story.featured_image
    image.caption = "At dusk."
    assert purged.after(image.save) == {f"image-{image.pk}"}
    tag = story.tags.get()
    tag.name = "Oil and gas"
    assert purged.after(tag.save) == {f"tag-{tag.pk}", "sitemaps"}
    section = story.section
    section.name = "Politics and power"
    assert purged.after(section.save) == {f"section-{section.pk}", "chrome", "sitemaps"}
    # New ones are on no page until a story uses them.
    assert purged.after(lambda: AuthorFactory(name="New Reporter")) == set()


def test_saves_neither_fail_nor_purge_without_backends(story, settings, editor):
    settings.PURGE_BACKENDS = []
    story.unpublish(editor, note="Taken down.")
    assert Article.objects.get(pk=story.pk).status == "withdrawn"


# --- What each page costs on a miss -----------------------------------------------------


def _newsroom(n_stories: int = 30) -> dict:
    """Many stories with several tags, bylines, images and corrections (sitemaps have their
    own budget in test_sitemaps.py)."""
    image = ImageFactory()
    parent = SectionFactory(name="Nation", slug="nation")
    sections = [parent] + [SectionFactory(parent=parent) for _ in range(3)]
    authors = [AuthorFactory(photo=image) for _ in range(4)]
    stories = []
    for i in range(n_stories):
        article = ArticleFactory(
            published=True,
            section=sections[i % len(sections)],
            featured_image=image,
            authors=authors[: 1 + i % 3],
            tag_names=["oil", "baku", f"tag{i % 5}", f"t{i}"],
        )
        Byline.objects.create(
            article=article, author=authors[3], role=Byline.Role.PHOTOGRAPHS, position=9
        )
        CorrectionFactory(article=article)
        stories.append(article)
    return {"stories": stories, "authors": authors, "section": parent}


def test_query_budget_article_page(client, django_assert_max_num_queries):
    data = _newsroom()
    for article in data["stories"][:3]:
        # Nothing rendered yet: the story with its related stories; its parts and the "More
        # from" items with their photos, bylines, tags and corrections (4, in the same
        # queries); the related items from their rows; the site state (4, with the fronts'
        # placements) once.
        with django_assert_max_num_queries(9):
            response = client.get(article.get_absolute_url())
        assert response.status_code == 200
    # Parts cached: one query, the story with its related stories.
    with django_assert_max_num_queries(1):
        assert client.get(data["stories"][0].get_absolute_url()).status_code == 200


def test_query_budget_article_page_with_no_story_sharing_a_tag(
    client, django_assert_max_num_queries
):
    data = _newsroom()
    loner = ArticleFactory(
        published=True, section=data["section"], tag_names=["only-here"], authors=data["authors"]
    )
    CorrectionFactory(article=loner)
    # As above: the "More from" items come in the story's own queries on a miss.
    with django_assert_max_num_queries(9):
        response = client.get(loner.get_absolute_url())
    assert response.status_code == 200
    # Topped up from the section: its newest stories.
    in_section = [story for story in data["stories"] if story.section == data["section"]]
    html = response.content.decode()
    assert all(f">{story.headline}</a>" in html for story in in_section[-4:])


def test_query_budget_list_pages(client, django_assert_max_num_queries):
    data = _newsroom()
    paths = [
        "/",
        "/nation/",
        "/nation/?page=2",
        "/tags/oil/",
        data["authors"][0].get_absolute_url(),
        data["authors"][3].get_absolute_url(),
        "/search/?q=parliament",
        "/corrections/",
        "/feeds/rss/",
    ]
    for path in paths:
        # Teasers not rendered yet and the site state (4) not read yet, at most.
        with django_assert_max_num_queries(11):
            response = client.get(path)
        assert response.status_code == 200, path
    # Home, everything cached: the newest stories (the lead among them), the shown ones' rows.
    with django_assert_max_num_queries(2):
        assert client.get("/").status_code == 200


def test_the_wsgi_entry_point_is_plain_django():
    from django.core.handlers.wsgi import WSGIHandler

    from newsroom.wsgi import application

    assert type(application) is WSGIHandler
