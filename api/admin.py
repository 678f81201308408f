"""API keys in the admin: editors issue and revoke them; the key is shown once, on creation."""

from django.contrib import admin, messages
from django.http import HttpRequest

from api.models import ApiKey
from articles.models import PUBLISH_PERMISSION


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "requests_per_minute", "created_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    readonly_fields = ["prefix", "created_by", "created_at", "revoked_at"]
    actions = ["revoke"]

    # Keys open the newsroom's content to other systems: the desk's decision (as fronts).
    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(PUBLISH_PERMISSION)

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm(PUBLISH_PERMISSION)

    def has_add_permission(self, request) -> bool:
        return request.user.has_perm(PUBLISH_PERMISSION)

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.has_perm(PUBLISH_PERMISSION)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # revoke instead: the row says who had access until when

    def save_model(self, request, obj: ApiKey, form, change) -> None:
        if not change:
            raw = obj.set_new_key()
            obj.created_by = request.user
            super().save_model(request, obj, form, change)
            messages.warning(
                request,
                f"The API key for “{obj.name}” is {raw} — copy it now: it is not stored and"
                " will not be shown again.",
            )
            return
        super().save_model(request, obj, form, change)

    @admin.action(description="Revoke selected API keys")
    def revoke(self, request, queryset) -> None:
        for key in queryset.active():
            key.revoke()
        self.message_user(request, "Revoked.", messages.SUCCESS)
