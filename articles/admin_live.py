"""The desk's side of live blogs: a page per live story with a short form at the top for
posting an entry fast, and the entries below it (correct, delete, approve), plus the list of
contributors whose entries wait for an editor's approval.

Every rule is the models' (Article.may_post_live, LiveEntry.can_edit / can_delete /
needs_review, approve and end_coverage check who may): this admin only calls them, so a
crafted POST is refused as the buttons are hidden. Each change is a line in the story's
history (ArticleEvent, so the activity log too) and a revision of the entry.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from accounts.models import Author
from articles.models import (
    PUBLISH_PERMISSION,
    Article,
    Kind,
    LiveEntry,
    LiveReviewedContributor,
    Status,
)

DESK_ENTRIES = 200  # the desk page lists this many newest entries
ENTRY_FIELDS = ["author", "headline", "body", "photo", "embed_url", "is_pinned", "is_key_event"]


def desk_url(article_id: int) -> str:
    return reverse("admin:articles_liveentry_desk", args=[article_id])


class QuickEntryForm(forms.ModelForm):
    """The few fields of an entry, for posting on deadline; the rest is the model's."""

    class Meta:
        model = LiveEntry
        fields = ENTRY_FIELDS

    def __init__(self, *args, user=None, admin_site=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["author"].queryset = Author.objects.order_by("name")
        own = (
            Author.objects.filter(user=user).values_list("pk", flat=True).first() if user else None
        )
        if own and not self.is_bound:
            self.initial.setdefault("author", own)
        photo = self.fields["photo"]
        photo.widget = AutocompleteSelect(
            LiveEntry._meta.get_field("photo"), admin_site or admin.site
        )
        photo.widget.choices = photo.choices  # as ModelChoiceField gives its own widget
        self.fields["body"].widget.attrs.setdefault("rows", 4)


@admin.register(LiveEntry)
class LiveEntryAdmin(admin.ModelAdmin):
    form = QuickEntryForm
    readonly_fields = ["article", "status", "created_by", "edited_by", "edited_at"]
    list_display = ["posted_at", "story", "title", "author", "status", "is_pinned", "is_key_event"]
    list_filter = ["status", "is_pinned", "is_key_event"]
    list_select_related = ["article", "author"]
    autocomplete_fields = ["photo"]
    list_per_page = 100
    actions = None  # deleting goes through remove(), one entry at a time, each logged
    show_facets = admin.ShowFacets.NEVER

    def get_fields(self, request, obj=None):
        return [*ENTRY_FIELDS, "posted_at", *self.readonly_fields]

    @admin.display(description="Live blog")
    def story(self, entry: LiveEntry) -> str:
        return format_html('<a href="{}">{}</a>', desk_url(entry.article_id), entry.article)

    @admin.display(description="Entry")
    def title(self, entry: LiveEntry) -> str:
        return entry.headline or entry.summary

    # --- Permissions: the models' rules ------------------------------------------------

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # entries are posted from their live blog's desk page

    def has_change_permission(self, request: HttpRequest, obj: LiveEntry | None = None) -> bool:
        if obj is not None:
            return obj.can_edit(request.user)
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: LiveEntry | None = None) -> bool:
        if obj is not None:
            return obj.can_delete(request.user)
        return super().has_delete_permission(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        site = self.admin_site

        class Bound(form):
            def __init__(self, *args, **kw):
                super().__init__(*args, user=request.user, admin_site=site, **kw)

        return Bound

    def save_model(self, request, obj: LiveEntry, form, change: bool) -> None:
        obj.correct(request.user)

    def delete_model(self, request, obj: LiveEntry) -> None:
        obj.remove(request.user)

    def response_change(self, request, obj: LiveEntry) -> HttpResponse:
        if "_continue" in request.POST:
            return super().response_change(request, obj)
        self.message_user(request, "The entry was corrected.", messages.SUCCESS)
        return HttpResponseRedirect(desk_url(obj.article_id))

    def response_delete(self, request, obj_display, obj_id) -> HttpResponse:
        article_id = getattr(request, "_live_article_id", None)
        if article_id:
            self.message_user(request, f"Deleted “{obj_display}”.", messages.SUCCESS)
            return HttpResponseRedirect(desk_url(article_id))
        return super().response_delete(request, obj_display, obj_id)

    def delete_view(self, request, object_id, extra_context=None):
        # Where to go back to afterwards; a malformed id is the admin's 404 below.
        request._live_article_id = (
            LiveEntry.objects.filter(pk=int(object_id)).values_list("article_id", flat=True).first()
            if str(object_id).isdigit() and len(str(object_id)) < 19
            else None
        )
        return super().delete_view(request, object_id, extra_context)

    def changelist_view(self, request: HttpRequest, extra_context=None):
        running = Article.objects.filter(
            kind=Kind.LIVE, status=Status.PUBLISHED, coverage_ended_at__isnull=True
        ).only("pk", "headline")[:50]
        context = {"live_blogs": [(story, desk_url(story.pk)) for story in running]}
        return super().changelist_view(request, {**context, **(extra_context or {})})

    # --- The desk page of one live blog -------------------------------------------------

    def get_urls(self):
        desk = path(
            "story/<int:article_id>/",
            self.admin_site.admin_view(self.desk_view),
            name="articles_liveentry_desk",
        )
        return [desk, *super().get_urls()]

    def desk_view(self, request: HttpRequest, article_id: int) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        article = get_object_or_404(
            Article.objects.select_related("section"), pk=article_id, kind=Kind.LIVE
        )
        user = request.user
        if not (article.is_live() or article.can_view(user)):
            # A live blog not out yet is as private as any draft: its own people only.
            raise PermissionDenied
        form = None
        if request.method == "POST":
            action = request.POST.get("desk_action", "post")
            if action == "post":
                if not article.may_post_live(user):
                    raise PermissionDenied
                form = QuickEntryForm(request.POST, user=user, admin_site=self.admin_site)
                if form.is_valid():
                    entry = form.save(commit=False)
                    entry.article = article
                    entry.post(user)
                    if entry.is_public:
                        self.message_user(request, "Posted.", messages.SUCCESS)
                    else:
                        self.message_user(
                            request, "Sent to the editors: it appears once approved.", messages.INFO
                        )
                    return HttpResponseRedirect(request.path)
            elif action == "approve":
                entry_id = request.POST.get("entry", "")
                if not entry_id.isdigit():
                    self.message_user(request, "Choose an entry to approve.", messages.ERROR)
                    return HttpResponseRedirect(request.path)
                entry = get_object_or_404(article.live_entries, pk=int(entry_id))
                entry.approve(user)  # PermissionDenied (403) for anyone but editors
                self.message_user(request, "Approved: readers see it now.", messages.SUCCESS)
                return HttpResponseRedirect(request.path)
            elif action in ("end", "resume"):
                if action == "end":
                    article.end_coverage(user)
                    note = "Coverage ended: the page is an archive now."
                else:
                    article.resume_coverage(user)
                    note = "Coverage resumed."
                self.message_user(request, note, messages.SUCCESS)
                return HttpResponseRedirect(request.path)
            else:
                self.message_user(request, "Unknown action.", messages.ERROR)
                return HttpResponseRedirect(request.path)
        if form is None:
            form = QuickEntryForm(user=user, admin_site=self.admin_site)
        entries = list(
            article.live_entries.select_related("author", "created_by").order_by(
                "status", "-is_pinned", "-posted_at", "-pk"
            )[:DESK_ENTRIES]
        )
        for entry in entries:
            entry.desk_can_edit = entry.can_edit(user)
            entry.desk_can_delete = entry.can_delete(user)
        is_editor = user.has_perm(PUBLISH_PERMISSION)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Live entries: {article.headline}",
            "article": article,
            "form": form,
            "media": self.media + form.media,
            "may_post": article.may_post_live(user),
            "is_editor": is_editor,
            "entries": entries,
            "needs_review": LiveEntry.needs_review(user),
            "story_change_url": reverse("admin:articles_article_change", args=[article.pk]),
            "public_url": article.get_absolute_url() if article.is_live() else "",
        }
        return TemplateResponse(request, "admin/articles/liveentry/desk.html", context)


@admin.register(LiveReviewedContributor)
class LiveReviewedContributorAdmin(admin.ModelAdmin):
    """Editors list the contributors whose entries wait for approval."""

    list_display = ["__str__", "note", "added_by", "created_at"]
    fields = ["user", "note"]
    list_select_related = ["user", "added_by"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = (
                get_user_model()
                .objects.filter(is_staff=True)
                .order_by("first_name", "last_name", "username")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change: bool) -> None:
        if not change:
            obj.added_by = request.user
        super().save_model(request, obj, form, change)
