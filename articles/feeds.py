"""RSS 2.0 and Atom feeds: latest stories, per section, tag and author, and corrections.

Every feed lists live stories only (`Article.objects.live()`), newest first, at most
FEED_SIZE items. Each item carries the story's canonical address, first-publication and
last-significant-update times, one author element per byline, the section and tags as
categories, the standfirst as summary and the featured photo (an enclosure plus
Media RSS `media:content` with its size and alt text).

URL names (namespace "feeds", wired in articles/distribution_urls.py):
    latest-rss, latest-atom, section-rss, section-atom, tag-rss, tag-atom,
    author-rss, author-atom, corrections-rss, corrections-atom
`feed_links(obj)` gives the (title, url, type) triples pages put in the `feeds` context
variable, which templates/base.html advertises with <link rel="alternate">.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.files.storage import default_storage
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse
from django.utils import feedgenerator
from django.utils.html import conditional_escape, format_html
from taggit.models import Tag

from accounts.models import Author
from articles import body
from articles.fragments import shown_in_teaser
from articles.images import rendition_name, stored_width
from articles.models import Article, Byline, Correction, Section, public_tags
from articles.public import add_keys
from articles.search import planned_per_query
from articles.text import is_url_slug
from newsroom.addresses import absolute_url

FEED_SIZE = 20
# The featured photo's rendition that feeds point at: big enough for readers' cards,
# far smaller than an original upload.
FEED_IMAGE_WIDTH = 1200
MEDIA_NS = "http://search.yahoo.com/mrss/"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"


# --- Feed documents -----------------------------------------------------------------------


def _add_media(handler, item: dict[str, Any]) -> None:
    image = item.get("image")
    if not image:
        return
    handler.startElement(
        "media:content",
        {
            "url": image["url"],
            "medium": "image",
            "type": image["type"],
            "width": str(image["width"]),
            "height": str(image["height"]),
        },
    )
    if image["alt"]:
        handler.addQuickElement("media:description", image["alt"], {"type": "plain"})
    if image["credit"]:
        handler.addQuickElement("media:credit", image["credit"])
    handler.endElement("media:content")


class NewsRssFeed(feedgenerator.Rss201rev2Feed):
    """RSS 2.0 with one <dc:creator> per byline and Media RSS for the photo."""

    def rss_attributes(self) -> dict[str, str]:
        return {
            **super().rss_attributes(),
            "xmlns:dc": DC_NS,
            "xmlns:media": MEDIA_NS,
            "xmlns:content": CONTENT_NS,
        }

    def add_item_elements(self, handler, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, item)
        for name, _url in item.get("bylines", []):
            handler.addQuickElement("dc:creator", name)
        if item.get("content"):
            handler.addQuickElement("content:encoded", item["content"])
        _add_media(handler, item)


class NewsAtomFeed(feedgenerator.Atom1Feed):
    """Atom with one <author> (name and page) per byline and Media RSS for the photo."""

    def root_attributes(self) -> dict[str, str]:
        return {**super().root_attributes(), "xmlns:media": MEDIA_NS}

    def add_item_elements(self, handler, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, item)
        for name, url in item.get("bylines", []):
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            if url:
                handler.addQuickElement("uri", url)
            handler.endElement("author")
        if item.get("content"):
            handler.addQuickElement("content", item["content"], {"type": "html"})
        _add_media(handler, item)


def feed_body(html: str, photos: dict) -> str:
    """The story body for feed readers: no JavaScript, so inline photos are plain images
    with their caption, embeds a link to the post ("Watch on YouTube: <url>"), pull quotes
    and fact boxes stay the asides they are."""
    return body.expand_elements(html, photos, feed_photo, feed_embed) if html else ""


def feed_photo(image) -> str:
    caption = " — ".join(part for part in (image.caption, image.credit) if part)
    return format_html(
        '<figure><img src="{}" alt="{}" width="{}" height="{}">{}</figure>',
        absolute_url(image.rendition_url(FEED_IMAGE_WIDTH)),
        image.alt_text,
        min(FEED_IMAGE_WIDTH, image.width or FEED_IMAGE_WIDTH),
        round(image.height * min(FEED_IMAGE_WIDTH, image.width) / image.width)
        if image.width
        else FEED_IMAGE_WIDTH,
        format_html("<figcaption>{}</figcaption>", caption) if caption else "",
    )


def feed_embed(found) -> str:
    return format_html(
        '<p><a href="{}">{} on {}: {}</a></p>', found.url, found.verb, found.platform, found.url
    )


def on_site_url(feed: feedgenerator.SyndicationFeed, request: HttpRequest):
    """The feed's own address on SITE_URL. Django's Feed puts the Sites framework's domain
    in front of every relative link; the links the feeds give it are absolute already
    (absolute_url), and this is the one it takes from the request."""
    feed.feed["feed_url"] = absolute_url(request.path)
    return feed


def feed_image(image) -> dict[str, Any] | None:
    """Address, type, size and dimensions of the rendition a feed shows for a photo."""
    if image is None or not image.file:
        return None
    url = image.rendition_url(FEED_IMAGE_WIDTH)  # for a live story's photo: its public copy
    name = rendition_name(
        image.file.name, stored_width(FEED_IMAGE_WIDTH), None, public=image.is_public()
    )
    try:
        length = default_storage.size(name)
    except (OSError, NotImplementedError):
        length = 0  # RSS: 0 when the size is unknown
    width = min(image.width, FEED_IMAGE_WIDTH) or FEED_IMAGE_WIDTH
    height = round(image.height * width / image.width) if image.width else 0
    return {
        "url": absolute_url(url),
        "type": mimetypes.guess_type(name)[0] or "image/jpeg",
        "length": str(length),
        "width": width,
        "height": height,
        "alt": image.alt_text,
        "credit": image.credit,
    }


# --- Story feeds -----------------------------------------------------------------------------


class LatestArticlesFeed(Feed):
    """The newest live stories of the whole site."""

    feed_type = NewsRssFeed
    description_template = None

    def title(self, obj=None) -> str:
        return f"{settings.SITE_NAME}: latest stories"

    def description(self, obj=None) -> str:
        return f"The latest stories from {settings.SITE_NAME}."

    def subtitle(self, obj=None) -> str:
        return self.description(obj)

    def link(self, obj=None) -> str:
        return absolute_url("/")

    def feed_copyright(self, obj=None) -> str:
        return f"© {settings.SITE_NAME}"

    def stories(self, obj) -> QuerySet:
        return Article.objects.live()

    def items(self, obj=None):
        stories = (
            self.stories(obj)
            .select_related("section", "featured_image")
            .prefetch_related("tags", _bylines_prefetch())
            .newest_first()[:FEED_SIZE]
        )
        # Planned for this tag, author or section, as their list pages are (articles.views):
        # a generic plan reads a popular tag's stories through the tag's index and sorts them.
        with planned_per_query(using=stories.db):
            stories = list(stories)
        # The inline photos of every item's body in one query (articles.body).
        photos = body.public_photos(story.body for story in stories)
        for story in stories:
            story.body_photos = photos
        return stories

    def item_title(self, item: Article) -> str:
        # Feed readers show only the title: paid content and opinion say so there.
        return f"{item.label}: {item.headline}" if item.label else item.headline

    def item_description(self, item: Article) -> str:
        # Feed summaries are HTML; the standfirst is plain text, so it is escaped.
        summary = conditional_escape(item.standfirst or item.meta_description)
        if item.is_sponsored:
            return format_html("Paid content from {}. {}", item.sponsor, summary)
        return summary

    def item_link(self, item: Article) -> str:
        return absolute_url(item.get_absolute_url())

    def item_guid(self, item: Article) -> str:
        return absolute_url(item.get_absolute_url())

    def item_pubdate(self, item: Article) -> dt.datetime | None:
        return item.first_published_at or item.publish_at

    def item_updateddate(self, item: Article) -> dt.datetime | None:
        return item.last_modified or item.publish_at

    def item_categories(self, item: Article) -> list[str]:
        label = [item.label] if item.label else []
        return [*label, item.section.name, *(tag.name for tag in item.tags.all())]

    def item_enclosures(self, item: Article) -> list[feedgenerator.Enclosure]:
        image = feed_image(item.featured_image)
        if not image:
            return []
        return [feedgenerator.Enclosure(image["url"], image["length"], image["type"])]

    def item_extra_kwargs(self, item: Article) -> dict[str, Any]:
        return {
            "bylines": _bylines(item),
            "image": feed_image(item.featured_image),
            "surrogate_keys": _shown_in_item(item),
            "content": feed_body(item.body, getattr(item, "body_photos", {})),
        }

    def shown(self, obj) -> list[str]:
        """Surrogate keys of the feed itself (its section, tag or author and their list)."""
        return []

    def get_feed(self, obj, request: HttpRequest):
        feed = on_site_url(super().get_feed(obj, request), request)
        shown = (key for item in feed.items for key in item["surrogate_keys"])
        add_keys(request, "feeds", *self.shown(obj), *shown)
        return feed


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = NewsAtomFeed


def _bylines_prefetch() -> Prefetch:
    return Prefetch("bylines", queryset=Byline.objects.select_related("author"))


def _shown_in_item(item: Article) -> list[str]:
    """An item shows what a teaser does, and the story's tags."""
    return [*shown_in_teaser(item), *(f"tag-{tag.pk}" for tag in item.tags.all())]


