"""Reader search: ranking, web-search syntax, tags, safe snippets, odd input, visibility."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.utils.safestring import SafeString
from taggit.models import Tag

from articles.models import Article
from articles.search import MAX_QUERY_LENGTH, clean_query, search_articles, with_snippets
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def search(query: str) -> list[Article]:
    return with_snippets(list(search_articles(Article.objects.live(), query)), query)


def headlines(query: str) -> list[str]:
    return [a.headline for a in search(query)]


def test_headline_match_ranks_above_body_match():
    in_body = ArticleFactory(
        published=True,
        headline="Council meets",
        body="<p>The council discussed the pipeline route at length.</p>",
    )
    in_headline = ArticleFactory(
        published=True, headline="Pipeline route approved", body="<p>A short note.</p>"
    )
    assert [a.pk for a in search("pipeline")] == [in_headline.pk, in_body.pk]


def test_quoted_phrase_matches_words_together_only():
    ArticleFactory(
        published=True, headline="Oil fund grows", body="<p>The state oil fund grew.</p>"
    )
    ArticleFactory(
        published=True, headline="Fund for state schools", body="<p>Oil prices fell.</p>"
    )
    assert headlines('"state oil fund"') == ["Oil fund grows"]


def test_minus_excludes_a_word():
    ArticleFactory(published=True, headline="Election in Baku", body="<p>Voters queued.</p>")
    ArticleFactory(published=True, headline="Election football match", body="<p>Goals.</p>")
    assert headlines("election -football") == ["Election in Baku"]


def test_tags_are_searched_and_kept_current():
    article = ArticleFactory(published=True, headline="A quiet day", tag_names=["Nakhchivan"])
    assert headlines("nakhchivan") == ["A quiet day"]

    article.tags.remove("Nakhchivan")
    assert headlines("nakhchivan") == []

    article.tags.add("Ganja")
    assert headlines("ganja") == ["A quiet day"]

    Tag.objects.filter(name="Ganja").update()  # no-op update must not break anything
    tag = Tag.objects.get(name="Ganja")
    tag.name = "Shusha"
    tag.save()
    assert headlines("shusha") == ["A quiet day"]


def test_edited_text_is_found_after_save():
    article = ArticleFactory(published=True, headline="Budget vote", body="<p>Nothing.</p>")
    assert headlines("caviar") == []
    article.body = "<p>Caviar exports doubled.</p>"
    article.save()
    assert headlines("caviar") == ["Budget vote"]


def test_only_live_stories_are_found():
    ArticleFactory(published=True, headline="Harbour reopens live")
    ArticleFactory(headline="Harbour reopens draft")
    ArticleFactory(in_review=True, headline="Harbour reopens review")
    ArticleFactory(scheduled=True, headline="Harbour reopens scheduled")
    ArticleFactory(withdrawn=True, headline="Harbour reopens withdrawn")
    assert headlines("harbour") == ["Harbour reopens live"]


def test_snippet_marks_matches_and_escapes_everything_else():
    ArticleFactory(
        published=True,
        headline="Refinery fire",
        standfirst="Smoke over <script>alert(1)</script> the refinery & port.",
        body="<p>Firefighters reached the refinery at dawn.</p>",
    )
    [result] = search("refinery")
    assert isinstance(result.snippet, SafeString)
    assert "<mark>refinery</mark>" in result.snippet.lower()
    assert "<script" not in result.snippet
    assert "&amp; port" in result.snippet
    assert "<p>" not in result.snippet
    # Nothing but <mark> elements survives as markup.
    assert result.snippet.replace("<mark>", "").replace("</mark>", "").count("<") == 0


def test_snippet_keeps_list_items_and_paragraphs_apart(client):
    story = ArticleFactory(
        published=True,
        headline="Central bank holds its rate",
        standfirst="Inflation eased.",
        body=(
            "<p>The bank named three risks:</p>"
            "<ul><li>falling oil prices</li><li>higher import prices</li></ul>"
            "<p>Economists agreed.</p>"
        ),
    )
    html = client.get("/search/", {"q": "import"}).content.decode()

    assert "risks: falling oil prices higher <mark>import</mark> prices Economists" in html
    assert story.word_count == 13  # "prices" and "higher" are two words, not one


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        '"',
        "-",
        '""',
        "&|!:*()",
        "\x00",
        "oil\x00fund",
        "'",
        "\\",
        "or",
        "-oil",
        "x" * 5000,
    ],
)
def test_empty_or_garbage_queries_never_fail(query):
    ArticleFactory(published=True, headline="Oil fund grows")
    results = search(query)
    assert isinstance(results, list)
    if query in ("", "   ", '"', "-", '""', "&|!:*()", "\x00", "'", "\\", "-oil"):
        assert results == []


def test_very_long_query_is_capped():
    assert len(clean_query("oil " * 1000)) <= MAX_QUERY_LENGTH
    ArticleFactory(published=True, headline="Oil fund grows")
    assert headlines("oil " * 1000) == ["Oil fund grows"]


def test_search_uses_the_stored_document_on_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    article = ArticleFactory(published=True, headline="Stored vector", tag_names=["Qabala"])
    Article.objects.filter(pk=article.pk).update(search_document=None)
    assert headlines("qabala") == []  # search reads the stored vector, not the text
    article.refresh_search_document()
    assert headlines("qabala") == ["Stored vector"]


def run_data_migration(module: str, function: str) -> None:
    """Run one data migration's function against the test database, as migrate would."""
    migration = importlib.import_module(f"articles.migrations.{module}")
    getattr(migration, function)(apps, SimpleNamespace(connection=connection))


