"""Public responses: what they show (surrogate keys) and how long the edge may keep them.

A view marked @public_page answers readers with

    Surrogate-Key: all chrome home story-12 story-15 ...
    Cache-Control: public, max-age=<CDN_MAX_AGE>, s-maxage=<edge TTL>, stale-while-revalidate=...
    ETag (and 304 to a matching If-None-Match)

Keys are collected on the request while the page renders: fragments.rendered() adds those
of every story part and teaser it returns, the site chrome adds "chrome", and views add
theirs with add_keys(request, ...). The key names and what purges them are in
articles.invalidation. The edge TTL is EDGE_TTL, cut short for pages that change by the
clock: those with the chrome (a banner starts or ends) end at the next banner due time, and
lists (home, section/tag/author lists, feeds, sitemaps, search, corrections) also at the
next scheduled story's publish_at. So scheduling needs no cron at the edge either.

Staff (a session cookie of a staff user) get private, never-cached pages.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import (
    add_never_cache_headers,
    get_conditional_response,
    patch_cache_control,
    set_response_etag,
)

from articles.fragments import site_state

CACHEABLE_STATUSES = (200, 301, 410)
# Keys of pages that list stories: they change when a scheduled story comes due.
LIST_KEYS = frozenset({"home", "feeds", "sitemaps", "search", "corrections", "api"})


def add_keys(request: HttpRequest | None, *keys: str) -> None:
    """Name what the page being rendered shows (see articles.invalidation for the names)."""
    if request is None:
        return
    shown = getattr(request, "_surrogate_keys", None)
    if shown is None:
        shown = request._surrogate_keys = set()
    shown.update(keys)


def surrogate_keys(request: HttpRequest) -> set[str]:
    return {"all", *getattr(request, "_surrogate_keys", ())}


def _is_staff(request: HttpRequest) -> bool:
    """Staff are recognised only when a session cookie is sent: readers cost no session lookup."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated and user.is_staff)


def edge_ttl(request: HttpRequest, keys: set[str]) -> int:
    """EDGE_TTL, or less when the page changes by the clock before then."""
    ttl = settings.EDGE_TTL
    lists = bool(keys & LIST_KEYS) or any(key.endswith("-list") for key in keys)
    if "chrome" not in keys and not lists:
        return ttl
    state = site_state(request)
    dues = [state["banner_due"]] if "chrome" in keys else []
    if lists:
        dues += [state["banner_due"], state["story_due"], state["front_due"]]
    now = time.time()
    for due in dues:
        if due is not None:
            ttl = min(ttl, max(0, int(due - now)))
    return ttl


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark a view's pages as public: cacheable at the edge, purged by their surrogate keys."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if _is_staff(request):
            add_never_cache_headers(response)
            return response
        if response.status_code not in CACHEABLE_STATUSES or response.streaming or response.cookies:
            return response
        keys = surrogate_keys(request)
        response["Surrogate-Key"] = " ".join(sorted(keys))
        if not response.has_header("ETag"):
            set_response_etag(response)
        ttl = edge_ttl(request, keys)
        patch_cache_control(
            response,
            public=True,
            max_age=min(settings.CDN_MAX_AGE, ttl),
            s_maxage=ttl,
            stale_while_revalidate=settings.EDGE_STALE_SECONDS,
        )
        if not response.has_header("ETag"):  # an empty body (a redirect) has none
            return response
        answer = get_conditional_response(request, etag=response["ETag"], response=response)
        if answer is not response:
            # A 304 to the edge's revalidation names what the page shows, as the page did.
            answer["Surrogate-Key"] = response["Surrogate-Key"]
        return answer

    return wrapper
