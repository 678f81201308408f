"""Live blogs' reader addresses beside the story page itself (articles.views.article_detail,
which shows the entries through the story-body fragment):

    <story-url>live/            the entries as an HTML fragment, polled by static/js/live.js
    <story-url>entries/<id>/    an entry's own address: a redirect to its anchor on the page
    <story-url>feed/            the live blog's own RSS feed of entries

Each is a public page: the edge keeps it until an entry of that live blog (or the story)
changes, which purges "live-<pk>" and "story-<pk>" (articles.invalidation). However many
readers poll, the origin renders the fragment once per change.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.views.decorators.http import require_safe

from articles.feeds import FEED_SIZE, NewsRssFeed, on_site_url
from articles.models import Article, Kind, LiveEntry
from articles.public import add_keys, public_page
from newsroom.addresses import absolute_url


def live_story(slug: str) -> Article:
    """The live blog readers may see at slug, or 404."""
    story = (
        Article.objects.live()
        .filter(slug=slug, kind=Kind.LIVE)
        .select_related("section")
        .only(
            "pk",
            "slug",
            "headline",
            "kind",
            "section__slug",
            "publish_at",
            "first_published_at",
            "coverage_started_at",
            "coverage_ended_at",
            "modified_at",
            "status",
            "standfirst",
            "live_summary",
        )
        .first()
    )
    if story is None:
        raise Http404("No such live blog.")
    return story


def shown_by_entries(entries: list[LiveEntry]) -> set[str]:
    """The keys of what entries show besides themselves: their authors and photos."""
    shown = {f"author-{entry.author_id}" for entry in entries}
    return shown | {f"image-{entry.photo_id}" for entry in entries if entry.photo_id}


@require_safe
@public_page
def entries_fragment(request: HttpRequest, slug: str, **address) -> HttpResponse:
    """The live section of the story page (key events, entries), for the page's script to
    swap in: two queries, then the edge answers until the next change."""
    story = live_story(slug)
    add_keys(request, f"story-{story.pk}", f"live-{story.pk}")
    if request.path != f"{story.get_absolute_url()}live/":  # under an older section or date
        return redirect(f"{story.get_absolute_url()}live/", permanent=True)
    entries = story.public_live_entries
    add_keys(request, *shown_by_entries(entries))
    html = render_to_string("articles/live_entries.html", {"article": story}, request=request)
    response = HttpResponse(html)
    response["X-Robots-Tag"] = "noindex"  # a part of the story page, not a page of its own
    return response


@require_safe
@public_page
def entry_permalink(request: HttpRequest, slug: str, pk: int, **address) -> HttpResponse:
    entry = (
        LiveEntry.objects.public()
        .filter(pk=pk, article__slug=slug)
        .select_related("article__section")
        .only(
            "pk",
            "article__id",
            "article__slug",
            "article__section__slug",
            "article__publish_at",
            "article__first_published_at",
        )
        .first()
    )
    if entry is None:
        raise Http404("No such entry.")
    add_keys(request, f"story-{entry.article.pk}", f"live-{entry.article.pk}")
    return redirect(entry.get_absolute_url(), permanent=True)


class LiveBlogFeed(Feed):
    """A live blog's newest entries (RSS), pinned or not, newest first."""

    feed_type = NewsRssFeed
    description_template = None

    def get_object(self, request: HttpRequest, slug: str, **address) -> Article:
        story = live_story(slug)
        # Not "feeds": that key is for the lists of stories, which other stories change.
        add_keys(request, f"story-{story.pk}", f"live-{story.pk}")
        return story

    def title(self, obj: Article) -> str:
        return f"{obj.headline} (live)"

    def description(self, obj: Article) -> str:
        return obj.standfirst or obj.headline

    def link(self, obj: Article) -> str:
        return absolute_url(obj.get_absolute_url())

    def items(self, obj: Article) -> list[LiveEntry]:
        entries = list(
            obj.live_entries.public()
            .select_related("author")
            .order_by("-posted_at", "-pk")[:FEED_SIZE]
        )
        for entry in entries:
            entry.article = obj  # its address, without a query per entry
        return entries

    def item_title(self, item: LiveEntry) -> str:
        return item.headline or item.summary

    def item_description(self, item: LiveEntry) -> str:
        return item.body  # cleaned on save (sanitize_html); feed readers take HTML

    def item_link(self, item: LiveEntry) -> str:
        return absolute_url(item.get_absolute_url())

    def item_guid(self, item: LiveEntry) -> str:
        return absolute_url(item.permalink())

    def item_pubdate(self, item: LiveEntry) -> dt.datetime:
        return item.posted_at

    def item_updateddate(self, item: LiveEntry) -> dt.datetime:
        return item.edited_at or item.posted_at

    def item_extra_kwargs(self, item: LiveEntry) -> dict:
        # The name only: a contributor need not have an author page (only bylines do).
        return {"bylines": [(item.author.name, "")], "author_key": f"author-{item.author_id}"}

    def get_feed(self, obj, request: HttpRequest):
        feed = on_site_url(super().get_feed(obj, request), request)
        add_keys(request, *(item["author_key"] for item in feed.items))
        return feed


live_feed = require_safe(public_page(LiveBlogFeed()))
