"""The sitemaps' summary (articles.models.SitemapGroup): live stories per month, section, tag
and author, so that no sitemap request counts or sorts the story table.

Filled set-based by rebuild() (one GROUP BY per kind: migration 0010, the refresh_sitemaps
command, bench/load_archive.py after its COPY). Kept right by refresh(), which a story's save
or delete calls for the groups it was in and is in (its month, the month it left when
publish_at moved, its section, tags and authors), and a byline or tag link for its one
group. refresh() runs inside the change's own transaction, so the rows commit (or roll back)
with it; it locks the rows first, so two stories saved at once in one month wait for each
other and the second counts the first.

A scheduled story goes live by the clock, with no save: a row remembers the earliest
scheduled story after its refresh (next_due), and live_groups() adds the stories that came
due since, for the few rows whose next_due has passed (an index range on publish_at).
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from collections import defaultdict
from collections.abc import Iterable

from django.db import models, transaction
from django.db.models import CharField, Count, F, Max, Min, Q
from django.db.models.functions import Cast, Coalesce, TruncMonth
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.utils import timezone

from articles.models import Article, Byline, SitemapGroup, Status, TaggedArticle, live_condition

Kind = SitemapGroup.Kind

GROUP_BY = {
    Kind.MONTH: TruncMonth("publish_at"),  # in the outlet's zone, as story addresses are
    Kind.SECTION: F("section_id"),
    Kind.TAG: F("tagged_items__tag_id"),
    Kind.AUTHOR: F("bylines__author_id"),
}


def month_key(moment: dt.datetime) -> int:
    local = timezone.localtime(moment)
    return local.year * 100 + local.month


def month_range(key: int) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of month yyyymm in the outlet's zone."""
    year, month = divmod(key, 100)
    start = dt.datetime(year, month, 1)
    end = dt.datetime(year + month // 12, month % 12 + 1, 1)
    return timezone.make_aware(start), timezone.make_aware(end)


def in_groups(kind: str, keys: Iterable[int]) -> Q:
    """Stories in any of the groups (a month: a publish_at range, which its index serves)."""
    keys = list(keys)
    if kind == Kind.MONTH:
        ranges = (month_range(key) for key in keys)
        return functools.reduce(
            operator.or_, (Q(publish_at__gte=start, publish_at__lt=end) for start, end in ranges)
        )
    field = {Kind.SECTION: "section_id", Kind.TAG: "tagged_items__tag_id"}.get(
        kind, "bylines__author_id"
    )
    return Q(**{f"{field}__in": keys})


def story_lastmod() -> Coalesce:
    """A story's last significant update, as a database expression."""
    return Coalesce("updated_at", "first_published_at", "publish_at")


def aggregate(
    kind: str, stories: models.QuerySet, at: dt.datetime
) -> dict[int, tuple[int, dt.datetime | None, dt.datetime | None]]:
    """{key: (stories live at `at`, their latest lastmod, the first one scheduled after)}
    for the published stories of `stories`, grouped by kind: one GROUP BY query."""
    # The stories live at `at`: the rule of the tag and author pages too (carried_by_live_story).
    due = live_condition(at)
    rows = (
        stories.filter(status=Status.PUBLISHED)
        .values(group=GROUP_BY[kind])
        .annotate(
            # a story bylined twice (two roles) is one story of its author
            count=Count("pk", filter=due, distinct=kind == Kind.AUTHOR),
            lastmod=Max(story_lastmod(), filter=due),
            next_due=Min("publish_at", filter=~due),
        )
        .order_by()
    )
    return {
        month_key(row["group"]) if kind == Kind.MONTH else row["group"]: (
            row["count"],
            row["lastmod"],
            row["next_due"],
        )
        for row in rows
        if row["group"] is not None
    }


def rebuild(story_model=Article, group_model=SitemapGroup) -> int:
    """Every row again from the story table, set-based: one GROUP BY per kind, written in
    batches (never a query per story). The models may be a migration's historical ones."""
    at = timezone.now()
    rows = [
        group_model(kind=kind, key=key, stories=n, lastmod=lastmod, next_due=due, refreshed_at=at)
        for kind in Kind
        for key, (n, lastmod, due) in aggregate(kind, story_model.objects.all(), at).items()
    ]
    with transaction.atomic():
        group_model.objects.bulk_create(
            rows,
            batch_size=5000,
            update_conflicts=True,
            unique_fields=["kind", "key"],
            update_fields=["stories", "lastmod", "next_due", "refreshed_at"],
        )
        group_model.objects.filter(refreshed_at__lt=at).delete()  # groups with no story left
    return len(rows)


def refresh(kind: str, keys: Iterable[int]) -> None:
    """Recount the given groups of one kind from their stories (index ranges, one group at a
    time is a month or one tag's stories, never the archive)."""
    keys = sorted(set(keys))
    if not keys:
        return
    with transaction.atomic():
        # Rows to lock even for a new group; a concurrent insert of one makes this wait.
        SitemapGroup.objects.bulk_create(
            [SitemapGroup(kind=kind, key=key, refreshed_at=timezone.now()) for key in keys],
            ignore_conflicts=True,
        )
        rows = list(
            SitemapGroup.objects.select_for_update().filter(kind=kind, key__in=keys).order_by("key")
        )
        at = timezone.now()  # after the lock: what we waited for is counted
        found = aggregate(kind, Article.objects.filter(in_groups(kind, keys)), at)
        for row in rows:
            row.stories, row.lastmod, row.next_due = found.get(row.key, (0, None, None))
            row.refreshed_at = at
        SitemapGroup.objects.filter(pk__in=[r.pk for r in rows if r.key not in found]).delete()
        SitemapGroup.objects.bulk_update(
            [row for row in rows if row.key in found],
            ["stories", "lastmod", "next_due", "refreshed_at"],
        )


def utc_text(moment: dt.datetime | None) -> str | None:
    """A lastmod as the sitemaps write it: a W3C datetime in UTC to the second
    ("2026-03-01T09:30:00+00:00"). Fixed width, so lastmods compare (and are capped at now)
    as text, and 50,000 of them are written without a datetime call each."""
    return None if moment is None else moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def db_utc_text(text: str | None) -> str | None:
    """utc_text() of a timestamp cast to text by the database: "YYYY-MM-DD HH:MM:SS[.ffffff]"
    in UTC, with "+00" on PostgreSQL (whose connection Django sets to UTC), naive on SQLite."""
    return None if text is None else f"{text[:10]}T{text[11:19]}+00:00"


def live_groups(*kinds: str) -> dict[str, dict[int, tuple[int, str | None]]]:
    """{kind: {key: (live stories, latest lastmod as utc_text())}} for every group of the kinds
    with a live story now: the summary's rows, plus the scheduled stories that came due since
    a row was refreshed (one query per kind that has such rows)."""
    now = timezone.now()
    groups = {kind: {} for kind in kinds}
    due_since = {kind: defaultdict(list) for kind in kinds}
    rows = SitemapGroup.objects.filter(kind__in=kinds)
    # Lastmods read as text: Django's loader makes every timestamp a Python call, and 40,000
    # tags' rows need only be written out.
    for kind, key, count, lastmod in rows.filter(stories__gt=0).values_list(
        "kind", "key", "stories", Cast("lastmod", CharField())
    ):
        groups[kind][key] = (count, db_utc_text(lastmod))
    for kind, key, refreshed_at in rows.filter(next_due__lte=now).values_list(
        "kind", "key", "refreshed_at"
    ):
        due_since[kind][refreshed_at].append(key)
    for kind, by_time in due_since.items():
        for key, (count, lastmod) in _came_due(kind, by_time, now).items():
            old_count, old_lastmod = groups[kind].get(key, (0, None))
            groups[kind][key] = (old_count + count, _newest(old_lastmod, lastmod))
    return {kind: {k: v for k, v in found.items() if v[0]} for kind, found in groups.items()}


def live_totals(kind: str) -> tuple[int, str | None]:
    """(groups with a live story, their latest lastmod) for one kind, aggregated in the
    database (the index needs no row per tag): two or three queries, however many tags."""
    now = timezone.now()
    rows = SitemapGroup.objects.filter(kind=kind)
    live = rows.filter(stories__gt=0)
    # Two queries: the newest lastmod is one step down an index (sitemapgroup_live_idx); in
    # one aggregate with the count, every row's lastmod would be read.
    count = live.count()
    lastmod = utc_text(live.aggregate(lastmod=Max("lastmod"))["lastmod"])
    due_since, empty = defaultdict(list), set()
    for key, stories, refreshed_at in rows.filter(next_due__lte=now).values_list(
        "key", "stories", "refreshed_at"
    ):
        due_since[refreshed_at].append(key)
        if not stories:
            empty.add(key)
    for key, (_, came_lastmod) in _came_due(kind, due_since, now).items():
        count += key in empty  # a group whose first story came due
        lastmod = _newest(lastmod, came_lastmod)
    return count, lastmod


def _came_due(kind: str, due_since: dict[dt.datetime, list[int]], now: dt.datetime) -> dict:
    """{key: (stories, lastmod)} of the stories of the groups that came due since the time
    each group was refreshed ({refreshed_at: keys}): a range on publish_at per time."""
    if not due_since:
        return {}
    came_due = functools.reduce(
        operator.or_,
        (in_groups(kind, keys) & Q(publish_at__gt=at) for at, keys in due_since.items()),
    )
    found = aggregate(kind, Article.objects.filter(came_due), now)
    return {key: (count, utc_text(lastmod)) for key, (count, lastmod, _) in found.items() if count}


def _newest(*moments: str | None) -> str | None:
    return max((m for m in moments if m is not None), default=None)


# --- Keeping the rows right -----------------------------------------------------------------


def _story_groups(article: Article) -> dict[str, set[int]]:
    """The groups a published story is in (nothing for a draft, which no group counts)."""
    if article.status != Status.PUBLISHED or article.publish_at is None:
        return {}
    return {
        Kind.MONTH: {month_key(article.publish_at)},
        Kind.SECTION: {article.section_id},
        Kind.TAG: set(
            TaggedArticle.objects.filter(content_object_id=article.pk).values_list(
                "tag_id", flat=True
            )
        ),
        Kind.AUTHOR: set(
            Byline.objects.filter(article_id=article.pk).values_list("author_id", flat=True)
        ),
    }


def _refresh_all(*group_sets: dict[str, set[int]]) -> None:
    for kind in Kind:
        refresh(kind, set().union(*(groups.get(kind, ()) for groups in group_sets)))


def _before_story_save(sender, instance: Article, raw: bool = False, **kwargs) -> None:
    if raw or instance.pk is None:
        return
    stored = Article.objects.filter(pk=instance.pk).first()
    instance._sitemap_groups_before = _story_groups(stored) if stored else {}


def _story_saved(sender, instance: Article, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    before = instance.__dict__.pop("_sitemap_groups_before", {})
    _refresh_all(before, _story_groups(instance))


def _before_story_delete(sender, instance: Article, **kwargs) -> None:
    instance._sitemap_groups_before = _story_groups(instance)


def _story_deleted(sender, instance: Article, **kwargs) -> None:
    _refresh_all(instance.__dict__.pop("_sitemap_groups_before", {}))


def _part_changed(sender, instance, raw: bool = False, **kwargs) -> None:
    """A byline or tag link added or removed: its author's or tag's group, if the story is
    published (a story being deleted refreshes its groups itself)."""
    if raw:
        return
    if sender is Byline:
        kind, key, article_id = Kind.AUTHOR, instance.author_id, instance.article_id
    else:
        kind, key, article_id = Kind.TAG, instance.tag_id, instance.content_object_id
    if Article.objects.filter(pk=article_id, status=Status.PUBLISHED).exists():
        refresh(kind, [key])


def connect() -> None:
    """Called from ArticlesConfig.ready()."""
    pre_save.connect(_before_story_save, sender=Article, dispatch_uid="sitemaps-story")
    post_save.connect(_story_saved, sender=Article, dispatch_uid="sitemaps-story")
    pre_delete.connect(_before_story_delete, sender=Article, dispatch_uid="sitemaps-story")
    post_delete.connect(_story_deleted, sender=Article, dispatch_uid="sitemaps-story")
    for part in (Byline, TaggedArticle):
        post_save.connect(_part_changed, sender=part, dispatch_uid=f"sitemaps-{part.__name__}")
        post_delete.connect(_part_changed, sender=part, dispatch_uid=f"sitemaps-{part.__name__}")
