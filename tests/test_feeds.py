"""RSS and Atom feeds, as a feed reader parses them: only live stories, complete items."""

import datetime as dt

import feedparser
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from articles.feeds import FEED_SIZE
from articles.models import Article, Byline, Section, Status
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CorrectionFactory,
    ImageFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db

FEEDS = ["feeds:latest-rss", "feeds:latest-atom"]


def parse(client, url: str) -> feedparser.FeedParserDict:
    response = client.get(url)
    assert response.status_code == 200, url
    assert "public" in response["Cache-Control"]
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    return feed


def ago(**kwargs) -> dt.datetime:
    return timezone.now() - dt.timedelta(**kwargs)


def every_kind_of_story(**kwargs) -> None:
    """One story in each state readers must not see, plus two live ones."""
    ArticleFactory(headline="Older live story", publish_at=ago(hours=5), published=True, **kwargs)
    ArticleFactory(headline="Newer live story", publish_at=ago(hours=1), published=True, **kwargs)
    ArticleFactory(headline="A draft", **kwargs)
    ArticleFactory(headline="In review", in_review=True, **kwargs)
    ArticleFactory(headline="Returned", returned=True, **kwargs)
    ArticleFactory(headline="Scheduled", scheduled=True, **kwargs)
    ArticleFactory(headline="Withdrawn", withdrawn=True, **kwargs)


@pytest.mark.parametrize("name", FEEDS)
def test_latest_feeds_list_live_stories_only_newest_first(client, name):
    every_kind_of_story()
    feed = parse(client, reverse(name))
    assert [e.title for e in feed.entries] == ["Newer live story", "Older live story"]


@pytest.mark.parametrize("name", FEEDS)
def test_feed_item_is_complete(client, name):
    leyla, omar = AuthorFactory(name="Leyla Mammadova"), AuthorFactory(name="Omar Aliyev")
    article = ArticleFactory(
        published=True,
        headline="Pipeline deal signed & sealed",
        standfirst="Ministers agreed the <route> at last.",
        authors=[leyla, omar],
        tag_names=["Azerbaijan", "Energy"],
        featured_image=ImageFactory(),
    )
    article.mark_significant_update(ago(minutes=10))
    article.save()

    [entry] = parse(client, reverse(name)).entries
    assert entry.title == "Pipeline deal signed & sealed"
    assert entry.link == settings.SITE_URL + article.get_absolute_url()
    assert entry.published_parsed[:5] == article.first_published_at.utctimetuple()[:5]
    assert "Ministers agreed the <route> at last." in entry.summary or (
        "Ministers agreed the &lt;route&gt; at last." in entry.summary
    )
    assert [a.name for a in entry.authors] == ["Leyla Mammadova", "Omar Aliyev"]
    assert {t.term for t in entry.tags} == {"Politics", "Azerbaijan", "Energy"}
    [enclosure] = entry.enclosures
    assert enclosure.type == "image/jpeg"
    assert int(enclosure.length) > 0
    assert enclosure.href.startswith(settings.SITE_URL + settings.MEDIA_URL.rstrip("/"))
    assert entry.media_content[0]["medium"] == "image"
    if name.endswith("atom"):
        assert entry.updated_parsed[:5] == article.updated_at.utctimetuple()[:5]


def test_feed_entry_link_answers_200_without_redirect(client):
    article = ArticleFactory(published=True)
    [entry] = parse(client, reverse("feeds:latest-rss")).entries
    response = client.get(entry.link.removeprefix(settings.SITE_URL))
    assert response.status_code == 200
    assert entry.link == settings.SITE_URL + article.get_absolute_url()


ALL_FEEDS = [
    *FEEDS,
    "feeds:corrections-rss",
    "feeds:corrections-atom",
]


@pytest.mark.parametrize("name", ALL_FEEDS)
def test_every_feed_address_is_on_site_url_whatever_the_site_record_says(client, settings, name):
    """The Site row keeps whatever domain the first migrate saw (127.0.0.1:8000 on a demo
    machine); a site served at another address must still link readers there."""
    from django.contrib.sites.models import Site

    Site.objects.filter(pk=settings.SITE_ID).update(domain="127.0.0.1:8000")
    Site.objects.clear_cache()
    settings.SITE_URL = "https://news.example.az"
    article = ArticleFactory(published=True, publish_at=ago(hours=2))
    CorrectionFactory(article=article)

    feed = parse(client, reverse(name))
    links = [feed.feed.link, *(link.href for link in feed.feed.get("links", []))]
    links += [entry.link for entry in feed.entries]
    assert feed.entries and len(links) > len(feed.entries)
    assert all(link.startswith("https://news.example.az/") for link in links), links
    assert any(link.endswith(reverse(name)) for link in links)  # the feed's own address


def test_unsigned_story_is_credited_to_the_outlet(client):
    ArticleFactory(published=True)
    [entry] = parse(client, reverse("feeds:latest-atom")).entries
    assert entry.author == settings.SITE_NAME


def test_feed_holds_the_newest_twenty(client):
    for hours in range(FEED_SIZE + 5):
        ArticleFactory(published=True, headline=f"Story {hours}", publish_at=ago(hours=hours + 1))
    entries = parse(client, reverse("feeds:latest-rss")).entries
    assert len(entries) == FEED_SIZE
    assert entries[0].title == "Story 0"


