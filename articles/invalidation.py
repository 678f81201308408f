"""What a change invalidates: the one place that decides it.

Public responses carry surrogate keys naming what they show (articles.public):

    key                 on                                        purged when
    all                 every public response                     (by hand: everything)
    chrome              every HTML page (navigation, banner)      a section or banner changes
    story-<pk>          the story's page (every URL it had, its   the story, its bylines, tags,
                        410), every teaser/related item/feed      corrections or redirects change
                        item/search result/correction showing it
    section-<pk>        pages showing the section's name          the section changes
    tag-<pk>            pages showing the tag's name              the tag changes
    author-<pk>         pages showing the author (bylines, boxes) the author changes
    image-<pk>          pages showing the photo                   the photo changes
    page-<pk>           the standing page (flatpage)              the page changes
    home                the home page                             a public story or a front's
                                                                  placements change
    section-<pk>-list   the section's list and feeds              a public story in it, or
                                                                  its front, changes
    tag-<pk>-list       the tag's list and feeds                  ... tagged so (or was)
    author-<pk>-list    the author's list and feeds               ... by the author (or was)
    archive-<date>      the day's archive page (/archive/y/m/d/)  ... published that day (or was)
    live-<pk>           a live blog's entries fragment (polled)   an entry of it changes, or
                        and its own feed                          the live story does
    feeds, sitemaps,    every feed, sitemap, search page and      a public story changes
    search, corrections the corrections page and feed             (corrections: a correction too)
    api                 every list of the read API (api/)         a public story changes

The rule: every model a public page shows is in WATCHED with a function that maps an
instance to the keys it touches. Its post_save, post_delete (keys taken at pre_delete, while
the rows it leads to still exist) and m2m_changed purge those keys once the transaction
commits. With old=True the stored row's keys are taken at pre_save too, so a story moved to
another section, retagged or withdrawn purges the lists it left. A story that is not public
(draft, in review, returned) purges nothing; a new author, photo or tag is on no page until a
story uses it (and that story's change purges). Related stories on *other* stories' pages are
not purged when a story is published (that would be the archive): they follow within EDGE_TTL.

The app's own caches (articles.fragments) move here too: the site state (navigation, banner,
next due time) is deleted on "chrome" or "home", and the fragments' references id moves on
any section, tag, author or photo key. Those move now and again after commit (a page
rendered in between from the old rows cannot keep them); the edge is purged after commit only
(newsroom.edge), so its refetch reads the committed rows. No save() override calls a cache.

A model added to a public page must be added to WATCHED: tests/test_invalidation.py renders
every public page, lists the tables they read, and fails on one that is not watched.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable

from django.apps import apps
from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.utils import timezone

from newsroom import edge, replica

# Keys of what stories show but do not own: rendered fragments must be rendered again.
REFERENCE_KEY = re.compile(r"^(section|tag|author|image)-\d+$")
# Lists every public story is on, whatever its section, tags and authors.
STORY_LISTS = ("home", "feeds", "sitemaps", "search", "corrections", "api")


@dataclasses.dataclass(frozen=True)
class Watched:
    model: str  # "app_label.Model"
    keys: Callable[[models.Model], set[str]]
    old: bool = False  # also purge what the row was before the save
    private_when_new: bool = False  # a new one is on no page until a story uses it
    m2m: tuple[str, ...] = ()  # many-to-many fields whose changes count as a change


# --- From an instance to its keys ----------------------------------------------------------


def archive_key(day: dt.date) -> str:
    """The key of one day's archive page (articles.views.archive_day)."""
    return f"archive-{day.isoformat()}"


