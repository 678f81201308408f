"""The public pages' server-side cache and its invalidation.

Every cached public page is stored under a key that includes the current *generation*.
Anything that changes what readers may see (publishing, editing a live story, withdrawing,
a correction, a section or banner change) starts a new generation, so every page —
the story, its old URLs, home, section, tag and author lists, feeds, sitemaps — is
rebuilt on its next request. Scheduled stories need no job either: the generation also
records when the next scheduled story (or banner) is due, and the first request after
that moment starts a new generation.

The generation also carries the "site chrome" every page shows (the section navigation and
the current breaking-news banner), so those lookups cost nothing on an ordinary request, and
the *references* id the rendered story fragments are keyed by (see articles.fragments).
"""

import functools
import hashlib
import time
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIRequest
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import (
    add_never_cache_headers,
    get_conditional_response,
    patch_cache_control,
    set_response_etag,
)

# The number changes whenever the shape of the stored state does, so a release never reads
# a state an older release stored.
GENERATION_KEY = "public-pages:generation:2"
# Moves only when something stories show but do not own changes (an author, a photo, a tag, a
# section); kept apart from the generation, which moves on every publish.
REFERENCES_KEY = "public-pages:references"
# Query parameters public pages read; anything else (utm_*, cache busters) shares a cache entry.
PAGE_PARAMS = ("q", "page")
CACHEABLE_STATUSES = (200, 301, 410)


def invalidate_public_pages(references: bool = False) -> None:
    """Start a new generation: every cached public page is stale from now on.

    With references=True every rendered story fragment is stale too.
    """
    if references:
        cache.set(REFERENCES_KEY, _new_id(), timeout=None)
    _store(_new_generation())


def page_state(request: HttpRequest | None = None) -> dict[str, Any]:
    """The current generation: its id, the site chrome and the fragments' references id.

    Read from the cache once per request (remembered on the request) however many parts of
    the page ask for it.
    """
    return page_state_and(request, [])[0]


