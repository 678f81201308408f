"""The desk's activity log: who created, edited and moved which story, and when.

A read-only list of ArticleEvent for editors, newest first, filtered by action, person,
story and day; each row links to its story. It reads the events table through the
indexes migration 0017 built, and counts no further than the admin's bounded paginator,
so it costs the same at a thousand events or millions.
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import connections
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from articles.models import PUBLISH_PERMISSION, Activity, Article, ArticleEvent
from articles.paging import BoundedChangelist
from articles.search import matching


def person_name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else "–"


class PersonFilter(admin.SimpleListFilter):
    """Events by one member of staff. The choices are the staff accounts (a few dozen
    rows), not the people found in the events, which would mean a DISTINCT over all."""

    title = "person"
    parameter_name = "actor"

    def lookups(self, request, model_admin):
        staff = get_user_model().objects.filter(is_staff=True)
        people = staff.only("username", "first_name", "last_name").order_by(
            "first_name", "last_name", "username"
        )
        return [(user.pk, person_name(user)) for user in people]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(actor_id=int(value)) if value and value.isdigit() else queryset


class StoryFilter(admin.SimpleListFilter):
    """One story's events (the change form's “activity log” link). It offers only the story
    chosen, to show which one and to clear it: a choice of every story would be the archive."""

    title = "story"
    parameter_name = "article"

    def lookups(self, request, model_admin):
        value = self.value()
        if not (value and value.isdigit()):
            return []
        return list(Article.objects.filter(pk=int(value)).values_list("pk", "headline"))

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(article_id=int(value)) if value and value.isdigit() else queryset


@admin.register(Activity)
class ActivityLogAdmin(BoundedChangelist, admin.ModelAdmin):
    list_display = ["when", "person", "action_done", "story", "states", "note"]
    list_display_links = None
    list_filter = ["action", PersonFilter, StoryFilter, "created_at"]
    # SQLite's search (PostgreSQL searches the stories' search documents: get_search_results).
    search_fields = ["article__headline"]
    search_help_text = "Words of the story's headline (on PostgreSQL, of the whole story)."
    list_select_related = ["article", "actor"]
    list_per_page = 100
    actions = None
    show_facets = admin.ShowFacets.NEVER  # a count per choice over every event: not at scale

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).for_activity_log()

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        """On PostgreSQL the stories are found through their search documents' index (a
        headline match over every story would read the whole story table); their events
        are then a semi-join on the events' story key."""
        if search_term.strip() and connections[queryset.db].vendor == "postgresql":
            stories = matching(Article.objects.all(), search_term).values("pk")
            return queryset.filter(article_id__in=stories), False
        return super().get_search_results(request, queryset, search_term)

    def changelist_view(self, request: HttpRequest, extra_context=None):
        return super().changelist_view(request, {"title": "Activity log", **(extra_context or {})})

    # --- Columns ----------------------------------------------------------------------

    @admin.display(description="When", ordering="created_at")
    def when(self, event: ArticleEvent):
        return event.created_at

    @admin.display(description="Who")
    def person(self, event: ArticleEvent) -> str:
        return person_name(event.actor)

    @admin.display(description="Action")
    def action_done(self, event: ArticleEvent) -> str:
        return event.get_action_display() or "–"

    @admin.display(description="Story")
    def story(self, event: ArticleEvent) -> str:
        url = reverse("admin:articles_article_change", args=[event.article_id])
        return format_html('<a href="{}">{}</a>', url, event.article.headline)

    @admin.display(description="State")
    def states(self, event: ArticleEvent) -> str:
        if not event.from_status or event.from_status == event.to_status:
            return event.to_status
        return f"{event.from_status} → {event.to_status}"

    # --- Editors only, and read-only --------------------------------------------------

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        """The desk's log names every story, drafts included: for editors, not journalists
        (who see their own stories' events on the story itself)."""
        return request.user.has_perm(PUBLISH_PERMISSION)

    def get_urls(self):
        # No add or delete pages at all: a log is not written by hand, and their refusal
        # (403) would answer even an address that names no event.
        return [
            url for url in super().get_urls() if not str(url.name).endswith(("_add", "_delete"))
        ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
