"""The desk's reference material in the admin: photos, sections, tags, corrections,
the breaking-news banner and share links. The story editor itself lives in admin.py.

Permissions come from the roles migration (accounts/migrations/0003_roles.py); the hooks
here only add the per-object rules a group permission cannot express.
"""

from django import forms
from django.contrib import admin
from django.db.models import Count, OuterRef, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from reversion.admin import VersionAdmin
from taggit.models import Tag

from articles.apps import register_revisions
from articles.models import (
    PUBLISH_PERMISSION,
    BreakingBanner,
    Correction,
    Image,
    Section,
    ShareLink,
    TaggedArticle,
    tags_visible_to,
)
from articles.paging import BoundedChangelist, CappedCount, capped_display

register_revisions()  # before any VersionAdmin, so they all see the full registrations

THUMBNAIL_WIDTH = 480  # the smallest rendition, made on upload; lists never load originals
# Story counts in the tag and author lists stop here (“200+”): counting every story of a
# tag on each list page would grow with the archive (at most 100 rows × 201 index entries).
STORY_COUNT_CAP = 200


def thumbnail(image: Image | None, size: int = 80) -> str:
    """An <img> of the photo's smallest WebP rendition, or a dash."""
    if image is None or not image.file:
        return "–"
    return format_html(
        '<img src="{}" width="{}" alt="" loading="lazy" style="height:auto">',
        image.rendition_url(THUMBNAIL_WIDTH, "WEBP"),
        size,
    )


class ImageForm(forms.ModelForm):
    """The focal point may be left out (a form or script that predates it): the middle."""

    focal_x = forms.IntegerField(
        label="Focal point across (%)", min_value=0, max_value=100, required=False
    )
    focal_y = forms.IntegerField(
        label="Focal point down (%)", min_value=0, max_value=100, required=False
    )

    class Meta:
        model = Image
        fields = ["file", "alt_text", "caption", "credit", "focal_x", "focal_y"]

    def clean_focal_x(self) -> int:
        return 50 if self.cleaned_data["focal_x"] is None else self.cleaned_data["focal_x"]

    def clean_focal_y(self) -> int:
        return 50 if self.cleaned_data["focal_y"] is None else self.cleaned_data["focal_y"]


