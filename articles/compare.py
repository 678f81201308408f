"""Readable revision compare for the story admin (django-reversion-compare's compare view).

Text is compared word by word, the body as the paragraphs a reader sees rather than as its
HTML; bylines and tags as lists. ArticleAdmin's compare_<field> methods call these.
"""

import difflib
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Where one paragraph ends and the next begins, among the words compared.
PARAGRAPH_BREAK = "\n"


def _words(paragraphs: list[str]) -> list[str]:
    words: list[str] = []
    for paragraph in paragraphs:
        if words:
            words.append(PARAGRAPH_BREAK)
        words += paragraph.split()
    return words


def word_diff(old: list[str], new: list[str]) -> SafeString:
    """The paragraphs of `new` with the words taken out since `old` in <del> and the words
    put in in <ins>; a paragraph added or removed whole is one <ins> or <del>."""
    before, after = _words(old), _words(new)
    paragraphs: list[list[str]] = [[]]

    def add(words: list[str], tag: str = "") -> None:
        run: list[str] = []

        def close_run() -> None:
            if run:
                text = escape(" ".join(run))
                paragraphs[-1].append(f"<{tag}>{text}</{tag}>" if tag else text)
                run.clear()

        for word in words:
            if word == PARAGRAPH_BREAK:
                close_run()
                paragraphs.append([])
            else:
                run.append(word)
        close_run()

    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            add(after[j1:j2])
        else:
            add(before[i1:i2], "del")
            add(after[j1:j2], "ins")
    html = "".join(f"<p>{' '.join(parts)}</p>" for parts in paragraphs if parts)
    return mark_safe(f'<div class="readable-diff">{html}</div>')  # every word escaped above


@dataclass(frozen=True)
class ListEntry:
    text: str
    change: str = ""  # "added", "removed" or "" (in both)


def list_diff(old: list[str], new: list[str]) -> SafeString:
    """The new list in its order with what was removed after it, each marked."""
    entries = [ListEntry(item, "" if item in old else "added") for item in new]
    entries += [ListEntry(item, "removed") for item in old if item not in new]
    return render_to_string("admin/articles/article/compare_list.html", {"entries": entries})


def _related_versions(version, model, **match) -> list[dict]:
    """The field values of `model`'s rows saved in the same revision as `version` (a
    reversion Version) whose fields equal `match`."""
    rows = version.revision.version_set.filter(
        content_type=ContentType.objects.get_for_model(model)
    )
    return [
        fields
        for fields in (row.field_dict for row in rows)
        if all(fields.get(name) == value for name, value in match.items())
    ]


def bylines_in(version) -> list[str]:
    """“Written by Leyla Mammadova”, … in reading order, as the revision saved them."""
    from accounts.models import Author
    from articles.models import Byline

    rows = sorted(
        _related_versions(version, Byline, article_id=int(version.object_id)),
        key=lambda row: (row["position"], row["id"]),
    )
    names = dict(
        Author.objects.filter(pk__in=[r["author_id"] for r in rows]).values_list("pk", "name")
    )
    roles = dict(Byline.Role.choices)
    return [
        f"{roles.get(row['role'], row['role'])} {names.get(row['author_id'], 'a deleted author')}"
        for row in rows
    ]


def tags_in(version) -> list[str]:
    """The story's tag names in the revision, alphabetically."""
    from taggit.models import Tag

    from articles.models import TaggedArticle

    rows = _related_versions(version, TaggedArticle, content_object_id=int(version.object_id))
    names = Tag.objects.filter(pk__in=[row["tag_id"] for row in rows]).values_list(
        "name", flat=True
    )
    return sorted(names, key=str.casefold)
