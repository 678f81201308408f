"""Turn a rendered admin change form into the POST data a browser would send back."""

from typing import Any

from django import forms
from taggit.utils import edit_string_for_tags

ARTICLE_ADD = "/admin/articles/article/add/"


def change_url(article) -> str:
    return f"/admin/articles/article/{article.pk}/change/"


def form_data(response, **changes: Any) -> dict[str, Any]:
    """The fields of the page's admin form and inline formsets, as rendered, plus changes."""
    context = response.context
    data: dict[str, Any] = {}
    _add_form(data, context["adminform"].form)
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for form in formset.forms:
            _add_form(data, form)
    data.update(changes)
    return data


def _add_form(data: dict[str, Any], form: forms.BaseForm) -> None:
    for name, field in form.fields.items():
        bound = form[name]
        value = bound.value()
        if isinstance(field.widget, forms.CheckboxInput):
            if value:
                data[bound.html_name] = "on"
            continue
        if isinstance(field.widget, forms.CheckboxSelectMultiple):
            data[bound.html_name] = list(value or [])  # boxes left unticked post nothing
            continue
        if value is None:
            value = ""
        elif isinstance(value, list | tuple) and value and hasattr(value[0], "name"):
            value = edit_string_for_tags(value)
        elif hasattr(value, "pk"):
            value = value.pk
        data[bound.html_name] = value


def set_bylines(data: dict[str, Any], *rows: tuple[Any, str], prefix: str = "bylines") -> None:
    """Delete the form's byline rows and add new ones: (author, role) in reading order."""
    initial = int(data.get(f"{prefix}-INITIAL_FORMS", 0))
    for i in range(initial):
        data[f"{prefix}-{i}-DELETE"] = "on"
    data[f"{prefix}-TOTAL_FORMS"] = initial + len(rows)
    for offset, (author, role) in enumerate(rows):
        i = initial + offset
        data[f"{prefix}-{i}-author"] = author.pk
        data[f"{prefix}-{i}-role"] = role
        data[f"{prefix}-{i}-position"] = offset
