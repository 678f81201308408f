"""The newsletter on the desk: editors (PUBLISH_PERMISSION, as for fronts) arrange an edition's
stories and note, preview it and send it; journalists see none of it, and the send view
refuses them (Edition.send checks the permission itself)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from articles.admin_fronts import EditorsOnly
from articles.models import Article
from newsletter.mail import edition_context
from newsletter.models import Edition, EditionItem, Subscriber


class EditionItemForm(forms.ModelForm):
    class Meta:
        model = EditionItem
        fields = ["position", "article"]

    def clean_article(self):
        article = self.cleaned_data["article"]
        if article and not Article.objects.live().filter(pk=article.pk).exists():
            raise forms.ValidationError("Only live stories can go in the newsletter.")
        return article


class EditionItemInline(EditorsOnly, admin.TabularInline):
    model = EditionItem
    form = EditionItemForm
    autocomplete_fields = ["article"]
    extra = 1
    verbose_name_plural = "Stories (in order of position; remove one with its Delete box)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("article__section")


@admin.register(Edition)
class EditionAdmin(EditorsOnly, admin.ModelAdmin):
    inlines = [EditionItemInline]
    list_display = ["__str__", "status", "sent_at", "delivered"]
    fields = ["date", "note"]
    change_form_template = "admin/newsletter/edition/change_form.html"

    @admin.display(description="Sent to")
    def delivered(self, edition: Edition) -> int:
        return edition.deliveries.count()

    def get_readonly_fields(self, request, obj=None):
        # A sent edition is a record of what went out.
        return ["date", "note"] if obj is not None and obj.status != Edition.Status.DRAFT else []

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.status != Edition.Status.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        edition = form.instance
        if not change and not edition.items.exists():
            # Added without stories: drafted from the front page, to arrange from there.
            Edition.objects.draft_for(edition.date)

    def get_urls(self):
        urls = [
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="newsletter_edition_preview",
            ),
            path(
                "<int:pk>/send/",
                self.admin_site.admin_view(require_POST(self.send_view)),
                name="newsletter_edition_send",
            ),
        ]
        return urls + super().get_urls()

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The e-mail as subscribers will get it (HTML, or ?format=text)."""
        edition = get_object_or_404(Edition, pk=pk)
        if not self.has_view_permission(request, edition):
            raise PermissionDenied
        context = edition_context(edition, edition.stories(), unsubscribe_url="#")
        if request.GET.get("format") == "text":
            body = render_to_string("newsletter/edition_email.txt", context)
            return HttpResponse(body, content_type="text/plain; charset=utf-8")
        return HttpResponse(render_to_string("newsletter/edition_email.html", context))

    def send_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        edition = get_object_or_404(Edition, pk=pk)
        try:
            edition.send(request.user)  # PermissionDenied (403) for anyone but editors
        except ValueError as refused:
            self.message_user(request, str(refused), messages.ERROR)
        else:
            count = Subscriber.objects.confirmed().count()
            self.message_user(
                request, f"{edition} is on its way to {count} subscriber{'s' * (count != 1)}."
            )
        return redirect(reverse("admin:newsletter_edition_change", args=[edition.pk]))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["subscribers"] = Subscriber.objects.confirmed().count()
        return super().render_change_form(request, context, add, change, form_url, obj)


@admin.register(Subscriber)
class SubscriberAdmin(EditorsOnly, admin.ModelAdmin):
    list_display = ["email", "created_at", "confirmed_at", "unsubscribed_at"]
    list_filter = [
        ("confirmed_at", admin.EmptyFieldListFilter),
        ("unsubscribed_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["email"]
    readonly_fields = [
        "email",
        "created_at",
        "confirmation_sent_at",
        "confirmed_at",
        "unsubscribed_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False  # readers sign themselves up: double opt-in
