"""The story editor: the Article admin, its inlines and the publishing workflow.

The admin stays thin. Who may see, edit, delete and move a story is decided by the model
(Article.can_view/can_edit/can_delete/available_transitions) and the workflow methods;
the hooks here only ask them, and the workflow URLs only call them.
"""

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from js_asset import Media
from reversion_compare.admin import CompareVersionAdmin

from accounts.models import Author
from articles import admin_library  # noqa: F401  (registers the library models first)
from articles.desk_time import desk_time, zone_label
from articles.forms import WORKFLOW_BUTTON, ArticleAdminForm, ShareLinkForm, WorkflowForm
from articles.models import (
    EDITOR_ONLY_FIELDS,
    PUBLISH_PERMISSION,
    Article,
    ArticleRedirect,
    Byline,
    Section,
    ShareLink,
    Status,
)
from articles.paging import BoundedChangelist
from articles.search import matching, planned_per_query

# Button labels, in the order the workflow panel shows them.
TRANSITION_LABELS = {
    "submit": "Submit for review",
    "publish": "Publish now",
    "schedule": "Schedule",
    "return_to_authors": "Return to authors",
    "unpublish": "Unpublish",
}
# What the workflow owns. A restored revision brings back the story, never its state:
# restoring an old draft must not unpublish it, nor an old live version republish it.
WORKFLOW_FIELDS = ("status", "publish_at", "first_published_at", "updated_at", "version", "slug")


def form_step_pressed(request: HttpRequest) -> bool:
    return bool(request.POST.get(WORKFLOW_BUTTON))


def desk_time_display(field: str, label: str):
    """A read-only time of the story as the desk reads it: its zone named, 24-hour."""

    @admin.display(description=label, ordering=field)
    def shown(self, obj: Article) -> str:
        return desk_time(getattr(obj, field), with_zone=True)

    return shown


class ParentEditableMixin:
    """Inline rows are editable only when the story itself is editable by this user."""

    def _story_editable(self, request: HttpRequest, obj: Article | None) -> bool:
        return obj is None or obj.can_edit(request.user)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._story_editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._story_editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._story_editable(request, obj)


class BylineInline(ParentEditableMixin, admin.TabularInline):
    model = Byline
    fields = ["position", "author", "role"]
    autocomplete_fields = ["author"]
    extra = 0
    verbose_name = "byline"
    verbose_name_plural = "Bylines (in the order readers see them)"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("author")


