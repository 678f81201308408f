"""Django's Redis cache backend, failing open, and reusing one redis-py client per pool.

The cache only ever saves work: every page can be built from the database. So when Redis is
down or hangs, a cache call must cost little and change nothing a reader sees:

- the client has bounded connect and socket timeouts (REDIS_CONNECT_TIMEOUT and
  REDIS_SOCKET_TIMEOUT, 0.25 s by default), and redis-py retries nothing;
- a call that fails is a miss: get() gives the default, get_many() {}, add() False, set(),
  set_many(), delete() and the rest do nothing; a warning is logged at most once every
  WARNING_INTERVAL seconds per process, not once per call;
- after a failure the backend skips Redis for REDIS_BREAKER_SECONDS (1 s) in this process (a
  small circuit breaker), so a hung Redis costs each process one timeout a second rather than
  one per cache call: a page makes several.

Django builds a new ``redis.Redis`` object for every cache call, and its constructor fills
a table of some 170 response callbacks: about a third of the time a page-cache hit takes.
A client is safe to share (it borrows connections from its pool), so one per pool is kept.
"""

import functools
import logging
import threading
import time

from django.conf import settings
from django.core.cache.backends import redis as django_redis

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 0.25
WARNING_INTERVAL = 5.0


class _Breaker:
    """Per-process state of one Redis location: skip it until `open_until`, warn rarely."""

    def __init__(self, name: str):
        self.name = name
        self.open_until = 0.0
        self.last_warning = 0.0
        self.failures_since_warning = 0
        self._lock = threading.Lock()

    def is_open(self) -> bool:
        return time.monotonic() < self.open_until

    def failed(self, operation: str, exc: Exception) -> None:
        now = time.monotonic()
        seconds = getattr(settings, "REDIS_BREAKER_SECONDS", 1.0)
        with self._lock:
            self.open_until = now + seconds
            self.failures_since_warning += 1
            if now - self.last_warning < WARNING_INTERVAL:
                return
            count, self.failures_since_warning = self.failures_since_warning, 0
            self.last_warning = now
        logger.warning(
            "Redis cache %s unavailable (%s: %s on %s; %d failed call(s) since the last "
            "warning); serving without the cache, next try in %.1f s",
            self.name,
            type(exc).__name__,
            exc,
            operation,
            count,
            seconds,
        )


_breakers: dict[str, _Breaker] = {}
_breakers_lock = threading.Lock()


def _breaker_for(servers) -> _Breaker:
    name = ",".join(servers)
    with _breakers_lock:
        if name not in _breakers:
            _breakers[name] = _Breaker(name)
        return _breakers[name]


def _fail_open(miss):
    """Run a client call unless the breaker is open; on a Redis error, return `miss()`."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            if self._breaker.is_open():
                return miss(*args)
            try:
                return method(self, *args, **kwargs)
            except self._lib.RedisError as exc:
                self._breaker.failed(method.__name__, exc)
                return miss(*args)

        return wrapper

    return decorate


def _key_missing(*args):
    raise ValueError("Key not found (the cache is unavailable).")


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, servers, **options):
        options.setdefault(
            "socket_timeout", getattr(settings, "REDIS_SOCKET_TIMEOUT", DEFAULT_TIMEOUT_SECONDS)
        )
        options.setdefault(
            "socket_connect_timeout",
            getattr(settings, "REDIS_CONNECT_TIMEOUT", DEFAULT_TIMEOUT_SECONDS),
        )
        super().__init__(servers, **options)
        self._clients = {}
        self._breaker = _breaker_for(servers)

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    add = _fail_open(lambda *a: False)(django_redis.RedisCacheClient.add)
    get = _fail_open(lambda key, default: default)(django_redis.RedisCacheClient.get)
    set = _fail_open(lambda *a: None)(django_redis.RedisCacheClient.set)
    touch = _fail_open(lambda *a: False)(django_redis.RedisCacheClient.touch)
    delete = _fail_open(lambda *a: False)(django_redis.RedisCacheClient.delete)
    get_many = _fail_open(lambda *a: {})(django_redis.RedisCacheClient.get_many)
    has_key = _fail_open(lambda *a: False)(django_redis.RedisCacheClient.has_key)
    incr = _fail_open(_key_missing)(django_redis.RedisCacheClient.incr)
    set_many = _fail_open(lambda *a: None)(django_redis.RedisCacheClient.set_many)
    delete_many = _fail_open(lambda *a: None)(django_redis.RedisCacheClient.delete_many)
    clear = _fail_open(lambda *a: False)(django_redis.RedisCacheClient.clear)


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
