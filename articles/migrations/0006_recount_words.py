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
        # Counted before any row is locked; then only the stories whose count changed are
        # locked, just long enough to check that no editor saved a new body meanwhile (that
        # save counted its own words) and to write their counts.
        counted = {
            pk: (body, words)
            for pk, body, old in stories.values_list("pk", "body", "word_count")
            if (words := word_count(body)) != old
        }
        locked = stories.filter(pk__in=counted).select_for_update().values_list("pk", "body")
        changed = [
            Article(pk=pk, word_count=counted[pk][1])
            for pk, body in locked
            if body == counted[pk][0]
        ]
        return articles.bulk_update(changed, ["word_count"])

    # A pk range at a time, each its own transaction (so a large archive's bodies are never
    # all in memory, and no story stays locked until the whole archive is counted).
    run_in_batches(articles, recount, size=BATCH)


class Migration(migrations.Migration):
    atomic = False  # each batch commits on its own (newsroom.online_schema.run_in_batches)
    dependencies = [("articles", "0005_article_lead_index")]
    operations = [migrations.RunPython(recount_words, migrations.RunPython.noop)]
