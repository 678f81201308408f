"""Who is told about a workflow step, and what they are told.

A receiver of ArticleEvent's post_save (connected in ArticlesConfig.ready()) waits for the
step's transaction to commit, then makes one Notification per person to tell, for their desk
home, and queues one e-mail each for the job queue's worker (articles.tasks): the workflow
methods stay as they are, and the editor's save never waits on the mail server.

- submitted for review: the editors (users who may publish, superusers aside);
- returned, scheduled, published: the story's journalists (who started it, and the bylined
  authors with a login), with the editor's note. A scheduled story is told once, when it is
  scheduled, with its time in the newsroom's zone: nothing happens at the minute it goes live
  (time decides, no job runs), so there is no second message then.

Never the person who took the step; inactive accounts neither.
"""

import contextlib
import contextvars
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_save
from django.utils import timezone

from articles.models import PUBLISH_PERMISSION, ArticleEvent, Notification, Status

Event = Notification.Event
# ArticleEvent records the state a step led to as its label ("Scheduled" for a story published
# for later): which of those are news, and for whom.
EVENT_FOR_STATE = {
    Status.IN_REVIEW.label: Event.SUBMITTED,
    Status.RETURNED.label: Event.RETURNED,
    "Scheduled": Event.SCHEDULED,
    Status.PUBLISHED.label: Event.PUBLISHED,
}
# Events that name their step (ArticleEvent.action, where it exists) say it outright: an
# "edited" event of a scheduled story leads to "Scheduled" too, and is nobody's news.
EVENT_FOR_ACTION = {
    "submitted": Event.SUBMITTED,
    "returned": Event.RETURNED,
    "scheduled": Event.SCHEDULED,
    "published": Event.PUBLISHED,
}


def event_kind(event: ArticleEvent) -> str | None:
    """The notification a workflow event calls for, or None."""
    action = getattr(event, "action", None)
    if action is not None:
        return EVENT_FOR_ACTION.get(action)
    return EVENT_FOR_STATE.get(event.to_status)


_muted = contextvars.ContextVar("desk_notifications_muted", default=False)


def connect() -> None:
    post_save.connect(_step_taken, sender=ArticleEvent, dispatch_uid="desk-notifications")


@contextlib.contextmanager
def muted():
    """Workflow steps taken inside tell no one: the demo loader's made-up history is no news,
    and two dozen mails would bury the logins `make run` prints."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def _step_taken(sender, instance: ArticleEvent, created: bool, **kwargs) -> None:
    if created and event_kind(instance) and not _muted.get():
        # robust: the step is committed by then; a failure here is logged, never the
        # editor's error page.
        transaction.on_commit(partial(notify, instance.pk), robust=True)


def notify(event_id: int) -> list[Notification]:
    """Tell the people concerned about this workflow step (on the desk and by e-mail)."""
    from articles.tasks import email_notification

    event = ArticleEvent.objects.select_related("article", "actor").filter(pk=event_id).first()
    kind = event_kind(event) if event else None
    if kind is None:
        return []
    people = editors() if kind == Event.SUBMITTED else journalists_of(event.article)
    if event.actor_id:
        people = people.exclude(pk=event.actor_id)
    message = describe(event, kind)
    notifications = Notification.objects.bulk_create(
        Notification(
            recipient=person,
            article=event.article,
            workflow_event=event,
            event=kind,
            message=message,
        )
        for person in people
    )
    for notification in notifications:
        email_notification.enqueue(notification.pk)
    return notifications


def editors():
    User = get_user_model()
    return User.objects.with_perm(
        PUBLISH_PERMISSION,
        include_superusers=False,
        backend="django.contrib.auth.backends.ModelBackend",
    )


def journalists_of(article):
    """Who started the story and its bylined authors with a login."""
    User = get_user_model()
    return User.objects.filter(
        Q(pk=article.created_by_id) | Q(author__bylines__article=article), is_active=True
    ).distinct()


def describe(event: ArticleEvent, kind: str) -> str:
    article, who = event.article, _name(event.actor)
    if kind == Event.SUBMITTED:
        return f"{who} submitted “{article.headline}” for review."
    if kind == Event.RETURNED:
        return f"{who} returned “{article.headline}” to you: {event.note}"
    if kind == Event.SCHEDULED:
        at = timezone.localtime(article.publish_at, timezone.get_default_timezone())
        return (
            f"{who} scheduled “{article.headline}” to go live at "
            f"{at:%H:%M} on {at:%d %b %Y} ({settings.TIME_ZONE})."
        )
    return f"{who} published “{article.headline}”."


def _name(user) -> str:
    if user is None:
        return "Someone"
    return user.get_full_name() or user.get_username()
