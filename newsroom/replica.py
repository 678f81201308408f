"""Public reads from a PostgreSQL streaming replica (DATABASE_REPLICA_URL), safely.

`ReplicaMiddleware` decides per request; `ReplicaRouter` (DATABASE_ROUTERS) follows the decision.
A request reads the replica only when all of these hold, and the primary otherwise:

- it is a GET or HEAD of a public page (never /admin/, /preview/, /share/, /healthz) with no
  session cookie (staff read the primary) and no `RECENT_WRITE_COOKIE` (set for
  REPLICA_MAX_LAG_SECONDS on any request that wrote: the browser that just saved reads the
  primary even once signed out);
- the replica answers and its lag is under REPLICA_MAX_LAG_SECONDS (0 when it has replayed all
  it received, else now() - pg_last_xact_replay_timestamp());
- the replica has replayed the newest commit the app knows of. Every change that purges pages
  (articles.invalidation, after commit, before the app's caches move and the edge is purged)
  stores the primary's pg_current_wal_lsn() in the cache under NEWEST_COMMIT_KEY. So the
  edge's refetch after a purge, and a fragment rendered after a change, never read a replica
  that has not replayed it: they would otherwise be kept stale for EDGE_TTL or until the
  next change. A missing key (Redis down or flushed) means the primary.

The replica's replay position and lag are read at most once a second per process
(CHECK_SECONDS) and kept in memory; the position only grows, so a remembered one is a safe lower
bound. Everything fails open to the primary: a replica that is down or refuses costs one
failed connection a second, and a request whose replica query fails is answered again from
the primary. Writes always go to the primary. Unset DATABASE_REPLICA_URL: the
"replica" alias is the primary itself and nothing is routed to it.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse

from newsroom.outage import OUTAGE_ERRORS

logger = logging.getLogger(__name__)

ALIAS = "replica"
NEWEST_COMMIT_KEY = "replica:newest-commit-lsn"
RECENT_WRITE_COOKIE = "newsroom_wrote"
CHECK_SECONDS = 1.0
PRIVATE_PREFIXES = ("/admin/", "/preview/", "/share/", "/healthz")

_reading_replica = contextvars.ContextVar("reading_replica", default=False)


class ReplicaRouter:
    """Reads go where the middleware decided (the replica or the primary); writes to the primary."""

    def db_for_read(self, model, **hints):
        return ALIAS if _reading_replica.get() else "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same rows on both

    def allow_migrate(self, db, app_label, **hints):
        return db == "default"


@contextlib.contextmanager
def _reading_replica_for_tests(value: bool):
    token = _reading_replica.set(value)
    try:
        yield
    finally:
        _reading_replica.reset(token)


def lsn(text: str | None) -> int | None:
    """A pg_lsn such as '0/3000148' as a number, for comparing."""
    if not text:
        return None
    high, _, low = text.partition("/")
    return (int(high, 16) << 32) | int(low, 16)


class _ReplicaState:
    """The replica's replay position and lag, read at most once per CHECK_SECONDS."""

    def __init__(self):
        self.lock = threading.Lock()
        self.checked = -CHECK_SECONDS
        self.answer: tuple[int | None, float] | None = None  # None: the replica failed

    def get(self) -> tuple[int | None, float] | None:
        with self.lock:
            if time.monotonic() - self.checked >= CHECK_SECONDS:
                self.answer = self._read()
                self.checked = time.monotonic()
            return self.answer

    def forget(self) -> None:
        with self.lock:
            self.checked = -CHECK_SECONDS

    def failed(self) -> None:
        with self.lock:
            self.answer, self.checked = None, time.monotonic()

    @staticmethod
    def _read() -> tuple[int | None, float] | None:
        connection = connections[ALIAS]
        if connection.vendor != "postgresql":
            return (None, 0.0)  # a SQLite "replica" is the same file (the test mirror)
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_last_wal_replay_lsn()::text,"
                    " CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
                    " ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()),"
                    " 1e9) END"
                )
                replayed, lag = cursor.fetchone()
        except DatabaseError as exc:
            logger.warning("Replica unavailable, reading the primary: %s", exc)
            connection.close()
            return None
        # Not in recovery (NULL position): the primary itself, or a promoted replica.
        return (lsn(replayed), float(lag or 0))


state = _ReplicaState()


def enabled() -> bool:
    return bool(settings.DATABASE_REPLICA_URL)


def replica_is_current() -> bool:
    """The replica answers, is under REPLICA_MAX_LAG_SECONDS and has every known commit."""
    answer = state.get()
    if answer is None:
        return False
    replayed, lag = answer
    if replayed is None:
        return True  # not a standby: nothing to replay
    if lag >= settings.REPLICA_MAX_LAG_SECONDS:
        return False
    newest = lsn(cache.get(NEWEST_COMMIT_KEY))
    if newest is None:
        note_commit()  # first request after a start or a flush: learn where the primary is
        return False
    if replayed < newest:
        state.forget()  # look again next time: it is usually a few milliseconds behind
        return False
    return True


def note_commit() -> None:
    """Remember the primary's WAL position after a commit: readers wait until it is replayed."""
    if not enabled() or connections["default"].vendor != "postgresql":
        return
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()::text")
            position = cursor.fetchone()[0]
        known = lsn(cache.get(NEWEST_COMMIT_KEY))
        if known is None or lsn(position) > known:
            cache.set(NEWEST_COMMIT_KEY, position, timeout=None)
    except DatabaseError:
        logger.warning("Could not read the primary's WAL position", exc_info=True)


def reads_replica(request: HttpRequest) -> bool:
    """The choice for this request (see the module docstring)."""
    return (
        enabled()
        and request.method in ("GET", "HEAD")
        and not request.path.startswith(PRIVATE_PREFIXES)
        and not request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        and not request.COOKIES.get(RECENT_WRITE_COOKIE)
        and replica_is_current()
    )


class ReplicaMiddleware:
    """Route the request's reads (ReplicaRouter); mark the browser of a request that wrote."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.reads_replica = reads_replica(request)
        response = self._respond(request)
        if request.reads_replica and getattr(request, "_replica_failed", False):
            # The replica went away since the last check: this reader gets the primary.
            state.failed()
            connections[ALIAS].close()
            request.reads_replica = False
            response = self._respond(request)
        if (
            enabled()
            and request.method not in ("GET", "HEAD", "OPTIONS")
            and request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        ):
            response.set_cookie(
                RECENT_WRITE_COOKIE,
                "1",
                max_age=max(1, int(settings.REPLICA_MAX_LAG_SECONDS) + 1),
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def _respond(self, request: HttpRequest) -> HttpResponse:
        token = _reading_replica.set(request.reads_replica)
        try:
            return self.get_response(request)
        finally:
            _reading_replica.reset(token)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if getattr(request, "reads_replica", False) and isinstance(exception, OUTAGE_ERRORS):
            request._replica_failed = True  # DatabaseOutageMiddleware answers 503; retried
