"""The daily newsletter: readers who asked for it (double opt-in), the editions editors
prepare from the home page's front, and which subscriber each edition went to.

Addresses are confirmed through a signed, expiring link (django.core.signing); only
confirmed subscribers who have not unsubscribed get editions. A send is at most once per
subscriber: its Delivery row is written (and committed) before the message goes, so a retried
job skips everyone it already reached.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from articles import fronts
from articles.models import PUBLISH_PERMISSION, Article

CONFIRM_SALT = "newsletter.confirm"
UNSUBSCRIBE_SALT = "newsletter.unsubscribe"


class BadToken(Exception):
    """A confirmation or unsubscribe link that is not ours, or has run out (`expired`)."""

    def __init__(self, expired: bool = False):
        super().__init__("expired" if expired else "bad signature")
        self.expired = expired


class SubscriberQuerySet(models.QuerySet):
    def confirmed(self):
        """Who gets editions: confirmed and not unsubscribed since."""
        return self.filter(confirmed_at__isnull=False, unsubscribed_at__isnull=True)


class Subscriber(models.Model):
    email = models.EmailField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    unsubscribed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.email

    @property
    def is_subscribed(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None

    # --- Signing up ------------------------------------------------------------------------

    @classmethod
    def request(cls, email: str) -> Subscriber:
        """A reader asked for the newsletter at `email`: mail them a confirmation link, unless
        they are subscribed already or were sent one moments ago. The caller answers the same
        whatever happened here, so the page never tells whether an address is subscribed."""
        from newsletter import tasks

        email = email.strip().lower()
        subscriber, _ = cls.objects.get_or_create(email=email)
        if subscriber.is_subscribed:
            return subscriber
        recent = timezone.now() - dt.timedelta(minutes=settings.NEWSLETTER_RESEND_MINUTES)
        # One atomic claim: two quick requests for one address send one mail.
        claimed = (
            cls.objects.filter(pk=subscriber.pk)
            .filter(
                models.Q(confirmation_sent_at__isnull=True)
                | models.Q(confirmation_sent_at__lt=recent)
            )
            .update(confirmation_sent_at=timezone.now())
        )
        if claimed:
            transaction.on_commit(lambda: tasks.send_confirmation.enqueue(subscriber.pk))
        return subscriber

    def confirmation_token(self) -> str:
        return signing.dumps(self.email, salt=CONFIRM_SALT, compress=True)

    @classmethod
    def from_confirmation_token(cls, token: str) -> Subscriber:
        """The subscriber a confirmation link is for; BadToken if it is forged or too old."""
        max_age = dt.timedelta(hours=settings.NEWSLETTER_CONFIRM_HOURS)
        try:
            email = signing.loads(token, salt=CONFIRM_SALT, max_age=max_age)
        except signing.SignatureExpired:
            raise BadToken(expired=True) from None
        except signing.BadSignature:
            raise BadToken from None
        subscriber = cls.objects.filter(email=email).first()
        if subscriber is None:  # signed by us for an address since deleted
            raise BadToken
        return subscriber

    def confirm(self) -> None:
        """Start the editions (again, after an unsubscribe)."""
        if self.is_subscribed:
            return
        self.confirmed_at, self.unsubscribed_at = timezone.now(), None
        self.save(update_fields=["confirmed_at", "unsubscribed_at"])

    # --- Unsubscribing ---------------------------------------------------------------------

    def unsubscribe_token(self) -> str:
        # No expiry: an unsubscribe link in an old edition must keep working.
        return signing.dumps(self.pk, salt=UNSUBSCRIBE_SALT)

    @classmethod
    def from_unsubscribe_token(cls, token: str) -> Subscriber:
        try:
            pk = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        except signing.BadSignature:
            raise BadToken from None
        subscriber = cls.objects.filter(pk=pk).first()
        if subscriber is None:
            raise BadToken
        return subscriber

    def unsubscribe(self) -> None:
        if self.unsubscribed_at is None:
            self.unsubscribed_at = timezone.now()
            self.save(update_fields=["unsubscribed_at"])


class EditionQuerySet(models.QuerySet):
    def draft_for(self, day: dt.date, stories: int | None = None) -> Edition:
        """The edition of `day`, drafted from the home page if it has no stories yet: the
        home front's lead and top stories in the editors' order (sponsored ones only so), then
        the day's newest live editorial stories, `stories` in all."""
        edition, _ = self.get_or_create(date=day)
        if edition.status == Edition.Status.DRAFT and not edition.items.exists():
            edition.fill_from_front(stories or settings.NEWSLETTER_STORIES)
        return edition


