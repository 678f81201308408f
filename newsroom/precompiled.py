"""Querysets compiled to SQL once per process, then run with each request's values.

Django builds and compiles a queryset's SQL every time it is evaluated. For the few small
queries a story page runs on every request, that costs more Python time (one to three
milliseconds each) than PostgreSQL takes to answer them. A Precompiled query is built once,
from the same QuerySet methods every other page uses (so a rule such as
Article.objects.live() still lives in one place), with stand-in values for what changes
between requests; later runs send the same SQL with the request's values in their places.

Only values_list() querysets are precompiled: their rows need no model instances. Where the
database layer changes the stand-ins on their way in (SQLite stores datetimes as text), the
query is simply built afresh on every call, as Django would.

It leans on two methods of Django's SQL compiler, as_sql() and results_iter(results=...),
which have kept their shape for many releases; tests/test_precompiled.py compares its rows
with the queryset's own on PostgreSQL and SQLite, so an upgrade that changes them fails CI.
"""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import connections
from django.db.models import QuerySet


def stand_in(kind: type, number: int) -> Any:
    """A value of the kind no real query would use, different for each number, so each
    value's places among a compiled query's parameters are unambiguous."""
    if kind is int:
        return -7_340_211 - number
    if kind is str:
        return f"precompiled:stand-in:{number}"
    if kind is dt.datetime:
        return dt.datetime(1901, 2, 3, 4, 5, 6, 100_000 + number, tzinfo=dt.UTC)
    raise TypeError(f"Precompiled queries take int, str or datetime values, not {kind}")


def _columns(*columns):
    return columns


class Precompiled:
    """A values_list() query built by build(**values), compiled on its first call; each
    row is returned as row(*columns). For example:

        newest_in = Precompiled(
            lambda section, at: Article.objects.live(at).filter(section_id=section)
            .newest_first().values_list("pk", "headline")[:5],
            section=int, at=dt.datetime,
        )
        newest_in(section=3, at=timezone.now())

    The process has one database connection per alias, as Django's does, so the query is
    compiled once for whichever database the queryset reads from.
    """

    _UNCOMPILED = object()

    def __init__(self, build: Callable[..., QuerySet], row: Callable | None = None, **types: type):
        self.build = build
        self.row = row or _columns
        self.types = types
        self._compiled: tuple | object | None = self._UNCOMPILED

    def __call__(self, **values) -> list:
        prepared = self._prepared()
        if prepared is None:
            rows = self.build(**values)
        else:
            alias, compiler, sql, params, places = prepared
            params = list(params)
            for name, positions in places.items():
                for position in positions:
                    params[position] = values[name]
            with connections[alias].cursor() as cursor:
                cursor.execute(sql, params)
                fetched = cursor.fetchall()
            # The compiler converts the rows exactly as evaluating the queryset would.
            rows = compiler.results_iter(results=[fetched], tuple_expected=True)
        return [self.row(*row) for row in rows]

    def _prepared(self) -> tuple | None:
        if self._compiled is self._UNCOMPILED:
            self._compiled = self._compile()
        return self._compiled

    def _compile(self) -> tuple | None:
        stand_ins = {name: stand_in(kind, i) for i, (name, kind) in enumerate(self.types.items())}
        queryset = self.build(**stand_ins)
        alias = queryset.db
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        places = {
            name: [
                i for i, param in enumerate(params) if type(param) is type(value) and param == value
            ]
            for name, value in stand_ins.items()
        }
        if not all(places.values()):
            return None  # the database layer changed a stand-in: build afresh every time
        return alias, compiler, sql, params, places
