"""Absolute addresses on the public site, the one way every page, feed, sitemap and card
makes them.

They always start with SITE_URL, whatever host a request came in on and whatever an old
Site record says: behind Varnish or a CDN the origin's own host name is not the readers'.
"""

from django.conf import settings


def absolute_url(path: str) -> str:
    """The address of a path such as /politics/ on the public site; a full URL is kept."""
    if not path or path.startswith(("http://", "https://")):
        return path
    return f"{settings.SITE_URL}/{path.lstrip('/')}"
