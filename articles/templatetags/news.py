"""Template helpers for the reader pages: images, bylines, related stories, structured data.

Structured data (JSON-LD) is built as Python dicts and serialized here, with <, > and &
escaped as JSON unicode escapes, so no stored text can close the <script> element.
"""

import datetime as dt
import functools
import html
import json
import re
from typing import Any
from urllib.parse import quote, urlencode

import smartypants
from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError
from django.templatetags.static import static
from django.urls import reverse
from django.utils import dateformat, dates, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from articles import fragments, models
from articles.images import CARD_SIZE, CARD_SIZES, HEADSHOT_SIDES
from articles.models import Article, Byline, Image, Kind
from articles.text import plain_text
from newsroom.addresses import absolute_url

register = template.Library()

LOGO_PATH = "img/logo.png"
LOGO_SIZE = 512

# JSON's own escapes for the characters that could end a <script> element or start markup.
_JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


# --- URLs and settings ----------------------------------------------------------------------


@register.filter
def absolute(url: str) -> str:
    """An absolute URL on the public site (settings.SITE_URL) for a path such as /politics/."""
    return absolute_url(url)


@register.filter
def tag_url(tag) -> str:
    """A tag's page, or "" for an old row without a usable slug (the name is shown unlinked)."""
    return models.tag_url(tag)


@register.filter
def static_url(path: str) -> str:
    return static(path)


@register.filter
def safe_href(url: str) -> str:
    """Editor-typed link targets: site paths and http(s) URLs only (no javascript:)."""
    url = (url or "").strip()
    return url if url.startswith(("/", "http://", "https://")) else ""


@register.simple_tag
def site_setting(name: str) -> Any:
    """Settings for templates rendered without context processors (500.html)."""
    return getattr(settings, name, "") if name in {"SITE_NAME", "SITE_LANGUAGE"} else ""


@register.simple_tag(takes_context=True)
def site_chrome(context, part: str) -> SafeString:
    """The masthead with the section navigation and banner, or the footer (cached HTML)."""
    return fragments.chrome(context.get("request"), part)


# --- Images ---------------------------------------------------------------------------------


# A public photo's rendition URLs are a pure function of its stored name and the width
# (and the photo's public_at, which a retraction moves): remember them per process. A photo
# that is not public yet gets fresh signed addresses each time; only previews show those.
_RENDITION_URLS: dict[tuple, str] = {}
_RENDITION_URLS_MAX = 20_000


def _remembered(image: Image, key: tuple, compute) -> str:
    if not image.is_public():
        return compute()
    key = (*key, image.file.name, image.public_at)
    url = _RENDITION_URLS.get(key)
    if url is None:
        if len(_RENDITION_URLS) >= _RENDITION_URLS_MAX:
            _RENDITION_URLS.clear()
        url = _RENDITION_URLS[key] = compute()
    return url


@register.filter
def srcset(image: Image, fmt: str = "") -> str:
    # Template literals are SafeStrings; the format is a plain name from here on.
    fmt_name = str(fmt).upper() if fmt else None
    key = ("srcset", image.width, fmt_name)
    return _remembered(image, key, lambda: image.srcset(fmt_name))


@register.filter
def rendition(image: Image, width: int = 1200) -> str:
    return _remembered(image, ("url", int(width)), lambda: image.rendition_url(int(width)))


def _crop_url(image: Image, box: tuple[int, int], fmt: str | None = None) -> str:
    key = ("crop", box, fmt, image.focal_x, image.focal_y)
    return _remembered(image, key, lambda: image.crop_url(box, fmt))


@register.filter
def card(image: Image) -> str:
    """The social-card crop (1200x630 around the focal point, smaller for a small photo)."""
    return _crop_url(image, CARD_SIZE)


@register.filter
def card_width(image: Image) -> int:
    return image.crop_size(CARD_SIZE)[0]


@register.filter
def card_height(image: Image) -> int:
    return image.crop_size(CARD_SIZE)[1]


@register.filter
def headshot(image: Image, side: int = 96) -> str:
    """The square crop `side` pixels wide (or the nearest made, or smaller for a small photo)."""
    side = next((s for s in HEADSHOT_SIDES if s >= int(side)), HEADSHOT_SIDES[-1])
    return _crop_url(image, (side, side))