def _story_keys(pk: int, status: str, section_id: int, publish_at: dt.datetime | None) -> set[str]:
    """A story's own key and every list it is on (a scheduled one: will be on)."""
    from articles.models import GONE, Byline, Correction, Section, Status, TaggedArticle

    if status in GONE:
        keys = {f"story-{pk}"}  # its 410 page
        if Correction.objects.withdrawal_notices().filter(article_id=pk).exists():
            keys.add("corrections")  # the notice is listed while withdrawn, not once spiked
        return keys
    if status != Status.PUBLISHED:
        return set()
    keys = {f"story-{pk}", *STORY_LISTS, f"section-{section_id}-list"}
    if publish_at is not None:
        keys.add(archive_key(timezone.localdate(publish_at)))
    parent = Section.objects.filter(pk=section_id).values_list("parent_id", flat=True).first()
    if parent:
        keys.add(f"section-{parent}-list")
    tags = TaggedArticle.objects.filter(content_object_id=pk).values_list("tag_id", flat=True)
    authors = Byline.objects.filter(article_id=pk).values_list("author_id", flat=True)
    keys |= {f"tag-{tag}-list" for tag in tags} | {f"author-{a}-list" for a in authors}
    return keys


def _article(article) -> set[str]:
    from articles.models import Kind

    keys = _story_keys(article.pk, article.status, article.section_id, article.publish_at)
    if keys and article.kind == Kind.LIVE:  # its entries' fragment shows whether it runs
        keys.add(f"live-{article.pk}")
    return keys


def _on_live_story(article_id: int, *keys: str) -> set[str]:
    """Keys for a part of a story (byline, tag link, correction): only if it is live."""
    from articles.models import Article

    if not Article.objects.live().filter(pk=article_id).exists():
        return set()
    return {f"story-{article_id}", *keys}


def _byline(byline) -> set[str]:
    return _on_live_story(byline.article_id, f"author-{byline.author_id}-list")


def _tag_link(link) -> set[str]:
    return _on_live_story(link.content_object_id, f"tag-{link.tag_id}-list")


def _correction(correction) -> set[str]:
    from articles.models import Article

    # A withdrawal notice is shown on its story's 410 page and the corrections page.
    withdrawn = Article.objects.withdrawn().filter(pk=correction.article_id)
    if correction.kind == correction.Kind.WITHDRAWAL and withdrawn.exists():
        return {f"story-{correction.article_id}", "corrections"}
    return _on_live_story(correction.article_id, "corrections")


def _live_entry(entry) -> set[str]:
    """An entry is on its live blog's page, entries fragment and feed (its photo's key is
    the page's already, as it shows it)."""
    return _on_live_story(entry.article_id, f"live-{entry.article_id}")


def _redirect(redirect) -> set[str]:
    return {f"story-{redirect.article_id}"}  # only ever-published stories have one


def _section(section) -> set[str]:
    keys = {f"section-{section.pk}", "chrome", "sitemaps"}
    if section.parent_id:  # the parent's list includes this section's stories
        keys.add(f"section-{section.parent_id}-list")
    return keys


def _front(front) -> set[str]:
    """The home page shows every front's lead (a section's in its block); a section front is
    its section's page."""
    return {"home"} if front.section_id is None else {"home", f"section-{front.section_id}-list"}


def _placement(placement) -> set[str]:
    from articles.models import Front

    front = Front.objects.filter(pk=placement.front_id).first()
    return _front(front) if front else set()


WATCHED: tuple[Watched, ...] = (
    Watched("articles.Article", _article, old=True),
    Watched("articles.Byline", _byline, old=True),
    Watched("articles.TaggedArticle", _tag_link, old=True),
    Watched("articles.Correction", _correction, old=True),
    Watched("articles.LiveEntry", _live_entry, old=True),
    Watched("articles.ArticleRedirect", _redirect),
    Watched("articles.Section", _section, old=True),
    Watched("taggit.Tag", lambda tag: {f"tag-{tag.pk}", "sitemaps"}, private_when_new=True),
    Watched("accounts.Author", lambda a: {f"author-{a.pk}", "sitemaps"}, private_when_new=True),
    Watched("articles.Image", lambda image: {f"image-{image.pk}"}, private_when_new=True),
    Watched("articles.BreakingBanner", lambda banner: {"chrome"}),
    Watched("articles.Front", _front),
    Watched("articles.Placement", _placement, old=True),
    Watched("flatpages.FlatPage", lambda page: {f"page-{page.pk}"}, m2m=("sites",)),
    # Derived from stories (whose changes purge "sitemaps" too); changed by bulk updates.
    Watched("articles.SitemapGroup", lambda group: {"sitemaps"}),
)


