"""Photos become private until something public uses them (articles/photo_access.py).

Existing originals move from photos/YYYY/MM/<uploader's name> to private/originals/<random>,
their private renditions are made, and public_at is set from the stories and authors that
use them; the old imagekit renditions are removed. Public copies are written the first
time a page shows a public photo.
"""

import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import migrations, models
from django.db.models import Min

import articles.images


def move_photos(apps, schema_editor):
    Image = apps.get_model("articles", "Image")
    Article = apps.get_model("articles", "Article")
    Author = apps.get_model("accounts", "Author")
    for image in Image.objects.exclude(file__startswith=articles.images.ORIGINALS_DIR):
        old = image.file.name
        if default_storage.exists(old):  # a row whose file is lost keeps its name
            ext = old.rsplit(".", 1)[-1].lower()
            new = f"{articles.images.ORIGINALS_DIR}{secrets.token_urlsafe(18)}.{ext}"
            with default_storage.open(old) as fh:
                new = default_storage.save(new, ContentFile(fh.read()))
            with default_storage.open(new) as fh:
                articles.images.make_renditions(fh, new)
            default_storage.delete(old)
            image.file.name = new
        first = Article.objects.filter(featured_image=image, status="published").aggregate(
            at=Min("publish_at")
        )["at"]
        if Author.objects.filter(photo=image).exists():
            first = min(first, image.created_at) if first else image.created_at
        image.public_at = first
        image.save(update_fields=["file", "public_at"])


def _delete_tree(path):
    """Every file under `path` in the storage (imagekit's old public renditions)."""
    try:
        folders, files = default_storage.listdir(path)
    except FileNotFoundError:
        return
    for name in files:
        default_storage.delete(f"{path}/{name}")
    for folder in folders:
        _delete_tree(f"{path}/{folder}")


def remove_old_renditions(apps, schema_editor):
    # They sat at public addresses derived from the uploader's file name, whatever the
    # photo's stories: none may stay.
    _delete_tree("renditions/photos")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0013_harden_slugs"),
        ("accounts", "0002_initial"),  # Author.photo
    ]

    operations = [
        migrations.AddField(
            model_name="image",
            name="public_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AlterField(
            model_name="image",
            name="file",
            field=models.ImageField(
                height_field="height",
                help_text="JPEG, PNG or WebP. Location and camera data are removed on upload.",
                upload_to="private/originals/",
                validators=[articles.images.validate_photo],
                width_field="width",
            ),
        ),
        migrations.RunPython(move_photos, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(remove_old_renditions, migrations.RunPython.noop, elidable=True),
    ]