@register.filter
def headshot_srcset(image: Image, fmt: str = "") -> str:
    fmt_name = str(fmt).upper() if fmt else None
    key = ("headshots", fmt_name, image.focal_x, image.focal_y)
    return _remembered(image, key, lambda: image.headshot_srcset(fmt_name))


@register.filter
def headshot_side(image: Image, side: int) -> int:
    """The side a headshot is shown at: `side`, or the photo's shorter side if that is less."""
    return min(int(side), image.crop_size((HEADSHOT_SIDES[-1],) * 2)[0])


@register.filter
def height_for(image: Image, width: int) -> int:
    """The height an image has when shown `width` pixels wide, for <img height>."""
    if not image.width:
        return width
    width = min(int(width), image.width)
    return round(image.height * width / image.width)


@register.filter
def width_upto(image: Image, width: int) -> int:
    return min(int(width), image.width) if image.width else int(width)


# --- Bylines --------------------------------------------------------------------------------


@register.filter
def byline_groups(article: Article) -> list[dict[str, Any]]:
    """Bylines grouped by role in the editors' order: “By A and B”, “Photographs: C”."""
    groups: dict[str, dict[str, Any]] = {}
    for byline in article.byline_list:
        label = "By" if byline.role == Byline.Role.WRITTEN_BY else f"{byline.get_role_display()} by"
        groups.setdefault(byline.role, {"label": label, "authors": []})["authors"].append(
            byline.author
        )
    return list(groups.values())


@register.filter
def distinct_authors(article: Article) -> list:
    """Everyone on the byline, once each, in byline order."""
    seen: dict[int, Any] = {}
    for byline in article.byline_list:
        seen.setdefault(byline.author.pk, byline.author)
    return list(seen.values())


@register.filter
def writers(article: Article) -> list:
    """The people who wrote the story, for the author boxes (everyone if no one “wrote” it)."""
    seen: dict[int, Any] = {}
    for byline in article.byline_list:
        if byline.role == Byline.Role.WRITTEN_BY:
            seen.setdefault(byline.author.pk, byline.author)
    return list(seen.values()) or distinct_authors(article)


@register.filter
def with_dateline(body: str, dateline: str) -> SafeString:
    """The sanitized body with “BAKU —” run into its first paragraph, as newspapers print it."""
    if not dateline:
        return mark_safe(body)
    lead = format_html('<span class="dateline">{} —</span> ', dateline)
    # Whitespace before the first paragraph (pasted text, an old import) must not leave the
    # dateline alone in a paragraph of its own.
    first = _FIRST_PARAGRAPH.match(body)
    if first:
        return mark_safe(f"{first.group(1)}{lead}{body[first.end() :]}")
    return mark_safe(f'<p class="dateline-alone">{lead}</p>{body}')


_FIRST_PARAGRAPH = re.compile(r"\s*(<p\b[^>]*>)")


@register.filter
def sponsored_links(body: str) -> SafeString:
    """Sanitized body HTML whose links to other sites say rel="sponsored": what search engines
    ask of links in paid content. Links on the site itself are left alone."""

    def mark(link: re.Match) -> str:
        attributes = link.group(1)
        href = _HREF.search(attributes)
        if not href or not _is_outbound(html.unescape(href.group(1))):
            return link.group(0)
        return f'<a{_REL.sub("", attributes)} rel="sponsored noopener">'

    return mark_safe(_LINK.sub(mark, str(body)))


_LINK = re.compile(r"<a\b([^>]*)>")
_HREF = re.compile(r'\shref="([^"]*)"')
_REL = re.compile(r'\srel="[^"]*"')


def _is_outbound(url: str) -> bool:
    own = absolute_url("/")
    return url.startswith(("http://", "https://", "//")) and not url.startswith(own)


# --- Structured data ------------------------------------------------------------------------


