"""Migrations a large archive survives (newsroom.online_schema).

The data migrations change stories a primary-key range at a time, each range its own short
transaction, so an editor's save waits a moment at most; the story table's indexes build
CONCURRENTLY on PostgreSQL. These tests run the real migration code over a generated table of
ARCHIVE_SIZE stories while a second connection keeps saving the story the migration is at,
and time how long each save waits.
"""

import importlib
import threading
import time

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection
from django.db.migrations.executor import MigrationExecutor
from taggit.models import Tag

from articles.models import Article, TaggedArticle
from articles.search import document_vector
from articles.text import word_count
from newsroom.online_schema import run_in_batches
from tests.factories import ArticleFactory, SectionFactory

ARCHIVE_SIZE = 20_000
# Seconds. The batches aim at online_schema's 0.2 s; the old one-transaction migrations held a
# save for about 15 s over this many stories. 2 s tells them apart with room for a busy CI box.
LONGEST_ACCEPTABLE_WAIT = 2.0
# Longer than any wait the test accepts, so a migration holding rows too long fails the test
# with a measured figure instead of hanging it.
LOCK_TIMEOUT = "5s"

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks, concurrent index builds and tsvectors are PostgreSQL's; SQLite has one "
    "writer at a time and runs these migrations plainly",
)


def migration(name: str):
    return importlib.import_module(f"articles.migrations.{name}")


def historical_apps(name: str):
    """The models as the migration `name` sees them (what migrate passes it)."""
    return MigrationExecutor(connection).loader.project_state(("articles", name)).apps


def run_in_thread(function) -> threading.Thread:
    """Run function() on its own database connection, as `manage.py migrate` would."""
    errors = []

    def target():
        try:
            function()
        except Exception as exc:  # re-raised in the test by finish()
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=target)
    thread.errors = errors
    thread.start()
    return thread


def finish(thread: threading.Thread) -> None:
    thread.join(120)
    assert not thread.is_alive(), "the migration did not finish"
    if thread.errors:
        raise thread.errors[0]


def longest_save_wait(run_migration, pending: str) -> tuple[float, int]:
    """Run the migration in a thread while this connection saves, again and again, the
    lowest-pk story the migration has not yet committed (`pending` is the SQL condition that
    picks them out): the row it holds or is about to, the worst a save can meet. Returns the
    longest wait in seconds and the number of saves."""
    waits = []
    thread = run_in_thread(run_migration)
    with connection.cursor() as cursor:
        # The test settings' statement timeout (for web requests) would cut a long wait short.
        cursor.execute(f"SET lock_timeout = '{LOCK_TIMEOUT}'; SET statement_timeout = 0")
        try:
            while thread.is_alive():
                began = time.monotonic()
                # What Article.save does to the row, as far as locks go: an UPDATE of it.
                cursor.execute(
                    "UPDATE articles_article SET version = version WHERE id = "
                    f"(SELECT min(id) FROM articles_article WHERE {pending})"
                )
                waits.append(time.monotonic() - began)
                time.sleep(0.01)
        finally:
            cursor.execute("RESET lock_timeout; RESET statement_timeout")
            finish(thread)
    # The measurement, for `pytest -s`: the figure README's "Migrations on a large archive" quotes.
    print(f"\n{ARCHIVE_SIZE:,} stories: {len(waits)} saves, longest wait {max(waits):.3f} s")
    return max(waits), len(waits)


@pytest.fixture
def large_archive(transactional_db):
    """ARCHIVE_SIZE published stories made by one INSERT … SELECT (seconds, not minutes);
    every tenth is tagged, so the search documents' tag subquery has work to do."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    section = SectionFactory()
    tag = Tag.objects.create(name="Qabala", slug="qabala")
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO articles_article (
                headline, slug, standfirst, body, dateline, kind, status, publish_at,
                first_published_at, is_lead, is_breaking, meta_title, meta_description,
                word_count, created_at, modified_at, version, section_id)
            SELECT 'Budget debate, part ' || n, 'budget-debate-' || n,
                'Lawmakers argued for hours over the spending plan.',
                '<p>' || repeat('The minister said oil prices rose in Baku. ', 8) || n || '</p>'
                    || '<ul><li>inflows</li><li>higher</li></ul>',
                'BAKU', 'news', 'published', now() - n * interval '1 hour',
                now() - n * interval '1 hour', n %% 500 = 0, false, '', '', 1, now(), now(),
                1, %s
            FROM generate_series(1, %s) AS n
            """,
            [section.pk, ARCHIVE_SIZE],
        )
        cursor.execute(
            "INSERT INTO articles_taggedarticle (content_object_id, tag_id) "
            "SELECT id, %s FROM articles_article WHERE id %% 10 = 0",
            [tag.pk],
        )
        cursor.execute("ANALYZE articles_article")
    return Article.objects.all()


