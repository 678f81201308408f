"""Rendered HTML for the parts of public pages that belong to one story, and the site chrome.

The edge (Varnish, a CDN) keeps finished pages; when a change purges some, the app rebuilds
them, and these fragments make that fast. A story's teaser and the body of its page change
only when that story is saved or when something it shows but does not own changes (an
author, a photo, a tag, a section). They are rendered once and cached under a key made of:

- the story's id and modified_at (every save of the story, its bylines, tags or corrections
  moves it);
- the version of the code and settings that render them (templates, template tags, site name),
  so a deploy never serves fragments an older release rendered;

and stored with the *references* id they were rendered under (REFERENCES_KEY, moved by
articles.invalidation when an author, photo, tag or section changes) and the surrogate keys
of what they show, which rendered() adds to the page's (see articles.public).

The site chrome (section navigation, breaking banner) and the next moment the site changes
by the clock (a scheduled story or a banner due) live under SITE_STATE_KEY until that moment;
articles.invalidation deletes it when a section, a banner or a public story changes.

A page then costs the queries that choose its stories, which always run (so visibility is
decided afresh on every request), plus one cache round trip for the state and its fragments.
"""

import functools
import hashlib
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from articles import fronts
from articles.body import photo_ids as body_photo_ids
from articles.models import Article, BreakingBanner, Section
from newsroom.context_processors import site

APP_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = APP_DIR.parent / "templates"
FRAGMENT_SECONDS = 7 * 24 * 3600
# The numbers change whenever the shape of what is stored does.
SITE_STATE_KEY = "site-state:4"
REFERENCES_KEY = "fragment-references:1"
SITE_STATE_MAX_SECONDS = 3600  # a bound for processes whose cache is their own (no Redis)

