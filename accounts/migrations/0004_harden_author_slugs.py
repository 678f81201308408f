"""Give every author an addressable slug: the name transliterated, or “author”, “author-2”
for a name with nothing to transliterate (new rows get one on save, accounts.models).
Only the few broken rows are read and written."""

from django.db import migrations

from articles.text import unique_slug

URL_SLUG = r"^[-a-zA-Z0-9_]+$"  # articles.text.is_url_slug, as a database regex


def mend_slugs(apps, schema_editor):
    Author = apps.get_model("accounts", "Author")
    for author in Author.objects.exclude(slug__regex=URL_SLUG).only("pk", "name"):
        slug = unique_slug(Author, author.name, author, fallback="author")
        Author.objects.filter(pk=author.pk).update(slug=slug)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_roles")]

    operations = [migrations.RunPython(mend_slugs, migrations.RunPython.noop, elidable=True)]
