"""The story editor: the Article admin, its inlines and the publishing workflow.

The admin stays thin. Who may see, edit, delete and move a story is decided by the model
(Article.can_view/can_edit/can_delete/available_transitions) and the workflow methods;
the hooks here only ask them, and the workflow URLs only call them.
"""

from types import SimpleNamespace
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
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
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from js_asset import Media
from reversion_compare.admin import CompareVersionAdmin

from accounts.models import Author
from articles import (  # noqa: F401  (register them first)
    admin_activity,
    admin_fronts,
    admin_library,
    admin_live,
)
from articles.compare import bylines_in, list_diff, tags_in, word_diff
from articles.desk_live import change_form_context, live_urls
from articles.desk_state import ArticleAutosave
from articles.desk_time import desk_time, zone_label
from articles.forms import (
    CONFIRMATIONS,
    NOT_EDITS,
    WORKFLOW_BUTTON,
    ArticleAdminForm,
    ReasonForm,
    ShareLinkForm,
    WithdrawForm,
    WorkflowForm,
    require_confirmation,
)
from articles.models import (
    EDITOR_ONLY_FIELDS,
    PUBLISH_PERMISSION,
    Article,
    ArticleRedirect,
    Byline,
    Section,
    ShareLink,
    Status,
    describe_changes,
)
from articles.paging import BoundedChangelist
from articles.search import matching, planned_per_query
from articles.text import readable_paragraphs

