"""Sitemaps, the Google News sitemap and robots.txt: what search engines crawl.

/sitemap.xml is an index over the sections, tags and authors sitemaps, one story sitemap per
month of publication (/sitemap-articles-YYYY-MM.xml, and -YYYY-MM-N.xml pages past LIMIT
stories), and the news sitemap while it has stories. Only live stories appear, and only
sections, tags and authors that have live stories; every `lastmod` is the latest significant
update among the stories concerned, as a W3C datetime with a zone, never in the future. Every
address is absolute on SITE_URL's origin, whatever host the request came in on.

What it costs does not grow with the archive: the index and the section, tag and author
sitemaps read the summary (articles.sitemap_summary: counts and lastmods per month, section,
tag and author), and a month's file is an index range on publish_at, written out with string
formatting (a template and reverse() per URL would take seconds at 50,000 URLs).

/sitemap-news.xml lists live stories first published in the last 48 hours (at most 1000),
as Google News wants them (an index on first_published_at).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from xml.sax.saxutils import escape

from django.conf import settings
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Coalesce, Replace, TruncDate
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe
from taggit.models import Tag

from accounts.models import Author
from articles.models import Article, Section, story_path_format
from articles.public import add_keys, public_page
from articles.sitemap_summary import (
    Kind,
    db_utc_text,
    live_groups,
    live_totals,
    month_range,
    story_lastmod,
    utc_text,
)
from newsroom.addresses import absolute_url

NEWS_WINDOW = dt.timedelta(hours=48)
NEWS_LIMIT = 1000
LIMIT = 50_000  # URLs per sitemap file: the protocol's limit
XML_TYPE = "application/xml; charset=utf-8"

Entry = tuple[str, str | None]  # (absolute location, lastmod as utc_text())


def w3c(moment: dt.datetime | None, now: dt.datetime | None = None) -> dt.datetime | None:
    """A lastmod search engines accept: whole seconds, and never later than now."""
    if moment is None:
        return None
    return min(moment, now or timezone.now()).replace(microsecond=0)


def _xml(root: str, child: str, entries: Iterable[Entry]) -> HttpResponse:
    """A urlset or sitemapindex of (location, lastmod): plain string building, escaped, every
    lastmod capped at now (as text: utc_text() compares as time does)."""
    now = utc_text(timezone.now())
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<{root} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    ]
    for loc, lastmod in entries:
        stamp = f"<lastmod>{min(lastmod, now)}</lastmod>" if lastmod else ""
        parts.append(f"\n<{child}><loc>{escape(loc)}</loc>{stamp}</{child}>")
    parts.append(f"\n</{root}>\n")
    return HttpResponse("".join(parts), content_type=XML_TYPE)


def _pages(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _newest(lastmods: Iterable[str | None]) -> str | None:
    return max((m for m in lastmods if m is not None), default=None)


# --- Sections, tags, authors: from the summary --------------------------------------------

Groups = dict[int, tuple[int, str | None]]  # {key: (live stories, lastmod)}


def section_entries(groups: Groups) -> list[Entry]:
    """Sections with live stories, their own or their subsections' (a newsroom has a few
    dozen sections: one file always holds them)."""
    sections = list(Section.objects.order_by("position", "name", "pk"))
    lastmods = {s.pk: groups[s.pk][1] for s in sections if s.pk in groups}
    for s in sections:  # a parent's page lists its subsections' stories too
        if s.parent_id and s.pk in groups:
            lastmods[s.parent_id] = _newest([lastmods.get(s.parent_id), groups[s.pk][1]])
    return [
        (absolute_url(s.get_absolute_url()), lastmods[s.pk])
        for s in sections
        if s.pk in lastmods and s.get_absolute_url()  # "" for an old row without a slug
    ]


def pages_of(groups: Groups) -> list[list[int]]:
    """The keys (tag or author pks) of each file, LIMIT to a file, in pk order."""
    keys = sorted(groups)
    return [keys[i : i + LIMIT] for i in range(0, len(keys), LIMIT)]


def tag_entries(keys: list[int], groups: Groups) -> list[Entry]:
    # A pk range, not IN (50,000 values): at most every tag, each a short row.
    slugs = dict(Tag.objects.filter(pk__range=(keys[0], keys[-1])).values_list("pk", "slug"))
    # One reverse() and plain formatting: urljoin per tag cost more than the rest together.
    location = absolute_url(reverse("articles:tag", args=["zzslugzz"]))
    location = location.replace("zzslugzz", "{}")
    # Slugs are never empty (models.ascii_tag_slug; migration 0012 mended old rows); an old
    # empty one is left out rather than listed as /tags//.
    return [(location.format(slugs[pk]), groups[pk][1]) for pk in keys if slugs.get(pk)]


def author_entries(keys: list[int], groups: Groups) -> list[Entry]:
    authors = Author.objects.filter(pk__range=(keys[0], keys[-1])).only("slug").order_by("pk")
    return [
        (absolute_url(a.get_absolute_url()), groups[a.pk][1])
        for a in authors
        if a.pk in groups and a.get_absolute_url()  # "" for an old row without a slug
    ]


def paged_files(kind: str) -> list[tuple[int, str | None]]:
    """(page, lastmod) of each tags or authors file: totals from the database while they fit
    one file (up to 50,000 tags, no row read per tag); past that, every group's row."""
    count, lastmod = live_totals(kind)
    if count <= LIMIT:
        return [(1, lastmod)] if count else []
    groups = live_groups(kind)[kind]
    return [
        (page, _newest(groups[key][1] for key in keys))
        for page, keys in enumerate(pages_of(groups), start=1)
    ]


