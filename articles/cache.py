"""The public pages' server-side cache and its invalidation.

Every cached public page is stored under a key that includes the current *generation*.
Anything that changes what readers may see (publishing, editing a live story, withdrawing,
a correction, a section or banner change) starts a new generation, so every page —
the story, its old URLs, home, section, tag and author lists, feeds, sitemaps — is
rebuilt on its next request. Scheduled stories need no job either: the generation also
records when the next scheduled story (or banner) is due, and the first request after
that moment starts a new generation.
"""

import time

from django.core.cache import cache
from django.utils import timezone

GENERATION_KEY = "public-pages:generation"


def invalidate_public_pages() -> None:
    """Start a new generation: every cached public page is stale from now on."""
    cache.set(GENERATION_KEY, _new_generation(), timeout=None)


def current_generation() -> str:
    state = cache.get(GENERATION_KEY)
    if state is None or (state["due"] is not None and time.time() >= state["due"]):
        state = _new_generation()
        cache.set(GENERATION_KEY, state, timeout=None)
    return state["id"]


def _new_generation() -> dict:
    return {"id": f"{time.time_ns():x}", "due": _next_scheduled_change()}


def _next_scheduled_change() -> float | None:
    """Epoch seconds of the next moment the public site changes by itself, if any."""
    from articles.models import Article, BreakingBanner

    now = timezone.now()
    moments = [
        Article.objects.scheduled().order_by("publish_at").values_list("publish_at", flat=True)[:1],
        BreakingBanner.objects.filter(starts_at__gt=now)
        .order_by("starts_at")
        .values_list("starts_at", flat=True)[:1],
        BreakingBanner.objects.filter(ends_at__gt=now)
        .order_by("ends_at")
        .values_list("ends_at", flat=True)[:1],
    ]
    due = [m[0] for m in moments if m]
    return min(due).timestamp() if due else None