def test_data_migration_fills_existing_rows():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    article = ArticleFactory(published=True, headline="Old story", tag_names=["Lankaran"])
    Article.objects.update(search_document=None)
    run_data_migration("0004_fill_search_documents", "fill_search_documents")
    assert [a.pk for a in search("lankaran")] == [article.pk]


def test_data_migration_recounts_words_without_touching_change_times():
    story = ArticleFactory(published=True, body="<ul><li>oil prices</li><li>higher</li></ul>")
    Article.objects.update(word_count=2)  # what the old count made of "priceshigher"
    before = Article.objects.get().modified_at
    run_data_migration("0006_recount_words", "recount_words")
    story = Article.objects.get()
    assert story.word_count == 3
    assert story.modified_at == before


# --- Bounded work: capped pages, snippets only for the rows shown --------------------------


@pytest.fixture
def many_matches(settings):
    settings.SEARCH_MAX_PAGES = 3
    ArticleFactory.create_batch(70, published=True, headline="Harbour news", body="<p>Ships.</p>")


@pytest.mark.parametrize("page", ["500", "4", "99999999999999999999"])
def test_search_pages_stop_at_the_cap_and_say_so(client, many_matches, page):
    response = client.get("/search/", {"q": "harbour", "page": page})
    assert response.status_code == 200
    assert response.context["page"].number == 3
    html = response.content.decode()
    assert "More than 60 stories match" in html and "best 3 pages" in html
    assert "this is the last one (3)" in html
    assert html.count('class="teaser__snippet"') == 20


@pytest.mark.parametrize("page", ["abc", "", "1"])
def test_garbage_page_numbers_give_the_first_page(client, many_matches, page):
    response = client.get("/search/", {"q": "harbour", "page": page})
    assert response.status_code == 200 and response.context["page"].number == 1


def test_a_negative_page_gives_an_allowed_page(client, many_matches):
    response = client.get("/search/", {"q": "harbour", "page": "-1"})
    assert response.status_code == 200 and response.context["page"].number in (1, 3)


def test_snippets_are_built_only_for_the_rows_shown(client, many_matches):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/search/", {"q": "harbour", "page": "2"})
    assert response.status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    if connection.vendor == "postgresql":
        headline = [s for s in sql if "ts_headline" in s.lower()]
        assert len(headline) == 1
        # Built for the twenty ids of the page, not while ranking every match.
        assert " IN (" in headline[0] and " LIMIT " not in headline[0].upper()
    ranked = [s for s in sql if "ORDER BY" in s.upper() and "articles_article" in s]
    assert ranked and not any("ts_headline" in s.lower() for s in ranked)


@pytest.mark.parametrize(
    ("stories", "said"), [(1, "1 story matches “lithium”"), (2, "2 stories match “lithium”")]
)
def test_the_result_count_reads_as_a_sentence(client, stories, said):
    for n in range(stories):
        ArticleFactory(published=True, headline=f"Lithium find number {n}")
    assert said in client.get("/search/?q=lithium").content.decode()