PAGED = {"tags": (Kind.TAG, tag_entries), "authors": (Kind.AUTHOR, author_entries)}


def sitemap_url(section: str, page: int = 1) -> str:
    if page == 1:
        return reverse("sitemap-section", kwargs={"section": section})
    return reverse("sitemap-page", kwargs={"section": section, "page": page})


# --- Stories: one file per month of publication ---------------------------------------------


def month_url(key: int, page: int = 1) -> str:
    year, month = divmod(key, 100)
    suffix = f"-{page}" if page > 1 else ""
    return f"/sitemap-articles-{year:04d}-{month:02d}{suffix}.xml"


def month_files(months: Groups) -> Iterator[Entry]:
    """(location, lastmod) of every month's file (and its pages), newest month first."""
    for key, (count, lastmod) in sorted(months.items(), reverse=True):
        for page in range(1, -(-count // LIMIT) + 1):
            yield absolute_url(month_url(key) if page == 1 else month_url(key, page)), lastmod


def month_stories(key: int, page: int):
    """One page of one month's live stories, oldest first (so a page keeps its stories as
    the month grows): an index range on publish_at. Rows of what an address and lastmod need,
    as text: Django's time zone loader makes every timestamptz value a Python call, and
    formatting 50,000 datetimes costs more than the query."""
    start, end = month_range(key)
    published = Coalesce("first_published_at", "publish_at")
    return (
        Article.objects.live()
        .filter(publish_at__gte=start, publish_at__lt=end)
        .order_by("publish_at", "pk")
        .values_list(
            "section__slug",
            # yyyy/mm/dd in the outlet's zone, as story_path() dates the address
            Replace(Cast(TruncDate(published), CharField()), Value("-"), Value("/")),
            "slug",
            # "YYYY-MM-DD HH:MM:SS[.ffffff][+00]" in UTC (db_utc_text())
            Cast(story_lastmod(), CharField()),
        )[(page - 1) * LIMIT : page * LIMIT]
    )


def month_entries(key: int, page: int) -> list[Entry]:
    """(location, lastmod) of one page of a month: a format and a slice per story."""
    location = absolute_url(story_path_format())
    return [
        (location.format(section, day, slug), db_utc_text(lastmod))
        for section, day, slug, lastmod in month_stories(key, page)
        if section and slug  # an old row without a slug has no address to list
    ]


def news_stories():
    """Live stories, not paid ones, first published in the last 48 hours, newest first, at
    most 1000."""
    since = timezone.now() - NEWS_WINDOW
    return (
        Article.objects.live()
        .editorial()  # Google News takes journalism only
        .filter(first_published_at__gte=since)
        .select_related("section")
        .only("headline", "slug", "first_published_at", "publish_at", "section__slug")
        .order_by("-first_published_at", "-pk")[:NEWS_LIMIT]
    )


# --- Views ------------------------------------------------------------------------------------


@require_safe
@public_page
def sitemap_index(request: HttpRequest) -> HttpResponse:
    """The index: one entry per non-empty sitemap file, with its lastmod."""
    add_keys(request, "sitemaps")
    groups = live_groups(Kind.SECTION, Kind.MONTH)
    entries = []
    sections = section_entries(groups[Kind.SECTION])
    if sections:
        entries.append((absolute_url(sitemap_url("sections")), _newest(m for _, m in sections)))
    for name, (kind, _) in PAGED.items():
        entries += [(absolute_url(sitemap_url(name, page)), m) for page, m in paged_files(kind)]
    entries += month_files(groups[Kind.MONTH])
    latest_news = news_stories().values_list("first_published_at", flat=True).first()
    if latest_news:
        entries.append((absolute_url(reverse("sitemap-news")), utc_text(latest_news)))
    return _xml("sitemapindex", "sitemap", entries)


@require_safe
@public_page
def sitemap_section(request: HttpRequest, section: str, page: int = 1) -> HttpResponse:
    """The sections sitemap, or one page of the tags or authors sitemap.

    Pages are in the path (sitemap-tags-2.xml), not in ?p=, so each is its own cache entry.
    An empty sitemap answers 404: an empty urlset is not a valid sitemap.
    """
    if page < 1 or (page == 1 and request.path.endswith("-1.xml")):
        raise Http404("No such sitemap page.")
    if section == "sections" and page == 1:
        entries = section_entries(live_groups(Kind.SECTION)[Kind.SECTION])
    elif section in PAGED:
        kind, entries_of = PAGED[section]
        groups = live_groups(kind)[kind]
        pages = pages_of(groups)
        entries = entries_of(pages[page - 1], groups) if page <= len(pages) else []
    else:
        raise Http404("No such sitemap.")
    if not entries:
        raise Http404("This sitemap is empty.")
    add_keys(request, "sitemaps")
    return _xml("urlset", "url", entries)


@require_safe
@public_page
def month_sitemap(request: HttpRequest, year: str, month: str, page: str | None = None):
    """One month's live stories (a page of LIMIT of them: -2, -3... past the first)."""
    number = int(page or 1)
    if not 1 <= int(month) <= 12 or (page is not None and (number < 2 or page[0] == "0")):
        raise Http404("No such sitemap.")  # one address per file: no -1, -0, -02
    entries = month_entries(int(year) * 100 + int(month), number)
    if not entries:
        raise Http404("This sitemap is empty.")
    add_keys(request, "sitemaps")
    return _xml("urlset", "url", entries)


@require_safe
@public_page
def news_sitemap(request: HttpRequest) -> HttpResponse:
    """Google News sitemap. With no story in the last 48 hours it lists only the home page,
    without news markup: an empty urlset would not be a valid sitemap."""
    add_keys(request, "sitemaps")
    stories = list(news_stories())
    return render(
        request,
        "sitemaps/news.xml",
        {
            "stories": [
                (absolute_url(a.get_absolute_url()), w3c(a.first_published_at), a.headline)
                for a in stories
                if a.get_absolute_url()
            ],
            "home": absolute_url("/"),
            "publication_name": settings.SITE_NAME,
            "publication_language": settings.SITE_LANGUAGE,
        },
        content_type="application/xml; charset=utf-8",
    )


@require_safe
@public_page
def robots_txt(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "robots.txt",
        {
            "sitemaps": [absolute_url(reverse("sitemap")), absolute_url(reverse("sitemap-news"))],
        },
        content_type="text/plain; charset=utf-8",
    )
