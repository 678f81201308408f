"""Public reads from a PostgreSQL streaming replica (DATABASE_REPLICA_URL), safely.

`ReplicaMiddleware` decides per request; `ReplicaRouter` (DATABASE_ROUTERS) follows the decision.
A request reads the replica only when all of these hold, and the primary otherwise:

- it is a GET or HEAD of a public page (never /admin/, /preview/, /share/, /healthz) with no
  session cookie (staff read the primary) and no `RECENT_WRITE_COOKIE` (set for
  REPLICA_MAX_LAG_SECONDS on any request that wrote: the browser that just saved reads the
  primary even once signed out);
- the replica answers and is less than REPLICA_MAX_LAG_SECONDS behind the primary (see
  _ReplicaState);
- the replica has replayed the newest commit the app knows of. Every change that purges pages
  (articles.invalidation, after commit, before the app's caches move and the edge is purged)
  stores the primary's pg_current_wal_lsn() in the cache under NEWEST_COMMIT_KEY. So the
  edge's refetch after a purge, and a fragment rendered after a change, never read a replica
  that has not replayed it: they would otherwise be kept stale for EDGE_TTL or until the
  next change. A missing key (Redis down or flushed) means the primary.

The replica's replay position and lag are read at most once a second per process
(CHECK_SECONDS) and kept in memory; the position only grows, so a remembered one is a safe
lower bound (after a change, readers of a process read the primary until its next look).
Everything fails open to the primary: a replica that is down or refuses costs one failed
connection a second, and a request whose replica query fails is answered again from the
primary. Writes always go to the primary. Unset DATABASE_REPLICA_URL: the "replica" alias is
the primary itself and nothing is routed to it.
"""

from __future__ import annotations

import collections
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
        return ALIAS if _reading_replica.get() else None

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


def lsn_text(position: int) -> str:
    return f"{position >> 32:X}/{position & 0xFFFFFFFF:X}"


class _ReplicaState:
    """The replica's replay position and lag, read at most once per CHECK_SECONDS.

    The lag is measured against the primary, not the replica's clock: each check also notes
    where the primary's WAL is (pg_current_wal_lsn()), and the lag is the age of the oldest
    noted position the replica has not replayed yet. So an idle primary is no lag, and a
    replica cut off from its primary (which would report no lag of its own) falls behind.
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.forget()

    def forget(self) -> None:
        self.checked = -CHECK_SECONDS
        self.answer: tuple[int | None, float] | None = None  # None: the replica failed
        self.unreplayed: collections.deque[tuple[float, int]] = collections.deque()
        self.primary: int | None = None  # the primary's position at the last look

    def get(self) -> tuple[int | None, float] | None:
        with self.lock:
            now = time.monotonic()
            if now - self.checked >= CHECK_SECONDS:
                self.checked = now
                self.answer = self._check(now)
            return self.answer

    def failed(self) -> None:
        with self.lock:
            self.answer, self.checked = None, time.monotonic()

    def _check(self, now: float) -> tuple[int | None, float] | None:
        if connections[ALIAS].vendor != "postgresql":
            return (None, 0.0)  # a SQLite "replica" is the same file (the test mirror)
        primary = _position("default", "pg_current_wal_lsn()")
        replayed = _position(ALIAS, "pg_last_wal_replay_lsn()")
        if replayed is False:
            return None
        if replayed is None or primary is None:
            return (None, 0.0)  # not in recovery: the primary itself, or a promoted replica
        if primary is not False:
            self.primary = primary
        if primary is not False and (not self.unreplayed or primary > self.unreplayed[-1][1]):
            self.unreplayed.append((now, primary))
        while self.unreplayed and self.unreplayed[0][1] <= replayed:
            self.unreplayed.popleft()
        if len(self.unreplayed) > 100:  # far behind: only the oldest matters
            del self.unreplayed[1]
        return (replayed, now - self.unreplayed[0][0] if self.unreplayed else 0.0)


def _position(alias: str, function: str) -> int | bool | None:
    """A WAL position on the alias's server; None when it has none, False when it failed."""
    connection = connections[alias]
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {function}::text")
            return lsn(cursor.fetchone()[0])
    except DatabaseError as exc:
        logger.warning("Reading the WAL position of %s failed: %s", alias, exc)
        connection.close()
        return False


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
        # After a start or a cache flush (or with the cache down): start from where the
        # primary was at the last look, and read the primary this time.
        if state.primary is not None:
            cache.add(NEWEST_COMMIT_KEY, lsn_text(state.primary), timeout=None)
        return False
    return replayed >= newest


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
