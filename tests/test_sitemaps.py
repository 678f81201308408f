"""Sitemap index, per-kind sitemaps, the Google News sitemap and robots.txt."""

import datetime as dt
import re
import xml.etree.ElementTree as ET

import psycopg
import pytest
import time_machine
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from articles import sitemaps
from articles.models import Article, Byline, Section, SitemapGroup, Status
from articles.sitemap_summary import month_key, rebuild
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
    return urlset_at(client, f"/sitemap-{name}.xml")


def urlset_at(client, path: str) -> dict[str, str | None]:
    root = fetch(client, path)
    assert root.tag == f"{{{NS['sm']}}}urlset"
    return {
        path_of(url.find("sm:loc", NS).text): getattr(url.find("sm:lastmod", NS), "text", None)
        for url in root.findall("sm:url", NS)
    }


def index(client) -> dict[str, str | None]:
    """{path: lastmod} of the sitemap index, in its order."""
    root = fetch(client, "/sitemap.xml")
    assert root.tag == f"{{{NS['sm']}}}sitemapindex"
    return {
        path_of(entry.find("sm:loc", NS).text): getattr(entry.find("sm:lastmod", NS), "text", None)
        for entry in root.findall("sm:sitemap", NS)
    }


def month_path(article: Article) -> str:
    return sitemaps.month_url(month_key(article.publish_at))


def story_entries(client) -> dict[str, str | None]:
    """{path: lastmod} of every story in every month file the index lists."""
    entries = {}
    for path in index(client):
        if path.startswith("/sitemap-articles-"):
            entries.update(urlset_at(client, path))
    return entries


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
    story = ArticleFactory(published=True, authors=[AuthorFactory()])  # no tags yet
    entries = index(client)
    paths = list(entries)
    assert paths == [
        "/sitemap-sections.xml",
        "/sitemap-authors.xml",
        month_path(story),
        "/sitemap-news.xml",
    ]
    for lastmod in entries.values():
        assert_lastmod_ok(lastmod)
    for path in paths:
        assert client.get(path).status_code == 200
    assert client.get("/sitemap-tags.xml").status_code == 404  # empty: not a valid urlset


def test_articles_sitemap_lists_live_stories_with_last_significant_update(client):
    live = every_kind_of_story()
    updated = live[1]
    updated.mark_significant_update(ago(hours=2))
    updated.save()
    entries = story_entries(client)
    assert set(entries) == {a.get_absolute_url() for a in live}
    for lastmod in entries.values():
        assert_lastmod_ok(lastmod)
    stamp = dt.datetime.fromisoformat(entries[updated.get_absolute_url()])
    assert stamp == updated.updated_at.replace(microsecond=0)


def test_lastmod_is_never_in_the_future(client):
    article = ArticleFactory(published=True)
    Article.objects.filter(pk=article.pk).update(updated_at=timezone.now() + dt.timedelta(days=1))
    [lastmod] = story_entries(client).values()
    assert_lastmod_ok(lastmod)
    [lastmod] = [m for path, m in index(client).items() if path.startswith("/sitemap-art")]
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
    for name in ("sections", "tags", "authors"):
        for path in urlset(client, name):
            assert client.get(path).status_code == 200, path
    for path in story_entries(client):
        assert client.get(path).status_code == 200, path


@time_machine.travel(dt.datetime(2026, 3, 20, 12, tzinfo=dt.UTC), tick=False)
def test_sitemap_queries_do_not_grow_with_stories_or_months(client, django_assert_max_num_queries):
    def paths() -> list[str]:
        files = [f"/sitemap-{name}.xml" for name in ("sections", *sitemaps.PAGED)]
        return ["/sitemap.xml", *files, month_file]

    for n in range(15):  # fifteen months, a scheduled story come due in one of them
        ArticleFactory(
            published=True,
            publish_at=ago(days=31 * n + 1),
            authors=[AuthorFactory()],
            tag_names=[f"t{n}"],
        )
    ArticleFactory(scheduled=True, publish_at=ago(seconds=-1), tag_names=["t0"])
    month_file = sitemaps.month_url(month_key(ago(days=1)))
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=5)):
        assert len(index(client)) == 3 + 15 + 1
        for path in paths():
            # The index: the summary's months and sections, the tag and author totals (a
            # count and the newest lastmod each), each kind's stories come due, the
            # sections, the newest news story.
            with django_assert_max_num_queries(14):
                assert client.get(path).status_code == 200, path


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
    assert article.get_absolute_url() in story_entries(client)
    article.status = Status.WITHDRAWN
    article.save()
    assert client.get(month_path(article)).status_code == 404
    assert index(client) == {}
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