@admin.register(Image)
class ImageAdmin(BoundedChangelist, admin.ModelAdmin):
    form = ImageForm
    list_display = ["thumb", "alt_text", "credit", "dimensions", "uploaded_by", "created_at"]
    list_display_links = ["thumb", "alt_text"]
    list_select_related = ["uploaded_by"]
    search_fields = ["alt_text", "caption", "credit"]
    list_filter = ["created_at"]
    date_hierarchy = "created_at"
    fields = [
        "preview",
        "file",
        "alt_text",
        "caption",
        "credit",
        ("focal_x", "focal_y"),
        "dimensions",
        "uploaded_by",
    ]
    readonly_fields = ["preview", "dimensions", "uploaded_by"]
    list_per_page = 50

    @admin.display(description="Photo")
    def thumb(self, obj: Image) -> str:
        return thumbnail(obj)

    @admin.display(description="Preview")
    def preview(self, obj: Image) -> str:
        return thumbnail(obj, size=320) if obj.pk else "–"

    @admin.display(description="Size (px)")
    def dimensions(self, obj: Image) -> str:
        return f"{obj.width} × {obj.height}" if obj.pk else "–"

    def has_change_permission(self, request: HttpRequest, obj: Image | None = None) -> bool:
        """Editors fix any photo's details; journalists only the photos they uploaded."""
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or self._manages_all(request) or obj.uploaded_by_id == request.user.pk

    def has_delete_permission(self, request: HttpRequest, obj: Image | None = None) -> bool:
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or self._manages_all(request) or obj.uploaded_by_id == request.user.pk

    @staticmethod
    def _manages_all(request: HttpRequest) -> bool:
        return request.user.has_perm(PUBLISH_PERMISSION)

    def save_model(self, request: HttpRequest, obj: Image, form, change: bool) -> None:
        if not change:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "parent", "position", "stories"]
    list_editable = ["position"]
    list_select_related = ["parent"]
    list_filter = [("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "parent", "position", "description"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(story_count=Count("articles"))

    @admin.display(description="Stories", ordering="story_count")
    def stories(self, obj: Section) -> int:
        return obj.story_count

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Two levels are enough for navigation (Nation › Politics); deeper trees confuse readers.
        if db_field.name == "parent":
            kwargs["queryset"] = Section.objects.filter(parent__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


admin.site.unregister(Tag)


@admin.register(Tag)
class TagAdmin(BoundedChangelist, admin.ModelAdmin):
    """Replaces taggit's admin, whose inline and merge tool only know its generic tag table."""

    list_display = ["name", "slug", "story_count"]
    search_fields = ["name", "slug"]
    ordering = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        """Journalists see the tags of live stories and of their own (the list and the story
        form's autocomplete both come from here); editors every tag."""
        # Counted per tag shown, up to the cap (not sortable: sorting would count every tag).
        links = TaggedArticle.objects.filter(tag=OuterRef("pk")).values("pk")
        visible = super().get_queryset(request) & tags_visible_to(request.user)
        return visible.annotate(stories=CappedCount(links, STORY_COUNT_CAP))

    @admin.display(description="Stories")
    def story_count(self, obj: Tag) -> str:
        return capped_display(obj.stories, STORY_COUNT_CAP)


@admin.register(Correction)
class CorrectionAdmin(VersionAdmin):
    """Corrections are part of the public record: every change is kept, nothing is deleted."""

    list_display = ["published_at", "kind", "short_text", "article", "created_by"]
    list_select_related = ["article", "created_by"]
    list_filter = ["kind", "published_at"]
    search_fields = ["text", "article__headline"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["article"]  # offers live stories only (limit_choices_to)
    fields = ["article", "kind", "text", "published_at", "created_by"]
    readonly_fields = ["created_by"]

    @admin.display(description="Text")
    def short_text(self, obj: Correction) -> str:
        return obj.text if len(obj.text) <= 90 else obj.text[:89] + "…"

    def has_delete_permission(self, request: HttpRequest, obj: Correction | None = None) -> bool:
        """Only a superuser may remove a correction; editors add a further note instead."""
        return request.user.is_superuser

    def save_model(self, request: HttpRequest, obj: Correction, form, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(BreakingBanner)
class BreakingBannerAdmin(admin.ModelAdmin):
    list_display = ["text", "starts_at", "ends_at", "is_showing"]
    search_fields = ["text"]
    date_hierarchy = "starts_at"
    fields = ["text", "url", "starts_at", "ends_at"]

    @admin.display(description="Showing now", boolean=True)
    def is_showing(self, obj: BreakingBanner) -> bool:
        return obj.starts_at <= timezone.now() < obj.ends_at


@admin.register(ShareLink)
class ShareLinkAdmin(admin.ModelAdmin):
    """Review links are made from the story; here they are listed and revoked."""

    list_display = ["article", "note", "created_by", "created_at", "expires_at", "state", "link"]
    list_select_related = ["article__section", "created_by"]
    list_filter = ["created_at"]
    search_fields = ["article__headline", "note"]
    readonly_fields = ["article", "note", "created_by", "created_at", "expires_at", "revoked_at"]
    fields = readonly_fields
    actions = ["revoke"]
    view_on_site = False  # the address is the secret; the link column shows it to those who may

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        """Editors see every link; anyone else only the ones they made (a token is a key)."""
        qs = super().get_queryset(request)
        if request.user.has_perm("articles.change_sharelink"):
            return qs
        return qs.filter(created_by=request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ShareLink | None = None) -> bool:
        # Every field is read-only; revoking is the only change, done by the action.
        return False

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        """Editors revoke any link; whoever may make links may revoke their own."""
        return request.user.has_perm("articles.change_sharelink") or request.user.has_perm(
            "articles.add_sharelink"
        )

    @admin.display(description="State")
    def state(self, obj: ShareLink) -> str:
        if obj.revoked_at:
            return "Revoked"
        return "Valid" if obj.is_valid() else "Expired"

    @admin.display(description="Link")
    def link(self, obj: ShareLink) -> str:
        if not obj.is_valid():
            return "–"
        return format_html('<a href="{0}" rel="noreferrer">{0}</a>', obj.secret_path())

    @admin.action(description="Revoke selected links", permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet) -> None:
        links = list(queryset.filter(revoked_at__isnull=True))
        for share_link in links:
            share_link.revoke()
        self.message_user(request, f"Revoked {len(links)} link(s); they stop working at once.")
