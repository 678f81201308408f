"""Accent-insensitive search, in the site's language (settings.SEARCH_LANGUAGE).

Creates the unaccent extension, the folding functions (articles.search.fold_sql) and one text
search configuration per language: newsroom_english and newsroom_russian stem words after
unaccent; newsroom_azerbaijani and newsroom_simple (PostgreSQL has no Azerbaijani stemmer)
keep whole words, unaccented. Then fills search_document again with the site's configuration,
a pk range at a time, each range its own transaction (the migration is not atomic), so a large
archive is never locked for more than a moment. Safe to run again if it was interrupted: each
step does its whole work again.
"""

from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations

CONFIGURATIONS = {
    "english": ("english", "english_stem"),
    "russian": ("russian", "russian_stem"),
    "azerbaijani": ("simple", "simple"),
    "simple": ("simple", "simple"),
}
# Token types with letters beyond ASCII; plain ASCII words need no unaccent.
WORD_TYPES = "word, hword, hword_part"


def create_configurations(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from articles.search import fold_sql

    for function in ("newsroom_fold", "newsroom_translit"):
        schema_editor.execute(fold_sql(function))
    for language, (parent, stemmer) in CONFIGURATIONS.items():
        name = f"newsroom_{language}"
        schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {name}")
        schema_editor.execute(f"CREATE TEXT SEARCH CONFIGURATION {name} (COPY = {parent})")
        schema_editor.execute(
            f"ALTER TEXT SEARCH CONFIGURATION {name} "
            f"ALTER MAPPING FOR {WORD_TYPES} WITH unaccent, {stemmer}"
        )


def drop_configurations(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for language in CONFIGURATIONS:
        schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS newsroom_{language}")
    for function in ("newsroom_fold", "newsroom_translit"):
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {function}(text)")


def refill_search_documents(apps, schema_editor):
    from articles.search import refresh_all_search_documents

    refresh_all_search_documents(
        apps.get_model("articles", "Article"),
        apps.get_model("articles", "TaggedArticle"),
        using=schema_editor.connection.alias,
    )


class Migration(migrations.Migration):
    atomic = False  # the refill commits a batch at a time (newsroom.online_schema.run_in_batches)
    dependencies = [("articles", "0007_share_link_views")]
    operations = [
        UnaccentExtension(),
        # One transaction: run again after an interruption, a search never meets a
        # configuration dropped and not yet made again.
        migrations.RunPython(create_configurations, drop_configurations, atomic=True),
        migrations.RunPython(refill_search_documents, migrations.RunPython.noop),
    ]
