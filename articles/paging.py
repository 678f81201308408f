"""Paginators whose counting costs the same however large the archive grows.

Django's Paginator counts every row of a list (SELECT count(*) over all of a tag's or a
section's stories) to number its pages: at a million stories that count is most of the
time a list page takes, and the pages it numbers are pages nobody reads.

- CappedPaginator (the public lists): counts at most `max_pages` pages' worth of rows
  (SELECT count(*) FROM (... LIMIT cap + 1)) and offers no page beyond them; a list longer
  than that says "more than". Asking for a page past the cap gives the last page offered
  and `page.beyond_cap`, so the template can say why instead of failing.
- EstimatedCountPaginator (the admin's changelists): an exact count while the list is
  short (ADMIN_EXACT_COUNT_UP_TO rows), PostgreSQL's own estimate beyond (EXPLAIN's row
  count, from the statistics it keeps anyway), so a desk still sees "about 212,000
  stories"; it numbers at most `max_pages` pages, since each deeper page costs an OFFSET
  over all before it.
"""

import json

from django.conf import settings
from django.core.paginator import EmptyPage, Page, Paginator
from django.db import connections
from django.db.models import IntegerField, QuerySet, Subquery
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    def __init__(self, object_list, per_page, max_pages: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.max_pages = max_pages

    @property
    def cap(self) -> int:
        """The rows the pages offered hold."""
        return self.per_page * self.max_pages

    @property
    def count_limit(self) -> int:
        """Rows are counted exactly up to this many."""
        return self.cap

    @cached_property
    def counted(self) -> int:
        """Rows, counted only up to one more than count_limit."""
        limit = self.count_limit + 1
        if isinstance(self.object_list, QuerySet):
            # Unordered (any rows will do, found by whichever index is quickest), and only
            # the key: a column computed per row (a tag's story count) is not computed.
            return self.object_list.order_by().values("pk")[:limit].count()
        return len(self.object_list[:limit])

    @cached_property
    def limited(self) -> bool:
        """True when the list goes on beyond what was counted."""
        return self.counted > self.count_limit

    @cached_property
    def count(self) -> int:
        return min(self.counted, self.cap)

    def get_page(self, number) -> Page:
        """Like Paginator.get_page, and the page says whether the number asked for was
        beyond the last page (page.beyond_last) because of the cap (page.beyond_cap)."""
        try:
            asked = int(number)
        except (TypeError, ValueError):
            asked = 1
        page = super().get_page(number)
        page.beyond_last = asked > self.num_pages
        page.beyond_cap = page.beyond_last and self.limited
        return page


def planned_rows(queryset: QuerySet) -> int | None:
    """PostgreSQL's estimate of the rows `queryset` returns (EXPLAIN, not run): a lookup
    in the statistics, whatever the table's size. None on other databases."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class EstimatedCountPaginator(CappedPaginator):
    """For admin changelists: exact up to ADMIN_EXACT_COUNT_UP_TO rows, PostgreSQL's
    estimate beyond (pages offered up to max_pages: a page past the stories there really
    are is empty), and a page number past the pages offered gives the last of them (the
    admin would otherwise answer its "something's wrong with your database" page)."""

    @property
    def count_limit(self) -> int:
        # At least a page: the admin shows every row of a list it thinks fits on one page.
        return max(self.per_page, min(self.cap, settings.ADMIN_EXACT_COUNT_UP_TO))

    @cached_property
    def count(self) -> int:
        return min(self.estimate, self.cap)

    @cached_property
    def estimated(self) -> bool:
        return self.limited

    @cached_property
    def estimate(self) -> int:
        """How many rows the whole list has: exact when short, else the planner's guess
        (never below the rows already counted)."""
        if not self.limited:
            return self.counted
        return max(self.counted, planned_rows(self.object_list) or 0)

    def validate_number(self, number):
        try:
            return super().validate_number(number)
        except EmptyPage:
            if int(number) > 1 and self.limited:
                return self.num_pages
            raise


class BoundedChangelist:
    """ModelAdmin mixin: a changelist whose counting does not grow with the table.

    No second, unfiltered count ("12 of 1,000,000 selected" costs a scan), and the
    paginator above: at most ADMIN_LIST_MAX_PAGES pages, an estimated total beyond.
    """

    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        return self.paginator(
            queryset,
            per_page,
            max_pages=settings.ADMIN_LIST_MAX_PAGES,
            orphans=orphans,
            allow_empty_first_page=allow_empty_first_page,
        )


class CappedCount(Subquery):
    """How many rows `queryset` has, counted up to `cap` + 1 at most: a list column (stories
    per tag, per author) that costs the same for a tag on ten stories and one on a million.
    Shown as “200+” (see capped_display) once it reaches the cap."""

    template = "(SELECT count(*) FROM (%(subquery)s) capped)"
    output_field = IntegerField()

    def __init__(self, queryset: QuerySet, cap: int):
        """queryset: a .values() queryset, one row per thing counted."""
        super().__init__(queryset.order_by()[: cap + 1])


def capped_display(count: int, cap: int) -> str:
    return f"{cap:,}+" if count > cap else f"{count:,}"
