"""Small text helpers shared by models: ASCII slugs, plain text, word counts."""

import math
import re

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


def unique_slug(model, text: str, instance=None, max_length: int = 100) -> str:
    """ascii_slug(text), suffixed with -2, -3, ... until no other row of model uses it."""
    base = ascii_slug(text, max_length - 4) or "item"
    others = model._default_manager.exclude(pk=instance.pk) if instance and instance.pk else None
    others = model._default_manager.all() if others is None else others
    slug, n = base, 2
    while others.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def plain_text(html: str) -> str:
    """The text of stored HTML with its tags removed and blocks kept apart by a space."""
    return strip_tags(BLOCK_BOUNDARY.sub(" ", html))


def word_count(html: str) -> int:
    return len(re.findall(r"\w+", plain_text(html)))


def reading_minutes(words: int) -> int:
    return max(1, math.ceil(words / WORDS_PER_MINUTE))
