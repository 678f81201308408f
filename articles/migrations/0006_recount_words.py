from django.db import migrations

BATCH = 500


def recount_words(apps, schema_editor):
    # Word counts made before articles.text.plain_text() ran list items and paragraphs
    # together ("inflowshigher"), so reading times came out a little short; count again.
    # bulk_update writes word_count only: modified_at, which readers and caches see, stays.
    from articles.text import word_count

    Article = apps.get_model("articles", "Article")
    articles = Article.objects.using(schema_editor.connection.alias)
    changed = []
    # Written a batch at a time, so a large archive's bodies are never all in memory.
    for story in articles.only("pk", "body", "word_count").order_by("pk").iterator(BATCH):
        words = word_count(story.body)
        if words != story.word_count:
            story.word_count = words
            changed.append(story)
        if len(changed) == BATCH:
            articles.bulk_update(changed, ["word_count"])
            changed.clear()
    articles.bulk_update(changed, ["word_count"])

class Migration(migrations.Migration):
    dependencies = [("articles", "0005_article_lead_index")]
    operations = [migrations.RunPython(recount_words, migrations.RunPython.noop)]