def test_feed_queries_do_not_grow_with_stories(client, django_assert_max_num_queries):
    photo = ImageFactory()
    for n in range(FEED_SIZE):
        ArticleFactory(
            published=True,
            authors=[AuthorFactory()],
            tag_names=[f"tag-{n}", "shared"],
            featured_image=photo,
        )
    # The stories, their bylines and tags; the site state (4, for the edge TTL); and on
    # PostgreSQL the plan settings around the list (articles.search.planned_per_query).
    with django_assert_max_num_queries(11):
        parse(client, reverse("feeds:latest-atom"))


def test_section_feed_includes_subsections_and_only_live(client):
    politics = SectionFactory(name="Politics", slug="politics")
    elections = Section.objects.create(name="Elections", slug="elections", parent=politics)
    sport = SectionFactory(name="Sport", slug="sport")
    every_kind_of_story(section=elections)
    ArticleFactory(published=True, headline="Football", section=sport)
    for name in ("feeds:section-rss", "feeds:section-atom"):
        feed = parse(client, reverse(name, args=["politics"]))
        assert [e.title for e in feed.entries] == ["Newer live story", "Older live story"]
    assert client.get(reverse("feeds:section-rss", args=["nope"])).status_code == 404


def test_tag_feed(client):
    every_kind_of_story(tag_names=["Caspian"])
    ArticleFactory(published=True, headline="Untagged")
    for name in ("feeds:tag-rss", "feeds:tag-atom"):
        feed = parse(client, reverse(name, args=["caspian"]))
        assert [e.title for e in feed.entries] == ["Newer live story", "Older live story"]
    assert client.get(reverse("feeds:tag-atom", args=["nope"])).status_code == 404


def test_author_feed_lists_each_story_once(client):
    from articles.models import Byline

    author = AuthorFactory(name="Leyla Mammadova")
    every_kind_of_story(authors=[author])
    ArticleFactory(published=True, headline="Someone else's")
    # Writer and photographer of the same story: still one entry.
    newer = Article.objects.get(headline="Newer live story")
    Byline.objects.create(article=newer, author=author, role=Byline.Role.PHOTOGRAPHS)
    for name in ("feeds:author-rss", "feeds:author-atom"):
        feed = parse(client, reverse(name, args=[author.slug]))
        assert [e.title for e in feed.entries] == ["Newer live story", "Older live story"]


def test_corrections_feed_lists_notes_on_live_stories(client):
    correction = CorrectionFactory(article__headline="Budget passes")
    gone = CorrectionFactory(article__headline="Later withdrawn", text="Wrong name.")
    Article.objects.filter(pk=gone.article_id).update(status=Status.WITHDRAWN)
    for name in ("feeds:corrections-rss", "feeds:corrections-atom"):
        [entry] = parse(client, reverse(name)).entries
        assert entry.title == "Correction: Budget passes"
        assert entry.link == settings.SITE_URL + correction.article.get_absolute_url()
        assert correction.text in entry.summary
        assert entry.author == settings.SITE_NAME
        assert entry.published_parsed


def test_newly_published_story_appears_in_the_cached_feed_at_once(client):
    ArticleFactory(published=True, headline="First")
    assert [e.title for e in parse(client, reverse("feeds:latest-rss")).entries] == ["First"]
    ArticleFactory(published=True, headline="Second", publish_at=timezone.now())
    titles = [e.title for e in parse(client, reverse("feeds:latest-rss")).entries]
    assert titles == ["Second", "First"]


def test_feed_links_advertise_site_feeds_and_page_feeds(client):
    SectionFactory(name="Politics", slug="politics")
    html = client.get("/politics/").content.decode()
    assert f'type="application/rss+xml" title="{settings.SITE_NAME}: latest stories' in html
    assert f'href="{reverse("feeds:latest-rss")}"' in html
    assert f'href="{reverse("feeds:latest-atom")}"' in html
    assert (
        'type="application/rss+xml" title="Politics (RSS)" href="/feeds/sections/politics/rss/"'
        in html
    )
    assert 'type="application/atom+xml" title="Politics (Atom)"' in html


def test_tag_and_author_pages_advertise_their_feeds(client):
    story = ArticleFactory(published=True, tag_names=["oil"])
    author = AuthorFactory(name="Leyla Mammadova", slug="leyla-mammadova")
    Byline.objects.create(article=story, author=author)
    tag_page = client.get("/tags/oil/").content.decode()
    assert 'title="oil (RSS)" href="/feeds/tags/oil/rss/"' in tag_page
    assert 'title="oil (Atom)" href="/feeds/tags/oil/atom/"' in tag_page
    author_page = client.get(author.get_absolute_url()).content.decode()
    assert 'href="/feeds/authors/leyla-mammadova/rss/"' in author_page
    assert 'href="/feeds/authors/leyla-mammadova/atom/"' in author_page


def test_home_page_advertises_the_feeds(client):
    ArticleFactory(published=True)
    response = client.get("/")
    assert f'href="{reverse("feeds:latest-rss")}"' in response.content.decode()
    assert f'href="{reverse("feeds:latest-atom")}"' in response.content.decode()
