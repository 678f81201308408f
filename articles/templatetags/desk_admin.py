"""The story and photo changelists' date drill-down, without a scan of what they list.

Django's own {% date_hierarchy %} asks for the distinct years (months, days) of every
listed story: SELECT DISTINCT date_trunc(...) over the whole filtered list, a full scan at
a million stories. This one asks only for the first and last dates of the list (two index
lookups) and offers every year (month, day) between them; one that holds no story gives
an empty list. Same template, same query parameters.
"""

import datetime as dt

from django import template
from django.contrib.admin.templatetags.admin_list import date_hierarchy
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.utils import timezone
from django.utils.functional import cached_property

from articles.desk_time import desk_time, zone_label

register = template.Library()


class _Bounds:
    """Stands in for the list's queryset in Django's date_hierarchy(): its dates are every
    year/month/day between the list's first and last story, not those it has stories in."""

    def __init__(self, queryset, field_name: str):
        self.queryset, self.field_name = queryset, field_name

    @cached_property
    def bounds(self) -> dict:
        """The first and last date: each the first row in an order, which PostgreSQL finds
        by walking the date index when the list is a large share of the stories (MIN/MAX
        over a filter would read every row it keeps)."""
        dated = self.queryset.filter(**{f"{self.field_name}__isnull": False})
        dates = dated.values_list(self.field_name, flat=True)
        return {
            "first": dates.order_by(self.field_name).first(),
            "last": dates.order_by(f"-{self.field_name}").first(),
        }

    def aggregate(self, **kwargs):
        return self.bounds  # Django's tag asks only for first=Min, last=Max

    def filter(self, **kwargs):
        return _Bounds(self.queryset.filter(**kwargs), self.field_name)

    def datetimes(self, field_name: str, kind: str):
        if not self.bounds["first"]:
            return []
        first, last = (timezone.localtime(self.bounds[k]) for k in ("first", "last"))
        if kind == "year":
            return [dt.datetime(year, 1, 1) for year in range(first.year, last.year + 1)]
        if kind == "month":
            months = range(first.month, last.month + 1)
            return [dt.datetime(first.year, month, 1) for month in months]
        return [dt.datetime(first.year, first.month, day) for day in range(first.day, last.day + 1)]

    dates = datetimes


def bounded_date_hierarchy(cl):
    queryset = cl.queryset
    cl.queryset = _Bounds(queryset, cl.date_hierarchy)
    try:
        return date_hierarchy(cl)
    finally:
        cl.queryset = queryset


@register.tag(name="bounded_date_hierarchy")
def bounded_date_hierarchy_tag(parser, token):
    return InclusionAdminNode(
        parser,
        token,
        func=bounded_date_hierarchy,
        template_name="date_hierarchy.html",
        takes_context=False,
    )


@register.filter(name="desk_time")
def desk_time_filter(value, with_zone: bool = False) -> str:
    """{{ when|desk_time }}: "4 May 2031, 09:30" in the newsroom's zone; {{ when|desk_time:True }}
    names the zone too."""
    return desk_time(value, with_zone=bool(with_zone))


@register.simple_tag
def newsroom_zone() -> str:
    """{% newsroom_zone %}: "Asia/Baku, UTC+04:00"."""
    return zone_label()
