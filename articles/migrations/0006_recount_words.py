from django.db import migrations

from newsroom.online_schema import run_in_batches

BATCH = 500


def recount_words(apps, schema_editor):
    # Word counts made before articles.text.plain_text() ran list items and paragraphs
    # together ("inflowshigher"), so reading times came out a little short; count again.
    # bulk_update writes word_count only: modified_at, which readers and caches see, stays.
    from articles.text import word_count

    Article = apps.get_model("articles", "Article")
    articles = Article.objects.using(schema_editor.connection.alias)

    def recount(stories) -> int:
        # Read under a row lock, so an editor's save of a new body can't slip in between
        # the count and its write; the batch's short transaction keeps that lock brief.
        changed = []
        for story in stories.select_for_update().only("pk", "body", "word_count"):
            words = word_count(story.body)
            if words != story.word_count:
                story.word_count = words
                changed.append(story)
        return articles.bulk_update(changed, ["word_count"])

    # A pk range at a time, each its own transaction (so a large archive's bodies are never
    # all in memory, and no story stays locked until the whole archive is counted).
    run_in_batches(articles, recount, size=BATCH)


class Migration(migrations.Migration):
    atomic = False  # each batch commits on its own (newsroom.online_schema.run_in_batches)
    dependencies = [("articles", "0005_article_lead_index")]
    operations = [migrations.RunPython(recount_words, migrations.RunPython.noop)]
