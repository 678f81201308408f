"""The one home of what a story body may hold: the editor's extensions and the sanitiser.

Every rich-text field that takes story-body content (the story, a live blog's entries) uses
`body_field()`, so an element added here is in the editor, through the sanitiser and on the
page everywhere at once. Readers get it through the filters in templates/articles/story_body.html
(typographic_html and, on sponsored stories, sponsored_links).
"""

import re

from django_prose_editor.fields import ProseEditorField, create_sanitizer

BODY_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Heading": {"levels": [2, 3, 4]},
    "BulletList": True,
    "OrderedList": True,
    "Blockquote": True,
    "Link": {"enableTarget": False},
    "ListItem": True,
    "HardBreak": True,
    # Word and Google Docs pastes made clean (static/newsroom_admin/paste_cleanup.js).
    "DeskPasteCleanup": True,
}

_EMPTY_PARAGRAPH = re.compile(r"<p>(?:\s|&nbsp;|\u00a0|<br\s*/?>)*</p>")


def without_empty_paragraphs(html: str) -> str:
    """Sanitized HTML without the empty paragraphs a word processor leaves between others."""
    return _EMPTY_PARAGRAPH.sub("", html)


def body_field(**options) -> ProseEditorField:
    """A rich-text field holding story-body content: nh3 with the policy the extensions
    allow, then the empty paragraphs go."""
    return ProseEditorField(
        extensions=BODY_EXTENSIONS,
        sanitize=[without_empty_paragraphs, create_sanitizer],
        **options,
    )