def watched(model: type[models.Model]) -> Watched | None:
    return _by_model().get(model)


@functools.cache
def _by_model() -> dict[type[models.Model], Watched]:
    return {apps.get_model(entry.model): entry for entry in WATCHED}


# --- Purging --------------------------------------------------------------------------------


def invalidate(keys: Iterable[str]) -> None:
    """Purge keys: the app's own caches now and after commit, the edge after commit."""
    keys = frozenset(keys)
    if not keys:
        return
    _move_app_caches(keys)
    transaction.on_commit(functools.partial(_after_commit, keys))


def _after_commit(keys: frozenset[str]) -> None:
    replica.note_commit()  # first: readers stay on the primary until a replica replays this
    _move_app_caches(keys)
    edge.purge(keys)


def _move_app_caches(keys: frozenset[str]) -> None:
    from articles.fragments import REFERENCES_KEY, SITE_STATE_KEY, new_id

    if "chrome" in keys or "home" in keys:  # sections, banner, or the next scheduled story
        cache.delete(SITE_STATE_KEY)
    if any(REFERENCE_KEY.match(key) for key in keys):
        cache.set(REFERENCES_KEY, new_id(), timeout=None)


# --- Receivers -------------------------------------------------------------------------------


def _stored_keys(entry: Watched, instance) -> set[str]:
    if instance.pk is None:
        return set()
    stored = type(instance)._default_manager.filter(pk=instance.pk).first()
    return entry.keys(stored) if stored is not None else set()


def _before_save(sender, instance, raw: bool = False, **kwargs) -> None:
    entry = watched(sender)
    if entry and entry.old and not raw:
        instance._keys_before_save = _stored_keys(entry, instance)


def _saved(sender, instance, created: bool = False, raw: bool = False, **kwargs) -> None:
    entry = watched(sender)
    if entry is None or raw or (created and entry.private_when_new):
        return
    before = instance.__dict__.pop("_keys_before_save", set())
    invalidate(before | entry.keys(instance))


def _before_delete(sender, instance, **kwargs) -> None:
    entry = watched(sender)
    if entry:
        instance._keys_before_delete = entry.keys(instance)


def _deleted(sender, instance, **kwargs) -> None:
    invalidate(instance.__dict__.pop("_keys_before_delete", set()))


def _m2m_changed(sender, instance, action: str, **kwargs) -> None:
    # Before and after (pre_clear still knows the links that go), so both states count.
    entry = watched(type(instance))
    if entry:
        invalidate(entry.keys(instance))


def connect() -> None:
    """Called from ArticlesConfig.ready(): every watched model's signals to the receivers."""
    for entry in WATCHED:
        model = apps.get_model(entry.model)
        uid = f"invalidation-{entry.model}"
        pre_save.connect(_before_save, sender=model, dispatch_uid=uid)
        post_save.connect(_saved, sender=model, dispatch_uid=uid)
        pre_delete.connect(_before_delete, sender=model, dispatch_uid=uid)
        post_delete.connect(_deleted, sender=model, dispatch_uid=uid)
        for field in entry.m2m:
            through = model._meta.get_field(field).remote_field.through
            m2m_changed.connect(_m2m_changed, sender=through, dispatch_uid=f"{uid}-{field}")
    # Tags added to or removed from a story (taggit sends m2m_changed for its through model;
    # the TaggedArticle rows' own save and delete are watched above too).
    tags_through = apps.get_model("articles.TaggedArticle")
    m2m_changed.connect(_m2m_changed, sender=tags_through, dispatch_uid="invalidation-tags")
