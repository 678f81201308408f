from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from articles.models import live_entry_published

        live_entry_published.connect(_live_entry_published, dispatch_uid="webhooks-live-entry")


def _live_entry_published(sender, entry, **kwargs) -> None:
    """A live entry readers can now see (posted by a trusted contributor, or approved)."""
    from webhooks import announce_live_entry

    announce_live_entry(entry.article, entry)
