"""The story change form's live endpoints and its safe takeover after a stale save.

Two small JSON endpoints under the Article admin (wired from ArticleAdmin.get_urls, so the
admin's login, second step and CSRF checks apply): the form posts its autosave to one and
polls the other every ten seconds for who else has the story open. Neither touches the story
itself. static/newsroom_admin/desk_form.js is their client.
"""

import json
from functools import partial
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, path, reverse
from django.utils import formats, timezone
from reversion.models import Version

from articles.compare import word_diff
from articles.desk_state import ArticleAutosave, ArticlePresence, StaleAutosave
from articles.forms import ArticleAdminForm
from articles.models import Article, sanitize_html
from articles.text import paragraphs_text

# The story's own text, compared field by field when a save is refused as stale.
TAKEOVER_FIELDS = {
    "headline": "Headline",
    "standfirst": "Standfirst",
    "body": "Body",
    "dateline": "Dateline",
    "meta_title": "Search engine title",
    "meta_description": "Search engine description",
}
# What an autosave keeps: the story's fields in the change form, the workflow note typed
# with them, and the byline rows (not their formset's counts: restored onto a form with other
# rows, they would break it).
AUTOSAVED_FIELDS = frozenset({*ArticleAdminForm.Meta.fields, "update_kind", "workflow_note"})
BYLINE_PREFIX = "bylines-"
FORMSET_COUNTS = ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")
# Placement fields re-applied the same way (their changes are listed, not diffed).
TAKEOVER_CHOICES = {
    "section": "Section",
    "kind": "Kind",
    "featured_image": "Featured photo",
    "is_lead": "Lead story",
    "is_breaking": "Breaking",
}
POLL_SECONDS = 10
# Revisions searched for the version a refused form was opened at (newest first).
REVISIONS_SEARCHED = 50


def live_urls(model_admin) -> list[URLPattern]:
    view = model_admin.admin_site.admin_view
    return [
        path(
            "<int:pk>/autosave/",
            view(partial(autosave_view, model_admin)),
            name="articles_article_autosave",
        ),
        path(
            "<int:pk>/presence/",
            view(partial(presence_view, model_admin)),
            name="articles_article_presence",
        ),
    ]


def autosavable(name: str) -> bool:
    if name.startswith(BYLINE_PREFIX):
        return not name.endswith(FORMSET_COUNTS)
    return name in AUTOSAVED_FIELDS


def clean_autosave_data(data: Any) -> dict[str, str | bool | list[str]]:
    """The story fields of a posted autosave, as text, booleans or lists of text; anything
    else is dropped. The body is cleaned as a saved body would be."""
    if not isinstance(data, dict):
        raise ValueError("The autosave must be an object of form fields.")
    cleaned: dict[str, str | bool | list[str]] = {}
    for name, value in data.items():
        if not (isinstance(name, str) and autosavable(name)):
            continue
        text_list = isinstance(value, list) and all(isinstance(item, str) for item in value)
        if text_list or isinstance(value, str | bool):
            cleaned[name] = value
    if isinstance(cleaned.get("body"), str):
        cleaned["body"] = sanitize_html(cleaned["body"])
    return cleaned


def _refusal(message: str, status: int, **extra: Any) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status)


def _posted_json(request: HttpRequest) -> dict[str, Any]:
    try:
        posted = json.loads(request.body or b"{}")
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError("The request is not JSON.") from None
    if not isinstance(posted, dict):
        raise ValueError("The request must be a JSON object.")
    return posted


def _clock(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "H:i:s")


def person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else "someone else"


def autosave_view(model_admin, request: HttpRequest, pk: int) -> JsonResponse:
    """POST {"base_version": n, "data": {field: value}}: keep this user's copy of the form.
    DELETE: drop it (the writer chose Discard). The story itself never changes."""
    if request.method not in ("POST", "DELETE"):
        return _refusal("Use POST to autosave or DELETE to discard.", 405)
    article = model_admin._article_for(request, pk)
    if request.method == "DELETE":
        ArticleAutosave.discard(article, request.user)
        return JsonResponse({"discarded": True})
    if not article.can_edit(request.user):
        return _refusal("You may not edit this story now, so nothing was autosaved.", 403)
    try:
        posted = _posted_json(request)
        base_version = posted.get("base_version")
        if isinstance(base_version, bool) or not isinstance(base_version, int):
            raise ValueError("The autosave needs the form's base_version.")
        data = clean_autosave_data(posted.get("data"))
    except ValueError as error:
        return _refusal(str(error), 400)
    try:
        autosave = ArticleAutosave.record(article, request.user, data, base_version)
    except StaleAutosave as stale:
        return _refusal(
            "The story was saved by someone else after you opened it, so this copy is kept "
            "only in your browser. Save to see what they changed.",
            409,
            version=stale.current_version,
        )
    saved_at = autosave.saved_at
    return JsonResponse({"saved_at": saved_at.isoformat(), "at": _clock(saved_at)})


