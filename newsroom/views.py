import sys
import uuid

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET
from django.views.defaults import server_error as default_server_error

from newsroom.outage import OUTAGE_ERRORS, outage_response


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
