"""What a webhook says: the JSON body, and its signature.

The body is built when the event is queued (and again when a scheduled story's delivery
comes due, so it carries the story as it goes out). The signature is what receivers check,
as README.md › Webhooks documents: HMAC-SHA256 over "<timestamp>.<body>" with the endpoint's
secret, hex, sent as `Webhook-Signature: v1=<hex>`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from newsroom.addresses import absolute_url


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") if value else None


def story(article) -> dict[str, Any]:
    """The story as partners see it: what its public page shows, with its address."""
    return {
        "id": article.pk,
        "url": absolute_url(article.get_absolute_url()),
        "headline": article.headline,
        "standfirst": article.standfirst,
        "section": article.section.name,
        "kind": article.kind,
        "authors": [author.name for author in article.authors],
        "published_at": _iso(article.publish_at),
        "first_published_at": _iso(article.first_published_at),
        "updated_at": _iso(article.updated_at),
    }


def _field(entry: Any, *names: str) -> Any:
    for name in names:
        value = entry.get(name) if isinstance(entry, Mapping) else getattr(entry, name, None)
        if value is not None:
            return value
    return None


def live_entry(entry: Any, story_url: str) -> dict[str, Any]:
    """A live entry, from a mapping or a model instance alike (the live blog's LiveEntry)."""
    url = _field(entry, "url")
    if url is None and hasattr(entry, "get_absolute_url"):
        url = entry.get_absolute_url()
    posted = _field(entry, "posted_at", "created_at")
    return {
        "id": _field(entry, "id", "pk"),
        "posted_at": _iso(posted) if isinstance(posted, dt.datetime) else posted,
        "title": _field(entry, "title", "headline") or "",
        "body": _field(entry, "body", "text") or "",
        "url": absolute_url(url) if url else story_url,
    }


def build(event: str, article, details: Mapping[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "event": event,
        "occurred_at": _iso(timezone.now()),
        "story": story(article),
    }
    if correction := details.get("correction"):
        body["correction"] = {
            "id": correction.pk,
            "kind": correction.kind,
            "text": correction.text,
            "published_at": _iso(correction.published_at),
        }
    if (entry := details.get("entry")) is not None:
        body["entry"] = live_entry(entry, body["story"]["url"])
    return body


def encode(payload: Mapping[str, Any]) -> bytes:
    """The exact bytes sent and signed (receivers must verify these bytes, not re-encoded JSON)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The Webhook-Signature header's value for this body sent at this Unix time."""
    signed = f"{timestamp}.".encode() + body
    return "v1=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
