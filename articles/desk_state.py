"""What the change form knows about the people on a story right now: each writer's autosaved
draft and who has the story open. Neither is an edit of the story: they never touch the
Article row, its version, its revisions or the public page.

Presence lives in the database, not the cache: every web process reads the same rows, and the
cache fails open (a Redis outage would report an empty desk, the one wrong answer that makes
two editors overwrite each other), while locmem in development is per process. One upsert per
open form every ten seconds is a small write.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

# Someone is "here" while their form has polled within this window (it polls every 10 s).
PRESENCE_WINDOW = dt.timedelta(seconds=30)


class StaleAutosave(Exception):
    """The autosave was typed against an older version of the story than it now has."""

    def __init__(self, current_version: int):
        super().__init__(current_version)
        self.current_version = current_version


class ArticleAutosave(models.Model):
    """One writer's unsaved copy of the change form, kept until that writer really saves."""

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    data = models.JSONField(default=dict)
    # The story's version the form was opened at: an autosave of an older one is refused.
    base_version = models.PositiveIntegerField()
    saved_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="one_autosave_per_writer")
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.article_id} at {self.saved_at:%H:%M:%S}"

    @classmethod
    def record(cls, article, user, data: dict, base_version: int) -> "ArticleAutosave":
        """Keep user's copy of the form (replacing their previous one, nobody else's).

        Raises StaleAutosave when the form was opened at another version than the story has:
        the copy would restore text that silently drops what was saved since.
        """
        if base_version != article.version:
            raise StaleAutosave(article.version)
        autosave = cls(
            article=article,
            user=user,
            data=data,
            base_version=base_version,
            saved_at=timezone.now(),
        )
        # One upsert: a writer's two tabs autosaving at once keep one row, the later copy.
        cls.objects.bulk_create(
            [autosave],
            update_conflicts=True,
            unique_fields=["article", "user"],
            update_fields=["data", "base_version", "saved_at"],
        )
        return autosave

    @classmethod
    def discard(cls, article, user) -> None:
        cls.objects.filter(article=article, user=user).delete()

    def is_stale(self, article) -> bool:
        return self.base_version != article.version


class ArticlePresence(models.Model):
    """When a user's change form of a story last polled, and last polled while typing."""

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField()
    typing_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="one_presence_per_user")
        ]
        indexes = [models.Index(fields=["article", "-seen_at"], name="presence_recent_idx")]

    def __str__(self) -> str:
        return f"{self.user} on {self.article_id}"

    @classmethod
    def heartbeat(cls, article, user, typing: bool) -> None:
        """Note that user has the story open now (and is typing, if so): one upsert, safe when
        two processes record the same user at once."""
        now = timezone.now()
        updated = ["seen_at", "typing_at"] if typing else ["seen_at"]
        cls.objects.bulk_create(
            [cls(article=article, user=user, seen_at=now, typing_at=now if typing else None)],
            update_conflicts=True,
            unique_fields=["article", "user"],
            update_fields=updated,
        )

    @classmethod
    def leave(cls, article, user) -> None:
        cls.objects.filter(article=article, user=user).delete()

    @classmethod
    def others(cls, article, user) -> list["ArticlePresence"]:
        """The other people whose form of this story polled within the window, newest first."""
        since = timezone.now() - PRESENCE_WINDOW
        return list(
            cls.objects.filter(article=article, seen_at__gte=since)
            .exclude(user=user)
            .select_related("user")
            .order_by("-seen_at")
        )

    def is_typing(self) -> bool:
        return self.typing_at is not None and self.typing_at >= timezone.now() - PRESENCE_WINDOW