def page_state_and(
    request: HttpRequest | None, keys: list[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The page state and the cache entries under `keys`, in one cache round trip."""
    known = getattr(request, "_public_page_state", None)
    wanted = keys if known else [GENERATION_KEY, *keys]
    found = cache.get_many(wanted) if wanted else {}
    state = known or _valid(found.pop(GENERATION_KEY, None))
    if request is not None:
        request._public_page_state = state
    return state, found


def _expired(state: dict[str, Any] | None) -> bool:
    """No state stored, or a scheduled story or banner has become due since it was made."""
    return state is None or (state["due"] is not None and time.time() >= state["due"])


def _valid(state: dict[str, Any] | None) -> dict[str, Any]:
    """The stored state, or a new generation when it has expired."""
    if _expired(state):
        state = _new_generation()
        _store(state)
    return state


def _store(state: dict[str, Any]) -> None:
    # A bounded lifetime, so processes with a local-memory cache of their own (no Redis)
    # still pick up another process's changes within PAGE_CACHE_SECONDS. Kept for at least
    # a minute even when page caching is off (PAGE_CACHE_SECONDS=0): the site chrome in it
    # is still worth not querying on every request.
    cache.set(GENERATION_KEY, state, timeout=max(settings.PAGE_CACHE_SECONDS, 60))


def _new_generation() -> dict[str, Any]:
    from articles.models import Article, BreakingBanner, Section

    now = timezone.now()
    due = []
    next_story = Article.objects.scheduled().order_by("publish_at").values("publish_at")[:1]
    due += [row["publish_at"] for row in next_story]
    banner = None
    # Few rows: every banner that has not ended yet (the current one and those to come).
    for b in BreakingBanner.objects.filter(ends_at__gt=now).order_by("-starts_at"):
        due.append(b.ends_at)
        if b.starts_at > now:
            due.append(b.starts_at)
        elif banner is None:
            banner = {"text": b.text, "url": b.url}
    nav: list[dict[str, Any]] = []
    children: dict[int, list[dict[str, str]]] = {}
    top_sections: dict[int, int] = {}  # every section's top-level section
    for s in Section.objects.order_by("position", "name"):
        item = {"name": s.name, "url": s.get_absolute_url(), "slug": s.slug}
        top_sections[s.pk] = s.parent_id or s.pk
        if s.parent_id:
            children.setdefault(s.parent_id, []).append(item)
        else:
            nav.append({**item, "pk": s.pk})
    for item in nav:
        item["children"] = children.get(item["pk"], [])
    references = cache.get(REFERENCES_KEY)
    if references is None:
        cache.add(REFERENCES_KEY, _new_id(), timeout=None)
        references = cache.get(REFERENCES_KEY)
    return {
        "id": _new_id(),
        "due": min(due).timestamp() if due else None,
        "banner": banner,
        "nav": nav,
        "top_sections": top_sections,
        "references": references,
    }


def _new_id() -> str:
    return f"{time.time_ns():x}"


# --- Changes outside the story itself -------------------------------------------------------
# Public pages also show authors (bylines, author boxes), photos (captions, credits), tag names
# and the standing pages; editing one of them starts a new generation too. New authors, photos
# and tags are not public until a story uses them (and publishing that story invalidates).
SHOWN_ON_PUBLIC_PAGES = ("accounts.Author", "articles.Image", "taggit.Tag", "flatpages.FlatPage")


def _changed(sender, instance=None, created: bool = False, **kwargs) -> None:
    if not created:
        invalidate_public_pages(references=True)


for _model in SHOWN_ON_PUBLIC_PAGES:
    post_save.connect(_changed, sender=_model, dispatch_uid=f"public-pages-save-{_model}")
    post_delete.connect(_changed, sender=_model, dispatch_uid=f"public-pages-delete-{_model}")


# --- The page cache ------------------------------------------------------------------------


def _is_staff(request: HttpRequest) -> bool:
    """Staff are recognised only when a session cookie is sent: readers cost no session lookup."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated and user.is_staff)


def page_key(request: HttpRequest) -> str:
    has_query = request.META.get("QUERY_STRING")
    params = [(k, request.GET.get(k, "")) for k in PAGE_PARAMS if has_query and k in request.GET]
    raw = f"{request.method}|{request.path}|{params!r}"
    return "public-page:" + hashlib.sha256(raw.encode()).hexdigest()


def _is_reader(request: HttpRequest) -> bool:
    return request.method in ("GET", "HEAD") and settings.SESSION_COOKIE_NAME not in request.COOKIES


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark a view's pages as public: cacheable by CDNs and by PublicPageCacheMiddleware.

    Readers' pages get CDN-friendly Cache-Control and an ETag, conditional GETs are answered
    with 304, and the middleware stores the finished response under the current generation.
    Staff always get a fresh, private page.
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if _is_staff(request):
            response = view(request, *args, **kwargs)
            add_never_cache_headers(response)
            return response
        storing = settings.PAGE_CACHE_SECONDS > 0 and _is_reader(request)
        # Read before rendering: a change made while the page renders makes this copy stale.
        generation = page_state(request)["id"] if storing else None
        response = view(request, *args, **kwargs)
        if response.status_code in CACHEABLE_STATUSES and _storable(response):
            if not response.has_header("ETag"):
                set_response_etag(response)
            patch_cache_control(
                response,
                public=True,
                max_age=settings.CDN_MAX_AGE,
                s_maxage=settings.PAGE_CACHE_SECONDS,
                stale_while_revalidate=600,
            )
            if storing:
                response.public_page_entry = (page_key(request), generation)
        if response.has_header("ETag"):
            return get_conditional_response(request, etag=response["ETag"], response=response)
        return response

    return wrapper


class PublicPageCacheMiddleware:
    """First in MIDDLEWARE: answers readers from the page cache before any other middleware.

    A hit costs one cache round trip (the generation and the page together) and skips
    sessions, CSRF, CSP and the view. The stored copy is the finished response, headers
    included, as the other middleware left it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        hit = cached_page(request)
        if hit is not None:
            return hit
        response = self.get_response(request)
        entry = getattr(response, "public_page_entry", None)
        if entry is not None:
            key, generation = entry
            cache.set(key, (generation, *_freeze(response)), timeout=settings.PAGE_CACHE_SECONDS)
        return response


# Where CachedPagesFirst leaves the page state it read, so a miss does not read it again.
STATE_IN_ENVIRON = "newsroom.public_page_state"
CONDITIONAL_HEADERS = frozenset({"HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE"})


def cached_page(request: HttpRequest) -> HttpResponse | None:
    """The reader's page from the page cache; None when caching is off, for staff, or on a
    miss (the state read on the way is kept on the request for the page to render with)."""
    stored = _stored_page(request)
    return None if stored is None else _answer(request, stored)


def _stored_page(request: HttpRequest) -> tuple | None:
    """(status, content, headers) of the reader's cached page, or None."""
    if settings.PAGE_CACHE_SECONDS <= 0 or not _is_reader(request):
        return None
    if STATE_IN_ENVIRON in request.META:  # CachedPagesFirst has looked already
        if request.META[STATE_IN_ENVIRON] is not None:
            request._public_page_state = request.META[STATE_IN_ENVIRON]
        return None
    if settings.SECURE_SSL_REDIRECT and not request.is_secure():
        return None  # SecurityMiddleware sends this reader to https first.
    request.get_host()  # Hosts outside ALLOWED_HOSTS get 400 here too, never a cached page.
    key = page_key(request)
    found = cache.get_many([GENERATION_KEY, key])
    state, stored = found.get(GENERATION_KEY), found.get(key)
    if _expired(state):
        return None
    request._public_page_state = state  # a miss renders with it: no second round trip
    if stored is None or stored[0] != state["id"]:
        return None
    return stored[1:]


def _answer(request: HttpRequest, stored: tuple) -> HttpResponse:
    """The stored page, or a 304 when the reader's copy is still current."""
    response = _restore(stored)
    answer = get_conditional_response(request, etag=response.get("ETag"), response=response)
    if answer is not response:
        # A 304 keeps the security headers the full page had.
        for name, value in response.items():
            if not name.lower().startswith("content-") or name.lower().startswith(
                "content-security"
            ):
                answer.headers.setdefault(name, value)
    return answer


def _storable(response: HttpResponse) -> bool:
    return not response.streaming and not response.cookies


def _freeze(response: HttpResponse) -> tuple[int, bytes, list[tuple[str, str]]]:
    """Just what it takes to answer again: status, body and headers (no request state)."""
    return response.status_code, response.content, list(response.headers.items())


def _restore(stored: tuple[int, bytes, list[tuple[str, str]]]) -> HttpResponse:
    status, content, headers = stored
    response = HttpResponse(content, status=status)
    for name, value in headers:
        response[name] = value
    return response


class CachedPagesFirst:
    """The WSGI entry point's first step: readers' cached pages are answered before Django
    builds its handler chain (signals, every middleware), which costs more than the hit.

    Anything else, and any error on the way (a host outside ALLOWED_HOSTS, the cache being
    down), goes to Django, which answers it in full: a 400 page, a fresh page, a 500 page.
    """

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        request = WSGIRequest(environ)
        try:
            stored = _stored_page(request)
        except Exception:
            stored = None
        environ[STATE_IN_ENVIRON] = getattr(request, "_public_page_state", None)
        if stored is None:
            return self.application(environ, start_response)
        if CONDITIONAL_HEADERS.isdisjoint(environ):
            status, content, headers = stored
            start_response(f"{status} {HTTPStatus(status).phrase}", headers)
        else:
            answer = _answer(request, stored)
            start_response(f"{answer.status_code} {answer.reason_phrase}", list(answer.items()))
            content = answer.content
        # Bytes, not a response object: closing a response sends request_finished, whose
        # database clean-up this request, which used no database, does not need.
        return [content]