class Edition(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"

    date = models.DateField(unique=True, default=timezone.localdate)
    note = models.TextField(
        "editor's note",
        blank=True,
        help_text="A few lines above the stories, in plain text (blank lines make paragraphs).",
    )
    status = models.CharField(
        max_length=8, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    objects = EditionQuerySet.as_manager()

    class Meta:
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{settings.SITE_NAME} daily, {self.date:%d %B %Y}"

    @property
    def subject(self) -> str:
        return str(self)

    def fill_from_front(self, count: int) -> None:
        now = timezone.now()
        placed = fronts.placed(now)
        lead = placed.lead(None)
        pks = list(dict.fromkeys([*([lead] if lead else []), *placed.top(None)]))[:count]
        start = dt.datetime.combine(self.date, dt.time.min, tzinfo=timezone.get_current_timezone())
        day = (
            Article.objects.live(now)
            .editorial()
            .filter(publish_at__gte=start, publish_at__lt=start + dt.timedelta(days=1))
            .exclude(pk__in=pks)
            .newest_first()
            .values_list("pk", flat=True)
        )
        pks += list(day[: max(0, count - len(pks))])
        EditionItem.objects.bulk_create(
            EditionItem(edition=self, article_id=pk, position=i) for i, pk in enumerate(pks)
        )

    def stories(self) -> list[Article]:
        """The stories as readers get them: in the editors' order, only those live now."""
        live = Article.objects.live().for_listing().defer("body", "search_document")
        pks = list(self.items.order_by("position", "pk").values_list("article_id", flat=True))
        by_pk = live.in_bulk(pks)
        return [by_pk[pk] for pk in pks if pk in by_pk]

    # --- Sending ---------------------------------------------------------------------------

    def send(self, user) -> None:
        """Queue this edition for every confirmed subscriber (editors only, once)."""
        from newsletter import tasks

        if not user.has_perm(PUBLISH_PERMISSION):
            raise PermissionDenied
        if not self.stories():
            raise ValueError("This edition has no live stories: add some before sending it.")
        claimed = Edition.objects.filter(pk=self.pk, status=self.Status.DRAFT).update(
            status=self.Status.SENDING, sent_by=user
        )
        if not claimed:
            raise ValueError("This edition is already sending or sent.")
        self.status, self.sent_by = self.Status.SENDING, user
        transaction.on_commit(lambda: tasks.send_edition.enqueue(self.pk))

    def pending(self):
        """Confirmed subscribers this edition has not gone to yet."""
        return Subscriber.objects.confirmed().exclude(
            pk__in=Delivery.objects.filter(edition=self).values("subscriber_id")
        )

    def claim(self, subscriber: Subscriber) -> bool:
        """Record that this edition goes to subscriber, before it goes: False if it has
        already (or another worker is sending it now)."""
        try:
            with transaction.atomic():
                Delivery.objects.create(edition=self, subscriber=subscriber)
        except IntegrityError:
            return False
        return True

    def release(self, subscriber: Subscriber) -> None:
        """The message was refused: a later send may try this subscriber again."""
        Delivery.objects.filter(edition=self, subscriber=subscriber).delete()

    def finish(self) -> None:
        Edition.objects.filter(pk=self.pk).update(status=self.Status.SENT, sent_at=timezone.now())


class EditionItem(models.Model):
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="items")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "article"], name="story_once_per_edition")
        ]
        verbose_name = "story"
        verbose_name_plural = "stories"

    def __str__(self) -> str:
        return f"{self.position}: {self.article}"


class Delivery(models.Model):
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "subscriber"], name="edition_once_per_subscriber"
            )
        ]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"{self.edition} to {self.subscriber}"
