from django.db import migrations

from newsroom.online_schema import run_in_batches


def fill_search_documents(apps, schema_editor):
    # Stories saved before search_document was maintained get their vector once here;
    # from now on Article.save() and the tag receivers in articles.search keep it current.
    # A pk range at a time, each its own transaction: editors' saves wait a moment at most.
    if schema_editor.connection.vendor != "postgresql":
        return
    from articles.search import document_vector

    Article = apps.get_model("articles", "Article")
    TaggedArticle = apps.get_model("articles", "TaggedArticle")
    # The configuration of the time: 0009 makes the newsroom_* ones and fills again.
    vector = document_vector(TaggedArticle, plain_config="english")
    run_in_batches(
        Article.objects.using(schema_editor.connection.alias),
        lambda stories: stories.update(search_document=vector),
    )


class Migration(migrations.Migration):
    atomic = False  # each batch commits on its own (newsroom.online_schema.run_in_batches)
    dependencies = [("articles", "0003_correction_live_articles_only")]
    operations = [migrations.RunPython(fill_search_documents, migrations.RunPython.noop)]
