from django.contrib import admin
from django.db import models
from django.db.models import OuterRef, QuerySet
from django.http import HttpRequest
from django_otp_webauthn.admin import WebAuthnCredentialAdmin
from django_otp_webauthn.models import WebAuthnCredential

from accounts.models import Author, SignInLockout
from articles.admin_library import STORY_COUNT_CAP, thumbnail
from articles.models import Byline
from articles.paging import BoundedChangelist, CappedCount, capped_display


@admin.register(Author)
class AuthorAdmin(BoundedChangelist, admin.ModelAdmin):
    """Bylines: staff (linked to a login), guest contributors and agencies (no login)."""

    list_display = ["photo_thumb", "name", "job_title", "twitter", "user", "story_count"]
    list_display_links = ["photo_thumb", "name"]
    list_select_related = ["photo", "user"]
    list_filter = [("user", admin.EmptyFieldListFilter), "is_organization", "job_title"]
    search_fields = ["name", "slug", "job_title", "twitter", "user__username"]
    autocomplete_fields = ["photo", "user"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["name", "slug", "is_organization", "job_title", "bio", "photo"]}),
        ("Social profiles", {"fields": ["twitter", "website", "linkedin", "mastodon"]}),
        ("Login", {"fields": ["user"], "description": "Leave empty for guests and agencies."}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Counted per author shown, up to the cap (not sortable: sorting would count them
        # all). A byline is one story per role, so the stories are the distinct articles.
        bylines = Byline.objects.filter(author=OuterRef("pk")).values("article_id").distinct()
        stories = CappedCount(bylines, STORY_COUNT_CAP)
        return super().get_queryset(request).annotate(stories=stories)

    @admin.display(description="Photo")
    def photo_thumb(self, obj: Author) -> str:
        return thumbnail(obj.photo, size=48)

    @admin.display(description="Stories")
    def story_count(self, obj: Author) -> str:
        return capped_display(obj.stories, STORY_COUNT_CAP)


@admin.register(SignInLockout)
class SignInLockoutAdmin(admin.ModelAdmin):
    """Failed logins per username and address; editors lift a lockout by selecting it."""

    list_display = ["username", "ip_address", "failures_since_start", "attempt_time", "locked"]
    list_filter = ["attempt_time"]
    search_fields = ["username", "ip_address"]
    readonly_fields = [
        "username",
        "ip_address",
        "user_agent",
        "failures_since_start",
        "attempt_time",
        "path_info",
    ]
    fields = readonly_fields
    actions = ["lift"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_actions(self, request: HttpRequest):
        # "Delete selected" would do the same with a confusing name; lifting is the verb.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(boolean=True, description="Locked now")
    def locked(self, obj: SignInLockout) -> bool:
        return obj.is_locked()

    @admin.action(permissions=["delete"], description="Lift the lockout (allow sign-in again)")
    def lift(self, request: HttpRequest, queryset: QuerySet) -> None:
        names = ", ".join(sorted({str(lockout) for lockout in queryset}))
        queryset.lift()
        self.message_user(request, f"Lifted: {names}. They can sign in again.")


# django-otp registers its authenticator apps and recovery codes in the admin; passkeys are
# left to the project. Superusers remove a lost one here (the staff member then enrols anew).
admin.site.register(WebAuthnCredential, WebAuthnCredentialAdmin)
