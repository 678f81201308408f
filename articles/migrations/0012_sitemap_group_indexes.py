"""The sitemap index's reads of the summary as index ranges (issue 14): built CONCURRENTLY
on PostgreSQL, so saves, which refresh the summary, go on meanwhile."""

from django.db import migrations, models

from newsroom.online_schema import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [
        ("articles", "0011_list_indexes"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="sitemapgroup",
            index=models.Index(
                condition=models.Q(("stories__gt", 0)),
                fields=["kind", "lastmod"],
                name="sitemapgroup_live_idx",
            ),
        ),
        AddIndexConcurrently(
            model_name="sitemapgroup",
            index=models.Index(
                condition=models.Q(("next_due__isnull", False)),
                fields=["kind", "next_due"],
                name="sitemapgroup_due_idx",
            ),
        ),
    ]
