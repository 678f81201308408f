"""Forms of the editorial desk: the article change form and the workflow panel."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse_lazy
from django.utils import formats, timezone
from django.utils.functional import lazy
from taggit.forms import TagField, TagWidget

from articles.desk_time import DESK_TIME_FORMAT, DESK_TIME_INPUT_FORMATS, zone_label
from articles.models import Article, ShareLink
from articles.text import ascii_slug


class UpdateKind:
    MINOR = "minor"
    SIGNIFICANT = "significant"
    CHOICES = [
        (MINOR, "Minor fix (typo, wording): readers see no new “Updated” time"),
        (SIGNIFICANT, "Significant update: moves the visible “Updated” time"),
    ]


class TagAutocompleteWidget(TagWidget):
    """Comma-separated tags with suggestions of existing tags from the admin's autocomplete."""

    def __init__(self, attrs=None):
        attrs = {
            "class": "vTextField tag-autocomplete",
            "autocomplete": "off",
            "data-autocomplete-url": reverse_lazy("admin:autocomplete"),
            **(attrs or {}),
        }
        super().__init__(attrs)

    class Media:
        js = ["newsroom_admin/tag_autocomplete.js"]


def workflow_note_field() -> forms.CharField:
    return forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DeskTimeInput(forms.DateTimeInput):
    """A time typed as 2031-05-04 09:30 in the newsroom's zone.

    A text input, not datetime-local: Chromium's picker (and type=time) follows the browser's
    locale, a 12-hour clock with AM/PM in en-US, and can show no zone. This reads the same
    in every browser, the keyboard is enough, and the help names the zone."""

    input_type = "text"

    def __init__(self, attrs=None):
        attrs = {
            "placeholder": "YYYY-MM-DD HH:MM",
            "pattern": r"\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}",
            "title": "Year-month-day, then the time on a 24-hour clock, e.g. 2031-05-04 09:30",
            "autocomplete": "off",
            "size": 17,
            "class": "desk-time-input",
            **(attrs or {}),
        }
        super().__init__(attrs, format=DESK_TIME_FORMAT)


def publish_at_field() -> forms.DateTimeField:
    # The zone is named when the form renders: the offset is today's (zones change theirs).
    help_text = lazy(lambda: f"24-hour clock, newsroom time: {zone_label()}.", str)()
    return forms.DateTimeField(
        label="Publish at",
        required=False,
        widget=DeskTimeInput,
        input_formats=DESK_TIME_INPUT_FORMATS,
        error_messages={
            "invalid": lazy(
                lambda: (
                    "Enter the time as year-month-day and a 24-hour time, e.g. "
                    f"2031-05-04 09:30 ({zone_label()})."
                ),
                str,
            )()
        },
        help_text=help_text,
    )


# The change form's workflow buttons are submit buttons of the form itself, named this, so a
# step taken with unsaved edits saves them first (same validation, stale check and revision).
WORKFLOW_BUTTON = "_workflow"
# Steps that undo or override a decision readers would notice (a live story, an embargo):
# the server takes them only with their own box ticked, whatever a form or URL posts.
CONFIRMATIONS = {
    "unpublish": "Yes, take this story down now",
    "unschedule": "Yes, cancel the schedule: the story goes back to draft",
    "lift_embargo": "Yes, lift the embargo and publish it now",
}
# Fields that carry no edit of the story: changing only these needs no minor/significant choice.
NOT_EDITS = frozenset(
    {
        "base_version",
        "update_kind",
        "workflow_note",
        "workflow_at",
        "withdraw_reason",
        "withdraw_notice",
        "workflow_confirm",
    }
)


def confirm_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        choices=list(CONFIRMATIONS.items()), required=False, widget=forms.CheckboxSelectMultiple
    )


def require_confirmation(step: str, confirmed: list[str]) -> None:
    """Refuse a step that needs its box ticked (CONFIRMATIONS) when it was not."""
    if step in CONFIRMATIONS and step not in confirmed:
        raise forms.ValidationError(
            "Nothing was saved or changed: tick “%(box)s” to confirm.",
            params={"box": CONFIRMATIONS[step]},
            code="unconfirmed",
        )


