"""Nothing of a story that is not out yet shows: tag and author pages, their feeds and the
sitemaps answer only once a live story carries them (one rule, carried_by_live_story), and a
journalist's tag list and autocomplete hold only tags of live stories or of their own."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone
from taggit.models import Tag

from accounts.models import Author
from articles.models import Article, Byline, Status, TaggedArticle, public_tags
from tests.factories import ArticleFactory, AuthorFactory, EditorFactory, SectionFactory

pytestmark = pytest.mark.django_db

NOT_OUT = {
    "draft": {},
    "in review": {"in_review": True},
    "returned": {"returned": True},
    "scheduled": {"scheduled": True},
    "withdrawn": {"withdrawn": True},
}


def public_addresses(kind: str, slug: str) -> list[str]:
    base = f"/{kind}s/{slug}/"
    return [base, f"/feeds{base}rss/", f"/feeds{base}atom/"]


def in_sitemap(client, kind: str, slug: str) -> bool:
    response = client.get(f"/sitemap-{kind}s.xml")
    return f"/{kind}s/{slug}/<" in response.content.decode()


@pytest.mark.parametrize("state", NOT_OUT)
def test_a_tag_only_on_stories_not_out_has_no_page_feed_or_sitemap_entry(client, state):
    ArticleFactory(tag_names=["Snap election"], **NOT_OUT[state])
    ArticleFactory(published=True, tag_names=["Budget"])  # so the tags sitemap exists
    for path in public_addresses("tag", "snap-election"):
        assert client.get(path).status_code == 404, path
    assert not in_sitemap(client, "tag", "snap-election")
    for path in public_addresses("tag", "budget"):
        assert client.get(path).status_code == 200, path
    assert in_sitemap(client, "tag", "budget")


@pytest.mark.parametrize("state", NOT_OUT)
def test_an_author_without_a_live_story_has_no_page_feed_or_sitemap_entry(client, state):
    new_hire = AuthorFactory(name="Nigar Huseynova")
    ArticleFactory(authors=[new_hire], **NOT_OUT[state])
    ArticleFactory(published=True, authors=[AuthorFactory(name="Rauf Aliyev")])
    for path in public_addresses("author", "nigar-huseynova"):
        assert client.get(path).status_code == 404, path
    assert not in_sitemap(client, "author", "nigar-huseynova")
    for path in public_addresses("author", "rauf-aliyev"):
        assert client.get(path).status_code == 200, path


def test_an_author_with_no_story_at_all_is_not_confirmed(client):
    AuthorFactory(name="Nigar Huseynova")
    for path in public_addresses("author", "nigar-huseynova"):
        assert client.get(path).status_code == 404, path


def test_the_pages_open_when_the_story_is_published(client, editor):
    author = AuthorFactory(name="Nigar Huseynova")
    story = ArticleFactory(authors=[author], tag_names=["Snap election"])
    assert client.get("/tags/snap-election/").status_code == 404
    story.publish(editor)
    for path in public_addresses("tag", "snap-election") + public_addresses("author", author.slug):
        assert client.get(path).status_code == 200, path
    assert in_sitemap(client, "tag", "snap-election")
    assert in_sitemap(client, "author", author.slug)
    story.unpublish(editor, note="Taken down.")  # withdrawn: the pages close again
    assert client.get("/tags/snap-election/").status_code == 404
    assert client.get(author.get_absolute_url()).status_code == 404


@time_machine.travel(dt.datetime(2026, 3, 31, 18, tzinfo=dt.UTC))
def test_a_scheduled_story_opens_its_pages_and_sitemap_entries_when_due_without_a_save(client):
    author = AuthorFactory(name="Nigar Huseynova")
    ArticleFactory(
        status=Status.PUBLISHED,
        publish_at=timezone.now() + dt.timedelta(hours=3),
        authors=[author],
        tag_names=["Snap election"],
    )
    ArticleFactory(published=True, tag_names=["Budget"], authors=[AuthorFactory()])
    paths = public_addresses("tag", "snap-election") + public_addresses("author", author.slug)
    assert {client.get(path).status_code for path in paths} == {404}
    with time_machine.travel(timezone.now() + dt.timedelta(hours=4)):
        assert {client.get(path).status_code for path in paths} == {200}
        # The pages and the sitemaps agree: the same stories, the same moment.
        assert in_sitemap(client, "tag", "snap-election")
        assert in_sitemap(client, "author", author.slug)


def test_pages_and_sitemaps_agree_on_every_tag_and_author(client):
    """One rule: a tag or author page answers 200 exactly when the sitemap lists it."""
    authors = {state: AuthorFactory(name=f"Writer {state}") for state in [*NOT_OUT, "live"]}
    for state, author in authors.items():
        fields = {"published": True} if state == "live" else NOT_OUT[state]
        ArticleFactory(authors=[author], tag_names=[f"Topic {state}"], **fields)
    for kind, slugs in (
        ("tag", [f"topic-{state.replace(' ', '-')}" for state in authors]),
        ("author", [author.slug for author in authors.values()]),
    ):
        for slug in slugs:
            page_open = client.get(f"/{kind}s/{slug}/").status_code == 200
            assert page_open == in_sitemap(client, kind, slug), (kind, slug)
            assert page_open == slug.endswith("live"), (kind, slug)


def test_the_tag_and_author_pages_keep_their_query_budget(client, django_assert_max_num_queries):
    author = AuthorFactory(name="Leyla Mammadova")
    for _ in range(5):
        ArticleFactory(published=True, authors=[author], tag_names=["Budget"])
    client.get("/tags/budget/")
    client.get(author.get_absolute_url())  # the chrome and fragments are cached now
    with django_assert_max_num_queries(6):
        assert client.get("/tags/budget/").status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(author.get_absolute_url()).status_code == 200


# --- The journalists' view of tags in the admin ------------------------------------------


def autocomplete(client, term: str) -> list[str]:
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "articles", "model_name": "article", "field_name": "tags", "term": term},
    )
    assert response.status_code == 200
    return sorted(item["text"] for item in response.json()["results"])


def tag_list(client) -> str:
    response = client.get("/admin/taggit/tag/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def tags_of_every_kind(journalist, other_journalist):
    ArticleFactory(published=True, tag_names=["Election results"])
    ArticleFactory(created_by=other_journalist, tag_names=["Election recount"])  # omar's draft
    ArticleFactory(scheduled=True, created_by=other_journalist, tag_names=["Election date"])
    ArticleFactory(created_by=journalist, tag_names=["Election night"])  # jane's own draft
    bylined = ArticleFactory(created_by=other_journalist, tag_names=["Election fraud"])
    bylined.bylines.create(author=journalist.author)  # jane has a byline on it: hers too


def test_a_journalist_sees_tags_of_live_stories_and_of_their_own_only(
    client, journalist, tags_of_every_kind
):
    client.force_login(journalist)
    seen = ["Election fraud", "Election night", "Election results"]
    assert autocomplete(client, "elec") == seen
    page = tag_list(client)
    for name in seen:
        assert name in page
    for hidden in ("Election recount", "Election date"):
        assert hidden not in page
        assert hidden not in client.get("/admin/taggit/tag/", {"q": "recount"}).content.decode()


def test_a_hidden_tags_admin_page_is_not_found_for_a_journalist(client, journalist, db):
    ArticleFactory(tag_names=["Election recount"])
    tag = Tag.objects.get(name="Election recount")
    client.force_login(journalist)
    response = client.get(f"/admin/taggit/tag/{tag.pk}/change/", follow=True)
    assert "Election recount" not in response.content.decode()


def test_editors_see_every_tag(client, tags_of_every_kind):
    client.force_login(EditorFactory())
    assert autocomplete(client, "elec") == [
        "Election date",
        "Election fraud",
        "Election night",
        "Election recount",
        "Election results",
    ]


def test_the_tag_list_keeps_a_bounded_number_of_queries(
    client, journalist, tags_of_every_kind, django_assert_max_num_queries
):
    client.force_login(journalist)
    tag_list(client)
    with django_assert_max_num_queries(12):
        tag_list(client)
    other = Client()
    other.force_login(journalist)
    with django_assert_max_num_queries(12):
        autocomplete(other, "elec")


def test_the_existence_checks_are_index_probes_not_counts():
    """A tag's or author's page asks EXISTS through the (tag, story) or (author, story) index
    and the story's primary key: no scan of the link table, nothing counted."""
    if connection.vendor != "postgresql":
        pytest.skip("query plans are PostgreSQL's")
    section = SectionFactory()
    now = timezone.now()
    Article.objects.bulk_create(
        [
            Article(
                headline=f"Story {n}",
                slug=f"story-{n}",
                section=section,
                status=Status.PUBLISHED,
                publish_at=now - dt.timedelta(hours=n),
            )
            for n in range(3000)
        ],
        batch_size=500,
    )
    tags = Tag.objects.bulk_create([Tag(name=f"Topic {n}", slug=f"topic-{n}") for n in range(300)])
    authors = Author.objects.bulk_create(
        [Author(name=f"Writer {n}", slug=f"writer-{n}") for n in range(300)]
    )
    stories = list(Article.objects.values_list("pk", flat=True))
    TaggedArticle.objects.bulk_create(
        [TaggedArticle(content_object_id=pk, tag=tags[i % 300]) for i, pk in enumerate(stories)]
    )
    Byline.objects.bulk_create(
        [Byline(article_id=pk, author=authors[i % 300]) for i, pk in enumerate(stories)]
    )
    with connection.cursor() as cursor:
        for table in ("articles_article", "articles_taggedarticle", "articles_byline"):
            cursor.execute(f"ANALYZE {table}")
    tag_plan = public_tags().filter(slug="topic-7").explain()
    author_plan = Author.objects.with_live_articles().filter(slug="writer-7").explain()
    for plan in (tag_plan, author_plan):
        assert "Aggregate" not in plan, plan
        assert "Seq Scan on articles_taggedarticle" not in plan, plan
        assert "Seq Scan on articles_byline" not in plan, plan
        assert "Seq Scan on articles_article" not in plan, plan
    assert "Index Cond: (tag_id = taggit_tag.id)" in tag_plan, tag_plan
    assert "Index Cond: (author_id = accounts_author.id)" in author_plan, author_plan