# Teaser kinds: the options teaser.html is rendered with (related stories have their own).
TEASERS = {
    "lead": ("includes/teaser.html", {"lead": True, "eager": True}),
    "top": ("includes/teaser.html", {"no_image": True, "no_standfirst": True}),
    "section_lead": ("includes/teaser.html", {"level": 3, "no_section": True, "no_byline": True}),
    "opinion": ("includes/opinion_teaser.html", {}),
    "list": ("includes/teaser.html", {}),
    "related": ("includes/related_item.html", {}),
    # The end of a story page: more from its section and author, with small photos.
    "more": ("includes/more_item.html", {}),
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
    which returns (html, surrogate keys) for each, and stored.

    The site state comes in the same cache round trip. Each entry carries the references id
    it was rendered under; one from before the last change to authors, photos, tags or
    sections is a miss. The keys of every fragment are added to the page's.
    """
    from articles.public import add_keys

    version = _code_version()
    keys = [_key(kind, article, version) for article, kind in items]
    state, found = site_state_and(request, keys)
    references = state["references"]
    entries = {key: entry[1:] for key, entry in found.items() if entry[0] == references}
    missing = [i for i, key in enumerate(keys) if key not in entries]
    if missing:
        rendered = render_missing([items[i] for i in missing])
        fresh = {
            keys[i]: (str(html), tuple(sorted(shown)))
            for i, (html, shown) in zip(missing, rendered, strict=True)
        }
        cache.set_many(
            {key: (references, *entry) for key, entry in fresh.items()}, timeout=FRAGMENT_SECONDS
        )
        entries.update(fresh)
    add_keys(request, *(k for key in keys for k in entries[key][1]))
    return [mark_safe(entries[key][0]) for key in keys]


# --- Teasers and story parts --------------------------------------------------------------


def rendered(request: HttpRequest | None, items: Iterable[tuple]) -> list[SafeString]:
    """The HTML for (story, kind) pairs, in order, whatever mix of kinds: a teaser kind from
    TEASERS, or a part of the story page, "story-head" (meta tags, structured data) or
    "story-body" (the story and its author boxes).

    The stories are light rows (STUB_FIELDS, or a StoryRow); only for a fragment that is
    not cached is the story loaded: teasers in two queries (rows, bylines), story parts in
    four (the row; bylines, tags, corrections), the teasers of a story page in its parts'
    four. Related stories render from their StoryRow.
    """
    items = list(items)

    def render_missing(pairs: list[tuple]) -> list[tuple[str, set[str]]]:
        parts = {story.pk for story, kind in pairs if kind in STORY_PARTS}
        teasers = {story.pk for story, kind in pairs if kind in TEASERS and kind != "related"}
        full = {}
        if parts:
            # A story page's teasers (more from the section, the author) come in the same
            # queries as the story: for_detail() loads all a teaser needs, and each query saved
            # is about a millisecond of the ORM's on a page rendered afresh.
            stories = Article.objects.for_detail().defer("search_document")
            full = stories.in_bulk(parts | teasers)
        elif teasers:
            full = Article.objects.for_listing().defer("body", "search_document").in_bulk(teasers)
        return [
            _render(story if kind == "related" else full[story.pk], kind) for story, kind in pairs
        ]

    return _cached(request, items, render_missing)


STORY_PARTS = {"story-head": "articles/story_head.html", "story-body": "articles/story_body.html"}


def _render(article: Article, kind: str) -> tuple[str, set[str]]:
    """The fragment's HTML and the surrogate keys of what it shows."""
    if kind in STORY_PARTS:
        html = render_to_string(STORY_PARTS[kind], {**site(None), "article": article})
        return html, shown_on_story_page(article)
    template, options = TEASERS[kind]
    html = render_to_string(template, {"article": article, **options})
    if kind == "related":  # a StoryRow: headline, section name, date
        return html, {f"story-{article.pk}", f"section-{article.section_id}"}
    return html, shown_in_teaser(article)


def shown_in_teaser(article: Article) -> set[str]:
    """The keys of a teaser: the story, its section, bylines (with their headshots, which
    opinion teasers show) and photo."""
    shown = {f"story-{article.pk}", f"section-{article.section_id}"}
    for byline in article.byline_list:
        shown.add(f"author-{byline.author_id}")
        if byline.author.photo_id:
            shown.add(f"image-{byline.author.photo_id}")
    if article.featured_image_id:
        shown.add(f"image-{article.featured_image_id}")
    return shown


def shown_on_story_page(article: Article) -> set[str]:
    """The object keys of a story page: the story, its sections, tags, authors and photos."""
    shown = {f"story-{article.pk}", f"section-{article.section_id}"}
    if article.section.parent_id:
        shown.add(f"section-{article.section.parent_id}")
    shown |= {f"tag-{tag.pk}" for tag in article.tags.all()}
    for byline in article.byline_list:
        shown.add(f"author-{byline.author_id}")
        if byline.author.photo_id:
            shown.add(f"image-{byline.author.photo_id}")
    if article.featured_image_id:
        shown.add(f"image-{article.featured_image_id}")
    for entry in article.public_live_entries:  # a live blog's: their authors and photos
        shown.add(f"author-{entry.author_id}")
        if entry.photo_id:
            shown.add(f"image-{entry.photo_id}")
    if article.is_live_blog:
        shown.add(f"live-{article.pk}")
    # Photos shown inline in the body: a change to one (its caption, credit, crop) purges
    # the page, and moves the references id so the cached body is rendered again.
    shown |= {f"image-{pk}" for pk in body_photo_ids(article.body)}
    return shown


def story(article: Article) -> dict[str, SafeString]:
    """The story page's parts rendered afresh, for previews of unpublished stories."""
    return {
        kind.removeprefix("story-"): mark_safe(_render(article, kind)[0]) for kind in STORY_PARTS
    }


# --- Site state and chrome -----------------------------------------------------------------


def site_state(request: HttpRequest | None = None) -> dict[str, Any]:
    """The section navigation, the current banner, the fronts' placements, when the site next
    changes by the clock, and the fragments' references id.

    Read from the cache once per request (remembered on the request) however many parts of
    the page ask for it.
    """
    return site_state_and(request, [])[0]


def site_state_and(
    request: HttpRequest | None, keys: list[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The site state and the cache entries under `keys`, in one cache round trip."""
    known = getattr(request, "_site_state", None)
    wanted = keys if known else [SITE_STATE_KEY, REFERENCES_KEY, *keys]
    found = cache.get_many(wanted) if wanted else {}
    state = known
    if state is None:
        state = found.pop(SITE_STATE_KEY, None)
        references = found.pop(REFERENCES_KEY, None)
        if state is None or (state["due"] is not None and time.time() >= state["due"]):
            state = _new_site_state()
            timeout = SITE_STATE_MAX_SECONDS
            if state["due"] is not None:
                timeout = max(1, min(timeout, int(state["due"] - time.time())))
            cache.set(SITE_STATE_KEY, state, timeout=timeout)
        if references is None:
            cache.add(REFERENCES_KEY, new_id(), timeout=None)
            references = cache.get(REFERENCES_KEY)
        state = {**state, "references": references}
    if request is not None:
        request._site_state = state
    return state, found


def _new_site_state() -> dict[str, Any]:
    now = timezone.now()
    next_story = Article.objects.scheduled().order_by("publish_at").values("publish_at")[:1]
    story_due = next((row["publish_at"].timestamp() for row in next_story), None)
    banner, banner_due = None, []
    # Few rows: every banner that has not ended yet (the current one and those to come).
    for b in BreakingBanner.objects.filter(ends_at__gt=now).order_by("-starts_at"):
        banner_due.append(b.ends_at.timestamp())
        if b.starts_at > now:
            banner_due.append(b.starts_at.timestamp())
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
    # What editors placed on the fronts, in force until the next due moment: a placed story
    # going live, a placement running out (and every public story's change deletes the state).
    placed = fronts.placed(now)
    front_due = placed.expires  # the slot goes back to the newest stories then
    dues = [due for due in (story_due, front_due, *banner_due) if due is not None]
    return {
        # Names what the chrome shows, so a rebuilt state with the same sections and banner
        # (every request, when there is no shared cache) reuses the chrome already rendered.
        "id": hashlib.sha256(repr((nav, banner)).encode()).hexdigest()[:16],
        "due": min(dues) if dues else None,
        "story_due": story_due,
        "front_due": front_due,
        "placed": placed,
        "banner_due": min(banner_due) if banner_due else None,
        "banner": banner,
        "nav": nav,
        "top_sections": top_sections,
    }


def new_id() -> str:
    return f"{time.time_ns():x}"


# The header and footer depend only on the site state (sections, banner), the section being
# read and the year, so each worker renders each variant once per state.
_CHROME: dict[tuple, SafeString] = {}
_CHROME_MAX = 500


def chrome(request: HttpRequest | None, part: str) -> SafeString:
    from articles.public import add_keys

    state = site_state(request)
    add_keys(request, "chrome")
    path = getattr(request, "path", "")
    urls = {item["url"] for item in state["nav"]}
    urls |= {child["url"] for item in state["nav"] for child in item["children"]}
    active = path if path in urls else ""
    # The masthead prints the day's date, the footer the year.
    key = (state["id"], part, active, timezone.localdate(), _code_version())
    html = _CHROME.get(key)
    if html is None:
        if len(_CHROME) >= _CHROME_MAX:
            _CHROME.clear()
        context = {**site(None), "nav": state["nav"], "banner": state["banner"], "active": active}
        html = _CHROME[key] = mark_safe(render_to_string(f"includes/{part}.html", context))
    return html
