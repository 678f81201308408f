"""Rendered HTML for the parts of public pages that belong to one story, and the site chrome.

The page cache (articles.cache) is emptied whenever anything public changes, which in a busy
newsroom is every few minutes, so pages are rebuilt all the time. A story's teaser and the body
of its page, though, change only when that story is saved or when something it shows but does
not own changes (an author, a photo, a tag, a section, a correction). Those fragments are
rendered once and cached under a key made of:

- the story's id and modified_at (every save of the story, its bylines or its tags moves it);
- the generation's *references* id (moved by changes to authors, photos, tags, sections and
  corrections; see cache.invalidate_public_pages);
- the version of the code and settings that render them (templates, template tags, site name),
  so a deploy never serves fragments an older release rendered.

A page then costs the queries that choose its stories, which always run (so visibility is
decided afresh on every request), plus one cache round trip for their fragments.
"""

import functools
import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db.models import prefetch_related_objects
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from articles.cache import page_state
from articles.models import Article, detail_prefetches
from newsroom.context_processors import site

APP_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = APP_DIR.parent / "templates"
FRAGMENT_SECONDS = 7 * 24 * 3600

# Teaser kinds: the options teaser.html is rendered with (related stories have their own).
TEASERS = {
    "lead": ("includes/teaser.html", {"lead": True, "eager": True}),
    "top": ("includes/teaser.html", {"no_image": True, "no_standfirst": True}),
    "in_section": ("includes/teaser.html", {"level": 3, "no_standfirst": True, "no_byline": True}),
    "list": ("includes/teaser.html", {}),
    "related": ("includes/related_item.html", {}),
}

# What a story row needs for its fragment keys; everything else is loaded only on a miss.
STUB_FIELDS = ("pk", "modified_at")


# --- Keys --------------------------------------------------------------------------------


@functools.cache
def _source_digest() -> str:
    """The templates and the Python that render fragments, as deployed in this process."""
    digest = hashlib.sha256()
    sources = sorted(TEMPLATES_DIR.rglob("*.html"))
    sources += [APP_DIR / "fragments.py", APP_DIR / "templatetags" / "news.py"]
    for path in sources:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _code_version() -> str:
    """Sources plus the settings fragments print (site name, time zone, asset addresses)."""
    shown = (
        settings.SITE_NAME,
        settings.SITE_URL,
        settings.SITE_TWITTER,
        settings.SITE_LANGUAGE,
        settings.TIME_ZONE,
        settings.MEDIA_URL,
        static("img/logo.png"),
    )
    raw = f"{_source_digest()}|{shown!r}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def _key(kind: str, article: Article, references: str, version: str) -> str:
    moment = article.modified_at.timestamp() if article.modified_at else 0
    return f"fragment:{kind}:{article.pk}:{moment:.6f}:{references}:{version}"


def _cached(
    request: HttpRequest | None,
    items: Sequence[tuple[Article, str]],
    render_missing,
) -> list[SafeString]:
    """The fragments for (story, kind) pairs in one cache round trip; misses are rendered by
    render_missing(pairs) -> list of HTML, and stored."""
    references = page_state(request)["references"]
    version = _code_version()
    keys = [_key(kind, article, references, version) for article, kind in items]
    found = cache.get_many(keys) if keys else {}
    missing = [i for i, key in enumerate(keys) if key not in found]
    if missing:
        rendered = render_missing([items[i] for i in missing])
        fresh = {keys[i]: html for i, html in zip(missing, rendered, strict=True)}
        cache.set_many(fresh, timeout=FRAGMENT_SECONDS)
        found.update(fresh)
    return [mark_safe(found[key]) for key in keys]


# --- Teasers -----------------------------------------------------------------------------


def teasers(
    request: HttpRequest | None, items: Iterable[tuple[Article, str]], loaded: bool = False
) -> list[SafeString]:
    """Teaser HTML for (story, kind) pairs, in order, whatever mix of kinds.

    The stories may be stubs (STUB_FIELDS only): the missing fragments' stories are then
    loaded in two queries (rows, bylines). With loaded=True they are used as they are.
    """
    items = list(items)

    def render_missing(pairs: list[tuple[Article, str]]) -> list[str]:
        if loaded:
            full = {article.pk: article for article, _ in pairs}
        else:
            full = (
                Article.objects.for_listing()
                .defer("body", "search_document")
                .in_bulk({article.pk for article, _ in pairs})
            )
        return [_render_teaser(full[article.pk], kind) for article, kind in pairs]

    return _cached(request, items, render_missing)


def _render_teaser(article: Article, kind: str) -> str:
    template, options = TEASERS[kind]
    return render_to_string(template, {"article": article, **options})


# --- The story page ----------------------------------------------------------------------


def story(request: HttpRequest | None, article: Article, use_cache: bool = True) -> dict:
    """The story page's own parts: "head" (meta tags, structured data) and "body" (the story,
    its author boxes). On a miss the bylines, tags and corrections are loaded (three queries).
    """
    if not use_cache:
        return _render_story(article)
    head, body = _cached(
        request, [(article, "story-head"), (article, "story-body")], lambda pairs: _story(article)
    )
    return {"head": head, "body": body}


def _story(article: Article) -> list[str]:
    parts = _render_story(article)
    return [parts["head"], parts["body"]]


def _render_story(article: Article) -> dict:
    if not hasattr(article, "_prefetched_objects_cache"):
        prefetch_related_objects([article], *detail_prefetches())
    context = {**site(None), "article": article}
    return {
        "head": mark_safe(render_to_string("articles/story_head.html", context)),
        "body": mark_safe(render_to_string("articles/story_body.html", context)),
    }


# --- Site chrome -------------------------------------------------------------------------

# The header and footer depend only on the generation (sections, banner), the section being
# read and the year, so each worker renders each variant once per generation.
_CHROME: dict[tuple, SafeString] = {}
_CHROME_MAX = 500


def chrome(request: HttpRequest | None, part: str) -> SafeString:
    state = page_state(request)
    path = getattr(request, "path", "")
    active = path if any(item["url"] == path for item in state["nav"]) else ""
    key = (state["id"], part, active, timezone.localdate().year, _code_version())
    html = _CHROME.get(key)
    if html is None:
        if len(_CHROME) >= _CHROME_MAX:
            _CHROME.clear()
        context = {**site(None), "nav": state["nav"], "banner": state["banner"], "active": active}
        html = _CHROME[key] = mark_safe(render_to_string(f"includes/{part}.html", context))
    return html
