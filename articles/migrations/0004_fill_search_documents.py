from django.db import migrations


def fill_search_documents(apps, schema_editor):
    # Stories saved before search_document was maintained get their vector once here;
    # from now on Article.save() and the tag receivers in articles.search keep it current.
    if schema_editor.connection.vendor != "postgresql":
        return
    from articles.search import document_vector

    Article = apps.get_model("articles", "Article")
    TaggedArticle = apps.get_model("articles", "TaggedArticle")
    # The configuration of the time: 0009 makes the newsroom_* ones and fills again.
    Article.objects.using(schema_editor.connection.alias).update(
        search_document=document_vector(TaggedArticle, plain_config="english")
    )


class Migration(migrations.Migration):
    dependencies = [("articles", "0003_correction_live_articles_only")]
    operations = [migrations.RunPython(fill_search_documents, migrations.RunPython.noop)]
