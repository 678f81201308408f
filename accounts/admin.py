from django.contrib import admin
from django.db import models
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from accounts.models import Author
from articles.admin_library import thumbnail


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    """Bylines: staff (linked to a login), guest contributors and agencies (no login)."""

    list_display = ["photo_thumb", "name", "job_title", "twitter", "user", "story_count"]
    list_display_links = ["photo_thumb", "name"]
    list_select_related = ["photo", "user"]
    list_filter = [("user", admin.EmptyFieldListFilter), "job_title"]
    search_fields = ["name", "slug", "job_title", "twitter", "user__username"]
    autocomplete_fields = ["photo", "user"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["name", "slug", "job_title", "bio", "photo"]}),
        ("Social profiles", {"fields": ["twitter", "website", "linkedin", "mastodon"]}),
        ("Login", {"fields": ["user"], "description": "Leave empty for guests and agencies."}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Meta.ordering is ignored once a query aggregates, so the order is stated here.
        stories = Count("bylines__article", distinct=True)
        return super().get_queryset(request).annotate(stories=stories).order_by("name")

    @admin.display(description="Photo")
    def photo_thumb(self, obj: Author) -> str:
        return thumbnail(obj.photo, size=48)

    @admin.display(description="Stories", ordering="stories")
    def story_count(self, obj: Author) -> int:
        return obj.stories