def json_ld(data: dict[str, Any]) -> SafeString:
    """A <script type="application/ld+json"> element that stored text cannot break out of."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text.translate(_JSON_SCRIPT_ESCAPES)),
    )


def _iso(moment: dt.datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def publisher_data() -> dict[str, Any]:
    data = {
        "@type": "NewsMediaOrganization",
        "name": settings.SITE_NAME,
        "url": absolute("/"),
        "logo": {
            "@type": "ImageObject",
            "url": absolute(static(LOGO_PATH)),
            "width": LOGO_SIZE,
            "height": LOGO_SIZE,
        },
        "publishingPrinciples": absolute("/pages/editorial-standards/"),
        "correctionsPolicy": absolute("/pages/corrections-policy/"),
    }
    if settings.SITE_TWITTER:
        data["sameAs"] = [f"https://x.com/{settings.SITE_TWITTER.lstrip('@')}"]
    return data


def share_image_url(image: Image, box: tuple[int, int] = CARD_SIZE) -> str:
    """A crop around the focal point: the social card by default."""
    return absolute(_crop_url(image, box))


# What search engines are told a story is. Opinion and analysis are kinds of news article
# (both types named, for readers of either); paid content is not news at all.
ARTICLE_TYPES = {
    Kind.OPINION: ["NewsArticle", "OpinionNewsArticle"],
    Kind.ANALYSIS: ["NewsArticle", "AnalysisNewsArticle"],
    Kind.SPONSORED: "AdvertiserContentArticle",
    # A live blog is news reported as it happens (Google's LiveBlogPosting guidance).
    Kind.LIVE: ["NewsArticle", "LiveBlogPosting"],
}
# The newest entries a live blog's structured data lists.
LIVE_UPDATES_IN_DATA = 50


def author_type(author) -> str:
    """A byline's schema.org type: an agency is credited as an Organization."""
    return "Organization" if author.is_organization else "Person"


def credits(article: Article) -> dict[str, list[dict[str, Any]]]:
    """Who wrote the story, for search engines: the people on its byline as its authors and
    the agencies whose copy it uses as its source organisations; an agency's copy with no
    person on the byline has the agency as its author."""
    people, agencies = [], []
    for author in distinct_authors(article):
        entry = {
            "@type": author_type(author),
            "name": author.name,
            "url": absolute(author.get_absolute_url()),
            **({"sameAs": author.social_urls} if author.social_urls else {}),
        }
        (agencies if author.is_organization else people).append(entry)
    if not people:
        return {"author": agencies}
    return {"author": people, "sourceOrganization": agencies}


def news_article_data(article: Article) -> dict[str, Any]:
    url = absolute(article.get_absolute_url())
    published = article.first_published_at or article.publish_at
    modified = article.last_modified or published
    if published and modified and modified < published:
        modified = published
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": ARTICLE_TYPES.get(article.kind, "NewsArticle"),
        "@id": url,
        "url": url,
        "mainEntityOfPage": url,
        "headline": article.headline,
        "description": article.meta_description or article.standfirst,
        "datePublished": _iso(published),
        "dateModified": _iso(modified),
        **credits(article),
        "publisher": publisher_data(),
        "articleSection": article.section.name,
        "keywords": [t.name for t in article.tags.all()],
        "genre": article.get_kind_display(),
        "inLanguage": settings.SITE_LANGUAGE,
        "wordCount": article.word_count,
        "isAccessibleForFree": True,
    }
    if article.is_sponsored:
        data["sponsor"] = {"@type": "Organization", "name": article.sponsor}
    if article.dateline:
        data["locationCreated"] = {"@type": "Place", "name": article.dateline}
    if article.featured_image_id:
        # The card, 4:3 and 1:1 crops: Google picks the shape each of its surfaces needs.
        data["image"] = [share_image_url(article.featured_image, box) for box in CARD_SIZES]
    if article.is_live_blog:
        data |= live_blog_data(article)
    return {k: v for k, v in data.items() if v not in (None, "", [])}


def live_blog_data(article: Article) -> dict[str, Any]:
    """LiveBlogPosting's own properties: the coverage's times and the newest entries."""
    entries = sorted(article.public_live_entries, key=lambda e: (e.posted_at, e.pk), reverse=True)
    updates = []
    for entry in entries[:LIVE_UPDATES_IN_DATA]:
        update = {
            "@type": "BlogPosting",
            "headline": entry.headline or entry.summary,
            "url": absolute(entry.get_absolute_url()),
            "datePublished": _iso(entry.posted_at),
            "dateModified": _iso(max(entry.edited_at or entry.posted_at, entry.posted_at)),
            "articleBody": html.unescape(plain_text(entry.body)).strip(),
            "author": {"@type": author_type(entry.author), "name": entry.author.name},
        }
        if entry.photo_id:
            update["image"] = share_image_url(entry.photo)
        updates.append(update)
    return {
        "coverageStartTime": _iso(article.coverage_start),
        "coverageEndTime": _iso(article.coverage_ended_at),
        "liveBlogUpdate": updates,
    }


