"""Webhook endpoints and their delivery log in the admin: editors only (PUBLISH_PERMISSION),
whatever other permissions a user has; the log is read-only."""

import json

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from articles.models import PUBLISH_PERMISSION
from webhooks.models import Delivery, Endpoint, Event, validate_endpoint_url


def _editor(request: HttpRequest) -> bool:
    return request.user.is_active and request.user.has_perm(PUBLISH_PERMISSION)


class EndpointForm(forms.ModelForm):
    # A CharField, not a URLField: that one quietly prefixes "http://" to "example.com/x"
    # and takes ftp://; here the editor is told what a usable address looks like.
    url = forms.CharField(label="URL", max_length=500, validators=[validate_endpoint_url])
    events = forms.MultipleChoiceField(
        choices=Event.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="The endpoint is sent only these events.",
        error_messages={"required": "Choose at least one event to send."},
    )

    class Meta:
        model = Endpoint
        fields = ["url", "description", "events"]

    def clean_url(self) -> str:
        return self.cleaned_data["url"].strip()


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    form = EndpointForm
    list_display = ["url", "description", "event_list", "state"]
    search_fields = ["url", "description"]
    actions = ["resume", "make_new_secret"]

    def get_readonly_fields(self, request, obj=None):
        return ["secret", "state", "consecutive_failures"] if obj is not None else []

    def get_fields(self, request, obj=None):
        fields = ["url", "description", "events"]
        return [*fields, "secret", "state", "consecutive_failures"] if obj else fields

    def save_model(self, request, obj: Endpoint, form, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        """Straight to the new endpoint's page: its secret is shown there, for the receiver."""
        messages.info(request, "Give the receiver the secret shown below: it signs every delivery.")
        return HttpResponseRedirect(reverse("admin:webhooks_endpoint_change", args=[obj.pk]))

    @admin.display(description="events")
    def event_list(self, endpoint: Endpoint) -> str:
        labels = dict(Event.choices)
        return ", ".join(labels.get(e, e) for e in endpoint.events)

    @admin.display(description="state")
    def state(self, endpoint: Endpoint) -> str:
        if endpoint.is_paused():
            return f"Paused: {endpoint.paused_reason}"
        return "Active"

    @admin.action(description="Resume delivery to the selected endpoints")
    def resume(self, request, queryset) -> None:
        for endpoint in queryset:
            endpoint.resume()
        self.message_user(request, f"Resumed {len(queryset)} endpoint(s).")

    @admin.action(description="Make a new secret for the selected endpoints")
    def make_new_secret(self, request, queryset) -> None:
        for endpoint in queryset:
            endpoint.new_secret()
        self.message_user(request, "New secrets made: give them to the receivers.")

    def has_module_permission(self, request):
        return _editor(request)

    def has_view_permission(self, request, obj=None):
        return _editor(request)

    def has_add_permission(self, request):
        return _editor(request)

    def has_change_permission(self, request, obj=None):
        return _editor(request)

    def has_delete_permission(self, request, obj=None):
        return _editor(request)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "endpoint",
        "event",
        "article",
        "attempt",
        "status",
        "status_code",
        "attempted_at",
        "error",
    ]
    list_filter = ["status", "event", "endpoint"]
    list_select_related = ["endpoint", "article"]
    fields = [
        "endpoint",
        "event",
        "article",
        "webhook_id",
        "attempt",
        "status",
        "created_at",
        "due_at",
        "attempted_at",
        "duration_ms",
        "status_code",
        "error",
        "response_excerpt",
        "retry_at",
        "pretty_payload",
    ]
    readonly_fields = fields

    @admin.display(description="payload")
    def pretty_payload(self, delivery: Delivery) -> str:
        text = json.dumps(delivery.payload, indent=2, ensure_ascii=False)
        return format_html("<pre>{}</pre>", text)

    def has_module_permission(self, request):
        return _editor(request)

    def has_view_permission(self, request, obj=None):
        return _editor(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
