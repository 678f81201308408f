"""Absolute addresses on the public site, the one way every page, feed, sitemap and card
makes them.

They always start with SITE_URL, whatever host a request came in on and whatever an old
Site record says: behind Varnish or a CDN the origin's own host name is not the readers'.
"""

import functools

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

from articles.text import is_url_slug


def absolute_url(path: str) -> str:
    """The address of a path such as /politics/ on the public site; a full URL is kept."""
    if not path or path.startswith(("http://", "https://")):
        return path
    return f"{settings.SITE_URL}/{path.lstrip('/')}"


def url_pattern(viewname: str, *sentinels) -> str:
    """The path reverse(viewname, args=sentinels) gives, as a str.format() pattern with a
    positional field where each sentinel was; a sentinel is a value the URL's converter
    accepts that appears nowhere else in the path.

    Made once per URL configuration and script prefix (what reverse() depends on), so a page
    that links dozens of stories, sections and authors fills in a pattern for each instead of
    calling reverse(), which was a tenth of a front page's rendering time."""
    return _url_pattern(
        viewname, sentinels, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix()
    )


def slug_path(viewname: str, slug: str) -> str:
    """The path of a page addressed by one slug (a section, a tag, an author), or "" for an
    old row whose slug cannot be addressed, so no page linking it fails."""
    return url_pattern(viewname, "zzslugzz").format(slug) if is_url_slug(slug) else ""


@functools.cache
def _url_pattern(viewname: str, sentinels: tuple, urlconf: str, script_prefix: str) -> str:
    path = reverse(viewname, urlconf=urlconf, args=sentinels)
    path = path.replace("{", "{{").replace("}", "}}")
    for field, sentinel in enumerate(sentinels):
        path = path.replace(f"/{sentinel}/", f"/{{{field}}}/", 1)
    return path
