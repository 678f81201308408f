"""Sitemaps, the Google News sitemap and robots.txt: what search engines crawl.

/sitemap.xml is an index over the sections, tags, authors and articles sitemaps (and the
news sitemap while it has stories). Only live stories appear, and only sections, tags and
authors that have live stories; every `lastmod` is the last significant update of the
newest story concerned, as a W3C datetime with a zone, never in the future. Every address
is absolute on SITE_URL's origin, whatever host the request came in on.

/sitemap-news.xml lists live stories first published in the last 48 hours (at most 1000),
as Google News wants them.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db.models import Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe
from taggit.models import Tag

from accounts.models import Author
from articles.feeds import absolute
from articles.models import Article, Section
from articles.public import add_keys, public_page

NEWS_WINDOW = dt.timedelta(hours=48)
NEWS_LIMIT = 1000


def w3c(moment: dt.datetime | None) -> dt.datetime | None:
    """A lastmod search engines accept: whole seconds, and never later than now."""
    if moment is None:
        return None
    return min(moment, timezone.now()).replace(microsecond=0)


def _story_lastmod():
    """A story's last significant update, as a database expression."""
    return Coalesce("updated_at", "first_published_at", "publish_at")


def _newest_lastmod(stories: QuerySet) -> Subquery:
    """The latest lastmod among `stories` (correlated with OuterRef), for annotations."""
    return Subquery(
        stories.annotate(lastmod_at=_story_lastmod())
        .order_by("-lastmod_at")
        .values("lastmod_at")[:1]
    )


class SiteSitemap(Sitemap):
    """Absolute locations on SITE_URL, not on whatever Host the request named."""

    limit = 10_000

    @property
    def protocol(self) -> str:
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None) -> str:
        return urlsplit(settings.SITE_URL).netloc

    def lastmod(self, item) -> dt.datetime | None:
        return w3c(item.lastmod_at)

    def get_latest_lastmod(self) -> dt.datetime | None:
        return w3c(self.items().aggregate(latest=Max("lastmod_at"))["latest"])


class ArticleSitemap(SiteSitemap):
    def items(self) -> QuerySet:
        return (
            Article.objects.live()
            .select_related("section")
            .only("slug", "first_published_at", "publish_at", "updated_at", "section__slug")
            .annotate(lastmod_at=_story_lastmod())
            .order_by("-publish_at", "-pk")
        )


class SectionSitemap(SiteSitemap):
    def items(self) -> QuerySet:
        stories = Article.objects.live().filter(
            Q(section=OuterRef("pk")) | Q(section__parent=OuterRef("pk"))
        )
        return (
            Section.objects.annotate(lastmod_at=_newest_lastmod(stories))
            .filter(lastmod_at__isnull=False)
            .order_by("position", "name", "pk")
        )


class TagSitemap(SiteSitemap):
    def items(self) -> QuerySet:
        stories = Article.objects.live().filter(tagged_items__tag=OuterRef("pk"))
        return (
            Tag.objects.annotate(lastmod_at=_newest_lastmod(stories))
            .filter(lastmod_at__isnull=False)
            .order_by("name", "pk")
        )

    def location(self, item: Tag) -> str:
        return reverse("articles:tag", args=[item.slug])


class AuthorSitemap(SiteSitemap):
    def items(self) -> QuerySet:
        stories = Article.objects.live().filter(bylines__author=OuterRef("pk"))
        return (
            Author.objects.annotate(lastmod_at=_newest_lastmod(stories))
            .filter(lastmod_at__isnull=False)
            .order_by("name", "pk")
        )


SITEMAPS: dict[str, type[SiteSitemap]] = {
    "sections": SectionSitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
    "articles": ArticleSitemap,
}


def sitemap_url(section: str, page: int = 1) -> str:
    if page == 1:
        return reverse("sitemap-section", kwargs={"section": section})
    return reverse("sitemap-page", kwargs={"section": section, "page": page})


def news_stories() -> QuerySet:
    """Live stories first published in the last 48 hours, newest first, at most 1000."""
    since = timezone.now() - NEWS_WINDOW
    return (
        Article.objects.live()
        .filter(first_published_at__gte=since)
        .select_related("section")
        .order_by("-first_published_at", "-pk")[:NEWS_LIMIT]
    )


# --- Views ------------------------------------------------------------------------------------


@require_safe
@public_page
def sitemap_index(request: HttpRequest) -> HttpResponse:
    """The index: one entry per non-empty sitemap (and page of it), with its lastmod."""
    add_keys(request, "sitemaps")
    entries = []
    for name, cls in SITEMAPS.items():
        sitemap = cls()
        pages = sitemap.paginator.num_pages if sitemap.items().exists() else 0
        lastmod = sitemap.get_latest_lastmod() if pages else None
        for page in range(1, pages + 1):
            entries.append((absolute(sitemap_url(name, page)), lastmod))
    latest_news = news_stories().values_list("first_published_at", flat=True).first()
    if latest_news:
        entries.append((absolute(reverse("sitemap-news")), w3c(latest_news)))
    return render(
        request,
        "sitemaps/index.xml",
        {"entries": entries},
        content_type="application/xml; charset=utf-8",
    )


@require_safe
@public_page
def sitemap_section(request: HttpRequest, section: str, page: int = 1) -> HttpResponse:
    """One page of one sitemap of the index.

    Pages are in the path (sitemap-articles-2.xml), not in ?p=, so each is its own cache
    entry. An empty sitemap answers 404: an empty urlset is not a valid sitemap.
    """
    cls = SITEMAPS.get(section)
    if cls is None:
        raise Http404("No such sitemap.")
    try:
        urls = cls().get_urls(page=page)
    except (EmptyPage, PageNotAnInteger):
        raise Http404("No such sitemap page.") from None
    if not urls:
        raise Http404("This sitemap is empty.")
    add_keys(request, "sitemaps")
    return render(
        request,
        "sitemaps/sitemap.xml",
        {"urlset": urls},
        content_type="application/xml; charset=utf-8",
    )


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
                (absolute(a.get_absolute_url()), w3c(a.first_published_at), a.headline)
                for a in stories
            ],
            "home": absolute("/"),
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
            "sitemaps": [absolute(reverse("sitemap")), absolute(reverse("sitemap-news"))],
        },
        content_type="text/plain; charset=utf-8",
    )