@time_machine.travel(dt.datetime(2026, 3, 20, 12, tzinfo=dt.UTC), tick=False)
def test_large_sitemaps_are_split_into_pages_each_cached_on_its_own(client, monkeypatch):
    monkeypatch.setattr(sitemaps, "LIMIT", 2)
    stories = [
        ArticleFactory(published=True, publish_at=ago(hours=n + 1), tag_names=[f"tag {n}"])
        for n in range(3)
    ]
    paths = list(index(client))
    assert paths == [
        "/sitemap-sections.xml",
        "/sitemap-tags.xml",
        "/sitemap-tags-2.xml",
        "/sitemap-articles-2026-03.xml",
        "/sitemap-articles-2026-03-2.xml",
        "/sitemap-news.xml",
    ]
    # Oldest first, so a month's first page keeps its stories as new ones come.
    assert list(urlset(client, "articles-2026-03")) == [
        stories[2].get_absolute_url(),
        stories[1].get_absolute_url(),
    ]
    assert list(urlset(client, "articles-2026-03-2")) == [stories[0].get_absolute_url()]
    assert len(urlset(client, "tags")) == 2 and len(urlset(client, "tags-2")) == 1
    gone = ["articles-2026-03-3", "articles-2026-03-1", "articles-2026-03-02"]
    gone += ["articles-2026-13", "articles-2026-02", "tags-3", "tags-1", "nope"]
    for name in gone:
        assert client.get(f"/sitemap-{name}.xml").status_code == 404, name


@time_machine.travel(dt.datetime(2026, 3, 20, 12, tzinfo=dt.UTC), tick=False)
def test_index_lists_months_with_their_latest_update(client):
    march = ArticleFactory(published=True, publish_at=ago(days=2))
    ArticleFactory(published=True, publish_at=ago(days=3))
    february = ArticleFactory(published=True, publish_at=ago(days=30))
    ArticleFactory(withdrawn=True, publish_at=ago(days=1))  # a later time, but not live
    ArticleFactory(published=True, publish_at=ago(days=400))  # 2025
    february.mark_significant_update(ago(hours=5))  # an old story updated: its month moves
    february.save()
    months = {p: m for p, m in index(client).items() if p.startswith("/sitemap-articles-")}
    assert list(months) == [
        "/sitemap-articles-2026-03.xml",
        "/sitemap-articles-2026-02.xml",
        "/sitemap-articles-2025-02.xml",
    ]
    lastmods = {p: dt.datetime.fromisoformat(m) for p, m in months.items()}
    assert lastmods["/sitemap-articles-2026-03.xml"] == march.publish_at.replace(microsecond=0)
    assert lastmods["/sitemap-articles-2026-02.xml"] == february.updated_at.replace(microsecond=0)


@time_machine.travel(dt.datetime(2026, 3, 20, 12, tzinfo=dt.UTC), tick=False)
def test_a_month_file_lists_exactly_its_live_stories_in_the_outlets_zone(client):
    baku = dt.timezone(dt.timedelta(hours=4))  # settings.TIME_ZONE in tests
    assert timezone.get_current_timezone_name() == "Asia/Baku"
    first_minute = ArticleFactory(published=True, publish_at=dt.datetime(2026, 3, 1, tzinfo=baku))
    last_minute = ArticleFactory(
        published=True, publish_at=dt.datetime(2026, 2, 28, 23, 59, tzinfo=baku)
    )
    tenth = dt.datetime(2026, 3, 10, tzinfo=baku)
    ArticleFactory(published=True, publish_at=tenth)
    ArticleFactory(published=True, publish_at=tenth, first_published_at=None)
    ArticleFactory(headline="A draft")
    ArticleFactory(in_review=True)
    ArticleFactory(scheduled=True, publish_at=dt.datetime(2026, 3, 25, tzinfo=baku))
    ArticleFactory(withdrawn=True, publish_at=tenth)
    march = urlset(client, "articles-2026-03")
    assert first_minute.get_absolute_url() in march
    assert set(march) == {
        a.get_absolute_url() for a in Article.objects.live().filter(publish_at__month=3)
    }
    assert len(march) == 3  # the first minute, and the published two of every kind
    assert set(urlset(client, "articles-2026-02")) == {last_minute.get_absolute_url()}


@time_machine.travel(dt.datetime(2026, 3, 31, 18, tzinfo=dt.UTC))
def test_a_scheduled_story_appears_when_due_without_a_save(client):
    """21:00 UTC on 31 March is 1 April in Baku: the story opens a month."""
    ArticleFactory(published=True, publish_at=ago(days=1))
    soon = ArticleFactory(scheduled=True, publish_at=timezone.now() + dt.timedelta(hours=3))
    paths = list(index(client))
    assert "/sitemap-articles-2026-04.xml" not in paths
    assert client.get("/sitemap-articles-2026-04.xml").status_code == 404
    with time_machine.travel(timezone.now() + dt.timedelta(hours=4)):
        entries = index(client)
        lastmod = entries["/sitemap-articles-2026-04.xml"]
        assert dt.datetime.fromisoformat(lastmod) == soon.publish_at.replace(microsecond=0)
        assert list(urlset(client, "articles-2026-04")) == [soon.get_absolute_url()]
        assert "/sitemap-tags.xml" not in entries  # it has none