def withdraw_reason_field() -> forms.CharField:
    return forms.CharField(
        label="Reason",
        required=False,  # required to withdraw (the model says so), not to save
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required. Goes into the workflow history.",
    )


def withdraw_notice_field() -> forms.BooleanField:
    return forms.BooleanField(
        label="Publish this reason as a withdrawal notice, on the corrections page and at "
        "the story's address",
        required=False,
    )


class ArticleAdminForm(forms.ModelForm):
    # The version the editor started from; a save from an older one would overwrite someone.
    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    update_kind = forms.ChoiceField(
        label="This change is a",
        choices=UpdateKind.CHOICES,
        widget=forms.RadioSelect,
        required=False,  # required when the text changes; see clean()
        help_text="The story is live. Only significant updates tell readers and search engines "
        "that it changed.",
    )
    # Inputs of the workflow panel, which sits inside this form (see the change form template).
    workflow_note = workflow_note_field()
    workflow_at = publish_at_field()
    withdraw_reason = withdraw_reason_field()
    withdraw_notice = withdraw_notice_field()
    workflow_confirm = confirm_field()
    # Who is saving: set per request by ArticleAdmin.get_form, for the workflow step check.
    desk_user = None
    # While an old revision is restored the row holds that revision's version number; the
    # admin sets the story's real one, read before the restore, for the stale check.
    version_before_restore = None
    # Set when the save is refused as stale: the story's version now, for the takeover panel.
    stale_against_version: int | None = None
    slug = forms.CharField(
        max_length=120,
        required=False,
        help_text="Made from the headline when left empty; any script becomes plain ASCII. "
        "Old addresses keep working.",
    )
    tags = TagField(
        required=False,
        widget=TagAutocompleteWidget,
        help_text="Separate tags with commas, e.g. “Azerbaijan, South Caucasus, OSCE”.",
    )

    class Meta:
        model = Article
        fields = [
            "headline",
            "slug",
            "standfirst",
            "body",
            "section",
            "kind",
            "sponsor",
            "tags",
            "featured_image",
            "dateline",
            "is_lead",
            "is_breaking",
            "meta_title",
            "meta_description",
            "live_summary",
            "coverage_started_at",
        ]

    class Media:
        # The headline's live character count (the paste cleanup loads with the editor).
        js = ["newsroom_admin/headline_count.js"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._count_headline()
        # The change form names the zone and the format beside the box (change_form.html).
        self.fields["workflow_at"].widget.attrs["aria-describedby"] = "workflow-at-help"
        if self.instance.pk:
            self.fields["base_version"].initial = self.instance.version
            self.fields["base_version"].required = True
        if not (self.instance.pk and self.instance.is_live()):
            # Only a change to a story readers can see needs the minor/significant choice.
            del self.fields["update_kind"]

    def _count_headline(self) -> None:
        """The headline box counts against the limit as you type (headline_count.js) and lets
        you type past it to see by how much; the model's max_length refuses the save."""
        headline = self.fields.get("headline")
        if headline is None:  # read-only for this user
            return
        attrs = headline.widget.attrs
        attrs["data-count-limit"] = attrs.pop("maxlength", headline.max_length)
        attrs["class"] = "vTextField desk-headline-input"
        headline.help_text = f"At most {headline.max_length} characters."

    def clean_slug(self) -> str:
        """Readable ASCII whatever was typed: “Azərbaycan” -> “azerbaycan”."""
        typed = self.cleaned_data.get("slug", "").strip()
        slug = ascii_slug(typed, max_length=110) if typed else ""
        if typed and not slug:
            raise forms.ValidationError("Use letters or digits in the slug.")
        # Empty: the model makes a unique one from the headline on save.
        return slug

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            self._refuse_stale_save(cleaned.get("base_version"))
            self._require_update_kind(cleaned)
            self._check_workflow_step(cleaned)
        return cleaned

    def workflow_step(self) -> str:
        """The workflow button pressed with this save ("submit", "publish", ...), or ""."""
        return self.data.get(WORKFLOW_BUTTON, "")

    def workflow_inputs(self) -> dict:
        """What the pressed step takes from the panel: its note (for Unpublish, the reason),
        a time, and whether to publish a withdrawal notice."""
        cleaned = self.cleaned_data
        if self.workflow_step() == "unpublish":
            return {
                "note": cleaned.get("withdraw_reason", ""),
                "public_notice": cleaned.get("withdraw_notice", False),
            }
        return {"note": cleaned.get("workflow_note", ""), "at": cleaned.get("workflow_at")}

    def _require_update_kind(self, cleaned) -> None:
        edited = set(self.changed_data) - NOT_EDITS
        if "update_kind" in self.fields and edited and not cleaned.get("update_kind"):
            self.add_error("update_kind", self.fields["update_kind"].error_messages["required"])

    def _check_workflow_step(self, cleaned) -> None:
        """Refuse the whole save, with the form still filled, when the step cannot be taken."""
        step = self.workflow_step()
        if not step:
            return
        if self.desk_user is None:
            raise forms.ValidationError("Workflow steps are taken from the story's change form.")
        inputs = self.workflow_inputs()
        try:
            self.instance.check_transition(self.desk_user, step, inputs["note"], inputs.get("at"))
        except PermissionDenied as refusal:
            raise forms.ValidationError(str(refusal), code="forbidden") from None
        require_confirmation(step, cleaned.get("workflow_confirm") or [])

    def _refuse_stale_save(self, base_version: int | None) -> None:
        rows = Article.objects.filter(pk=self.instance.pk)
        if transaction.get_connection().in_atomic_block:
            # The admin validates and saves in one transaction: hold the row until the save, so
            # two editors saving at the same instant cannot both pass this check.
            rows = rows.select_for_update()
        version = rows.values_list("version", flat=True).first()
        if self.version_before_restore is not None:
            version = self.version_before_restore
        if version is None or base_version is None or base_version == version:
            return
        self.stale_against_version = version
        if base_version > version:
            # No form was ever handed out with this number: the field was edited by hand,
            # which would otherwise pass the check and overwrite whatever was saved since.
            raise forms.ValidationError(
                "This form does not match any saved version of the story, so nothing was "
                "saved. Your text is still in the form below: take the current version and "
                "re-apply your edits there, then save.",
                code="stale",
            )
        current = Article.objects.select_related("modified_by").get(pk=self.instance.pk)
        who = current.modified_by
        name = (who.get_full_name() or who.get_username()) if who else "someone else"
        when = formats.date_format(timezone.localtime(current.modified_at), "j F Y, H:i")
        raise forms.ValidationError(
            "%(who)s changed this story at %(when)s, after you opened it. Your changes were "
            "not saved, so theirs are not overwritten. Your text is still in the form below, "
            "beside what they changed: take the current version and re-apply your edits, "
            "then save.",
            params={"who": name, "when": when},
            code="stale",
        )

    def is_significant_update(self) -> bool:
        return self.cleaned_data.get("update_kind") == UpdateKind.SIGNIFICANT


class WorkflowForm(forms.Form):
    """The note and time a transition posted on its own may carry (the workflow URLs); the
    model method decides what is allowed."""

    note = workflow_note_field()
    at = publish_at_field()
    notice = withdraw_notice_field()
    confirm = confirm_field()


class ReasonForm(forms.Form):
    """The confirmation page of a step that takes stories down (spike, bulk unpublish):
    posting it is the confirmation, the reason is required."""

    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required. Goes into the workflow history.",
        error_messages={"required": "Give the reason: it goes into the workflow history."},
    )


class WithdrawForm(ReasonForm):
    notice = withdraw_notice_field()


class ShareLinkForm(forms.ModelForm):
    class Meta:
        model = ShareLink
        fields = ["note"]
