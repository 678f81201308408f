"""The benchmark's framework floor: what Django itself costs per request on this machine.

The fully cold story page (bench/cold_settings.py) makes COLD_STORY_QUERIES queries through
the ORM and renders its templates. These two pages, served by the same gunicorn with the
site's whole middleware stack, bound from above what any page built that way can reach:

    /floor/empty/     a fixed answer: the request cycle and the middleware alone
    /floor/queries/   the same after COLD_STORY_QUERIES of the ORM's simplest lookups (one
                      story's headline by primary key each), rendering nothing

Used only by bench/run.sh, through bench/floor_settings.py.
"""

from django.http import HttpResponse
from django.urls import include, path

from articles.models import Article

# tests/test_caching.py holds the cold story page to this many queries.
COLD_STORY_QUERIES = 9


def empty(request):
    return HttpResponse("floor", content_type="text/plain")


def queries(request):
    for pk in range(1, COLD_STORY_QUERIES + 1):
        list(Article.objects.filter(pk=pk).values_list("headline", flat=True)[:1])
    return HttpResponse("floor", content_type="text/plain")


urlpatterns = [
    path("floor/empty/", empty),
    path("floor/queries/", queries),
    path("", include("newsroom.urls")),  # /healthz, which bench/run.sh waits for
]
