"""Feeds, sitemaps and robots.txt: the addresses machines read.

Included at "" before articles.urls. Feed URL names live in the "feeds" namespace
(feeds:latest-rss, feeds:section-atom, ...); the rest are plain names: sitemap,
sitemap-section, sitemap-page, sitemap-month, sitemap-news, robots-txt.
"""

from django.urls import include, path, re_path
from django.views.decorators.http import require_safe

from articles import feeds, sitemaps
from articles.public import public_page


def feed_view(feed_class: type[feeds.Feed]):
    return require_safe(public_page(feed_class()))


feed_patterns = [
    path("rss/", feed_view(feeds.LatestArticlesFeed), name="latest-rss"),
    path("atom/", feed_view(feeds.LatestArticlesAtomFeed), name="latest-atom"),
    path("sections/<slug:slug>/rss/", feed_view(feeds.SectionFeed), name="section-rss"),
    path("sections/<slug:slug>/atom/", feed_view(feeds.SectionAtomFeed), name="section-atom"),
    path("tags/<slug:slug>/rss/", feed_view(feeds.TagFeed), name="tag-rss"),
    path("tags/<slug:slug>/atom/", feed_view(feeds.TagAtomFeed), name="tag-atom"),
    path("authors/<slug:slug>/rss/", feed_view(feeds.AuthorFeed), name="author-rss"),
    path("authors/<slug:slug>/atom/", feed_view(feeds.AuthorAtomFeed), name="author-atom"),
    path("corrections/rss/", feed_view(feeds.CorrectionsFeed), name="corrections-rss"),
    path("corrections/atom/", feed_view(feeds.CorrectionsAtomFeed), name="corrections-atom"),
]

urlpatterns = [
    path("feeds/", include((feed_patterns, "feeds"))),
    path("robots.txt", sitemaps.robots_txt, name="robots-txt"),
    path("sitemap.xml", sitemaps.sitemap_index, name="sitemap"),
    # Before the generic pattern below, which would otherwise take "news" as a section.
    path("sitemap-news.xml", sitemaps.news_sitemap, name="sitemap-news"),
    re_path(
        r"^sitemap-articles-(?P<year>[0-9]{4})-(?P<month>[0-9]{2})(?:-(?P<page>[0-9]+))?\.xml$",
        sitemaps.month_sitemap,
        name="sitemap-month",
    ),
    path("sitemap-<slug:section>-<int:page>.xml", sitemaps.sitemap_section, name="sitemap-page"),
    path("sitemap-<slug:section>.xml", sitemaps.sitemap_section, name="sitemap-section"),
]
