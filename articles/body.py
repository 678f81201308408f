"""The one home of what a story body may hold: the editor's extensions and the sanitiser.

Every rich-text field that takes story-body content (the story, a live blog's entries) uses
`body_field()`, so an element added here is in the editor, through the sanitiser and on the
page everywhere at once. Readers get it through the filters in templates/articles/story_body.html
(typographic_html and, on sponsored stories, sponsored_links).
"""

import dataclasses
import html as html_lib
import re
from collections.abc import Iterable
from urllib.parse import parse_qs, quote, urlsplit

from django.conf import settings
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
    # Photos from the library, pull quotes, fact boxes and embeds
    # (static/newsroom_admin/body_elements.js; the allow-list is in settings).
    "BodyElements": True,
}

_EMPTY_PARAGRAPH = re.compile(r"<p>(?:\s|&nbsp;|\u00a0|<br\s*/?>)*</p>")


def without_empty_paragraphs(html: str) -> str:
    """Sanitized HTML without the empty paragraphs a word processor leaves between others."""
    return _EMPTY_PARAGRAPH.sub("", html)


# --- Body elements: photos from the library, pull quotes, fact boxes, embeds ---------------
#
# Stored as the simplest HTML nh3 lets through (the allow-list is BodyElements' html_tags in
# settings): <figure data-photo="12"></figure>, <figure data-embed="https://…"></figure>,
# <aside class="pull-quote"><p>…</p></aside>, <aside class="fact-box"><h2>…</h2>…</aside>.
# clean_elements() below runs after nh3 and decides what the attributes may say; the page
# and the feeds expand them (articles.templatetags.news.body_elements).

ELEMENT_TAGS = ["figure", "aside"]
ELEMENT_ATTRIBUTES = {"figure": ["data-photo", "data-embed"]}
ELEMENT_CLASSES = {"aside": ["pull-quote", "fact-box"]}


@dataclasses.dataclass(frozen=True)
class Embed:
    platform: str  # "YouTube", for the reader
    url: str  # the post, as the editor gave it
    frame: str  # the platform's embed address, loaded only when the reader asks
    verb: str = "View"  # "Watch on YouTube", "View on Instagram"


# The hosts a frame may come from: the CSP's frame-src (settings) is built from the same list.
EMBED_FRAME_HOSTS = settings.EMBED_FRAME_HOSTS

_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{6,20}$")
_DIGITS = re.compile(r"^\d{1,25}$")
_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().removeprefix("www.").removeprefix("m.")


def embed(url: str) -> Embed | None:
    """The embed for a post's address on one of the platforms the body may embed, or None."""
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme != "https" or parts.username or parts.password or parts.port:
        return None
    host = _host(url)
    path = [piece for piece in parts.path.split("/") if piece]
    if host in ("youtube.com", "youtu.be"):
        if host == "youtu.be" and path:
            video = path[0]
        elif path[:1] == ["watch"]:
            video = (parse_qs(parts.query).get("v") or [""])[0]
        elif len(path) == 2 and path[0] in ("shorts", "embed", "live"):
            video = path[1]
        else:
            return None
        if _YOUTUBE_ID.match(video):
            return Embed("YouTube", url, f"https://www.youtube-nocookie.com/embed/{video}", "Watch")
    elif host in ("x.com", "twitter.com"):
        if len(path) >= 3 and path[1] == "status" and _DIGITS.match(path[2]):
            frame = f"https://platform.twitter.com/embed/Tweet.html?id={path[2]}&dnt=true"
            return Embed("X", url, frame)
    elif host in ("facebook.com", "fb.watch"):
        if path:
            frame = "https://www.facebook.com/plugins/post.php?href=" + quote(url, safe="")
            return Embed("Facebook", url, frame)
    elif host == "instagram.com":
        if len(path) >= 2 and path[0] in ("p", "reel", "tv") and _NAME.match(path[1]):
            return Embed("Instagram", url, f"https://www.instagram.com/p/{path[1]}/embed")
    elif host == "tiktok.com":
        if len(path) >= 3 and path[1] == "video" and _DIGITS.match(path[2]):
            return Embed("TikTok", url, f"https://www.tiktok.com/embed/v2/{path[2]}", "Watch")
    elif host in ("t.me", "telegram.me") and _is_channel_post(path):
        return Embed("Telegram", url, f"https://t.me/{path[0]}/{path[1]}?embed=1")
    return None


