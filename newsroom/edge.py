"""Purging the edge caches (Varnish, a CDN) by surrogate key.

Public responses name what they show in a `Surrogate-Key` header (see articles.public);
articles.invalidation decides which keys a change touches and calls purge(keys) once the
transaction has committed. This module only delivers those keys to the backends named in
settings.PURGE_BACKENDS:

- "varnish": `PURGE /` with `xkey-purge: <keys>` to each URL in VARNISH_PURGE_URLS (the
  VCL answers only the app's own addresses and hard-purges with xkey).
- "fastly": `POST {FASTLY_API_URL}/service/{FASTLY_SERVICE_ID}/purge` with the keys as
  `{"surrogate_keys": [...]}` (at most 256 a request) and the `Fastly-Key` token, as
  Fastly's API documents for purging by surrogate key.
- any dotted path to a class with a `purge(keys)` method (the tests record purges so).

No backends (the default, and what `make run` uses) makes purging a no-op. A purge never
fails or holds up the editor's save: every request has PURGE_TIMEOUT seconds (they run side
by side, so the save waits that long at most), and a failure is logged as a warning. A lost
purge is bounded by EDGE_TTL, the longest any page stays at the edge.
"""

from __future__ import annotations

import functools
import json
import logging
import urllib.request
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Protocol

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

FASTLY_BATCH = 256  # the most keys Fastly takes in one purge request


class PurgeBackend(Protocol):
    def purge(self, keys: list[str]) -> None: ...


class HttpPurgeBackend:
    """A backend that purges with plain HTTP requests, sent by purge() side by side."""

    def requests(self, keys: list[str]) -> list[urllib.request.Request]:
        raise NotImplementedError

    def purge(self, keys: list[str]) -> None:
        _send(self.requests(keys))


class VarnishPurge(HttpPurgeBackend):
    def requests(self, keys: list[str]) -> list[urllib.request.Request]:
        header = " ".join(keys)
        return [
            urllib.request.Request(url, method="PURGE", headers={"xkey-purge": header})
            for url in settings.VARNISH_PURGE_URLS
        ]


class FastlyPurge(HttpPurgeBackend):
    def requests(self, keys: list[str]) -> list[urllib.request.Request]:
        url = f"{settings.FASTLY_API_URL.rstrip('/')}/service/{settings.FASTLY_SERVICE_ID}/purge"
        headers = {
            "Fastly-Key": settings.FASTLY_API_TOKEN,
            "Accept": "application/json",
            "Content-Type": "application/json",
        }
        if settings.FASTLY_SOFT_PURGE:
            headers["Fastly-Soft-Purge"] = "1"
        return [
            urllib.request.Request(
                url,
                method="POST",
                headers=headers,
                data=json.dumps({"surrogate_keys": keys[i : i + FASTLY_BATCH]}).encode(),
            )
            for i in range(0, len(keys), FASTLY_BATCH)
        ]


NAMED_BACKENDS: dict[str, type] = {"varnish": VarnishPurge, "fastly": FastlyPurge}


@functools.cache
def backends() -> tuple[PurgeBackend, ...]:
    """The backends settings.PURGE_BACKENDS names, made once per process."""
    return tuple(
        (NAMED_BACKENDS.get(name) or import_string(name))() for name in settings.PURGE_BACKENDS
    )


@receiver(setting_changed)
def _settings_changed(setting: str, **kwargs) -> None:
    if setting == "PURGE_BACKENDS":
        backends.cache_clear()


def purge(keys: Iterable[str]) -> None:
    """Drop every page carrying any of keys from every edge cache. Never raises."""
    keys = sorted(set(keys))
    if not keys:
        return
    for backend in backends():
        try:
            backend.purge(keys)
        except Exception:  # a purge must never fail a save; the edge TTL bounds a lost one
            logger.warning("Purge of %s by %s failed", keys, type(backend).__name__, exc_info=True)


def _send(requests: list[urllib.request.Request]) -> None:
    """Send the requests side by side; wait PURGE_TIMEOUT at most, log what failed."""
    if not requests:
        return
    timeout = settings.PURGE_TIMEOUT
    pool = ThreadPoolExecutor(max_workers=min(len(requests), 8))
    try:
        futures = {pool.submit(_open, request, timeout): request for request in requests}
        done, late = wait(futures, timeout=timeout)
        for future in late:
            _warn(futures[future], f"no answer within {timeout} s")
        for future in done:
            if future.exception() is not None:
                _warn(futures[future], str(future.exception()))
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _open(request: urllib.request.Request, timeout: float) -> None:
    with urllib.request.urlopen(request, timeout=timeout) as answer:
        answer.read()  # urlopen raises HTTPError for 4xx/5xx: a refused purge is logged


def _warn(request: urllib.request.Request, reason: str) -> None:
    logger.warning("Purge %s %s failed: %s", request.get_method(), request.full_url, reason)
