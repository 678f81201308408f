"""The sitemaps' summary (SitemapGroup: live stories per month, section, tag and author),
filled set-based (articles.sitemap_summary.rebuild: one GROUP BY per kind), and an index for
the news sitemap's last 48 hours, built concurrently so stories stay writable meanwhile."""

from django.db import migrations, models

from newsroom.online_schema import AddIndexConcurrently


def fill_summary(apps, schema_editor):
    from articles.sitemap_summary import rebuild

    rebuild(apps.get_model("articles", "Article"), apps.get_model("articles", "SitemapGroup"))


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [("articles", "0009_search_languages")]

    operations = [
        migrations.CreateModel(
            name="SitemapGroup",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("month", "Month"),
                            ("section", "Section"),
                            ("tag", "Tag"),
                            ("author", "Author"),
                        ],
                        max_length=8,
                    ),
                ),
                (
                    "key",
                    models.PositiveIntegerField(help_text="yyyymm for a month, else the pk."),
                ),
                ("stories", models.PositiveIntegerField(default=0)),
                ("lastmod", models.DateTimeField(null=True)),
                ("next_due", models.DateTimeField(null=True)),
                ("refreshed_at", models.DateTimeField()),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("kind", "key"), name="sitemapgroup_kind_key")
                ],
            },
        ),
        AddIndexConcurrently(
            model_name="article",
            index=models.Index(
                fields=["status", "-first_published_at", "publish_at"],
                name="article_first_published_idx",
            ),
        ),
        migrations.RunPython(fill_summary, migrations.RunPython.noop),
    ]