def _bylines(item: Article) -> list[tuple[str, str]]:
    """(name, page) of the story's writers; the outlet itself for an unsigned story."""
    bylines = list(item.bylines.all())
    writers = [b for b in bylines if b.role == Byline.Role.WRITTEN_BY] or bylines
    if not writers:
        return [(settings.SITE_NAME, absolute_url("/"))]
    return [(b.author.name, absolute_url(b.author.get_absolute_url())) for b in writers]


class SectionFeed(LatestArticlesFeed):
    """A section's live stories, its subsections included."""

    def get_object(self, request: HttpRequest, slug: str) -> Section:
        return get_object_or_404(Section, slug=slug)

    def shown(self, obj) -> list[str]:
        return [f"section-{obj.pk}", f"section-{obj.pk}-list"]

    def title(self, obj: Section) -> str:
        return f"{settings.SITE_NAME}: {obj.name}"

    def description(self, obj: Section) -> str:
        return obj.description or f"The latest {obj.name} stories from {settings.SITE_NAME}."

    def link(self, obj: Section) -> str:
        return absolute_url(obj.get_absolute_url())

    def stories(self, obj: Section) -> QuerySet:
        return Article.objects.live().in_section(obj)


class SectionAtomFeed(SectionFeed):
    feed_type = NewsAtomFeed


