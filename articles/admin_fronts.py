"""Front pages in the admin: editors arrange the home page and each section's front by
placing stories in its slots, in order, each until an optional time.

Only editors (PUBLISH_PERMISSION) see or change fronts, whatever other permissions a user
has. Each save is a revision (django-reversion, with every placement) and a line in the
admin's history; articles.invalidation purges the pages at the edge after it commits.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from reversion.admin import VersionAdmin

from articles.apps import register_revisions
from articles.models import PUBLISH_PERMISSION, Front, Placement, Status

register_revisions()

# How many stories each slot takes (the views show no more).
SLOT_SIZES = {Placement.Slot.LEAD: 1, Placement.Slot.TOP: 6}


class PlacementFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        counts: dict[str, int] = {}
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            slot = form.cleaned_data["slot"]
            counts[slot] = counts.get(slot, 0) + 1
            expires = form.cleaned_data.get("expires_at")
            if expires and expires <= timezone.now() and form.has_changed():
                form.add_error("expires_at", "Choose a time in the future, or leave it empty.")
        for slot, count in counts.items():
            if count > SLOT_SIZES[slot]:
                label = Placement.Slot(slot).label
                raise ValidationError(
                    f"{label} holds at most {SLOT_SIZES[slot]} "
                    f"stor{'y' if SLOT_SIZES[slot] == 1 else 'ies'}; you placed {count}."
                )


class PlacementInline(admin.TabularInline):
    model = Placement
    formset = PlacementFormSet
    fields = ["slot", "position", "article", "expires_at"]
    autocomplete_fields = ["article"]
    extra = 1
    verbose_name = "placed story"
    verbose_name_plural = (
        "Placed stories (lead: 1, top stories: up to 6, in order of position; "
        "empty slots take the newest live stories)"
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("article__section")


class EditorsOnly:
    """Fronts are the desk's decision: a group permission alone is not enough."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(PUBLISH_PERMISSION) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm(PUBLISH_PERMISSION) and super().has_view_permission(
            request, obj
        )

    def has_add_permission(self, request, *args) -> bool:
        return request.user.has_perm(PUBLISH_PERMISSION) and super().has_add_permission(
            request, *args
        )

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.has_perm(PUBLISH_PERMISSION) and super().has_change_permission(
            request, obj
        )

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.has_perm(PUBLISH_PERMISSION) and super().has_delete_permission(
            request, obj
        )


class PlacementInlineForEditors(EditorsOnly, PlacementInline):
    pass


@admin.register(Front)
class FrontAdmin(EditorsOnly, VersionAdmin):
    inlines = [PlacementInlineForEditors]
    list_display = ["__str__", "placed"]
    list_select_related = ["section"]
    fields = ["section"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("placements__article")

    @admin.display(description="Placed now")
    def placed(self, front: Front) -> str:
        live = [p for p in front.placements.all() if p.article.status == Status.PUBLISHED]
        return ", ".join(f"{p.get_slot_display()}: {p.article.headline}" for p in live) or "–"

    def get_readonly_fields(self, request, obj=None):
        return ["section"] if obj is not None else []
