"""Give every tag, section and story an addressable slug (issue: a tag named “#” got an empty
one, and every page linking to it answered 500). New rows get one on save (models); this mends
rows saved before, with the same rule: the name transliterated, or “tag”, “section”, “story”.

Only the few broken rows are read and written (one read-only scan that selects nothing on a
healthy archive), each in its own short transaction (not atomic: README, Migrations on a large
archive), so it is safe to run again; no redirect is needed, as no address ever reached a story
without a usable slug."""

from django.db import migrations

from articles.text import unique_slug

URL_SLUG = r"^[-a-zA-Z0-9_]+$"  # articles.text.is_url_slug, as a database regex
RESERVED = frozenset(
    "admin search feeds feed rss atom tags tag authors author static media sitemap sitemaps "
    "sitemap.xml robots.txt healthz preview share corrections pages about contact api "
    "accounts login logout news archive".split()
)  # articles.models.RESERVED_SLUGS as of this migration


def mend_slugs(apps, schema_editor):
    for label, name_field, fallback, max_length, reserved in (
        ("taggit.Tag", "name", "tag", 100, frozenset()),
        ("articles.Section", "name", "section", 80, RESERVED),
        ("articles.Article", "headline", "story", 110, frozenset()),
    ):
        model = apps.get_model(label)
        for row in model.objects.exclude(slug__regex=URL_SLUG).only("pk", name_field):
            slug = unique_slug(
                model,
                getattr(row, name_field),
                row,
                max_length=max_length,
                fallback=fallback,
                reserved=reserved,
            )
            model.objects.filter(pk=row.pk).update(slug=slug)


class Migration(migrations.Migration):
    atomic = False  # each mended row commits by itself; no story row stays locked meanwhile

    dependencies = [
        ("articles", "0012_sitemap_group_indexes"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(mend_slugs, migrations.RunPython.noop, elidable=True)]