def test_the_summary_kept_by_saves_equals_a_rebuild(client, editor):
    """Publishing, moving, retagging, re-bylining, withdrawing, deleting: the rows each change
    leaves are the ones a set-based rebuild computes from the stories."""
    writers = AuthorFactory.create_batch(3)
    stories = [
        ArticleFactory(
            published=True, publish_at=ago(days=40 * n), authors=writers[:2], tag_names=["a", "b"]
        )
        for n in range(4)
    ]
    draft = ArticleFactory(tag_names=["a"], authors=[writers[2]])
    draft.publish(editor)
    stories[0].publish_at = ago(days=400)  # moves to another month
    stories[0].save()
    stories[1].tags.set(["c"])
    Byline.objects.filter(article=stories[2], author=writers[0]).delete()
    stories[3].unpublish(editor, note="Taken down.")
    ArticleFactory(scheduled=True, tag_names=["d"]).delete()
    stories[2].section = SectionFactory()
    stories[2].save()

    def rows() -> set[tuple]:
        return set(SitemapGroup.objects.values_list("kind", "key", "stories", "lastmod"))

    kept = rows()
    rebuild()
    assert kept == rows()
    assert ("tag", stories[1].tags.get().pk) in {row[:2] for row in kept}


def generic_plan(queryset) -> str:
    """The plan PostgreSQL runs the query with in production: a prepared statement's generic
    plan (settings: server-side binding, plan_cache_mode=force_generic_plan), which knows no
    parameter's value, so neither a partial index nor the parameters' selectivity."""
    sql, params = queryset.query.sql_with_params()
    numbered = iter(range(1, len(params) + 1))
    sql = re.sub("%s", lambda match: f"${next(numbered)}", sql)
    types = ((dt.datetime, "timestamptz"), (str, "text"), (int, "bigint"))  # str: enums too
    declared = [next(name for kind, name in types if isinstance(v, kind)) for v in params]
    values = ", ".join(f"%s::{name}" for name in declared)
    with transaction.atomic():
        connection.ensure_connection()
        # Client-side binding: PREPARE's own $n must reach the server as text.
        with psycopg.ClientCursor(connection.connection) as cursor:
            cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
            # A test table is small enough that reading it whole may be cheapest: what is
            # checked is that the generic plan can use the index (a partial one it cannot).
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"PREPARE sitemap_plan ({', '.join(declared)}) AS {sql}")
            try:
                cursor.execute(f"EXPLAIN EXECUTE sitemap_plan({values})", params)
                return "\n".join(row[0] for row in cursor.fetchall())
            finally:
                cursor.execute("DEALLOCATE sitemap_plan")


def test_query_plans_use_an_index():
    """The month file and the news sitemap are index ranges, whatever the archive's size
    (at 100,000 stories PostgreSQL picks these plans without being pushed). The news list
    itself is left out: on a table this small its generic plan's choice between the two
    indexes is a close call on costs, and flips with the statistics of earlier tests."""
    if connection.vendor != "postgresql":
        pytest.skip("query plans are PostgreSQL's")
    section = SectionFactory()
    stories = [  # three years of stories: enough that reading them all would cost
        Article(
            headline=f"Story {n}",
            slug=f"story-{n}",
            section=section,
            status=Status.PUBLISHED,
            publish_at=ago(hours=9 * n),
            first_published_at=ago(hours=9 * n),
        )
        for n in range(3000)
    ]
    Article.objects.bulk_create(stories, batch_size=500)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE articles_article")
    month = generic_plan(sitemaps.month_stories(month_key(timezone.now()), page=1))
    latest = generic_plan(sitemaps.news_stories().values_list("first_published_at")[:1])
    # A range of the publication-date index: article_live_idx, or the admin's own order
    # index (publish_at first too), whichever the statistics of earlier tests favour.
    assert "Seq Scan on articles_article" not in month, month
    assert "article_live_idx" in month or "article_admin_order_idx" in month, month
    assert "article_first_published_idx" in latest, latest


def test_crawlers_may_use_head_and_conditional_get(client):
    ArticleFactory(published=True)
    for path in ("/sitemap.xml", "/sitemap-news.xml", "/robots.txt", "/feeds/rss/"):
        assert client.head(path).status_code == 200, path
        etag = client.get(path)["ETag"]
        assert client.get(path, headers={"if-none-match": etag}).status_code == 304
