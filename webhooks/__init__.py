"""Webhooks: partners register an address in the admin and are told when a story is
published, significantly updated, corrected or withdrawn, or when a live entry is posted.

The articles app calls announce() (or announce_live_entry()) from its model transitions. It
only asks for a callback after the transaction commits: the editor's save never waits on, or
fails because of, a partner's server. The callback records one Delivery per endpoint that
wants the event and queues a job (webhooks.tasks.deliver) that POSTs the signed JSON.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction

# The event names (webhooks.models.Event's values), importable before the apps are ready.
PUBLISHED, UPDATED, CORRECTED, WITHDRAWN, LIVE_ENTRY = (
    "published",
    "updated",
    "corrected",
    "withdrawn",
    "live_entry",
)


def announce(event: str, article, **details: Any) -> None:
    """Tell the endpoints that want `event` about `article`, once the current transaction
    commits (right away outside one). details: `correction` for "corrected", `entry` for
    "live_entry" (see webhooks.payloads). Never raises into the caller's save."""
    transaction.on_commit(partial(_queue, event, article.pk, details), robust=True)


def announce_live_entry(article, entry: Any) -> None:
    """A live entry was posted on `article`. entry: a mapping or an object with `id`,
    `posted_at` (or `created_at`), and optionally `title`, `body`, `get_absolute_url()`."""
    announce(LIVE_ENTRY, article, entry=entry)


def _queue(event: str, article_id: int, details: dict[str, Any]) -> None:
    from webhooks.models import Delivery

    Delivery.objects.queue(event, article_id, details)
