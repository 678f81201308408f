from urllib.parse import urlsplit

from django.apps import AppConfig
from django.conf import settings
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


def sync_site(using: str = "default", **kwargs) -> None:
    """Make the Sites framework's current site match SITE_URL and SITE_NAME.

    Feeds and the sitemap index build absolute URLs from it; a leftover “example.com”
    would point every link off the site. Runs after every `migrate`.
    """
    from django.contrib.sites.models import Site

    domain = urlsplit(settings.SITE_URL).netloc
    Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID, defaults={"domain": domain, "name": settings.SITE_NAME}
    )
    Site.objects.clear_cache()


def register_revisions() -> None:
    """Register the models django-reversion keeps history for; safe to call more than once.

    The admin (loaded before this app's ready()) calls it first, so its VersionAdmins find
    the models registered with the right follows instead of registering them on their own.
    """
    import reversion

    from articles.models import (
        Article,
        Byline,
        Correction,
        Front,
        LiveEntry,
        Placement,
        TaggedArticle,
    )

    # A revision holds the whole story: text, bylines and tags, so a restore brings all back.
    for model, follow in (
        (Article, ["bylines", "tagged_items"]),
        (Byline, []),
        (TaggedArticle, []),
        (Correction, []),
        # Each post, correction and approval of a live entry is a revision of the entry.
        (LiveEntry, []),
        # A front's revision holds its whole arrangement, so a restore brings it all back.
        (Front, ["placements"]),
        (Placement, []),
    ):
        if not reversion.is_registered(model):
            reversion.register(model, follow=follow)


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"

    def ready(self):
        register_revisions()

        from articles import invalidation, notifications, photo_access, search, sitemap_summary

        search.connect_signals()
        connection_created.connect(search.register_sqlite_fold, dispatch_uid="search-sqlite")
        invalidation.connect()
        photo_access.connect()
        sitemap_summary.connect()
        notifications.connect()
        post_migrate.connect(sync_site, sender=self, dispatch_uid="articles-sync-site")
