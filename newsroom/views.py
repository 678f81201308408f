import datetime as dt
import sys
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET, require_safe
from django.views.defaults import server_error as default_server_error

from articles.public import public_page
from newsroom.addresses import absolute_url
from newsroom.outage import OUTAGE_ERRORS, outage_response

# RFC 9116 recommends an Expires under a year ahead; computed, so the file never goes stale.
SECURITY_TXT_DAYS = 360


@require_GET
@never_cache
def healthz(request):
    """The database and the cache, reported apart, for load balancers, Varnish and compose.

    503 only when the site cannot serve: the database is unreachable. A cache that does not
    answer makes pages slower, not wrong (it fails open), so it reports "degraded" with 200.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        database = "unreachable"
    else:
        database = "ok"
    # The cache swallows its own errors (a miss), so ask it to keep a value for a moment.
    token = uuid.uuid4().hex
    cache.set("healthz", token, 10)
    cache_state = "ok" if cache.get("healthz") == token else "unreachable"
    if database != "ok":
        status, code = "error", 503
    else:
        status, code = ("ok" if cache_state == "ok" else "degraded"), 200
    return JsonResponse({"status": status, "database": database, "cache": cache_state}, status=code)


@requires_csrf_token
def server_error(request, template_name="500.html"):
    """handler500: the 503 page when the database is what failed, else the plain 500 page."""
    if isinstance(sys.exc_info()[1], OUTAGE_ERRORS):
        return outage_response()
    return default_server_error(request, template_name)


@require_safe
@public_page
def security_txt(request: HttpRequest) -> HttpResponse:
    """/.well-known/security.txt (RFC 9116), built from the settings; 404 without a contact."""
    if not settings.SECURITY_CONTACT:
        raise Http404("No security contact is configured (SECURITY_CONTACT).")
    today = dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    expires = today + dt.timedelta(days=SECURITY_TXT_DAYS)
    languages = dict.fromkeys([settings.SITE_LANGUAGE, "en"])
    lines = [f"# Reporting a security vulnerability in {settings.SITE_NAME}"]
    lines += [f"Contact: {_contact_uri(contact)}" for contact in settings.SECURITY_CONTACT]
    lines += [
        f"Expires: {expires:%Y-%m-%dT%H:%M:%SZ}",
        f"Preferred-Languages: {', '.join(languages)}",
        f"Canonical: {absolute_url('/.well-known/security.txt')}",
    ]
    if settings.SECURITY_POLICY_URL:
        lines.append(f"Policy: {settings.SECURITY_POLICY_URL}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def _contact_uri(contact: str) -> str:
    if "@" in contact and ":" not in contact:
        return f"mailto:{contact}"
    return contact
