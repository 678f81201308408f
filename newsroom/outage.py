"""The site's own 503 page for a database outage, built without touching the database.

A database that is down, restarting or cancelling a query (statement timeout) raises
OperationalError or InterfaceError wherever the first query happens: in a view, or in the
session and auth middleware. Both paths end here:

- `DatabaseOutageMiddleware.process_exception` turns an error raised in a view into the 503
  (also with DEBUG on);
- `server_error` (handler500) does it for an error raised anywhere else, such as a
  middleware, where Django has already turned the exception into a response.

The response carries the security headers itself, since the middleware that would add them
may be the one that failed.
"""

import logging

from csp.constants import HEADER as CSP_HEADER
from csp.utils import build_policy
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)

OUTAGE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def outage_response() -> HttpResponse:
    """503 with Retry-After: 503.html rendered with no request, no context processor, no query."""
    response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    response[CSP_HEADER] = build_policy()
    response["X-Content-Type-Options"] = "nosniff"
    response["X-Frame-Options"] = settings.X_FRAME_OPTIONS
    response["Referrer-Policy"] = settings.SECURE_REFERRER_POLICY
    response["Cross-Origin-Opener-Policy"] = settings.SECURE_CROSS_ORIGIN_OPENER_POLICY
    return response


class DatabaseOutageMiddleware:
    """A view that fails because the database is unavailable answers the 503 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, OUTAGE_ERRORS):
            logger.error(
                "Database unavailable for %s: %s: %s",
                request.path,
                type(exception).__name__,
                str(exception).strip().splitlines()[0] if str(exception).strip() else "",
            )
            return outage_response()
        return None