def breadcrumb_data(article: Article) -> dict[str, Any]:
    """Home > Section (> Subsection) > Story: the sections are the middle items."""
    trail = [(settings.SITE_NAME, absolute(reverse("articles:home")))]
    section = article.section
    if section.parent_id:
        trail.append((section.parent.name, absolute(section.parent.get_absolute_url())))
    trail.append((section.name, absolute(section.get_absolute_url())))
    trail.append((article.headline, absolute(article.get_absolute_url())))
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "name": name, "item": url}
            for i, (name, url) in enumerate(trail, start=1)
        ],
    }


@register.simple_tag
def article_structured_data(article: Article) -> SafeString:
    return json_ld(news_article_data(article)) + json_ld(breadcrumb_data(article))


@register.simple_tag
def author_structured_data(author) -> SafeString:
    """An author page is a ProfilePage about a Person (Google's guidance for bylines), or
    about an Organization for an agency."""
    entity: dict[str, Any] = {
        "@type": author_type(author),
        "name": author.name,
        "url": absolute(author.get_absolute_url()),
        "description": author.bio,
        "sameAs": author.social_urls,
    }
    if not author.is_organization:
        entity["jobTitle"] = author.job_title
        entity["worksFor"] = {"@type": "NewsMediaOrganization", "name": settings.SITE_NAME}
    if author.photo_id:
        entity["logo" if author.is_organization else "image"] = absolute(
            headshot(author.photo, HEADSHOT_SIDES[-1])
        )
    return json_ld(
        {
            "@context": "https://schema.org",
            "@type": "ProfilePage",
            "mainEntity": {k: v for k, v in entity.items() if v not in ("", [])},
        }
    )


@register.simple_tag
def site_structured_data() -> SafeString:
    """The outlet itself, on the home page."""
    return json_ld(
        {"@context": "https://schema.org", **publisher_data(), "@id": absolute("/") + "#publisher"}
    )


@register.simple_tag
def iso_time(moment: dt.datetime | None) -> str:
    return _iso(moment) or ""


@register.filter
def newsroom_time(moment: dt.datetime | None) -> str:
    """A moment as the newsroom prints it: “1 December 2026, 19:14 (GMT+4)”, in its zone."""
    if not moment:
        return ""
    local = timezone.localtime(moment)
    return f"{dateformat.format(local, 'j F Y, H:i')} ({gmt_offset(local)})"


