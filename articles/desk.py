"""The desk home: the admin's index shows each person the day's work.

Journalists see their own stories (ArticleQuerySet.owned_by: never a colleague's): drafts,
returned to them with the editor's latest note, in review, recently published. Editors see
the desk's: awaiting review (longest waiting first), scheduled (times in the newsroom's
zone), published today (the newsroom's day) and recently withdrawn. Each queue shows at most
QUEUE_LENGTH stories, one query each, and links to the story list filtered the same way.
"""

import dataclasses
import datetime as dt
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

from articles.models import PUBLISH_PERMISSION, Article, Notification, Status

QUEUE_LENGTH = 10
NOTIFICATIONS_SHOWN = 10
# Only what a row shows: the body and the search document are most of a story's row.
ROW_FIELDS = ("headline", "status", "publish_at", "modified_at", "section__name")


@dataclasses.dataclass
class Queue:
    """One list on the desk home. `when` names the attribute each story's time is read from,
    `shown_as` how it is shown: "ago" (how long since), "datetime" or "time"."""

    title: str
    stories: list[Article]
    more: bool
    list_url: str
    when: str
    when_heading: str
    shown_as: str = "datetime"
    show_note: bool = False
    empty: str = "Nothing here."

    def rows(self) -> list[tuple[Article, dt.datetime | None]]:
        return [(story, getattr(story, self.when)) for story in self.stories]


def queue(title: str, stories: QuerySet, filters: dict, **options) -> Queue:
    rows = list(stories.select_related("section").only(*ROW_FIELDS)[: QUEUE_LENGTH + 1])
    list_url = reverse("admin:articles_article_changelist") + "?" + urlencode(filters)
    return Queue(title, rows[:QUEUE_LENGTH], len(rows) > QUEUE_LENGTH, list_url, **options)


def journalist_queues(user) -> list[Queue]:
    mine = Article.objects.owned_by(user)
    return [
        queue(
            "My drafts",
            mine.drafts().order_by("-modified_at", "-pk"),
            {"status": Status.DRAFT, "mine": "yes"},
            when="modified_at",
            when_heading="Last saved",
        ),
        queue(
            "Returned to me",
            mine.returned()
            .with_moved_at(Status.RETURNED.label, "returned_at")
            .order_by("-returned_at", "-pk"),
            {"status": Status.RETURNED, "mine": "yes"},
            when="returned_at",
            when_heading="Returned",
            show_note=True,
        ),
        queue(
            "In review",
            mine.waiting_longest_first(),
            {"status": Status.IN_REVIEW, "mine": "yes"},
            when="submitted_at",
            when_heading="Waiting for",
            shown_as="ago",
        ),
        queue(
            "My recent publications",
            mine.live().newest_first(),
            {"status": "live", "mine": "yes"},
            when="publish_at",
            when_heading="Published",
        ),
    ]


def editor_queues(user) -> list[Queue]:
    stories = Article.objects.visible_to(user)
    today = timezone.localdate(timezone=timezone.get_default_timezone())
    start_of_day = dt.datetime.combine(today, dt.time.min, tzinfo=timezone.get_default_timezone())
    return [
        queue(
            "Awaiting review",
            stories.waiting_longest_first(),
            {"status": Status.IN_REVIEW},
            when="submitted_at",
            when_heading="Waiting for",
            shown_as="ago",
        ),
        queue(
            "Scheduled",
            stories.scheduled().order_by("publish_at", "pk"),
            {"status": "scheduled"},
            when="publish_at",
            when_heading=f"Goes live ({settings.TIME_ZONE})",
        ),
        queue(
            "Published today",
            stories.published_since(start_of_day).newest_first(),
            {
                "status": "live",
                "publish_at__year": today.year,
                "publish_at__month": today.month,
                "publish_at__day": today.day,
            },
            when="publish_at",
            when_heading=f"Went live ({settings.TIME_ZONE})",
            shown_as="time",
            empty="Nothing published yet today.",
        ),
        queue(
            "Recently withdrawn",
            stories.withdrawn()
            .with_moved_at(Status.WITHDRAWN.label, "withdrawn_at")
            .order_by("-withdrawn_at", "-pk"),
            {"status": Status.WITHDRAWN},
            when="withdrawn_at",
            when_heading="Withdrawn",
        ),
    ]


def desk_home(user) -> dict:
    """The desk home's context for user (nothing for staff who do not work on stories)."""
    if not user.has_perm("articles.view_article"):
        return {}
    editor = user.has_perm(PUBLISH_PERMISSION)
    # Unread come first: one more row says whether more are unread than are shown.
    notifications = list(Notification.objects.for_desk(user)[: NOTIFICATIONS_SHOWN + 1])
    unread = sum(1 for n in notifications if n.read_at is None)
    return {
        "desk_queues": editor_queues(user) if editor else journalist_queues(user),
        "desk_role": "editor" if editor else "journalist",
        "desk_notifications": notifications[:NOTIFICATIONS_SHOWN],
        "desk_unread": f"{NOTIFICATIONS_SHOWN}+" if unread > NOTIFICATIONS_SHOWN else unread,
        "desk_zone": settings.TIME_ZONE,
    }


def mark_notifications_read(request: HttpRequest) -> HttpResponse:
    """POST notification=<id> marks one of the user's own notifications as read; "all" marks
    every one. Anything else changes nothing and says so."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    which = request.POST.get("notification", "")
    mine = Notification.objects.filter(recipient=request.user)
    if which == "all":
        mine.mark_read()
    elif which.isdigit() and mine.filter(pk=int(which)).exists():
        mine.filter(pk=int(which)).mark_read()
    else:
        messages.error(request, "That notification is not one of yours; nothing was changed.")
    return HttpResponseRedirect(reverse("admin:index") + "#notifications")