class TagFeed(LatestArticlesFeed):
    def get_object(self, request: HttpRequest, slug: str) -> Tag:
        return get_object_or_404(public_tags(), slug=slug)

    def shown(self, obj) -> list[str]:
        return [f"tag-{obj.pk}", f"tag-{obj.pk}-list"]

    def title(self, obj: Tag) -> str:
        return f"{settings.SITE_NAME}: {obj.name}"

    def description(self, obj: Tag) -> str:
        return f"The latest stories about {obj.name} from {settings.SITE_NAME}."

    def link(self, obj: Tag) -> str:
        return absolute_url(reverse("articles:tag", args=[obj.slug]))

    def stories(self, obj: Tag) -> QuerySet:
        return Article.objects.live().tagged(obj)


class TagAtomFeed(TagFeed):
    feed_type = NewsAtomFeed


class AuthorFeed(LatestArticlesFeed):
    def get_object(self, request: HttpRequest, slug: str) -> Author:
        return get_object_or_404(Author.objects.with_live_articles(), slug=slug)

    def shown(self, obj) -> list[str]:
        return [f"author-{obj.pk}", f"author-{obj.pk}-list"]

    def title(self, obj: Author) -> str:
        return f"{settings.SITE_NAME}: {obj.name}"

    def description(self, obj: Author) -> str:
        return f"The latest stories by {obj.name} for {settings.SITE_NAME}."

    def link(self, obj: Author) -> str:
        return absolute_url(obj.get_absolute_url())

    def stories(self, obj: Author) -> QuerySet:
        # A byline per role (writer and photographer) must not list the story twice.
        return Article.objects.live().filter(pk__in=Article.objects.by(obj).values("pk"))


