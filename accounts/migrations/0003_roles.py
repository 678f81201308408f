"""The two newsroom roles, with exactly the permissions each needs.

Journalists write: they add and edit articles (the models restrict them to their own
drafts and returned stories), attach bylines, tags and photos, and upload photos (the
admin lets them correct only the details of photos they uploaded themselves).
Editors run the desk: everything journalists can, plus publishing, corrections,
sections, authors, tags, photos, banners, share links and the standing pages.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

JOURNALIST_PERMISSIONS = [
    ("articles", "article", ["add", "change", "delete", "view"]),
    ("articles", "byline", ["add", "change", "delete", "view"]),
    ("articles", "taggedarticle", ["add", "change", "delete", "view"]),
    ("articles", "image", ["add", "change", "view"]),
    ("articles", "section", ["view"]),
    ("articles", "articleevent", ["view"]),
    ("articles", "sharelink", ["add", "view"]),
    ("accounts", "author", ["view"]),
    ("taggit", "tag", ["view"]),
]
EDITOR_PERMISSIONS = [
    ("articles", "article", ["add", "change", "delete", "view", "publish"]),
    ("articles", "byline", ["add", "change", "delete", "view"]),
    ("articles", "taggedarticle", ["add", "change", "delete", "view"]),
    ("articles", "image", ["add", "change", "delete", "view"]),
    ("articles", "section", ["add", "change", "delete", "view"]),
    ("articles", "articleevent", ["view"]),
    ("articles", "correction", ["add", "change", "view"]),
    ("articles", "articleredirect", ["view"]),
    ("articles", "sharelink", ["add", "change", "view"]),
    ("articles", "breakingbanner", ["add", "change", "delete", "view"]),
    ("accounts", "author", ["add", "change", "delete", "view"]),
    ("taggit", "tag", ["add", "change", "delete", "view"]),
    ("flatpages", "flatpage", ["add", "change", "view"]),
]


def codename(action: str, model: str) -> str:
    return "publish_article" if action == "publish" else f"{action}_{model}"


def create_roles(apps, schema_editor):
    # Permissions are normally created after migrations; the roles need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, spec in (("Journalists", JOURNALIST_PERMISSIONS), ("Editors", EDITOR_PERMISSIONS)):
        group, _ = Group.objects.get_or_create(name=name)
        perms = [
            Permission.objects.get(content_type__app_label=app, codename=codename(action, model))
            for app, model, actions in spec
            for action in actions
        ]
        group.permissions.set(perms)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Journalists", "Editors"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_initial"),
        ("articles", "0001_initial"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("flatpages", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_roles, remove_roles)]
