"""What a signed-in session may do: nothing until its second step is done, and not forever."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from accounts import twofactor
from accounts.signin import SEEN_AT, SIGNED_IN_AT
from accounts.twofactor import Step

# Views a session may reach before its second step: the step itself, and leaving.
ALWAYS_OPEN = {"admin:logout", "admin:jsi18n"}
OPEN_FOR = {
    Step.VERIFY: {
        "accounts:verify",
        "otp_webauthn:credential-authentication-begin",
        "otp_webauthn:credential-authentication-complete",
        "otp_webauthn:js-i18n-catalog",
    },
    Step.ENROL: {
        "accounts:two_factor",
        "accounts:authenticator",
        "accounts:recovery_codes",
        "otp_webauthn:credential-registration-begin",
        "otp_webauthn:credential-registration-complete",
        "otp_webauthn:js-i18n-catalog",
    },
}
SEEN_EVERY_SECONDS = 60
TARGET = {Step.VERIFY: "accounts:verify", Step.ENROL: "accounts:two_factor"}


def _has_session(request: HttpRequest) -> bool:
    # Without a session cookie nobody is signed in, and asking request.user would read the
    # session: its response would then vary by Cookie, and readers' pages must not.
    return settings.SESSION_COOKIE_NAME in request.COOKIES


class SignInMiddleware:
    """After django-otp's OTPMiddleware: ends sessions past SESSION_MAX_HOURS since the login,
    and holds a session that still owes its second step (accounts.twofactor.pending_step).

    Such a session is sent to that step from any admin page, and is anonymous everywhere
    else (a staff preview, say), so a password alone opens nothing.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_session(request) and request.user.is_authenticated:
            now = time.time()
            if now - request.session.get(SIGNED_IN_AT, 0) > settings.SESSION_MAX_HOURS * 3600:
                logout(request)
            elif now - request.session.get(SEEN_AT, 0) > SEEN_EVERY_SECONDS:
                # Saving the session moves its expiry (SESSION_COOKIE_AGE) on: idle time
                # counts from the last request, to the minute, for one write a minute.
                request.session[SEEN_AT] = now
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not _has_session(request):
            return None
        user = request.user
        if not user.is_authenticated:
            return None
        step = twofactor.pending_step(user)
        if step is None:
            return None
        view_name = request.resolver_match.view_name
        if view_name in ALWAYS_OPEN or view_name in OPEN_FOR[step]:
            return None
        if request.resolver_match.app_name in ("admin", "accounts"):
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse(TARGET[step])}?{query}")
        request.user = AnonymousUser()
        return None
