"""The first step of staff sign-in: the password, its lockout, and the reset by e-mail.

django-axes counts failed logins per username and per client address (settings:
LOGIN_FAILURE_LIMIT, LOGIN_LOCKOUT_MINUTES); this module tells it which address a request
comes from and what a locked-out visitor sees.
"""

from __future__ import annotations

import ipaddress
import time

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from accounts.tasks import email_password_reset

SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"


def client_ip(request: HttpRequest) -> str:
    """The address a login comes from.

    The connection's own address, unless settings.TRUSTED_PROXY_COUNT says that many proxies
    in front each append the address they were reached from to X-Forwarded-For: then the
    entry the outermost trusted proxy added. Entries further left are the client's to write
    and are never believed, so a forged header cannot dodge (or aim) a lockout.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [h for h in hops if h]
    if len(hops) < trusted:
        # The proxies in front did not all add to the header: nothing in it can be trusted.
        return remote
    candidate = hops[-trusted]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def attempted_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The username a login tried, as axes records it: cut to the longest a username can be
    (150), so an absurd one is counted rather than overflowing axes' column with an error."""
    source = credentials if credentials else getattr(request, "data", request.POST)
    username = source.get("username")
    return username[:150] if isinstance(username, str) else username


def lockout_message() -> str:
    minutes = settings.LOGIN_LOCKOUT_MINUTES
    return (
        "Too many failed sign-in attempts for this username or from this network. "
        f"Sign-in is paused for {minutes} minutes (each further attempt restarts the pause). "
        "An editor can lift the pause sooner; if you forgot your password, reset it below."
    )


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """The admin login page again, with the lockout explained and status 429.

    The same page whether or not the username exists, so it reveals nothing about accounts.
    """
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username[:150]})
    context = {
        **admin.site.each_context(request),
        "title": "Log in",
        "subtitle": None,
        "app_path": request.get_full_path(),
        "form": form,
        "username": username,
        "lockout_message": lockout_message(),
        "next": request.GET.get("next", request.POST.get("next", "")),
    }
    response = TemplateResponse(request, "admin/login.html", context, status=429)
    response["Retry-After"] = str(settings.LOGIN_LOCKOUT_MINUTES * 60)
    return response.render()


class StaffPasswordResetForm(PasswordResetForm):
    """Django's reset form, mailing only active staff with a usable password.

    The page answers the same for any address, known or not, and sends nothing to an
    address that is not a staff member's.
    """

    def get_users(self, email: str):
        return (user for user in super().get_users(email) if user.is_staff)

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        """Queued, not sent in the request: a slow or failing mail server neither delays
        the page nor tells anyone, by the time it takes, that the address has an account."""
        site = {key: context[key] for key in ("domain", "site_name", "protocol")}
        email_password_reset.enqueue(
            context["user"].pk,
            site,
            subject_template_name,
            email_template_name,
            html_email_template_name,
        )


@receiver(user_logged_in)
def note_sign_in_time(sender, request: HttpRequest, user, **kwargs) -> None:
    """The clock for SESSION_MAX_HOURS (accounts.middleware) starts at the password."""
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = request.session[SEEN_AT] = time.time()
