"""The story page's raw SQL (articles.models._story_page, live_sql) against the ORM.

The story page reads its story and related stories with one raw query, because building the
same query with QuerySet methods cost more Python time than running it. These tests keep the
ORM version as the reference and check that both select the same rows, on whichever database
the suite runs (SQLite and PostgreSQL), and that live_sql() is live_condition().
"""

import datetime as dt

import pytest
from django.db import connection, models
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Author
from articles.models import (
    MORE_CANDIDATES_PER_AUTHOR,
    MORE_STORIES,
    RELATED_CANDIDATES_PER_TAG,
    RELATED_STORIES,
    Article,
    Byline,
    StoryRow,
    TaggedArticle,
    _story_page,
    live_sql,
)
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db


def _story_page_orm(slug: str, at: dt.datetime) -> list[tuple]:
    """What _story_page() must return, built from QuerySet methods and Article.objects.live()."""
    lead = Byline.objects.filter(article__slug=slug).order_by("position", "pk")
    lead_author = models.Subquery(lead.values("author_id")[:1])
    no_author = models.Value(None, output_field=models.CharField())
    rows = (
        Article.objects.order_by()
        .annotate(author_name=no_author, author_slug=no_author)
        .values_list(*StoryRow.FIELDS, "kind", "author_name", "author_slug")
    )
    others = Article.objects.live(at).exclude(slug=slug).newest_first().values("pk")
    own_tags = TaggedArticle.objects.filter(content_object__slug=slug).values("tag_id")
    newest_of_tag = TaggedArticle.objects.filter(tag_id=models.OuterRef("tag_id")).order_by(
        "-content_object_id"
    )
    floor = models.Subquery(
        newest_of_tag.values("content_object_id")[
            RELATED_CANDIDATES_PER_TAG - 1 : RELATED_CANDIDATES_PER_TAG
        ]
    )
    sharing = (
        TaggedArticle.objects.filter(tag_id__in=own_tags)
        .alias(floor=Coalesce(floor, 0))
        .filter(content_object_id__gte=models.F("floor"))
        .values("content_object_id")
    )
    section = Article.objects.filter(slug=slug).values("section_id")
    tagged = others.filter(pk__in=sharing)[:RELATED_STORIES]
    in_section = others.filter(section_id=models.Subquery(section))[
        : RELATED_STORIES + MORE_STORIES
    ]
    authors_newest = Byline.objects.filter(author_id=lead_author).order_by("-article_id")
    author_floor = models.Subquery(
        authors_newest.values("article_id")[
            MORE_CANDIDATES_PER_AUTHOR - 1 : MORE_CANDIDATES_PER_AUTHOR
        ]
    )
    authors_candidates = Byline.objects.filter(
        author_id=lead_author, article_id__gte=Coalesce(author_floor, 0)
    ).values("article_id")
    by_author = others.editorial().filter(pk__in=authors_candidates)[
        : RELATED_STORIES + 2 * MORE_STORIES
    ]
    author = Author.objects.filter(pk=lead_author)
    return list(
        rows.filter(pk__in=Article.objects.live(at).filter(slug=slug).values("pk"))
        .annotate(rank=models.Value(0))
        .union(
            rows.filter(pk__in=tagged).annotate(rank=models.Value(1)),
            rows.filter(pk__in=in_section).annotate(rank=models.Value(2)),
            Article.objects.order_by()
            .filter(pk__in=by_author)
            .annotate(
                author_name=models.Subquery(author.values("name")),
                author_slug=models.Subquery(author.values("slug")),
            )
            .values_list(*StoryRow.FIELDS, "kind", "author_name", "author_slug")
            .annotate(rank=models.Value(3)),
            all=True,
        )
        .order_by("rank", "-publish_at", "-pk")
    )


@pytest.fixture
def archive():
    """Stories of every state, in two sections, sharing tags in different ways."""
    now = timezone.now()
    politics = SectionFactory(name="Politics", slug="politics")
    world = SectionFactory(name="World", slug="world")
    # Bylines in different orders: the first by position is the one whose stories count.
    leyla, rauf = AuthorFactory(name="Leyla"), AuthorFactory(name="Rauf")
    stories = []
    for i in range(14):
        stories.append(
            ArticleFactory(
                published=True,
                publish_at=now - dt.timedelta(hours=i + 1),
                section=politics if i % 2 else world,
                tag_names=["oil"] if i % 3 == 0 else [f"tag{i}"],
                authors=[[leyla], [rauf], [rauf, leyla], []][i % 4],
                kind="sponsored" if i == 5 else "news",
            )
        )
    for trait in ("scheduled", "withdrawn", "in_review"):
        stories.append(
            ArticleFactory(section=politics, tag_names=["oil"], authors=[leyla], **{trait: True})
        )
    stories.append(ArticleFactory(section=politics, tag_names=["oil"], authors=[rauf]))  # draft
    return stories


