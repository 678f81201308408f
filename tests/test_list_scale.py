"""Lists that cost the same at any archive size (issue 14): bounded counting and paging on
the public lists and the admin's changelists, the admin's full-text search, and (on
PostgreSQL) that the hot queries can use the indexes migration 0011 declares."""

import datetime as dt
import json
import re

import pytest
from django.db import connection, transaction
from django.utils import timezone

from articles.admin import ArticleAdmin
from articles.models import Article
from articles.paging import CappedPaginator, EstimatedCountPaginator
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CorrectionFactory,
    SectionFactory,
)

CHANGELIST = "/admin/articles/article/"
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="EXPLAIN plans are PostgreSQL's"
)


def _stories(n: int, **kwargs) -> list[Article]:
    now = timezone.now()
    return [
        ArticleFactory(published=True, publish_at=now - dt.timedelta(hours=i + 1), **kwargs)
        for i in range(n)
    ]


@pytest.fixture
def archive(db):
    section = SectionFactory(name="Politics", slug="politics")
    child = SectionFactory(name="Parliament", slug="parliament", parent=section)
    author = AuthorFactory(name="Leyla Mammadova")
    stories = _stories(25, section=section, authors=[author], tag_names=["oil"])
    stories += _stories(5, section=child, authors=[author], tag_names=["oil"])
    for story in stories[:3]:
        CorrectionFactory(article=story)
    return {"section": section, "child": child, "author": author, "stories": stories}


# --- Public lists ----------------------------------------------------------------------


LISTS = ["/politics/", "/tags/oil/", "/authors/leyla-mammadova/"]


@pytest.mark.parametrize("url", [*LISTS, "/corrections/"])
def test_list_pages_run_a_bounded_number_of_queries(
    client, archive, url, django_assert_max_num_queries
):
    client.get(url)  # teasers rendered and cached once, as on a running site
    # The object, its list page, the capped count, the site state: never one per story.
    with django_assert_max_num_queries(10):
        response = client.get(url, {"page": 2})
    assert response.status_code == 200


@pytest.mark.parametrize("url", LISTS)
def test_list_pages_number_their_pages(client, archive, url):
    assert "Page 2 of 2" in client.get(url, {"page": 2}).content.decode()


def test_section_page_lists_its_subsections_stories(client, archive):
    newest = ArticleFactory(headline="Speaker re-elected", published=True, section=archive["child"])
    assert newest.headline in client.get("/politics/").content.decode()


@pytest.mark.parametrize("url", LISTS)
def test_a_page_beyond_the_cap_says_how_far_the_list_goes(client, archive, settings, url):
    settings.LIST_MAX_PAGES = 1
    response = client.get(url, {"page": 7})
    assert response.status_code == 200
    page = response.content.decode()
    assert "This list goes back 1 page;" in page
    assert "search the archive" in page


def test_a_capped_list_says_it_goes_on_without_counting_how_far(client, archive, settings):
    settings.LIST_MAX_PAGES = 2
    ArticleFactory.create_batch(15, published=True, tag_names=["oil"])  # 45 stories
    page = client.get("/tags/oil/", {"page": 2}).content.decode()
    assert "Page 2 of 2+" in page
    assert "Older" not in page  # no link past the cap


def test_a_page_past_the_last_of_a_short_list_is_the_last_page(client, archive):
    response = client.get("/tags/oil/", {"page": 9})
    assert response.status_code == 200
    assert "no more pages" in response.content.decode()


def test_capped_paginator_counts_no_further_than_its_pages(archive, django_assert_num_queries):
    paginator = CappedPaginator(Article.objects.live().newest_first(), 10, max_pages=2)
    with django_assert_num_queries(1):
        assert paginator.count == 20
    assert paginator.limited and paginator.num_pages == 2
    assert paginator.get_page(5).beyond_cap


# --- Admin changelists -----------------------------------------------------------------