class StatusFilter(admin.SimpleListFilter):
    """Workflow states as readers experience them: a published story due later is Scheduled."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [
            (Status.DRAFT, "Draft"),
            (Status.IN_REVIEW, "Awaiting review"),
            (Status.RETURNED, "Returned to authors"),
            ("scheduled", "Scheduled"),
            ("live", "Live"),
            (Status.WITHDRAWN, "Withdrawn"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "scheduled":
            return queryset.scheduled()
        if value == "live":
            return queryset.live()
        if value in Status.values:
            return queryset.filter(status=value)
        return queryset


class AuthorFilter(admin.SimpleListFilter):
    """Stories by one author. Django's related-only filter finds its choices with a DISTINCT
    over every listed story's bylines, and filtering through the join makes the changelist
    de-duplicate the whole result; here the choices are the authors with any byline (one
    index probe each) and the filter a semi-join (ArticleQuerySet.by)."""

    title = "author"
    parameter_name = "bylines__author__id__exact"  # the address the old filter used

    def lookups(self, request, model_admin):
        bylined = Exists(Byline.objects.filter(author=OuterRef("pk")))
        return list(Author.objects.filter(bylined).order_by("name").values_list("pk", "name"))

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.by(int(value))
        return queryset


class SectionFilter(admin.RelatedFieldListFilter):
    """Sections named “Parent › Child” from one query, not one more per section."""

    def field_choices(self, field, request, model_admin):
        return [(s.pk, str(s)) for s in Section.objects.select_related("parent")]


class MineFilter(admin.SimpleListFilter):
    title = "whose"
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("yes", "Mine (started or bylined)")]

    def queryset(self, request, queryset):
        return queryset.owned_by(request.user) if self.value() == "yes" else queryset


@admin.register(Article)
class ArticleAdmin(BoundedChangelist, CompareVersionAdmin):
    form = ArticleAdminForm
    inlines = [BylineInline]
    list_display = ["story_headline", "state", "section", "byline", "publish_at", "modified_at"]
    list_display_links = ["story_headline"]
    list_filter = [
        StatusFilter,
        ("section", SectionFilter),
        AuthorFilter,
        MineFilter,
        "kind",
    ]
    list_select_related = ["section", "section__parent"]
    # SQLite's search (PostgreSQL searches the stored search document: get_search_results).
    search_fields = ["headline", "slug", "standfirst", "body", "bylines__author__name"]
    date_hierarchy = "publish_at"
    prepopulated_fields = {"slug": ["headline"]}
    autocomplete_fields = ["featured_image"]
    readonly_fields = [
        "state",
        "publish_time",
        "first_published_time",
        "updated_time",
        "reading_time",
        "created_by",
        "modified_by",
        "modified_time",
    ]
    actions = ["submit_selected", "publish_selected", "unpublish_selected"]
    change_form_template = "admin/articles/article/change_form.html"
    change_list_template = "admin/articles/article/change_list.html"
    history_latest_first = True
    list_per_page = 50
    save_on_top = True

    # --- Lists ------------------------------------------------------------------------

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        """Editors see every story; journalists the ones they started or have a byline on."""
        return (
            super()
            .get_queryset(request)
            .visible_to(request.user)
            .select_related("section__parent", "created_by", "modified_by")
            .defer("body", "search_document")  # the list shows neither; they are most of a row
            .prefetch_related(Prefetch("bylines", queryset=Byline.objects.select_related("author")))
        )

    def lookup_allowed(self, lookup, value, request=None):
        # AuthorFilter keeps the address Django's author filter had (bookmarked queues).
        return lookup == AuthorFilter.parameter_name or super().lookup_allowed(
            lookup, value, request
        )

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        """On PostgreSQL, the words of the stored search document (headline, standfirst,
        tags, body) through its GIN index, where icontains over the text would read every
        story; on SQLite, Django's search over search_fields."""
        if search_term.strip() and connections[queryset.db].vendor == "postgresql":
            return matching(queryset, search_term), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description="Headline", ordering="headline")
    def story_headline(self, obj: Article) -> str:
        """At most three lines in the list (desk.css); the whole headline as its tooltip."""
        return format_html(
            '<span class="desk-list-headline" title="{}">{}</span>', obj.headline, obj.headline
        )

    @admin.display(description="Status", ordering="status")
    def state(self, obj: Article) -> str:
        return obj.state_label

    @admin.display(description="Byline")
    def byline(self, obj: Article) -> str:
        return ", ".join(author.name for author in obj.authors) or "–"

    publish_time = desk_time_display("publish_at", "Publish at")
    first_published_time = desk_time_display("first_published_at", "First published")
    updated_time = desk_time_display("updated_at", "Last significant update")
    modified_time = desk_time_display("modified_at", "Last saved")

    @admin.display(description="Length")
    def reading_time(self, obj: Article) -> str:
        return f"{obj.word_count} words, {obj.reading_minutes} min read"

    def changelist_view(self, request: HttpRequest, extra_context=None):
        queues = [
            ("Awaiting review", "status=review"),
            ("Scheduled", "status=scheduled"),
            ("My drafts", "status=draft&mine=yes"),
            ("Returned to me", "status=returned&mine=yes"),
        ]
        context = {
            # The list needs the width of a laptop screen; the menu is in the breadcrumbs.
            "is_nav_sidebar_enabled": False,
            "queues": queues,
            "can_recover": self.has_publish_permission(request),
            **(extra_context or {}),
        }
        if request.method != "GET":
            return super().changelist_view(request, context)
        # Planned for this search and these filters, not with the site's generic plans: a
        # common word is found by walking the newest stories, a rare one through the search
        # index. Rendered inside, since the date drill-down queries as the page renders.
        with planned_per_query(using=self.model.objects.db):
            response = super().changelist_view(request, context)
            if hasattr(response, "render"):
                response.render()
        return response

    # --- The form ---------------------------------------------------------------------

    def get_readonly_fields(self, request: HttpRequest, obj: Article | None = None):
        """Placement (lead, breaking) is the desk's: shown to journalists, never taken from
        their posts (a read-only field is left out of the form, so a posted value is ignored)."""
        readonly = [*super().get_readonly_fields(request, obj)]
        if not request.user.has_perm(PUBLISH_PERMISSION):
            readonly += EDITOR_ONLY_FIELDS
        return readonly

    def get_fieldsets(self, request: HttpRequest, obj: Article | None = None):
        """In the order a story is written on deadline, for a 1366x768 screen: the headline
        at full width, then section, kind and dateline beside the bylines (the change form
        template puts the byline rows next to the "desk-credits" fieldset), the standfirst
        and a tall body editor; the photo and tags below it; placement, the address and
        search engine fields folded away; the read-only times last."""
        text = ["standfirst", "body"]
        if obj is not None:
            text.append("base_version")
        fieldsets = [
            (None, {"fields": ["headline"], "classes": ["desk-headline"]}),
            (None, {"fields": [("section", "kind"), "dateline"], "classes": ["desk-credits"]}),
            (None, {"fields": text, "classes": ["desk-text"]}),
        ]
        if obj is not None and obj.is_live() and self.has_change_permission(request, obj):
            fieldsets.append(("This story is live", {"fields": ["update_kind"]}))
        fieldsets += [
            ("Photo and tags", {"fields": ["featured_image", "tags"]}),
            ("Placement", {"fields": [("is_lead", "is_breaking")], "classes": ["collapse"]}),
            (
                "Address and search engines",
                {"fields": ["slug", "meta_title", "meta_description"], "classes": ["collapse"]},
            ),
        ]
        if obj is not None:
            fieldsets.append(
                (
                    "Status",
                    {
                        "fields": [
                            ("state", "publish_time"),
                            ("first_published_time", "updated_time"),
                            "reading_time",
                            ("created_by", "modified_by", "modified_time"),
                        ],
                        "description": f"Times are the newsroom's ({zone_label()}), "
                        "on a 24-hour clock.",
                    },
                )
            )
        return fieldsets

    def get_object(self, request: HttpRequest, object_id: str, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        # While a revision is being restored the row holds the old version; keep today's state.
        for name, value in getattr(request, "_newsroom_keep_state", {}).items():
            if obj is not None:
                setattr(obj, name, value)
        return obj

    def save_model(self, request: HttpRequest, obj: Article, form, change: bool) -> None:
        """Stamp who started and who last changed the story; date significant updates."""
        if not change:
            obj.created_by = request.user
        obj.modified_by = request.user
        if change and form.is_significant_update():
            obj.mark_significant_update()
        super().save_model(request, obj, form, change)

    def get_form(self, request: HttpRequest, obj: Article | None = None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        # The form checks the workflow step pressed with the save for this user.
        restoring = getattr(request, "_newsroom_keep_state", {}).get("version")
        return type(
            form.__name__,
            (form,),
            {"desk_user": request.user, "version_before_restore": restoring},
        )

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        """Save bylines; then take the workflow step whose button saved the form, if any."""
        super().save_related(request, form, formsets, change)
        if not change:
            self._byline_for_writer(request.user, form.instance)
        step = form.workflow_step() if change else ""
        if step:
            note, at = form.cleaned_data["workflow_note"], form.cleaned_data["workflow_at"]
            try:
                self._take_step(request, form.instance, step, note, at)
            except PermissionDenied as refusal:  # the story changed hands while the form saved
                messages.error(request, f"Your edits were saved, but: {refusal}")

    def response_change(self, request: HttpRequest, obj: Article) -> HttpResponse:
        if form_step_pressed(request):
            return self._back_to_story(request, obj)
        return super().response_change(request, obj)

    @staticmethod
    def _byline_for_writer(user, article: Article) -> None:
        """A journalist's new story carries their byline; an editor's only if it has none."""
        author = Author.objects.filter(user=user).first()
        if author is None:
            return
        bylines = list(article.bylines.all())
        if any(b.author_id == author.pk for b in bylines):
            return
        if user.has_perm(PUBLISH_PERMISSION) and bylines:
            return
        position = max((b.position for b in bylines), default=-1) + 1
        Byline.objects.create(article=article, author=author, position=position)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk and not (context.get("revert") or context.get("recover")):
            context.update(self._desk_context(request, obj))
        # The story needs the whole width of a laptop screen (a 110-character headline, the
        # body); the admin's menu is one click away in the breadcrumbs.
        context["is_nav_sidebar_enabled"] = False
        # The rich text editor needs an inline import map; the CSP lets it run by nonce only.
        context["media"] = Media.from_media(context["media"], nonce=request.csp_nonce)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _desk_context(self, request: HttpRequest, obj: Article) -> dict[str, Any]:
        info = self.opts.app_label, self.opts.model_name
        transitions = obj.available_transitions(request.user)
        buttons = [
            {
                "name": name,
                "label": "Cancel schedule"
                if name == "unpublish" and obj.is_scheduled()
                else TRANSITION_LABELS[name],
            }
            for name in TRANSITION_LABELS
            if name in transitions
        ]
        can_share = request.user.has_perm("articles.add_sharelink")
        events = list(obj.events.select_related("actor")[:50])
        return {
            "workflow_buttons": buttons,
            "workflow_button_name": WORKFLOW_BUTTON,
            "workflow_events": events,
            # Shown above the form: what the last person to move the story had to say.
            "latest_note": next((event for event in events if event.note.strip()), None),
            "preview_url": reverse("articles:preview", args=[obj.pk]),
            "share_links": (
                obj.share_links.select_related("created_by", "article").prefetch_related("views")[
                    :20
                ]
                if can_share
                else []
            ),
            # Who opened the story's share links is for its editors to see.
            "show_share_views": self.has_publish_permission(request),
            "share_form": ShareLinkForm() if can_share else None,
            "share_create_url": reverse(f"admin:{info[0]}_{info[1]}_share", args=[obj.pk]),
            "now": timezone.now(),
        }

    def view_on_site(self, obj: Article) -> str | None:
        """Only a live story has a public page; the Preview button covers the rest."""
        return obj.get_absolute_url() if obj.is_live() else None

    # --- Permissions ------------------------------------------------------------------

    def has_view_permission(self, request: HttpRequest, obj: Article | None = None) -> bool:
        return super().has_view_permission(request, obj) and (
            obj is None or obj.can_view(request.user)
        )

    def has_change_permission(self, request: HttpRequest, obj: Article | None = None) -> bool:
        """Journalists change only their own drafts and returned stories (Article.can_edit)."""
        return super().has_change_permission(request, obj) and (
            obj is None or obj.can_edit(request.user)
        )

    def has_delete_permission(self, request: HttpRequest, obj: Article | None = None) -> bool:
        """A story that was ever public is withdrawn, not deleted (Article.can_delete)."""
        return super().has_delete_permission(request, obj) and (
            obj is None or obj.can_delete(request.user)
        )

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(PUBLISH_PERMISSION)

    def _article_for(self, request: HttpRequest, object_id: Any) -> Article:
        """The story, if this user may see it in the admin: 404 if none, 403 if not theirs."""
        try:
            pk = int(unquote(str(object_id)))
        except ValueError as exc:
            raise Http404 from exc
        article = get_object_or_404(Article.objects.select_related("section"), pk=pk)
        if not self.has_view_permission(request, article):
            raise PermissionDenied
        return article

    # --- Workflow ---------------------------------------------------------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/workflow/<str:transition>/",
                view(self.workflow_view),
                name="{}_{}_workflow".format(*info),
            ),
            path("<int:pk>/share/", view(self.share_view), name="{}_{}_share".format(*info)),
            path(
                "<int:pk>/share/<int:link_id>/revoke/",
                view(self.revoke_share_view),
                name="{}_{}_share_revoke".format(*info),
            ),
            *super().get_urls(),
        ]

    def _change_url(self, article: Article) -> str:
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[quote(article.pk)]
        )

    @staticmethod
    def _error_text(error: ValidationError) -> str:
        return " ".join(error.messages)

    def workflow_view(self, request: HttpRequest, pk: int, transition: str) -> HttpResponse:
        """A workflow step posted on its own, acting on the saved story (the change form's
        buttons save the form first instead): call the model's workflow method, no more.

        The model checks the user's permission (PermissionDenied becomes a 403) and the
        story's state (ValidationError becomes an error message); nothing changes then.
        """
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if transition not in TRANSITION_LABELS:
            raise Http404
        article = self._article_for(request, pk)
        form = WorkflowForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Check the note and the time: " + form.errors.as_text())
            return HttpResponseRedirect(self._change_url(article))
        note, at = form.cleaned_data["note"], form.cleaned_data["at"]
        self._take_step(request, article, transition, note, at)
        return self._back_to_story(request, article)

    def _take_step(self, request: HttpRequest, article: Article, transition: str, note, at) -> None:
        """Call the workflow method; a refusal of the state or input becomes a message.

        PermissionDenied is left to the caller: a 403 for a posted workflow URL.
        """
        try:
            if transition == "schedule":
                event = article.schedule(request.user, at, note=note)
            elif transition == "return_to_authors":
                event = article.return_to_authors(request.user, note)
            else:
                event = getattr(article, transition)(request.user, note=note)
        except ValidationError as error:
            messages.error(request, self._error_text(error))
        else:
            self.log_change(request, article, f"{event.from_status} → {event.to_status}")
            messages.success(request, f"“{article}” is now {event.to_status.lower()}.")

    def _back_to_story(self, request: HttpRequest, article: Article) -> HttpResponse:
        if self.has_view_permission(request, article):
            return HttpResponseRedirect(self._change_url(article))
        return HttpResponseRedirect(reverse("admin:articles_article_changelist"))

    def _run_transition(self, request: HttpRequest, queryset: QuerySet, name: str) -> None:
        done, refused = [], []
        for article in queryset:
            try:
                getattr(article, name)(request.user)
            except (PermissionDenied, ValidationError) as error:
                refused.append(f"“{article}” ({error})")
            else:
                done.append(article)
        if done:
            messages.success(request, f"{len(done)} stor{'y' if len(done) == 1 else 'ies'} done.")
        if refused:
            messages.warning(request, "Not changed: " + "; ".join(refused))

    @admin.action(description="Submit selected stories for review", permissions=["change"])
    def submit_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._run_transition(request, queryset, "submit")

    @admin.action(description="Publish selected stories now", permissions=["publish"])
    def publish_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._run_transition(request, queryset, "publish")

    @admin.action(description="Unpublish selected stories", permissions=["publish"])
    def unpublish_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._run_transition(request, queryset, "unpublish")

    # --- Share links ------------------------------------------------------------------

    def share_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Make an expiring review link for someone without an account."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._article_for(request, pk)
        if not request.user.has_perm("articles.add_sharelink"):
            raise PermissionDenied
        form = ShareLinkForm(request.POST)
        if form.is_valid():
            link = form.save(commit=False)
            link.article, link.created_by = article, request.user
            link.save()
            url = request.build_absolute_uri(link.secret_path())
            messages.success(
                request,
                format_html(
                    "Share link made; it works until {}: <a href='{}'>{}</a>",
                    timezone.localtime(link.expires_at).strftime("%d %b %Y %H:%M"),
                    url,
                    url,
                ),
            )
        else:
            messages.error(request, form.errors.as_text())
        return HttpResponseRedirect(self._change_url(article) + "#share-links")

    def revoke_share_view(self, request: HttpRequest, pk: int, link_id: int) -> HttpResponse:
        """Revoking is for editors and for whoever made the link."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._article_for(request, pk)
        link = get_object_or_404(ShareLink, pk=link_id, article=article)
        user = request.user
        if not (user.has_perm("articles.change_sharelink") or link.created_by_id == user.pk):
            raise PermissionDenied
        link.revoke()
        messages.success(request, "The share link no longer works.")
        return HttpResponseRedirect(self._change_url(article) + "#share-links")

    # --- History, compare, restore ----------------------------------------------------

    def history_view(self, request: HttpRequest, object_id: str, extra_context=None):
        self._article_for(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def compare_view(self, request: HttpRequest, object_id: str, extra_context=None):
        self._article_for(request, object_id)
        return super().compare_view(request, object_id, extra_context)

    def revision_view(self, request: HttpRequest, object_id: str, version_id, extra_context=None):
        """Restore an old version of the text, bylines and tags; the workflow state stays.

        Permission is checked on the story as it is now, before reversion rolls the row back.
        """
        article = self._article_for(request, object_id)
        if request.method == "POST" and not self.has_change_permission(request, article):
            raise PermissionDenied
        kept = WORKFLOW_FIELDS
        if not request.user.has_perm(PUBLISH_PERMISSION):
            kept += EDITOR_ONLY_FIELDS  # an old version must not bring back the desk's placement
        request._newsroom_keep_state = {name: getattr(article, name) for name in kept}
        old_url = article.get_absolute_url() if article.was_ever_published() else None
        response = super().revision_view(request, object_id, version_id, extra_context)
        if old_url and request.method == "POST" and response.status_code == 302:
            # The restored section may differ; readers' old address keeps working.
            article.refresh_from_db()
            if article.get_absolute_url() != old_url:
                ArticleRedirect.objects.update_or_create(
                    old_path=old_url, defaults={"article": article}
                )
        return response

    def recoverlist_view(self, request: HttpRequest, extra_context=None):
        if not self.has_publish_permission(request):
            raise PermissionDenied
        return super().recoverlist_view(request, extra_context)

    def recover_view(self, request: HttpRequest, version_id, extra_context=None):
        """Editors may bring back a deleted story; it returns as a draft, never straight live."""
        if not self.has_publish_permission(request):
            raise PermissionDenied
        request._newsroom_keep_state = {"status": Status.DRAFT, "publish_at": None}
        return super().recover_view(request, version_id, extra_context)
