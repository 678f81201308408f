"""Rendered HTML for the parts of public pages that belong to one story, and the site chrome.

The page cache (articles.cache) is emptied whenever anything public changes, which in a busy
newsroom is every few minutes, so pages are rebuilt all the time. A story's teaser and the body
of its page, though, change only when that story is saved or when something it shows but does
not own changes (an author, a photo, a tag, a section). Those fragments are rendered once and
cached under a key made of:

- the story's id and modified_at (every save of the story, its bylines, tags or corrections
  moves it);
- the version of the code and settings that render them (templates, template tags, site name),
  so a deploy never serves fragments an older release rendered;

and stored with the generation's *references* id they were rendered under (moved by changes
to authors, photos, tags, sections and standing pages; see cache.invalidate_public_pages): one
rendered under another id is not used.

A page then costs the queries that choose its stories, which always run (so visibility is
decided afresh on every request), plus one cache round trip for their fragments.
"""

import functools
import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from articles.cache import page_state, page_state_and
from articles.models import Article
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


@functools.cache
def _code_version() -> str:
    """Sources plus the settings fragments print (site name, time zone, asset addresses).

    Settings are fixed for the life of a process except in tests, which change them through
    override_settings; setting_changed clears this then (see _settings_changed)."""
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


@receiver(setting_changed)
def _settings_changed(**kwargs) -> None:
    _code_version.cache_clear()


def _key(kind: str, article: Article, version: str) -> str:
    moment = article.modified_at.timestamp() if article.modified_at else 0
    return f"fragment:{kind}:{article.pk}:{moment:.6f}:{version}"


def _cached(
    request: HttpRequest | None,
    items: Sequence[tuple],
    render_missing,
) -> list[SafeString]:
    """The fragments for (story, kind) pairs; misses are rendered by render_missing(pairs),
    which returns their HTML, and stored.

    The page state comes in the same cache round trip. Each entry carries the references id
    it was rendered under; one from before the last change to authors, photos, tags
    or sections is a miss.
    """
    version = _code_version()
    keys = [_key(kind, article, version) for article, kind in items]
    state, found = page_state_and(request, keys)
    references = state["references"]
    html = {key: entry[1] for key, entry in found.items() if entry[0] == references}
    missing = [i for i, key in enumerate(keys) if key not in html]
    if missing:
        rendered = render_missing([items[i] for i in missing])
        fresh = {keys[i]: str(part) for i, part in zip(missing, rendered, strict=True)}
        cache.set_many(
            {key: (references, part) for key, part in fresh.items()}, timeout=FRAGMENT_SECONDS
        )
        html.update(fresh)
    return [mark_safe(html[key]) for key in keys]


# --- Teasers and story parts --------------------------------------------------------------


def rendered(request: HttpRequest | None, items: Iterable[tuple]) -> list[SafeString]:
    """The HTML for (story, kind) pairs, in order, whatever mix of kinds: a teaser kind from
    TEASERS, or a part of the story page, "story-head" (meta tags, structured data) or
    "story-body" (the story and its author boxes).

    The stories are light rows (STUB_FIELDS, or a StoryRow); only for a fragment that is
    not cached is the story loaded: teasers in two queries (rows, bylines), story parts in
    four (the row; bylines, tags, corrections). Related stories render from their StoryRow.
    """
    items = list(items)

    def render_missing(pairs: list[tuple]) -> list[str]:
        parts = {story.pk for story, kind in pairs if kind in STORY_PARTS}
        teasers = {story.pk for story, kind in pairs if kind in TEASERS and kind != "related"}
        full = {}
        if parts:
            full |= Article.objects.for_detail().defer("search_document").in_bulk(parts)
        if teasers:
            full |= Article.objects.for_listing().defer("body", "search_document").in_bulk(teasers)
        return [
            _render(story if kind == "related" else full[story.pk], kind) for story, kind in pairs
        ]

    return _cached(request, items, render_missing)


STORY_PARTS = {"story-head": "articles/story_head.html", "story-body": "articles/story_body.html"}


def _render(article: Article, kind: str) -> str:
    if kind in STORY_PARTS:
        return render_to_string(STORY_PARTS[kind], {**site(None), "article": article})
    template, options = TEASERS[kind]
    return render_to_string(template, {"article": article, **options})


def story(article: Article) -> dict[str, SafeString]:
    """The story page's parts rendered afresh, for previews of unpublished stories."""
    return {kind.removeprefix("story-"): mark_safe(_render(article, kind)) for kind in STORY_PARTS}


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
