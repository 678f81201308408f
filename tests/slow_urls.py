"""The site's URLs plus two that the statement-timeout tests need (tests only)."""

from django.db import connection
from django.http import HttpResponse
from django.urls import path

from newsroom.urls import handler500  # noqa: F401
from newsroom.urls import urlpatterns as site_urlpatterns


def slow(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(10)")
    return HttpResponse("finished")


def timeout(request):
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return HttpResponse(cursor.fetchone()[0])


urlpatterns = [path("slow/", slow), path("timeout/", timeout), *site_urlpatterns]
