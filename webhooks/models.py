"""Endpoints partners registered, and every attempt to deliver an event to one.

A Delivery is one attempt: a failed one that may be retried makes the next attempt's row
(same webhook id, payload and event; attempt + 1; due after an exponential backoff) and queues
its job to run then. An endpoint whose attempts fail WEBHOOK_PAUSE_AFTER times in a row is
paused; nothing is sent to a paused endpoint until an editor resumes it.
"""

from __future__ import annotations

import datetime as dt
import http.client
import logging
import secrets
import time
import urllib.error
import urllib.request
import uuid
from typing import Any

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

import webhooks
from webhooks import payloads

logger = logging.getLogger(__name__)


class Event(models.TextChoices):
    PUBLISHED = webhooks.PUBLISHED, "Published"
    UPDATED = webhooks.UPDATED, "Updated significantly"
    CORRECTED = webhooks.CORRECTED, "Corrected"
    WITHDRAWN = webhooks.WITHDRAWN, "Withdrawn"
    LIVE_ENTRY = webhooks.LIVE_ENTRY, "Live entry posted"


validate_endpoint_url = URLValidator(
    schemes=["http", "https"],
    message="Enter a full address starting with http:// or https://, "
    "e.g. https://partner.example/hooks/newsroom.",
)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class EndpointQuerySet(models.QuerySet):
    def active(self):
        return self.filter(paused_at__isnull=True)