def _is_channel_post(path: list[str]) -> bool:
    return len(path) == 2 and bool(_NAME.match(path[0]) and _DIGITS.match(path[1]))


# Innermost figures first (no <figure> inside): nested ones collapse from the inside out.
_FIGURE = re.compile(r"<figure([^>]*)>((?:(?!<figure\b).)*?)</figure>", re.S)
_ATTRIBUTE = re.compile(r'\s([a-z-]+)="([^"]*)"')
_ASIDE_CLASS = re.compile(r'<aside class="([^"]*)">')
_TAG = re.compile(r"</?(?:figure|figcaption)\b[^>]*>")
_PLACEHOLDER = "\x00figure{}\x00"


def _attributes(text: str) -> dict[str, str]:
    return {name: html_lib.unescape(value) for name, value in _ATTRIBUTE.findall(text)}


def clean_elements(html: str) -> str:
    """After nh3: a photo reference is the id of a photo in the library, an embed is a post
    on an allowed platform (another address becomes a plain link), an aside has one known
    class; a figure that is neither keeps only its text. Runs on what nh3 left, so the
    markup is regular (quoted, escaped attributes)."""
    from articles.models import Image

    figures: list[str] = []

    def stash(match: re.Match) -> str:
        attributes = _attributes(match.group(1))
        photo, address = attributes.get("data-photo"), attributes.get("data-embed")
        if photo is not None:
            out = f'<figure data-photo="{int(photo)}"></figure>' if photo.isdigit() else ""
        elif address is not None:
            found = embed(address)
            scheme = urlsplit(address.strip()).scheme if address.strip() else ""
            if found:
                out = f'<figure data-embed="{html_lib.escape(found.url)}"></figure>'
            elif scheme in ("http", "https"):
                link = html_lib.escape(address.strip())
                out = f'<p><a href="{link}">{link}</a></p>'
            else:
                out = ""
        else:
            out = _TAG.sub("", match.group(2))
        figures.append(out)
        return _PLACEHOLDER.format(len(figures) - 1)

    previous = None
    while previous != html:
        previous, html = html, _FIGURE.sub(stash, html)
    # What is left of an unbalanced <figure> is dropped.
    html = _TAG.sub("", html)
    ids = {int(m) for out in figures for m in _PHOTO.findall(out)}
    existing = set(Image.objects.filter(pk__in=ids).values_list("pk", flat=True)) if ids else ()
    for index in range(len(figures) - 1, -1, -1):
        out = figures[index]
        reference = _PHOTO.search(out)
        if reference and int(reference.group(1)) not in existing:
            out = ""
        html = html.replace(_PLACEHOLDER.format(index), out)
    return _ASIDE_CLASS.sub(_one_class, html)


def _one_class(match: re.Match) -> str:
    # nh3 left only known classes; two at once would be two elements in one.
    return f'<aside class="{match.group(1).split()[0]}">' if match.group(1) else "<aside>"


_PHOTO = re.compile(r'<figure data-photo="(\d+)"></figure>')
_EMBED = re.compile(r'<figure data-embed="([^"]*)"></figure>')


def photo_ids(html: str) -> list[int]:
    """The photos a (cleaned) body shows inline, in order."""
    return [int(pk) for pk in _PHOTO.findall(str(html or ""))]


def public_photos(bodies: Iterable[str]):
    """The public photos the bodies show, by id: one query for all of them."""
    from articles.models import Image

    ids = {pk for body in bodies for pk in photo_ids(body)}
    if not ids:
        return {}
    return {pk: image for pk, image in Image.objects.in_bulk(ids).items() if image.is_public()}


def expand_elements(html: str, photos: dict, render_photo, render_embed) -> str:
    """The body with each photo reference and embed replaced by what the render functions
    make of it (the page's markup, or the feeds'); a photo not in `photos` goes."""

    def photo(match: re.Match) -> str:
        image = photos.get(int(match.group(1)))
        return render_photo(image) if image is not None else ""

    def embedded(match: re.Match) -> str:
        found = embed(html_lib.unescape(match.group(1)))
        return render_embed(found) if found else ""

    return _EMBED.sub(embedded, _PHOTO.sub(photo, str(html)))


def body_field(**options) -> ProseEditorField:
    """A rich-text field holding story-body content: nh3 with the policy the extensions
    allow, then the body elements are checked and the empty paragraphs go."""
    return ProseEditorField(
        extensions=BODY_EXTENSIONS,
        sanitize=[without_empty_paragraphs, clean_elements, create_sanitizer],
        **options,
    )
