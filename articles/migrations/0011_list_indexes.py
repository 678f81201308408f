"""Indexes that keep list pages and the admin's changelists the same cost at any archive
size (issue 14): built CONCURRENTLY on PostgreSQL, so stories stay writable meanwhile."""

from django.db import migrations, models

from newsroom.online_schema import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [
        ("articles", "0010_sitemap_summary"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="image",
            index=models.Index(fields=["-created_at", "-id"], name="image_recent_idx"),
        ),
        AddIndexConcurrently(
            model_name="article",
            index=models.Index(
                fields=["-publish_at", "-created_at", "-id"], name="article_admin_order_idx"
            ),
        ),
        AddIndexConcurrently(
            model_name="byline",
            index=models.Index(fields=["author", "article"], name="byline_author_story_idx"),
        ),
        AddIndexConcurrently(
            model_name="taggedarticle",
            index=models.Index(
                fields=["content_object", "tag"], name="taggedarticle_story_tag_idx"
            ),
        ),
        AddIndexConcurrently(
            model_name="taggedarticle",
            index=models.Index(
                fields=["tag", "content_object"], name="taggedarticle_tag_story_idx"
            ),
        ),
    ]