class Endpoint(models.Model):
    url = models.CharField(
        "URL",
        max_length=500,
        validators=[validate_endpoint_url],
        help_text="Where the newsroom POSTs each event, as JSON.",
    )
    description = models.CharField(
        max_length=200, blank=True, help_text="Whose endpoint this is, and who to call about it."
    )
    events = models.JSONField(default=list, help_text="The events this endpoint is sent.")
    secret = models.CharField(
        max_length=100,
        default=new_secret,
        editable=False,
        help_text="Give it to the receiver: it signs every delivery (see Webhook-Signature).",
    )
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    paused_at = models.DateTimeField(null=True, blank=True, editable=False)
    paused_reason = models.CharField(max_length=500, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EndpointQuerySet.as_manager()

    class Meta:
        ordering = ["url"]
        verbose_name = "webhook endpoint"

    def __str__(self) -> str:
        return self.url

    def wants(self, event: str) -> bool:
        return self.paused_at is None and event in self.events

    def is_paused(self) -> bool:
        return self.paused_at is not None

    def resume(self) -> None:
        """Deliver again from the next event on (what was missed while paused is not resent)."""
        self.paused_at, self.paused_reason, self.consecutive_failures = None, "", 0
        self.save(update_fields=["paused_at", "paused_reason", "consecutive_failures"])

    def new_secret(self) -> None:
        self.secret = new_secret()
        self.save(update_fields=["secret"])

    def _attempt_failed(self, why: str) -> bool:
        """Count one more failed attempt in a row; pause once there are too many. Returns
        whether the endpoint is paused now."""
        Endpoint.objects.filter(pk=self.pk).update(
            consecutive_failures=F("consecutive_failures") + 1
        )
        limit = settings.WEBHOOK_PAUSE_AFTER
        reason = f"Paused after {limit} failed deliveries in a row; the last: {why}"[:500]
        paused = Endpoint.objects.filter(
            pk=self.pk, paused_at__isnull=True, consecutive_failures__gte=limit
        ).update(paused_at=timezone.now(), paused_reason=reason)
        self.refresh_from_db(fields=["consecutive_failures", "paused_at", "paused_reason"])
        if paused:
            logger.warning("Webhook endpoint %s paused: %s", self.url, reason)
        return self.paused_at is not None

    def _attempt_succeeded(self) -> None:
        Endpoint.objects.filter(pk=self.pk).update(consecutive_failures=0)


class DeliveryQuerySet(models.QuerySet):
    def queue(self, event: str, article_id: int, details: dict[str, Any]) -> list[Delivery]:
        """One delivery per endpoint that wants event, each with its job queued; a published
        story due later is delivered when it goes live (the job runs after publish_at)."""
        from articles.models import Article, Status

        # Endpoints first: with none registered, a workflow step costs one small query.
        endpoints = [e for e in Endpoint.objects.active() if e.wants(event)]
        if not endpoints:
            return []
        article = (
            Article.objects.select_related("section")
            .prefetch_related("bylines__author")
            .filter(pk=article_id)
            .first()
        )
        if article is None or not _is_news(event, article):
            return []
        scheduled = event == Event.PUBLISHED and article.status == Status.PUBLISHED
        due = article.publish_at if scheduled and article.publish_at > timezone.now() else None
        payload = payloads.build(event, article, details)
        deliveries = self.bulk_create(
            Delivery(
                endpoint=endpoint,
                event=event,
                article=article,
                payload=payload,
                due_at=due or timezone.now(),
                publish_at=article.publish_at if event == Event.PUBLISHED else None,
            )
            for endpoint in endpoints
        )
        for delivery in deliveries:
            delivery.enqueue()
        return deliveries


def _is_news(event: str, article) -> bool:
    """Whether the story, as committed, is in the state the event speaks of (a step undone
    in the same request, or a draft's "significant" edit, is nobody's news)."""
    from articles.models import Status

    if event == Event.PUBLISHED:
        return article.status == Status.PUBLISHED
    if event == Event.WITHDRAWN:
        return not article.is_live()
    return article.is_live()


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Queued"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Not sent"

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=20, choices=Event.choices)
    article = models.ForeignKey(
        "articles.Article", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The Webhook-Id header: the same for every attempt at one event, so receivers can
    # drop a repeat.
    webhook_id = models.UUIDField(default=uuid.uuid4)
    payload = models.JSONField()
    attempt = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # A "published" event of a scheduled story goes out only if the story is still due then.
    publish_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField()
    attempted_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True)
    error = models.TextField(blank=True)
    retry_at = models.DateTimeField(
        null=True, blank=True, help_text="When the next attempt is due, if this one failed."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "deliveries"
        indexes = [models.Index(fields=["endpoint", "-created_at"], name="delivery_endpoint_idx")]

    def __str__(self) -> str:
        return f"{self.get_event_display()} to {self.endpoint} (attempt {self.attempt})"

    def enqueue(self) -> None:
        """Queue the job that makes this attempt, to run when it is due."""
        from webhooks.tasks import deliver

        if self.due_at > timezone.now():
            if not deliver.get_backend().supports_defer:
                self._skip("The job queue cannot wait (TASKS_BACKEND=immediate has no worker).")
                return
            deliver.using(run_after=self.due_at).enqueue(self.pk)
        else:
            deliver.enqueue(self.pk)

    def _skip(self, why: str) -> None:
        self.status, self.error = Delivery.Status.SKIPPED, why
        self.save(update_fields=["status", "error"])

    def send(self) -> None:
        """Make this attempt, once (a job run twice sends nothing more), and log it."""
        with transaction.atomic():
            claimed = Delivery.objects.filter(
                pk=self.pk, status=Delivery.Status.PENDING, attempted_at__isnull=True
            ).update(attempted_at=timezone.now())
            if not claimed:
                return
        self.refresh_from_db()
        endpoint = self.endpoint
        if endpoint.is_paused():
            return self._skip("The endpoint is paused.")
        if self.publish_at is not None and not self._still_due():
            return self._skip("The story was unpublished or rescheduled before it went live.")
        started = time.monotonic()
        self.status_code, self.response_excerpt, self.error = _post(
            endpoint, self.webhook_id, payloads.encode(self.payload)
        )
        self.duration_ms = round((time.monotonic() - started) * 1000)
        ok = self.status_code is not None and 200 <= self.status_code < 300
        self.status = Delivery.Status.DELIVERED if ok else Delivery.Status.FAILED
        if ok:
            endpoint._attempt_succeeded()
        elif not endpoint._attempt_failed(self.error or f"HTTP {self.status_code}"):
            self._schedule_retry()
        self.save()

    def _still_due(self) -> bool:
        article = self.article
        if article is None:
            return False
        article.refresh_from_db()
        if not (article.is_live() and article.publish_at == self.publish_at):
            return False
        # It goes out as it is now: the headline may have changed since it was scheduled.
        self.payload = payloads.build(self.event, article, {})
        return True

    def _schedule_retry(self) -> None:
        if self.attempt >= settings.WEBHOOK_MAX_ATTEMPTS:
            return
        delay = settings.WEBHOOK_RETRY_SECONDS * 2 ** (self.attempt - 1)
        self.retry_at = timezone.now() + dt.timedelta(seconds=delay)
        retry = Delivery.objects.create(
            endpoint=self.endpoint,
            event=self.event,
            article=self.article,
            webhook_id=self.webhook_id,
            payload=self.payload,
            attempt=self.attempt + 1,
            publish_at=None,  # it went out once already: its story's time was checked
            due_at=self.retry_at,
        )
        retry.enqueue()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is the receiver's error: the body is not re-posted somewhere else."""

    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)
EXCERPT = 500


def _post(endpoint: Endpoint, webhook_id: uuid.UUID, body: bytes) -> tuple[int | None, str, str]:
    """POST the signed body; (status code or None, the response's start, the error)."""
    timestamp = int(time.time())
    request = urllib.request.Request(
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": f"{settings.SITE_NAME} webhooks",
            "Webhook-Id": str(webhook_id),
            "Webhook-Timestamp": str(timestamp),
            "Webhook-Signature": payloads.signature(endpoint.secret, timestamp, body),
        },
    )
    try:
        with _opener.open(request, timeout=settings.WEBHOOK_TIMEOUT) as answer:
            return answer.status, _excerpt(answer), ""
    except urllib.error.HTTPError as refused:
        return refused.code, _excerpt(refused), f"HTTP {refused.code} {refused.reason}"
    except (OSError, ValueError, http.client.HTTPException) as failure:
        # refused, reset, timed out, a bad address, an answer that is not HTTP
        reason = getattr(failure, "reason", failure)
        return None, "", f"{type(reason).__name__}: {reason}"[:500]


def _excerpt(answer) -> str:
    return answer.read(EXCERPT).decode("utf-8", errors="replace")
