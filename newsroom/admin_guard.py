"""Hand-made admin addresses answer 400 with a message, never 500.

The admin validates the filters it offers (the date drill-down, list_filter choices, ids
in the address: those already end in its "?e=1" redirect or a "does not exist" message,
though only with a silent redirect to the unfiltered list, which this turns into a 400),
but it passes any other lookup on a model's own fields to the ORM as typed, and some of
those only fail when the SQL is built or run: `?created_at__year=99999` (a year Python's
dates cannot hold) on a field that is not the drill-down, `?title__regex=(`. Such a failure
of a GET under /admin/ is the request's fault, not the server's: this middleware answers it
with 400 and the reason, and logs it (with the traceback, so a real bug stays visible).
"""

import logging

from django.contrib import admin
from django.contrib.admin.views.main import ERROR_FLAG
from django.core.exceptions import ValidationError
from django.db import DataError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

logger = logging.getLogger(__name__)

# What a lookup value the ORM cannot use raises: a date out of range, a number too large
# for the column, a value of the wrong type, a pattern the database refuses.
BAD_LOOKUP_ERRORS = (ValueError, OverflowError, ValidationError, DataError)
# Lookups no admin list offers and that cost the database whatever the visitor types.
REFUSED_LOOKUPS = ("regex", "iregex")


class AdminBadRequestMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 302
            and response.get("Location") == f"{request.path}?{ERROR_FLAG}=1"
            and self._applies(request)
        ):
            # The changelist refused its filters (IncorrectLookupParameters): say so.
            return bad_request(
                request,
                "This list cannot be filtered like that: a filter in the address is unknown, "
                "or its value (a date, an id, a choice) is not one the list can use.",
            )
        return response

    @staticmethod
    def _applies(request: HttpRequest) -> bool:
        return request.method in ("GET", "HEAD") and request.path.startswith(reverse("admin:index"))

    def process_view(self, request: HttpRequest, view, args, kwargs) -> HttpResponse | None:
        if not self._applies(request):
            return None
        for key in request.GET:
            if key.rsplit("__", 1)[-1] in REFUSED_LOOKUPS:
                return bad_request(request, f"The lists offer no filter named “{key}”.")
        return None

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not (self._applies(request) and isinstance(exception, BAD_LOOKUP_ERRORS)):
            return None
        logger.warning(
            "Bad admin request %s: %s", request.get_full_path(), exception, exc_info=True
        )
        return bad_request(
            request, f"This address asks for something the admin cannot show: {_reason(exception)}"
        )


def _reason(exception: Exception) -> str:
    if isinstance(exception, ValidationError):
        return " ".join(exception.messages)
    text = str(exception).strip()
    return text.splitlines()[0] if text else type(exception).__name__


def bad_request(request: HttpRequest, message: str) -> HttpResponse:
    """A 400 in the admin's own layout (a plain rendered response: it may be returned
    while another response was being rendered, which would not render a second one)."""
    context = {**admin.site.each_context(request), "title": "Bad request", "message": message}
    return render(request, "admin/bad_request.html", context, status=400)