def sample(stories, count=50):
    """About `count` stories spread over the whole table (the first and last batches too)."""
    pks = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    return stories.filter(pk__in=[*pks[:: max(1, ARCHIVE_SIZE // count)], pks[-1]])


@postgres_only
def test_filling_search_documents_keeps_every_save_short(large_archive):
    large_archive.update(search_document=None)
    fill = migration("0004_fill_search_documents").fill_search_documents
    apps = historical_apps("0004_fill_search_documents")

    def run():
        with connection.schema_editor(atomic=False) as editor:
            fill(apps, editor)

    longest, saves = longest_save_wait(run, "search_document IS NULL")

    assert longest < LONGEST_ACCEPTABLE_WAIT, f"a save waited {longest:.2f} s ({saves} saves)"
    assert not large_archive.filter(search_document__isnull=True).exists()
    expected = document_vector(TaggedArticle, plain_config="english")
    for story in sample(large_archive.annotate(expected=expected)):
        assert story.search_document == story.expected
    assert large_archive.filter(search_document="qabala").count() == ARCHIVE_SIZE // 10


@postgres_only
def test_refilling_in_the_site_language_keeps_every_save_short(large_archive):
    large_archive.update(search_document=None)
    refill = migration("0009_search_languages").refill_search_documents
    apps = historical_apps("0009_search_languages")

    def run():
        with connection.schema_editor(atomic=False) as editor:
            refill(apps, editor)

    longest, saves = longest_save_wait(run, "search_document IS NULL")

    assert longest < LONGEST_ACCEPTABLE_WAIT, f"a save waited {longest:.2f} s ({saves} saves)"
    assert not large_archive.filter(search_document__isnull=True).exists()
    for story in sample(large_archive.annotate(expected=document_vector(TaggedArticle))):
        assert story.search_document == story.expected


@postgres_only
def test_recounting_words_keeps_every_save_short(large_archive):
    large_archive.update(word_count=0)
    before = dict(large_archive.values_list("pk", "modified_at")[:100])
    recount = migration("0006_recount_words").recount_words
    apps = historical_apps("0006_recount_words")

    def run():
        with connection.schema_editor(atomic=False) as editor:
            recount(apps, editor)

    longest, saves = longest_save_wait(run, "word_count = 0")

    assert longest < LONGEST_ACCEPTABLE_WAIT, f"a save waited {longest:.2f} s ({saves} saves)"
    assert not large_archive.filter(word_count=0).exists()
    for story in sample(large_archive):
        assert story.word_count == word_count(story.body)
    assert dict(large_archive.values_list("pk", "modified_at")[:100]) == before


# --- The batching helper itself -------------------------------------------------------------


def test_batches_cover_every_row_once_across_gaps_each_in_its_own_transaction(
    transactional_db,
):
    stories = ArticleFactory.create_batch(12)
    Article.objects.filter(pk__in=[s.pk for s in stories[3:8]]).delete()  # a gap in the pks
    seen, in_transaction = [], []

    def change(part):
        in_transaction.append(connection.in_atomic_block)
        seen.extend(part.values_list("pk", flat=True))
        return part.count()

    done = run_in_batches(Article.objects.all(), change, size=2)

    assert done == 7
    assert sorted(seen) == sorted(a.pk for a in Article.objects.all())
    assert len(in_transaction) == 4 and all(in_transaction)  # 2 + 2 + 2 + 1 rows
    assert not connection.in_atomic_block  # each batch committed: nothing left open


def test_batches_shrink_when_they_take_too_long(transactional_db):
    ArticleFactory.create_batch(6)
    sizes = []

    def slow(part):
        sizes.append(part.count())
        time.sleep(0.05)

    run_in_batches(Article.objects.all(), slow, size=4, seconds=0.01)
    assert sizes[0] == 4 and sizes[1:] == [1, 1]


def test_an_empty_table_is_no_batches(transactional_db):
    assert run_in_batches(Article.objects.all(), lambda part: pytest.fail("called")) == 0


@pytest.mark.parametrize(
    "name", ["0002_search_index", "0004_fill_search_documents", "0005_article_lead_index"]
)
def test_migrations_that_build_indexes_or_fill_in_batches_are_not_atomic(name):
    # A transaction around them would hold every batch's locks (or refuse CONCURRENTLY).
    assert migration(name).Migration.atomic is False


@pytest.mark.parametrize("name", ["0006_recount_words", "0009_search_languages"])
def test_batched_data_migrations_are_not_atomic(name):
    assert migration(name).Migration.atomic is False


# --- Concurrent index builds ----------------------------------------------------------------


def test_sqlmigrate_shows_the_lead_index_built_concurrently_on_postgres_plainly_on_sqlite(
    transactional_db, capsys
):
    call_command("sqlmigrate", "articles", "0005_article_lead_index")
    sql = capsys.readouterr().out
    assert 'CREATE INDEX CONCURRENTLY "article_lead_idx"' in sql or (
        connection.vendor != "postgresql" and 'CREATE INDEX "article_lead_idx"' in sql
    )
    if connection.vendor != "postgresql":
        assert "CONCURRENTLY" not in sql


def lead_index_operation():
    operation = migration("0005_article_lead_index").Migration.operations[0]
    before = MigrationExecutor(connection).loader.project_state(
        ("articles", "0004_fill_search_documents")
    )
    after = before.clone()
    operation.state_forwards("articles", after)
    return operation, before, after


def build_lead_index():
    operation, before, after = lead_index_operation()
    with connection.schema_editor(atomic=False) as editor:
        operation.database_forwards("articles", editor, before, after)


def drop_lead_index():
    operation, before, after = lead_index_operation()
    with connection.schema_editor(atomic=False) as editor:
        operation.database_backwards("articles", editor, after, before)


def build_search_index():
    with connection.schema_editor(atomic=False) as editor:
        migration("0002_search_index").create_gin_index(None, editor)


def drop_search_index():
    with connection.schema_editor(atomic=False) as editor:
        migration("0002_search_index").drop_gin_index(None, editor)


def index_definition(name: str) -> tuple[str, bool] | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_indexdef(i.indexrelid), i.indisvalid FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = %s",
            [name],
        )
        return cursor.fetchone()


def test_the_lead_index_operation_drops_and_builds_on_either_database(transactional_db):
    def indexes():
        with connection.cursor() as cursor:
            return connection.introspection.get_constraints(cursor, "articles_article")

    drop_lead_index()
    assert "article_lead_idx" not in indexes()
    build_lead_index()
    assert indexes()["article_lead_idx"]["index"]


@postgres_only
@pytest.mark.parametrize(
    "name, drop, build",
    [
        ("article_lead_idx", drop_lead_index, build_lead_index),
        ("article_search_gin", drop_search_index, build_search_index),
    ],
)
def test_a_story_can_be_saved_while_an_index_builds(transactional_db, name, drop, build):
    """A plain CREATE INDEX queues for a lock that stops every save until the build ends;
    CONCURRENTLY does not. Made deterministic: an editor's open transaction keeps the build
    waiting, and meanwhile another story is saved."""
    editing, saved = ArticleFactory(), ArticleFactory()
    drop()
    editor = connection.get_new_connection(connection.get_connection_params())
    editor.autocommit = False
    try:
        editor.execute("UPDATE articles_article SET version = version WHERE id = %s", [editing.pk])
        thread = run_in_thread(build)
        try:
            wait_until_waiting("CREATE INDEX")
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '1s'")
                began = time.monotonic()
                cursor.execute(
                    "UPDATE articles_article SET version = version + 1 WHERE id = %s", [saved.pk]
                )
                waited = time.monotonic() - began
                cursor.execute("RESET lock_timeout")
        finally:
            editor.commit()
            finish(thread)
    finally:
        editor.close()
    assert waited < 0.5
    assert index_definition(name)[1]  # built, and valid


def wait_until_waiting(statement: str) -> None:
    """Until a backend running `statement` waits for a lock (the build has begun)."""
    deadline = time.monotonic() + 10
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT 1 FROM pg_stat_activity WHERE query LIKE %s AND wait_event_type = 'Lock'",
                [f"{statement}%"],
            )
            if cursor.fetchone():
                return
            time.sleep(0.02)
    pytest.fail(f"no {statement} waiting")


@postgres_only
def test_an_interrupted_build_is_built_again_and_a_finished_one_skipped(transactional_db):
    section = SectionFactory()
    ArticleFactory.create_batch(2, section=section)
    drop_lead_index()
    # What an interrupted CONCURRENTLY build leaves: an invalid index of that name.
    with connection.cursor() as cursor, pytest.raises(IntegrityError):
        cursor.execute(
            "CREATE UNIQUE INDEX CONCURRENTLY article_lead_idx ON articles_article (section_id)"
        )
    assert index_definition("article_lead_idx")[1] is False

    build_lead_index()
    definition, valid = index_definition("article_lead_idx")
    assert valid and "WHERE is_lead" in definition
    build_lead_index()  # built but not recorded: running the migration again is harmless
    assert index_definition("article_lead_idx") == (definition, True)
