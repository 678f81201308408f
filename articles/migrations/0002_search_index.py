from django.db import migrations


def create_gin_index(apps, schema_editor):
    # Full-text search runs on PostgreSQL; SQLite has no tsvector and uses a simpler fallback.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS article_search_gin "
            "ON articles_article USING gin (search_document)"
        )


def drop_gin_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS article_search_gin")


class Migration(migrations.Migration):
    dependencies = [("articles", "0001_initial")]
    operations = [migrations.RunPython(create_gin_index, drop_gin_index)]
