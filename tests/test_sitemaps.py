"""Sitemap index, per-kind sitemaps, the Google News sitemap and robots.txt."""

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest
from django.conf import settings
from django.utils import timezone

from articles import sitemaps
from articles.models import Article, Section, Status
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db

NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}
# W3C Datetime with seconds and a zone, as search engines want lastmod.
W3C = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")


def ago(**kwargs) -> dt.datetime:
    return timezone.now() - dt.timedelta(**kwargs)


def fetch(client, path: str) -> ET.Element:
    response = client.get(path)
    assert response.status_code == 200, path
    assert response["Content-Type"].startswith("application/xml")
    assert "public" in response["Cache-Control"]
    return ET.fromstring(response.content)


def locs(root: ET.Element) -> list[str]:
    return [e.text for e in root.findall(".//sm:loc", NS)]


def path_of(url: str) -> str:
    assert url.startswith(settings.SITE_URL + "/"), url
    return url.removeprefix(settings.SITE_URL)


def urlset(client, name: str) -> dict[str, str | None]:
    """{path: lastmod} of one sitemap of the index."""
    root = fetch(client, f"/sitemap-{name}.xml")
    assert root.tag == f"{{{NS['sm']}}}urlset"
    return {
        path_of(url.find("sm:loc", NS).text): getattr(url.find("sm:lastmod", NS), "text", None)
        for url in root.findall("sm:url", NS)
    }


def assert_lastmod_ok(value: str | None) -> None:
    assert value and W3C.match(value), value
    assert dt.datetime.fromisoformat(value) <= timezone.now()


def every_kind_of_story(**kwargs) -> list[Article]:
    live = [
        ArticleFactory(published=True, headline="Live one", **kwargs),
        ArticleFactory(published=True, headline="Live two", publish_at=ago(days=3), **kwargs),
    ]
    ArticleFactory(headline="A draft", **kwargs)
    ArticleFactory(in_review=True, **kwargs)
    ArticleFactory(scheduled=True, **kwargs)
    ArticleFactory(withdrawn=True, **kwargs)
    return live


def test_index_lists_non_empty_sitemaps_on_the_site_origin(client):
    ArticleFactory(published=True, authors=[AuthorFactory()])  # no tags yet
    root = fetch(client, "/sitemap.xml")
    assert root.tag == f"{{{NS['sm']}}}sitemapindex"
    paths = [path_of(u) for u in locs(root)]
    assert paths == [
        "/sitemap-sections.xml",
        "/sitemap-authors.xml",
        "/sitemap-articles.xml",
        "/sitemap-news.xml",
    ]
    for lastmod in root.findall(".//sm:lastmod", NS):
        assert_lastmod_ok(lastmod.text)
    for path in paths:
        assert client.get(path).status_code == 200
    assert client.get("/sitemap-tags.xml").status_code == 404  # empty: not a valid urlset


def test_articles_sitemap_lists_live_stories_with_last_significant_update(client):
    live = every_kind_of_story()
    updated = live[1]
    updated.mark_significant_update(ago(hours=2))
    updated.save()
    entries = urlset(client, "articles")
    assert set(entries) == {a.get_absolute_url() for a in live}
    for lastmod in entries.values():
        assert_lastmod_ok(lastmod)
    stamp = dt.datetime.fromisoformat(entries[updated.get_absolute_url()])
    assert stamp == updated.updated_at.replace(microsecond=0)


def test_lastmod_is_never_in_the_future(client):
    article = ArticleFactory(published=True)
    Article.objects.filter(pk=article.pk).update(updated_at=timezone.now() + dt.timedelta(days=1))
    [lastmod] = urlset(client, "articles").values()
    assert_lastmod_ok(lastmod)


def test_sections_tags_and_authors_only_with_live_stories(client):
    politics = SectionFactory(name="Politics", slug="politics")
    elections = Section.objects.create(name="Elections", slug="elections", parent=politics)
    SectionFactory(name="Empty", slug="empty")
    drafts_only = SectionFactory(name="Drafts", slug="drafts-only")
    writer, idle = AuthorFactory(), AuthorFactory()
    ArticleFactory(published=True, section=elections, authors=[writer], tag_names=["Baku"])
    ArticleFactory(section=drafts_only, authors=[idle], tag_names=["Secret"])
    ArticleFactory(scheduled=True, section=drafts_only, authors=[idle], tag_names=["Soon"])

    assert set(urlset(client, "sections")) == {"/politics/", "/elections/"}
    assert set(urlset(client, "tags")) == {"/tags/baku/"}
    assert set(urlset(client, "authors")) == {writer.get_absolute_url()}
    for name in ("sections", "tags", "authors"):
        for lastmod in urlset(client, name).values():
            assert_lastmod_ok(lastmod)


def test_sitemap_locations_answer_200(client):
    ArticleFactory(published=True, authors=[AuthorFactory()], tag_names=["Baku"])
    for name in ("sections", "tags", "authors", "articles"):
        for path in urlset(client, name):
            assert client.get(path).status_code == 200, path