def presence_view(model_admin, request: HttpRequest, pk: int) -> JsonResponse:
    """POST {"typing": bool, "base_version": n} records that this user has the story open (or
    {"leaving": true}, that they closed it) and answers who else did within the window, and
    the story's version now (with who saved it, when the form is behind), so the form can warn
    that a Save would be refused."""
    if request.method != "POST":
        return _refusal("Use POST.", 405)
    article = model_admin._article_for(request, pk)
    try:
        posted = _posted_json(request)
    except ValueError as error:
        return _refusal(str(error), 400)
    if posted.get("leaving") is True:
        ArticlePresence.leave(article, request.user)
        return JsonResponse({"left": True})
    ArticlePresence.heartbeat(article, request.user, typing=posted.get("typing") is True)
    others = [
        {"name": person(seen.user), "typing": seen.is_typing()}
        for seen in ArticlePresence.others(article, request.user)
    ]
    answer: dict[str, Any] = {"others": others, "version": article.version}
    base_version = posted.get("base_version")
    if isinstance(base_version, int) and base_version != article.version:
        # The form is behind the story: say who saved it, so the writer knows before saving.
        answer.update(
            changed_by=person(article.modified_by), changed_at=_clock(article.modified_at)
        )
    return JsonResponse(answer)


# --- The change form's context -------------------------------------------------------------


def change_form_context(request: HttpRequest, article: Article, form) -> dict[str, Any]:
    """What desk_form.js needs on the change form: its endpoints, this user's autosave, and,
    after a save refused as stale, the takeover panel."""
    autosave = ArticleAutosave.objects.filter(article=article, user=request.user).first()
    stale_against = getattr(form, "stale_against_version", None)
    return {
        "desk_live": {
            "story": article.pk,
            "user": request.user.pk,
            "autosave_url": reverse("admin:articles_article_autosave", args=[article.pk]),
            "presence_url": reverse("admin:articles_article_presence", args=[article.pk]),
            "poll_seconds": POLL_SECONDS,
            "idle_seconds": settings.SESSION_IDLE_MINUTES * 60,
            "can_edit": article.can_edit(request.user),
            "refused": bool(form.is_bound and form.errors),
        },
        "desk_autosave": (
            {
                "data": autosave.data,
                "base_version": autosave.base_version,
                "saved_at": autosave.saved_at.isoformat(),
                "at": formats.date_format(timezone.localtime(autosave.saved_at), "j F, H:i"),
                "stale": autosave.base_version != article.version,
            }
            if autosave
            else None
        ),
        "takeover": takeover(article, form) if stale_against is not None else None,
    }


def fields_at_version(article: Article, number: int | None) -> dict[str, Any] | None:
    """The story's fields as saved at version `number`, from its stored revisions."""
    if number is None:
        return None
    for stored in Version.objects.get_for_object(article)[:REVISIONS_SEARCHED]:
        fields = stored.field_dict
        if fields.get("version") == number:
            return fields
    return None


def _comparable(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else ""
    text = "" if value is None else str(value)
    return sanitize_html(text) if name == "body" else text.strip()


def _attname(name: str) -> str:
    return Article._meta.get_field(name).attname  # section -> section_id, as revisions keep it


def _posted_value(form, name: str) -> Any:
    if name in ("is_lead", "is_breaking"):
        return bool(form.data.get(name))  # an unticked box is not posted at all
    return form.data.get(name, "")


def _readable(name: str, value: str) -> str:
    return paragraphs_text(value) if name == "body" else value


def takeover(article: Article, form) -> dict[str, Any]:
    """For a save refused as stale: what the other person changed between the version the
    form was opened at and the story now (or, without that revision, how the story now
    differs from the form), and the form's text re-applied to the story now: a field this
    user did not touch takes the other person's value, a field this user edited keeps the
    user's text."""
    current = Article.objects.select_related("modified_by").get(pk=article.pk)
    base_version = form.cleaned_data.get("base_version") if hasattr(form, "cleaned_data") else None
    base = fields_at_version(current, base_version)
    changes, changed_choices, merged, conflicts = [], [], {}, []
    for name, label in {**TAKEOVER_FIELDS, **TAKEOVER_CHOICES}.items():
        if name not in form.fields:
            continue
        mine = _comparable(name, _posted_value(form, name))
        now = getattr(current, _attname(name))
        theirs = _comparable(name, now)
        before = _comparable(name, base.get(_attname(name))) if base is not None else mine
        if before != theirs and name in TAKEOVER_CHOICES:
            changed_choices.append(label)
        elif before != theirs:
            diff = word_diff(
                _readable(name, before).splitlines(), _readable(name, theirs).splitlines()
            )
            changes.append({"label": label, "diff": diff})
        if base is not None and mine == before != theirs:
            merged[name] = now if isinstance(now, bool) else ("" if now is None else str(now))
        elif mine != theirs and (base is None or theirs != before):
            conflicts.append(label)
    return {
        "who": person(current.modified_by),
        "when": formats.date_format(timezone.localtime(current.modified_at), "j F Y, H:i"),
        "base_known": base is not None,
        "changes": changes,
        "changed_choices": changed_choices,
        "conflicts": conflicts,
        # What "Take the current version and re-apply my edits" puts in the form.
        "apply": {"fields": merged, "base_version": current.version},
    }
