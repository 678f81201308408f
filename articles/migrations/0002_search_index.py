from django.db import migrations

from newsroom.online_schema import create_index_concurrently


def create_gin_index(apps, schema_editor):
    # Full-text search runs on PostgreSQL; SQLite has no tsvector and uses a simpler fallback.
    # Built concurrently: stories stay writable while a large archive's index builds.
    if schema_editor.connection.vendor == "postgresql":
        create_index_concurrently(
            schema_editor, "article_search_gin", "ON articles_article USING gin (search_document)"
        )


def drop_gin_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS article_search_gin")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction
    dependencies = [("articles", "0001_initial")]
    operations = [migrations.RunPython(create_gin_index, drop_gin_index)]