def test_admin_search_finds_a_story_by_a_word_of_its_body_or_headline(client, editor):
    ArticleFactory(headline="Caspian ferry returns", body="<p>The harbourmaster waved.</p>")
    ArticleFactory(headline="Football final", body="<p>A late goal decided it.</p>")
    client.force_login(editor)
    by_body = client.get(CHANGELIST, {"q": "harbourmaster"}).content.decode()
    assert "Caspian ferry" in by_body and "Football" not in by_body
    by_headline = client.get(CHANGELIST, {"q": "ferry"}).content.decode()
    assert "Caspian ferry" in by_headline and "Football" not in by_headline


def test_admin_search_and_filters_together(client, editor, archive):
    other = SectionFactory(name="Sport", slug="sport")
    ArticleFactory(headline="Oil minister resigns", published=True, section=other)
    ArticleFactory(headline="Minister drafts budget", section=other)  # a draft
    client.force_login(editor)
    page = client.get(
        CHANGELIST, {"q": "minister", "status": "live", "section__id__exact": other.pk}
    ).content.decode()
    assert "Oil minister resigns" in page and "Minister drafts" not in page
    by_author = client.get(
        CHANGELIST, {"bylines__author__id__exact": archive["author"].pk}
    ).content.decode()
    assert by_author.count('<th class="field-story_headline">') == 30


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"status": "live"},
        {"status": "live", "q": "parliament"},
        {"publish_at__year": timezone.now().year},
    ],
)
def test_admin_changelist_runs_a_bounded_number_of_queries(
    client, editor, archive, query, django_assert_max_num_queries
):
    client.force_login(editor)
    # Session, user, permissions, the planner setting, filters' choices (one each), the
    # capped count (and estimate), the page, its bylines, the date drill-down's two dates.
    with django_assert_max_num_queries(20):
        response = client.get(CHANGELIST, {**query, "section__id__exact": archive["section"].pk})
    assert response.status_code == 200


def test_admin_changelist_estimates_a_long_list_and_offers_only_its_first_pages(
    client, editor, archive, settings, monkeypatch
):
    monkeypatch.setattr(ArticleAdmin, "list_per_page", 5)
    settings.ADMIN_EXACT_COUNT_UP_TO = 10
    settings.ADMIN_LIST_MAX_PAGES = 2
    client.force_login(editor)
    page = client.get(CHANGELIST).content.decode()
    assert "about " in page  # "about 30 stories" from PostgreSQL's estimate
    assert "narrow it with the filters" in page
    assert page.count('<th class="field-story_headline">') == 5
    # A page past those offered is the last offered, not the admin's "database error" page.
    response = client.get(CHANGELIST, {"p": 40})
    assert response.status_code == 200
    assert response.content.decode().count('<th class="field-story_headline">') == 5


def test_estimated_paginator_counts_exactly_while_short(archive, settings):
    settings.ADMIN_EXACT_COUNT_UP_TO = 1000
    paginator = EstimatedCountPaginator(Article.objects.all(), 50, max_pages=100)
    assert paginator.count == 30 and not paginator.estimated


def test_date_drill_down_offers_the_years_between_the_first_and_last_story(client, editor):
    old = dt.datetime(2021, 5, 1, tzinfo=dt.UTC)
    ArticleFactory(headline="Old story from 2021", published=True, publish_at=old)
    ArticleFactory(headline="New", published=True)
    client.force_login(editor)
    page = client.get(CHANGELIST).content.decode()
    assert "publish_at__year=2021" in page and "publish_at__year=2023" in page
    months = client.get(CHANGELIST, {"publish_at__year": 2021}).content.decode()
    assert "publish_at__month=5" in months and "Old story" in months and ">New<" not in months


