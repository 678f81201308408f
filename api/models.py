"""API keys for partners and apps.

A tiny model rather than djangorestframework-api-key: we need one hash lookup, a revoke
date and a per-key rate, and that package would bring its own admin, migrations and
hashers (PBKDF2 per request, which is pointless for 256-bit random keys) for the same.
Keys are random (secrets.token_urlsafe), so an unsalted SHA-256 is enough to make a leaked
table useless and keeps the lookup a single indexed query.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

PREFIX_LENGTH = 8


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiKeyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)

    def matching(self, raw: str) -> ApiKey | None:
        """The key whose hash raw has, revoked or not (the caller tells the two apart)."""
        return self.filter(hashed_key=hash_key(raw)).first()


class ApiKey(models.Model):
    name = models.CharField(max_length=120, help_text="Who it is for, e.g. “Partner: Daily Wire”.")
    prefix = models.CharField(max_length=PREFIX_LENGTH, editable=False)
    hashed_key = models.CharField(max_length=64, unique=True, editable=False)
    requests_per_minute = models.PositiveIntegerField(default=120)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = "API key"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def set_new_key(self) -> str:
        """Give the key a fresh secret and return it: the only time it is ever seen."""
        raw = secrets.token_urlsafe(32)
        self.prefix = raw[:PREFIX_LENGTH]
        self.hashed_key = hash_key(raw)
        return raw

    @classmethod
    def issue(
        cls, name: str, requests_per_minute: int = 120, created_by=None
    ) -> tuple[ApiKey, str]:
        key = cls(name=name, requests_per_minute=requests_per_minute, created_by=created_by)
        raw = key.set_new_key()
        key.save()
        return key, raw

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])