def test_the_raw_story_page_query_gives_the_orms_rows(archive):
    now = timezone.now()
    moments = [now, now - dt.timedelta(hours=5), now + dt.timedelta(hours=4)]
    for story in archive:
        for at in moments:
            expected = _story_page_orm(story.slug, at)
            assert _story_page(story.slug, at) == expected, (story.slug, at)
    assert _story_page("no-such-story", now) == []


def test_a_story_with_enough_related_stories_gets_both_kinds(archive):
    rows = _story_page(archive[0].slug, timezone.now())
    ranks = [row[-1] for row in rows]
    assert ranks[0] == 0
    assert ranks.count(1) == RELATED_STORIES  # five live stories tagged "oil" besides it
    assert ranks.count(2) == 6  # every other live story in its section
    # Leyla's other live stories, those she shares with Rauf too.
    assert [row[0] for row in rows if row[-1] == 3] == [archive[i].pk for i in (2, 4, 6, 8, 10, 12)]
    assert {row[-2] for row in rows if row[-1] == 3} == {"leyla"}  # her slug, on those rows
    # Rauf heads story 1: his, but not the sponsored one, nor any that is not live.
    rows = _story_page(archive[1].slug, timezone.now())
    assert [row[0] for row in rows if row[-1] == 3] == [archive[i].pk for i in (2, 6, 9, 10, 13)]
    # Nothing that is not live: the scheduled, withdrawn, in-review and draft stories share
    # the tag and are newer, yet none is listed.
    live = set(Article.objects.live().values_list("pk", flat=True))
    assert {row[0] for row in rows} <= live


def test_live_sql_selects_what_live_selects(archive):
    now = timezone.now()
    for at in (now, now - dt.timedelta(hours=7), now + dt.timedelta(days=1)):
        condition, params = live_sql("o", at)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT o.id FROM articles_article o WHERE {condition}", params)
            raw = {row[0] for row in cursor.fetchall()}
        assert raw == set(Article.objects.live(at).values_list("pk", flat=True)), at
        assert raw  # the archive has live stories at each of these moments


def test_related_stories_of_a_popular_tag_come_from_its_newest_stories_only():
    """A tag on more stories than RELATED_CANDIDATES_PER_TAG: only its newest ones (by id) are
    candidates, so the page's cost does not grow with the tag; the ORM agrees."""
    now = timezone.now()
    busy = [
        ArticleFactory(
            published=True, publish_at=now - dt.timedelta(days=30 - i), tag_names=["busy"]
        )
        for i in range(RELATED_CANDIDATES_PER_TAG + 8)
    ]
    reader = busy[0]
    rows = _story_page(reader.slug, now)
    tagged = [row[0] for row in rows if row[-1] == 1]
    assert tagged == [story.pk for story in reversed(busy[-RELATED_STORIES:])]
    for story in (busy[0], busy[5], busy[-1]):
        assert _story_page(story.slug, now) == _story_page_orm(story.slug, now)
    # Entered long ago but dated newest: outside the tag's newest candidates, so not listed.
    old_entry = busy[1]
    old_entry.publish_at = now - dt.timedelta(minutes=1)
    old_entry.save()
    tagged = [row[0] for row in _story_page(reader.slug, now) if row[-1] == 1]
    assert old_entry.pk not in tagged
    assert _story_page(reader.slug, now) == _story_page_orm(reader.slug, now)


def test_more_by_an_author_comes_from_their_newest_bylines_only():
    """An author with more stories than MORE_CANDIDATES_PER_AUTHOR: only their newest
    bylines (by story id) are candidates, so a staff writer's archive is never read whole;
    the ORM agrees."""
    now = timezone.now()
    writer = AuthorFactory(name="Prolific")
    theirs = [
        ArticleFactory(published=True, publish_at=now - dt.timedelta(days=40 - i), authors=[writer])
        for i in range(MORE_CANDIDATES_PER_AUTHOR + 6)
    ]
    reader = theirs[0]
    by_author = [row[0] for row in _story_page(reader.slug, now) if row[-1] == 3]
    assert by_author == [story.pk for story in reversed(theirs[6:])]
    # Entered long ago but dated newest: outside the author's newest bylines, so not listed.
    old_entry = theirs[1]
    old_entry.publish_at = now - dt.timedelta(minutes=1)
    old_entry.save()
    by_author = [row[0] for row in _story_page(reader.slug, now) if row[-1] == 3]
    assert old_entry.pk not in by_author
    for story in (theirs[0], theirs[7], theirs[-1]):
        assert _story_page(story.slug, now) == _story_page_orm(story.slug, now)