def gmt_offset(local: dt.datetime) -> str:
    """“GMT+4”, “GMT+5:30”, “GMT-3”, “GMT”: the zone as readers everywhere understand it."""
    minutes = int(local.utcoffset().total_seconds() // 60)
    if not minutes:
        return "GMT"
    hours, rest = divmod(abs(minutes), 60)
    return f"GMT{'+' if minutes > 0 else '-'}{hours}{f':{rest:02}' if rest else ''}"


@register.inclusion_tag("includes/latest_links.html")
def latest_stories(count: int = 5) -> dict[str, Any]:
    """The newest live stories, for pages that would otherwise be dead ends (404, 410). A
    database that cannot answer leaves the list out: an error page must never fail."""
    try:
        stories = list(
            Article.objects.live()
            .editorial()
            .newest_first()
            .select_related("section")
            .only("headline", "slug", "publish_at", "first_published_at", "section__slug")[:count]
        )
    except DatabaseError:
        stories = []
    return {"stories": stories}


@register.filter
def river_time(moment: dt.datetime | None) -> str:
    """A headline list's time: “19:14” today, “1 Dec” before (in the newsroom's zone)."""
    return _river_time(timezone.localtime(moment), timezone.localdate()) if moment else ""


def _river_time(local: dt.datetime, today: dt.date) -> str:
    # What the date filter prints for "H:i" and "j M", without its per-call formatter.
    if local.date() == today:
        return f"{local:%H:%M}"
    return f"{local.day} {str(dates.MONTHS_3[local.month]).title()}"


@register.simple_tag
def headline_list(stories, ordered: bool = False) -> SafeString:
    """A list of headlines (the front's “Latest” river, a section block's): a time and a link
    each, from StoryRows; `ordered` makes it an <ol>.

    Built here rather than in a template: a front page prints forty of these, and the template
    engine's lookups per headline were a third of the page's rendering time. Plain f-strings
    with html.escape (what format_html and the date filter cost was two thirds of the rest)."""
    zone = timezone.get_current_timezone()
    today = timezone.localdate()
    items = []
    for story in stories:
        local = story.publish_at.astimezone(zone)
        items.append(
            f'<li class="headline-item"><time datetime="{local.isoformat(timespec="seconds")}">'
            f"{_river_time(local, today)}</time> "
            f'<a href="{html.escape(story.get_absolute_url())}">'
            f"{html.escape(typographic(story.headline))}</a></li>"
        )
    tag = "ol" if ordered else "ul"
    return mark_safe(f'<{tag} class="headline-list">{"".join(items)}</{tag}>')


# Where readers share a story: plain links to each network's own share page (no scripts, no
# requests to anyone until a reader clicks), and e-mail.
SHARE_TARGETS = (
    ("X", "https://x.com/intent/post?{}", lambda url, title: {"url": url, "text": title}),
    ("Facebook", "https://www.facebook.com/sharer/sharer.php?{}", lambda url, title: {"u": url}),
    ("LinkedIn", "https://www.linkedin.com/sharing/share-offsite/?{}", lambda url, _: {"url": url}),
    ("WhatsApp", "https://wa.me/?{}", lambda url, title: {"text": f"{title} {url}"}),
    ("Telegram", "https://t.me/share/url?{}", lambda url, title: {"url": url, "text": title}),
    ("E-mail", "mailto:?{}", lambda url, title: {"subject": title, "body": url}),
)


@register.simple_tag
def share_links(article: Article) -> list[tuple[str, str]]:
    """(network, address) pairs that share the story's public address and headline."""
    url = absolute_url(article.get_absolute_url())
    return [
        (name, pattern.format(urlencode(fields(url, article.headline), quote_via=quote)))
        for name, pattern, fields in SHARE_TARGETS
    ]


# --- Typography -------------------------------------------------------------------------------

# “Curly quotes”, apostrophes’, -- as an en dash and --- as an em dash, … for three dots.
TYPOGRAPHY = smartypants.Attr.set2 | smartypants.Attr.u
_SPACED_HYPHEN = re.compile(r"(?<=\s)-(?=\s)")


@register.filter
def typographic(text: str) -> str:
    """Plain text (a headline, a standfirst) as a newspaper prints it: typographic quotes,
    apostrophes and dashes, a spaced hyphen as an en dash. The template escapes it as usual."""
    if not text:
        return text
    return _typographic(str(text))


@functools.lru_cache(maxsize=4096)
def _typographic(text: str) -> str:
    # A pure function of the text, asked for the same headlines on page after page: a page
    # that renders fifty of them afresh (a front page after a purge) would spend a fifth of
    # its time here.
    return smartypants.smartypants(_SPACED_HYPHEN.sub("–", text), TYPOGRAPHY)


@register.filter
def body_elements(html: str) -> SafeString:
    """Sanitized body HTML with its photos from the library (their current renditions,
    caption and credit; only public ones) and embeds (a link, and a button that loads the
    platform only when asked) expanded; see articles.body. The photos come in one query;
    feeds expand them their own way (articles.feeds.feed_body)."""
    from django.template.loader import render_to_string

    from articles import body

    def photo(image: Image) -> str:
        return render_to_string("includes/body_photo.html", {"image": image})

    def embedded(found) -> str:
        return render_to_string("includes/body_embed.html", {"embed": found})

    photos = body.public_photos([html])
    return mark_safe(body.expand_elements(str(html), photos, photo, embedded))


@register.filter
def has_embeds(html: str) -> bool:
    return "<figure data-embed=" in str(html)


@register.filter
def typographic_html(html: str) -> SafeString:
    """Sanitized HTML with the same typography in its text (tags, attributes and code are
    left as they are): what comes in safe goes out safe."""
    return mark_safe(smartypants.smartypants(str(html), TYPOGRAPHY))