@pytest.mark.parametrize(
    "url", ["/admin/taggit/tag/", "/admin/accounts/author/", "/admin/articles/image/"]
)
def test_desk_lists_run_a_bounded_number_of_queries(
    client, editor, archive, url, django_assert_max_num_queries
):
    client.force_login(editor)
    with django_assert_max_num_queries(14):
        response = client.get(url)
    assert response.status_code == 200


def test_tag_and_author_lists_cap_their_story_counts(client, editor, archive, monkeypatch):
    monkeypatch.setattr("articles.admin_library.STORY_COUNT_CAP", 10)
    monkeypatch.setattr("accounts.admin.STORY_COUNT_CAP", 10)
    client.force_login(editor)
    assert "10+" in client.get("/admin/taggit/tag/").content.decode()
    assert "10+" in client.get("/admin/accounts/author/").content.decode()


# --- The indexes the hot queries use (PostgreSQL) -------------------------------------


def _plan_indexes(queryset) -> set[str]:
    """Index names in the plan PostgreSQL picks for queryset when a sequential scan is
    the last resort (the test tables are tiny; at scale the statistics choose these)."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
        plan = queryset.explain(format="json")
    names: set[str] = set()

    def walk(node):
        if "Index Name" in node:
            names.add(node["Index Name"])
        for child in node.get("Plans", []):
            walk(child)

    walk(json.loads(plan)[0]["Plan"])
    return names


@postgres_only
def test_hot_list_queries_use_the_declared_indexes(archive):
    from taggit.models import Tag

    tag = Tag.objects.get(slug="oil")
    live = Article.objects.live().only("pk", "modified_at").newest_first()
    sections = [archive["section"].pk, archive["child"].pk]
    in_section = _plan_indexes(live.filter(section__in=sections)[:20])
    assert in_section & {"article_live_idx", "article_section_idx"}
    tagged = _plan_indexes(live.tagged(tag)[:20])
    assert tagged & {"taggedarticle_story_tag_idx", "taggedarticle_tag_story_idx"}
    by_author = _plan_indexes(live.by(archive["author"])[:20])
    # The author's bylines through the foreign key's index, or the newest stories each
    # probed in the unique constraint's (article, author, role) index.
    assert any("byline" in name for name in by_author)


@postgres_only
def test_admin_queries_use_the_declared_indexes(archive):
    from articles.search import matching

    stories = Article.objects.order_by("-publish_at", "-created_at", "-pk")
    assert "article_admin_order_idx" in _plan_indexes(stories[:50])
    searched = matching(Article.objects.live(), "parliament")
    assert "article_search_gin" in _plan_indexes(searched.order_by()[:1001]) or (
        "article_live_idx" in _plan_indexes(searched.order_by("-publish_at")[:50])
    )
    in_section = Article.objects.live().filter(section=archive["section"])
    assert "article_section_idx" in _plan_indexes(in_section.order_by("-publish_at")[:50])


def _plan_nodes(node: dict):
    yield node
    for child in node.get("Plans", []):
        yield from _plan_nodes(child)


@postgres_only
def test_the_story_page_query_uses_indexes_only(archive):
    """The story page's own SQL (articles.models._story_page_sql): related stories by tag
    come from each tag's newest entries in the (tag, story) index, the author's from their
    newest in the (author, story) index, never a scan."""
    from articles.models import _story_page_sql

    story = archive["stories"][0]
    sql, params = _story_page_sql(story.slug, timezone.now())
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = json.dumps(cursor.fetchone()[0])
    assert "Seq Scan" not in plan
    assert "taggedarticle_tag_story_idx" in plan
    # The author's bylines are looked up by author (the (author, story) index, or on a test
    # database's few rows sometimes the foreign key's), never read and then filtered.
    bylines = [
        node for node in _plan_nodes(json.loads(plan)[0]["Plan"]) if node.get("Alias") == "mine"
    ]
    assert bylines and not any("author_id" in node.get("Filter", "") for node in bylines)
    assert re.search(r'"Index Cond": "\(author_id = ', plan)
