"""Bounds on what one request may cost, and paths no page can have."""

from importlib import import_module

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def _signed_in(request: HttpRequest) -> bool:
    """A session cookie that names a signed-in user (one primary-key read, staff only)."""
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not key:
        return False
    store = import_module(settings.SESSION_ENGINE).SessionStore(key)
    return bool(store.get("_auth_user_id"))


class AnonymousBodyLimitMiddleware:
    """Refuse large request bodies from visitors who are not signed in, unread.

    The public site and the login form need a few kilobytes; without this a visitor could
    stream gigabytes into a temporary upload file. Runs before anything reads the body, so
    nothing is written. A body without Content-Length (chunked) is refused too: its size is
    only known by reading it. Signed-in staff keep Django's own limits (photos up to
    IMAGE_MAX_BYTES).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.ANONYMOUS_MAX_BODY_BYTES
        if (
            limit
            and request.method not in SAFE_METHODS
            and self._too_large(request, limit)
            and not _signed_in(request)
        ):
            return HttpResponse(
                f"Request body too large: at most {limit} bytes unless you are signed in.\n",
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)

    @staticmethod
    def _too_large(request: HttpRequest, limit: int) -> bool:
        length = request.META.get("CONTENT_LENGTH")
        if not length:
            return "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
        try:
            return int(length) > limit
        except ValueError:
            return True


class OddInputMiddleware:
    """A NUL byte has no place in a page's address: 404.

    PostgreSQL refuses text containing NUL, so such a path reaching a lookup (a standing
    page's URL) would otherwise be a 500. Checked in process_view, so the
    error page passes every middleware on its way out and carries all the headers.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view, args, kwargs) -> None:
        if "\x00" in request.path:
            raise Http404("No page has a NUL byte in its address.")


class StaffStatementTimeoutMiddleware:
    """Signed-in staff get DB_STAFF_STATEMENT_TIMEOUT_MS instead of the public timeout.

    The connection starts with DB_STATEMENT_TIMEOUT_MS (settings.py, PostgreSQL only), so a
    reader's request never costs a round trip for it; the admin's heavier work (bulk actions,
    revision comparisons) raises it for the request and resets it afterwards.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not (
            settings.DB_STATEMENT_TIMEOUT_MS
            and connection.vendor == "postgresql"
            and settings.SESSION_COOKIE_NAME in request.COOKIES
            and request.user.is_staff
        ):
            return self.get_response(request)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('statement_timeout', %s, false)",
                [str(settings.DB_STAFF_STATEMENT_TIMEOUT_MS)],
            )
        try:
            return self.get_response(request)
        finally:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("RESET statement_timeout")
            except DatabaseError:
                # Never hand a reader's next request a connection with the staff timeout.
                connection.close()