def test_sitemap_queries_do_not_grow_with_stories(client, django_assert_max_num_queries):
    for n in range(15):
        ArticleFactory(published=True, authors=[AuthorFactory()], tag_names=[f"t{n}"])
    for path in ("/sitemap.xml", *(f"/sitemap-{n}.xml" for n in sitemaps.SITEMAPS)):
        # 3 of them: the site state (next scheduled story, banners, sections), which a
        # publish deletes, read once for the edge TTL.
        with django_assert_max_num_queries(17):
            client.get(path)


def test_news_sitemap_lists_stories_of_the_last_48_hours(client):
    recent = ArticleFactory(published=True, headline="Fresh & <new>", publish_at=ago(hours=47))
    ArticleFactory(published=True, headline="Too old", publish_at=ago(hours=49))
    ArticleFactory(headline="Draft")
    ArticleFactory(scheduled=True)
    ArticleFactory(withdrawn=True, publish_at=ago(hours=2))

    root = fetch(client, "/sitemap-news.xml")
    [url] = root.findall("sm:url", NS)
    assert path_of(url.find("sm:loc", NS).text) == recent.get_absolute_url()
    news = url.find("news:news", NS)
    assert news.find("news:publication/news:name", NS).text == settings.SITE_NAME
    assert news.find("news:publication/news:language", NS).text == settings.SITE_LANGUAGE
    assert news.find("news:title", NS).text == "Fresh & <new>"
    published = news.find("news:publication_date", NS).text
    assert_lastmod_ok(published)
    assert dt.datetime.fromisoformat(published) == recent.first_published_at.replace(microsecond=0)


def test_news_sitemap_holds_at_most_the_limit(client, monkeypatch):
    monkeypatch.setattr(sitemaps, "NEWS_LIMIT", 3)
    for n in range(5):
        ArticleFactory(published=True, publish_at=ago(hours=n + 1), headline=f"Story {n}")
    root = fetch(client, "/sitemap-news.xml")
    titles = [t.text for t in root.findall(".//news:title", NS)]
    assert titles == ["Story 0", "Story 1", "Story 2"]


def test_news_sitemap_without_recent_stories_is_still_a_valid_urlset(client):
    ArticleFactory(published=True, publish_at=ago(days=5))
    root = fetch(client, "/sitemap-news.xml")
    assert [path_of(u) for u in locs(root)] == ["/"]
    assert root.find(".//news:news", NS) is None
    index = fetch(client, "/sitemap.xml")
    assert "/sitemap-news.xml" not in [path_of(u) for u in locs(index)]


def test_withdrawn_story_leaves_the_sitemaps_at_once(client):
    article = ArticleFactory(published=True, tag_names=["Baku"])
    assert article.get_absolute_url() in urlset(client, "articles")
    article.status = Status.WITHDRAWN
    article.save()
    assert client.get("/sitemap-articles.xml").status_code == 404
    assert client.get("/sitemap-tags.xml").status_code == 404
    assert locs(fetch(client, "/sitemap-news.xml")) == [settings.SITE_URL + "/"]


def test_robots_txt(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "public" in response["Cache-Control"]
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    for path in ("/admin/", "/preview/", "/share/"):
        assert f"Disallow: {path}" in lines
    assert "Disallow: /" not in lines
    assert f"Sitemap: {settings.SITE_URL}/sitemap.xml" in lines
    assert f"Sitemap: {settings.SITE_URL}/sitemap-news.xml" in lines


def test_site_domain_follows_site_url():
    """Feeds and sitemaps build absolute URLs from the Sites framework; migrate syncs it."""
    from django.contrib.sites.models import Site

    site = Site.objects.get_current()
    assert f"http://{site.domain}" == settings.SITE_URL or f"https://{site.domain}" == (
        settings.SITE_URL
    )
    assert site.name == settings.SITE_NAME


def test_large_sitemaps_are_split_into_pages_each_cached_on_its_own(client, monkeypatch):
    monkeypatch.setattr(sitemaps.ArticleSitemap, "limit", 2)
    stories = [ArticleFactory(published=True, publish_at=ago(hours=n + 1)) for n in range(3)]
    index = [path_of(u) for u in locs(fetch(client, "/sitemap.xml"))]
    assert "/sitemap-articles.xml" in index
    assert "/sitemap-articles-2.xml" in index
    first, second = urlset(client, "articles"), urlset(client, "articles-2")
    assert list(first) == [a.get_absolute_url() for a in stories[:2]]
    assert list(second) == [stories[2].get_absolute_url()]
    assert client.get("/sitemap-articles-3.xml").status_code == 404
    assert client.get("/sitemap-nope.xml").status_code == 404


def test_crawlers_may_use_head_and_conditional_get(client):
    ArticleFactory(published=True)
    for path in ("/sitemap.xml", "/sitemap-news.xml", "/robots.txt", "/feeds/rss/"):
        assert client.head(path).status_code == 200, path
        etag = client.get(path)["ETag"]
        assert client.get(path, headers={"if-none-match": etag}).status_code == 304