# Button labels, in the order the workflow panel shows them. Spiking is the Delete link's.
TRANSITION_LABELS = {
    "submit": "Submit for review",
    "publish": "Publish now",
    "schedule": "Schedule",
    "return_to_authors": "Return to authors",
    "restore": "Restore as withdrawn",
    "lift_embargo": "Lift embargo and publish now",
    "unschedule": "Cancel schedule",
    "unpublish": "Unpublish",
}
# What the confirmable steps do, said beside their box in the workflow panel.
CONFIRMATION_HELP = {
    "unpublish": "Readers get “This story has been withdrawn” (410) at its address, and it "
    "leaves every list, feed, sitemap and search.",
    "unschedule": "The story will not go out at its scheduled time; it goes back to draft.",
    "lift_embargo": "The story goes out now instead of at its scheduled time; the workflow "
    "history records that the embargo was lifted.",
}
SPIKE_HELP = (
    "A story that was ever published is never deleted: it is spiked. Readers get “This story "
    "has been withdrawn” (410) at its addresses and it leaves every list, feed, sitemap and "
    "search; its history, revisions, bylines and old addresses are kept, and editors can "
    "restore it (Status: Spiked in the story list). Stories never published are deleted."
)
# Posted by a confirmation page's button: the step was confirmed there.
CONFIRMED = "_confirmed"
# What the workflow owns. A restored revision brings back the story, never its state:
# restoring an old draft must not unpublish it, nor an old live version republish it.
WORKFLOW_FIELDS = ("status", "publish_at", "first_published_at", "updated_at", "version", "slug")
# Left out of revision compare: the workflow's fields (a restore never brings them back; the
# Workflow history shows the moves), what a save derives (word_count, search_document), the
# stamps of who saved when (the history list names each revision's author and time), and
# taggit's manager (the tags are compared as the revision's tag links, tagged_items).
COMPARE_EXCLUDE = (
    *WORKFLOW_FIELDS,
    "word_count",
    "search_document",
    "created_by",
    "created_at",
    "modified_by",
    "modified_at",
    "tags",
    "coverage_ended_at",  # set by End coverage, which the story's history records
)


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
            (Status.SPIKED, "Spiked (deleted after publication)"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:  # spiked stories were deleted: listed only when asked for
            return queryset.exclude(status=Status.SPIKED)
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
    actions = [
        "submit_selected",
        "publish_selected",
        "unpublish_selected",
        "delete_or_spike_selected",
    ]
    change_form_template = "admin/articles/article/change_form.html"
    change_list_template = "admin/articles/article/change_list.html"
    history_latest_first = True
    compare_exclude = COMPARE_EXCLUDE
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
        if request.GET.get("model_name") == "placement":  # a front's story picker
            queryset = queryset.filter(status=Status.PUBLISHED)
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
            (
                None,
                {
                    "fields": [("section", "kind"), "sponsor", "dateline"],
                    "classes": ["desk-credits"],
                },
            ),
            (None, {"fields": text, "classes": ["desk-text"]}),
        ]
        if obj is not None and obj.is_live() and self.has_change_permission(request, obj):
            fieldsets.append(("This story is live", {"fields": ["update_kind"]}))
        if obj is not None and obj.is_live_blog:
            # Once the story is saved as kind "Live"; its entries have their own page.
            fieldsets.append(("Live blog", {"fields": ["live_summary", "coverage_started_at"]}))
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
        significant = change and form.is_significant_update()
        if significant:
            obj.mark_significant_update()
        super().save_model(request, obj, form, change)
        if significant:
            obj.announce_significant_update()
        if change:
            ArticleAutosave.discard(obj, request.user)  # saved for real: nothing to restore

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
        """Save bylines and note the edit in the activity log; then take the workflow step
        whose button saved the form, if any (logged after the edit it follows)."""
        super().save_related(request, form, formsets, change)
        if not change:
            self._byline_for_writer(request.user, form.instance)
        self._log_edit(request, form, formsets, change)
        step = form.workflow_step() if change else ""
        if step:
            try:
                self._take_step(request, form.instance, step, **form.workflow_inputs())
            except PermissionDenied as refusal:  # the story changed hands while the form saved
                messages.error(request, f"Your edits were saved, but: {refusal}")

    def response_change(self, request: HttpRequest, obj: Article) -> HttpResponse:
        if form_step_pressed(request):
            return self._back_to_story(request, obj)
        return super().response_change(request, obj)

    def _log_edit(self, request: HttpRequest, form, formsets, change: bool) -> None:
        """One activity log event for this save, if it added or changed the story."""
        keep = getattr(request, "_newsroom_keep_state", None)
        if keep is not None:  # the whole story was rolled back to a revision and saved
            recovered = "version" not in keep  # recover_view keeps no version: it had none
            note = (
                "Recovered after it was deleted." if recovered else "Restored an earlier version."
            )
            form.instance.record_edit(request.user, note, created=recovered)
        elif not change:
            form.instance.record_edit(request.user, created=True)
        elif changed := self._changed_parts(form, formsets):
            form.instance.record_edit(request.user, describe_changes(changed))

    @staticmethod
    def _changed_parts(form, formsets) -> list[str]:
        """What a save changed, as the form names it: its fields' labels, then the inlines
        (“bylines”). The hidden version and the workflow panel's inputs are no edit."""
        fields = [
            form.fields[name].label or name for name in form.changed_data if name not in NOT_EDITS
        ]
        return fields + [
            str(formset.model._meta.verbose_name_plural)
            for formset in formsets
            if formset.has_changed()
        ]

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
            context.update(change_form_context(request, obj, context["adminform"].form))
        # The story needs the whole width of a laptop screen (a 110-character headline, the
        # body); the admin's menu is one click away in the breadcrumbs.
        context["is_nav_sidebar_enabled"] = False
        # The rich text editor needs an inline import map; the CSP lets it run by nonce only.
        context["media"] = Media.from_media(context["media"], nonce=request.csp_nonce)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _desk_context(self, request: HttpRequest, obj: Article) -> dict[str, Any]:
        info = self.opts.app_label, self.opts.model_name
        transitions = obj.available_transitions(request.user)
        steps = [name for name in TRANSITION_LABELS if name in transitions]
        buttons = [
            {
                "name": name,
                "label": "Reschedule" if name == "schedule" and obj.is_scheduled() else label,
            }
            for name, label in TRANSITION_LABELS.items()
            if name in steps and name not in CONFIRMATIONS
        ]
        confirmable = [
            {
                "name": name,
                "label": TRANSITION_LABELS[name],
                "box": CONFIRMATIONS[name],
                "help": CONFIRMATION_HELP[name],
            }
            for name in steps
            if name in CONFIRMATIONS
        ]
        can_share = request.user.has_perm("articles.add_sharelink")
        events = list(obj.events.select_related("actor")[:50])
        return {
            "workflow_buttons": buttons,
            "confirmable_steps": confirmable,
            # A refused step's box opens again, its reason still typed in.
            "pressed_step": request.POST.get(WORKFLOW_BUTTON, ""),
            # The Delete link of a story that was ever published spikes it (delete_view).
            "delete_spikes": obj.was_ever_published() or obj.is_spiked(),
            "workflow_button_name": WORKFLOW_BUTTON,
            "workflow_events": events,
            # Shown above the form: what the last person to move the story had to say.
            "latest_note": next((event for event in events if event.note.strip()), None),
            "activity_log_url": (
                reverse("admin:articles_activity_changelist") + f"?article={obj.pk}"
                if self.has_publish_permission(request)
                else ""
            ),
            "preview_url": reverse("articles:preview", args=[obj.pk]),
            "live_entries_url": (
                reverse("admin:articles_liveentry_desk", args=[obj.pk])
                if obj.is_live_blog and request.user.has_perm("articles.view_liveentry")
                else ""
            ),
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
        """Deleting a story that was ever public spikes it (delete_view), which only editors
        may; a never-published one is deleted by whoever Article.can_delete allows."""
        return super().has_delete_permission(request, obj) and (
            obj is None
            or obj.can_delete(request.user)
            or "spike" in obj.available_transitions(request.user)
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
            *live_urls(self),
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
        if transition not in article.available_transitions(request.user):
            raise PermissionDenied
        form = WorkflowForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Check the note and the time: " + form.errors.as_text())
            return HttpResponseRedirect(self._change_url(article))
        try:
            require_confirmation(transition, form.cleaned_data["confirm"])
        except ValidationError as error:
            messages.error(request, self._error_text(error))
        else:
            note, at = form.cleaned_data["note"], form.cleaned_data["at"]
            self._take_step(
                request, article, transition, note, at, public_notice=form.cleaned_data["notice"]
            )
        return self._back_to_story(request, article)

    def _take_step(
        self,
        request: HttpRequest,
        article: Article,
        transition: str,
        note: str = "",
        at=None,
        public_notice: bool = False,
    ) -> None:
        """Call the workflow method; a refusal of the state or input becomes a message.

        PermissionDenied is left to the caller: a 403 for a posted workflow URL.
        """
        try:
            if transition == "schedule":
                event = article.schedule(request.user, at, note=note)
            elif transition == "return_to_authors":
                event = article.return_to_authors(request.user, note)
            elif transition == "unpublish":
                event = article.unpublish(request.user, note, public_notice=public_notice)
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

    def _run_transition(self, request: HttpRequest, stories, name: str, **inputs) -> None:
        done, refused = [], []
        for article in stories:
            try:
                getattr(article, name)(request.user, **inputs)
            except (PermissionDenied, ValidationError) as error:
                refused.append(f"“{article}” ({self._refusal_text(error)})")
            else:
                done.append(article)
        if done:
            messages.success(request, f"{len(done)} stor{'y' if len(done) == 1 else 'ies'} done.")
        if refused:
            messages.warning(request, "Not changed: " + "; ".join(refused))

    @classmethod
    def _refusal_text(cls, error: Exception) -> str:
        return cls._error_text(error) if isinstance(error, ValidationError) else str(error)

    @staticmethod
    def _skip(request: HttpRequest, why: str, stories) -> None:
        if stories:
            messages.warning(request, f"{why}: " + "; ".join(f"“{a}”" for a in stories))

    def get_actions(self, request: HttpRequest):
        actions = super().get_actions(request)
        # Replaced by delete_or_spike_selected: a published story is never deleted for real.
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description="Submit selected stories for review", permissions=["change"])
    def submit_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._run_transition(request, queryset, "submit")

    @admin.action(description="Publish selected stories now", permissions=["publish"])
    def publish_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        """Embargoed (scheduled) stories are skipped and named, never published early:
        lifting an embargo is a step of its own, confirmed on the story's page."""
        stories = list(queryset)
        self._run_transition(request, [a for a in stories if not a.is_scheduled()], "publish")
        embargoed = [
            f"“{a}” (due {formats.date_format(timezone.localtime(a.publish_at), 'j F, H:i')})"
            for a in stories
            if a.is_scheduled()
        ]
        if embargoed:
            messages.warning(
                request,
                "Not published early, as they are embargoed: "
                + "; ".join(embargoed)
                + ". To publish one now, open it and lift its embargo.",
            )

    @admin.action(description="Unpublish selected stories…", permissions=["publish"])
    def unpublish_selected(self, request: HttpRequest, queryset: QuerySet):
        """Withdraw the live stories among those selected, after a page that asks why."""
        stories = list(queryset)
        live = [a for a in stories if a.is_live()]
        not_live = [a for a in stories if not a.is_live()]
        if not live:
            self._skip(request, "Nothing to unpublish: none of these is live", not_live)
            return None
        form = WithdrawForm(request.POST if CONFIRMED in request.POST else None)
        if not form.is_valid():
            return self._confirmation_page(
                request,
                form,
                title="Unpublish these stories?",
                intro=CONFIRMATION_HELP["unpublish"],
                stories=live,
                skipped=("Not live, so left as they are", not_live),
                button="Yes, unpublish them",
                action="unpublish_selected",
                selected=stories,
            )
        reason, notice = form.cleaned_data["reason"], form.cleaned_data["notice"]
        self._run_transition(request, live, "unpublish", note=reason, public_notice=notice)
        self._skip(request, "Not live, so left as they are", not_live)
        return None

    @admin.action(
        description="Delete selected stories (published ones are spiked)…", permissions=["delete"]
    )
    def delete_or_spike_selected(self, request: HttpRequest, queryset: QuerySet):
        """Never-published stories are deleted, ever-published ones spiked (kept, off every
        public surface, restorable), after a page that lists which is which."""
        stories = list(queryset)
        to_spike = [a for a in stories if "spike" in a.available_transitions(request.user)]
        to_delete = [a for a in stories if a.can_delete(request.user)]
        refused = [a for a in stories if a not in to_spike and a not in to_delete]
        why_refused = "Neither deleted nor spiked: not yours to delete, or already spiked"
        if not (to_spike or to_delete):
            self._skip(request, why_refused, refused)
            return None
        form = ReasonForm(request.POST if CONFIRMED in request.POST else None)
        form.fields["reason"].required = bool(to_spike)
        if not form.is_valid():
            return self._confirmation_page(
                request,
                form,
                title="Delete or spike these stories?",
                intro=SPIKE_HELP,
                stories=[*to_spike, *to_delete],
                spiked=to_spike,
                skipped=(why_refused, refused),
                button="Yes, delete or spike them",
                action="delete_or_spike_selected",
                selected=stories,
            )
        self._run_transition(request, to_spike, "spike", note=form.cleaned_data["reason"])
        if to_delete:
            deleting = queryset.filter(pk__in=[a.pk for a in to_delete])
            self.log_deletions(request, deleting)
            self.delete_queryset(request, deleting)
            messages.success(request, f"Deleted for good: {len(to_delete)} never-published.")
        self._skip(request, why_refused, refused)
        return None

    # --- Deleting: published stories are spiked ---------------------------------------

    def delete_view(self, request: HttpRequest, object_id: str, extra_context=None):
        """A story that was ever published is spiked instead, whoever asks (superusers
        too), after a page that asks why; a never-published one is deleted as usual by
        whoever Article.can_delete allows."""
        article = self.get_object(request, unquote(object_id))
        if article is None or not (article.was_ever_published() or article.is_spiked()):
            return super().delete_view(request, object_id, extra_context)
        if "spike" not in article.available_transitions(request.user):
            raise PermissionDenied
        form = ReasonForm(request.POST if request.method == "POST" else None)
        if not form.is_valid():
            return self._confirmation_page(
                request,
                form,
                title=f"Spike “{article}”?",
                intro=SPIKE_HELP,
                stories=[article],
                spiked=[article],
                button="Yes, spike it",
            )
        self._take_step(request, article, "spike", note=form.cleaned_data["reason"])
        return HttpResponseRedirect(reverse("admin:articles_article_changelist"))

    def delete_model(self, request: HttpRequest, obj: Article) -> None:
        """Only never-published stories are deleted; any other is spiked (delete_view asks
        the reason first; this is the rule for every other way in)."""
        if obj.can_delete(request.user):
            super().delete_model(request, obj)
        else:
            obj.spike(request.user, note="Deleted in the admin.")

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        kept = [a for a in queryset if not a.can_delete(request.user)]
        for article in kept:
            self.delete_model(request, article)
        super().delete_queryset(request, queryset.exclude(pk__in=[a.pk for a in kept]))

    def _confirmation_page(
        self,
        request: HttpRequest,
        form,
        *,
        title: str,
        intro: str,
        stories: list[Article],
        button: str,
        spiked=(),
        skipped: tuple[str, list[Article]] = ("", []),
        action: str = "",
        selected=(),
    ) -> TemplateResponse:
        """The page a step that takes stories down shows first (bulk or single): posting
        it back, with its reason, is the confirmation."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "intro": intro,
            "stories": [(a, a in spiked) for a in stories],
            "skipped_why": skipped[0],
            "skipped": skipped[1],
            "form": form,
            "button": button,
            "action": action,
            "selected": [a.pk for a in selected],
            "confirmed_name": CONFIRMED,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/articles/article/confirm_step.html", context)

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

    def compare(self, obj: Article, version1, version2):
        """The changed fields, with the tag links headed as what they are: the tags. The
        note on fields outside the revisions (marked *) only when such a field is shown."""
        diff, _unfollowed_anywhere = super().compare(obj, version1, version2)
        for entry in diff:
            if getattr(entry["field"], "related_name", None) == "tagged_items":
                entry["field"] = SimpleNamespace(verbose_name="tags", help_text="")
        return diff, any(entry["is_related"] and not entry["follow"] for entry in diff)

    def compare_CharField(self, obj_compare) -> str:
        """Headline, standfirst and the other text fields, word by word."""
        old, new = obj_compare.to_string()
        return word_diff([old], [new])

    compare_TextField = compare_CharField

    def compare_body(self, obj_compare) -> str:
        """The body as the paragraphs readers see, word by word, not its HTML."""
        old, new = (
            readable_paragraphs(value if isinstance(value, str) else "")
            for value in (obj_compare.value1, obj_compare.value2)
        )
        return word_diff(old, new)

    def compare_bylines(self, obj_compare) -> str:
        return list_diff(
            bylines_in(obj_compare.compare_obj1.version_record),
            bylines_in(obj_compare.compare_obj2.version_record),
        )

    def compare_tagged_items(self, obj_compare) -> str:
        return list_diff(
            tags_in(obj_compare.compare_obj1.version_record),
            tags_in(obj_compare.compare_obj2.version_record),
        )

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
