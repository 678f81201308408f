"""Small text helpers shared by models: ASCII slugs, plain text, word counts."""

import math
import re
from html import unescape
from html.parser import HTMLParser

from anyascii import anyascii
from django.utils.html import strip_tags
from django.utils.text import slugify

WORDS_PER_MINUTE = 230
# Tags that end a run of text: stripped without a space, “<li>inflows</li><li>higher” would
# read “inflowshigher”. Inline tags (<a>, <strong>) are stripped with nothing in their place.
BLOCK_BOUNDARY = re.compile(
    r"</?(?:p|li|ul|ol|h[1-6]|blockquote|figure|figcaption|table|tr|td|th|div|hr|br)\b[^>]*>",
    re.IGNORECASE,
)


def ascii_slug(text: str, max_length: int = 100) -> str:
    """A readable ASCII slug for any script: “Azərbaycan” -> “azerbaycan”, “Москва” -> “moskva”."""
    return slugify(anyascii(text))[:max_length].strip("-")


# What the URL patterns' <slug:...> converter accepts: a slug outside it cannot be reversed,
# so the page linking to it would fail.
_URL_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def is_url_slug(slug: str | None) -> bool:
    """Whether slug can be part of a public address (not empty, ASCII letters, digits, -_)."""
    return bool(slug) and _URL_SLUG.fullmatch(slug) is not None


def unique_slug(
    model,
    text: str,
    instance=None,
    max_length: int = 100,
    fallback: str = "item",
    reserved: frozenset[str] = frozenset(),
) -> str:
    """ascii_slug(text), suffixed with -2, -3, ... until no other row of model uses it (nor
    `reserved` names). A name with nothing to transliterate (“#”, “?!”) gets `fallback`, a
    readable word such as “tag”, so it never ends up with an empty slug."""
    base = ascii_slug(text, max_length - 4) or fallback
    others = model._default_manager.exclude(pk=instance.pk) if instance and instance.pk else None
    others = model._default_manager.all() if others is None else others
    slug, n = base, 2
    while slug in reserved or others.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def plain_text(html: str) -> str:
    """The text of stored HTML with its tags removed and blocks kept apart by a space."""
    return strip_tags(BLOCK_BOUNDARY.sub(" ", html))


class _Paragraphs(HTMLParser):
    """Collects the text of each block of stored HTML; list items start with a bullet or
    their number."""

    BLOCKS = frozenset("p li h1 h2 h3 h4 h5 h6 blockquote div figcaption td th tr br".split())

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.current: list[str] = []
        self.prefix = ""  # a list item's bullet, kept until its text comes (<li><p>…)
        self.lists: list[list] = []  # [tag, items so far] of each open list

    def _end_paragraph(self) -> None:
        text = " ".join("".join(self.current).split())
        if text:
            self.paragraphs.append(self.prefix + text)
            self.prefix = ""
        self.current = []

    def handle_starttag(self, tag, attrs):
        if tag in ("ul", "ol"):
            self.lists.append([tag, 0])
        if tag in self.BLOCKS:
            self._end_paragraph()
        if tag == "li":
            if self.lists and self.lists[-1][0] == "ol":
                self.lists[-1][1] += 1
                self.prefix = f"{self.lists[-1][1]}. "
            else:
                self.prefix = "• "

    def handle_endtag(self, tag):
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        if tag in self.BLOCKS:
            self._end_paragraph()

    def handle_data(self, data):
        self.current.append(data)


def readable_paragraphs(html: str) -> list[str]:
    """Stored HTML as the paragraphs a reader sees, in plain text: one per paragraph,
    heading, quotation or list item (led by a bullet or number); inline markup dropped."""
    parser = _Paragraphs()
    parser.feed(html or "")
    parser.close()
    parser._end_paragraph()
    return parser.paragraphs


def word_count(html: str) -> int:
    return len(re.findall(r"\w+", plain_text(html)))


def reading_minutes(words: int) -> int:
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


def paragraphs_text(html: str) -> str:
    """The text of stored HTML, one line per paragraph, heading or list item."""
    text = unescape(strip_tags(BLOCK_BOUNDARY.sub("\n", html or "")))
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)