class AuthorAtomFeed(AuthorFeed):
    feed_type = NewsAtomFeed


# --- Corrections ---------------------------------------------------------------------------


class CorrectionsFeed(Feed):
    """Corrections, clarifications and editor's notes on live stories, and withdrawal
    notices, newest first (Correction.objects.public(), as the corrections page)."""

    feed_type = NewsRssFeed

    def title(self) -> str:
        return f"{settings.SITE_NAME}: corrections"

    def description(self) -> str:
        return f"Corrections, clarifications and editor's notes from {settings.SITE_NAME}."

    def subtitle(self) -> str:
        return self.description()

    def link(self) -> str:
        try:
            return absolute_url(reverse("articles:corrections"))
        except NoReverseMatch:
            return absolute_url("/")

    def items(self):
        return (
            Correction.objects.public()
            .select_related("article__section")
            .order_by("-published_at", "-pk")[:FEED_SIZE]
        )

    def item_title(self, item: Correction) -> str:
        return f"{item.get_kind_display()}: {item.article.headline}"

    def item_description(self, item: Correction) -> str:
        return conditional_escape(item.text)

    def item_link(self, item: Correction) -> str:
        # The story itself (it shows its corrections); the guid tells the notes apart.
        return absolute_url(item.article.get_absolute_url())

    def item_guid(self, item: Correction) -> str:
        return f"{absolute_url(item.article.get_absolute_url())}#correction-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Correction) -> dt.datetime:
        return item.published_at

    def item_updateddate(self, item: Correction) -> dt.datetime:
        return item.published_at

    def item_categories(self, item: Correction) -> list[str]:
        return [item.get_kind_display(), item.article.section.name]

    def item_extra_kwargs(self, item: Correction) -> dict[str, Any]:
        # Corrections are the newsroom's own voice, not the reporter's.
        return {
            "bylines": [(settings.SITE_NAME, absolute_url("/"))],
            "surrogate_keys": [f"story-{item.article_id}", f"section-{item.article.section_id}"],
        }

    def get_feed(self, obj, request: HttpRequest):
        feed = on_site_url(super().get_feed(obj, request), request)
        shown = (key for item in feed.items for key in item["surrogate_keys"])
        add_keys(request, "feeds", "corrections", *shown)
        return feed


class CorrectionsAtomFeed(CorrectionsFeed):
    feed_type = NewsAtomFeed


# --- Advertising feeds on pages --------------------------------------------------------------

RSS, ATOM = "application/rss+xml", "application/atom+xml"


def feed_links(obj: Section | Tag | Author | None = None) -> list[tuple[str, str, str]]:
    """(title, url, type) of the RSS and Atom feeds of a section, tag or author page.

    Pages pass these as `feeds` in their context; templates/base.html advertises them after
    the site-wide feeds (templates/includes/head.html).
    """
    if isinstance(obj, Section):
        kind, name = "section", obj.name
    elif isinstance(obj, Tag):
        kind, name = "tag", obj.name
    elif isinstance(obj, Author):
        kind, name = "author", obj.name
    else:
        return []
    if not is_url_slug(obj.slug):  # an old row without a usable slug has no feed address
        return []
    return [
        (f"{name} (RSS)", reverse(f"feeds:{kind}-rss", args=[obj.slug]), RSS),
        (f"{name} (Atom)", reverse(f"feeds:{kind}-atom", args=[obj.slug]), ATOM),
    ]
