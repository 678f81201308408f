"""Schema and data changes a large, live archive survives.

The rule for migrations that touch the story table: no step may hold a lock on rows or on the
table that a story save needs for more than a moment.

Indexes. A plain CREATE INDEX on the story table holds a lock that blocks every save for as
long as the build takes (minutes at a million stories). Migrations that add an index use
AddIndexConcurrently instead of migrations.AddIndex (makemigrations writes the plain one:
replace it by hand), or `create_index_concurrently` for an index made by raw SQL, and set
`atomic = False`:

    from newsroom.online_schema import AddIndexConcurrently

    class Migration(migrations.Migration):
        atomic = False
        operations = [AddIndexConcurrently("article", models.Index(...))]

On PostgreSQL they build CONCURRENTLY (stories stay writable while the index builds); on
SQLite, the single-user development database, they are the plain operation. A build that was
interrupted leaves an invalid index behind; running the migration again drops it and builds
anew, and skips an index that was finished but not yet recorded.

Data. A data migration that changes every story in one UPDATE (or in batches inside the
migration's one transaction) keeps each row it changed locked until the very end: an editor's
save waits for all of it. Change the rows with `run_in_batches` from a migration with
`atomic = False`: each primary-key range is its own short transaction, so a row is locked only
for the moment of its batch. Write the change so that running it twice does no harm: a
non-atomic migration that stops half way is run again from the start.
"""

import time

from django.contrib.postgres import operations as postgres
from django.db import models, transaction
from django.db.migrations import AddIndex

# A batch is cut down until its transaction (and so the longest wait of a save) lasts about
# this long; 0.2 s is well under what an editor notices.
BATCH_SECONDS = 0.2


def run_in_batches(queryset, change, *, size=1000, seconds=BATCH_SECONDS, progress=None) -> int:
    """Call `change(part)` for the rows of `queryset` a primary-key range at a time, each range
    in its own transaction, and return the sum of what the calls return (e.g. rows updated).

    A range holds at most `size` rows, fewer when a batch took longer than `seconds`: the size
    follows the time the batches take (stories with long bodies cost more), starting small so
    that not even the first batch holds its rows long. Rows made after the walk started are
    left out (their own save did the work). Must run outside a transaction (a migration with
    `atomic = False`), or the ranges' locks are all held until that transaction ends.
    `progress(done)` is called after each batch.
    """
    using = queryset.db
    queryset = queryset.order_by()
    high = queryset.aggregate(high=models.Max("pk"))["high"]
    start = queryset.aggregate(low=models.Min("pk"))["low"]
    rows, done = min(size, 50), 0
    while start is not None and start <= high:
        # The pk `rows` rows on starts the next range: ranges stay even across gaps.
        after = queryset.filter(pk__gte=start, pk__lte=high).order_by("pk")
        following = next(iter(after.values_list("pk", flat=True)[rows : rows + 1]), None)
        stop = high + 1 if following is None else following
        began = time.monotonic()
        with transaction.atomic(using=using):
            done += change(queryset.filter(pk__gte=start, pk__lt=stop)) or 0
        elapsed = time.monotonic() - began
        rows = max(1, min(size, 2 * rows, int(rows * seconds / max(elapsed, 1e-3))))
        start = following
        if progress:
            progress(done)
    return done


def index_to_build(schema_editor, name: str) -> bool:
    """Whether the index `name` must still be built (PostgreSQL): False when a usable one is
    there; a leftover of an interrupted CONCURRENTLY build (invalid, yet updated by every
    write) is dropped first. sqlmigrate, which only prints, always gets True."""
    if schema_editor.collect_sql:
        return True
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE c.relname = %s AND pg_table_is_visible(c.oid)",
            [name],
        )
        found = cursor.fetchone()
    if found and not found[0]:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {schema_editor.quote_name(name)}")
        return True
    return found is None


def create_index_concurrently(schema_editor, name: str, definition: str) -> None:
    """For an index made by raw SQL (RunPython, PostgreSQL only): `definition` is what follows
    the name, e.g. "ON articles_article USING gin (search_document)"."""
    if index_to_build(schema_editor, name):
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {schema_editor.quote_name(name)} {definition}"
        )


class AddIndexConcurrently(postgres.AddIndexConcurrently):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)
        if index_to_build(schema_editor, self.index.name):
            return super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        return AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)
