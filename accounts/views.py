"""The second step of staff sign-in, and the page where staff manage their factors.

Thin views over accounts.twofactor; shown in the admin's own layout.
"""

from __future__ import annotations

import segno
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential
from django_otp_webauthn.views import (
    CompleteCredentialAuthenticationView,
    CompleteCredentialRegistrationView,
)

from accounts import twofactor

SESSION_NEW_AUTHENTICATOR = "new_authenticator_id"


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
        help_text="The 6-digit code your authenticator app shows, or one of your recovery codes.",
    )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split()).lower()


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe else reverse("admin:index")


def _page(request: HttpRequest, template: str, title: str, **context) -> TemplateResponse:
    base = admin.site.each_context(request)
    # The admin's menu only leads back here until the second step is done.
    base["is_nav_sidebar_enabled"] = base["is_nav_sidebar_enabled"] and request.user.is_verified()
    return TemplateResponse(request, template, {**base, "title": title, **context})


def _verified(request: HttpRequest, device) -> None:
    """Mark the session as through its second step, under a new session key (as the
    password step got one), so a key learnt before this step is worth nothing after it."""
    otp_login(request, device)
    request.session.cycle_key()


@never_cache
@staff_member_required
def verify(request: HttpRequest) -> HttpResponse:
    """Step two: a code from the app, a recovery code, or a passkey (done by the script)."""
    user = request.user
    if twofactor.pending_step(user) is not twofactor.Step.VERIFY:
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device, refusal = twofactor.check_code(user, form.cleaned_data["code"])
        if device is not None:
            _verified(request, device)
            if isinstance(device, StaticDevice):
                left = twofactor.recovery_codes_left(user)
                messages.warning(
                    request,
                    f"You signed in with a recovery code; {left} left. "
                    "Make new ones on this page when they run low.",
                )
            return redirect(_next_url(request))
        form.add_error("code", refusal)
    return _page(
        request,
        "accounts/verify.html",
        "Two-factor sign-in",
        form=form,
        next=_next_url(request),
        has_passkey=WebAuthnCredential.objects.filter(user=user, confirmed=True).exists(),
        has_app=TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
    )


@never_cache
@staff_member_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """The staff member's factors: add an app or a passkey, renew recovery codes, remove."""
    user = request.user
    return _page(
        request,
        "accounts/two_factor.html",
        "Two-factor sign-in",
        required=twofactor.is_required(user),
        enrolling=not user.is_verified(),
        may_enrol=twofactor.may_enrol(user),
        apps=TOTPDevice.objects.filter(user=user, confirmed=True),
        passkeys=WebAuthnCredential.objects.filter(user=user, confirmed=True),
        has_factor=twofactor.has_factor(user),
        recovery_codes_left=twofactor.recovery_codes_left(user),
        next=_next_url(request),
    )


@never_cache
@staff_member_required
def authenticator(request: HttpRequest) -> HttpResponse:
    """Add an authenticator app: scan the code (or type the key), then prove it with a code."""
    user = request.user
    if not twofactor.may_enrol(user):
        return redirect("accounts:verify")
    device = None
    if request.method == "POST":
        device = TOTPDevice.objects.filter(
            user=user, confirmed=False, pk=request.session.get(SESSION_NEW_AUTHENTICATOR)
        ).first()
    if device is None:
        device = twofactor.new_authenticator(user)
        request.session[SESSION_NEW_AUTHENTICATOR] = device.pk
        form = CodeForm()
    else:
        form = CodeForm(request.POST)
        if form.is_valid() and not device.verify_is_allowed()[0]:
            form.add_error("code", "Too many wrong codes in a row: wait a moment, then retry.")
        elif form.is_valid():
            if device.verify_token(form.cleaned_data["code"]):
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                del request.session[SESSION_NEW_AUTHENTICATOR]
                if not user.is_verified():
                    _verified(request, device)
                if not twofactor.has_recovery_codes(user):
                    return _recovery_codes_page(request, first=True)
                messages.success(request, "Your authenticator app is set up.")
                return redirect(_two_factor_url(request))
            form.add_error(
                "code",
                "That code does not match. Check that the phone's clock is right and type "
                "the newest code.",
            )
    form.fields["code"].help_text = "The 6-digit code the app shows for this account."
    # segno draws the QR code as SVG markup of its own (paths only, no text from the user),
    # inline in the page: nothing is fetched, so the strict CSP needs no exception.
    qr = mark_safe(segno.make(device.config_url, error="m").svg_inline(scale=4, border=2))
    return _page(
        request,
        "accounts/authenticator.html",
        "Add an authenticator app",
        form=form,
        qr=qr,
        key=twofactor.totp_key(device),
        next=_next_url(request),
    )


def _two_factor_url(request: HttpRequest) -> str:
    next_url = request.POST.get("next") or request.GET.get("next")
    return reverse("accounts:two_factor") + (f"?next={next_url}" if next_url else "")


def _recovery_codes_page(request: HttpRequest, first: bool = False) -> TemplateResponse:
    codes = twofactor.new_recovery_codes(request.user)
    response = _page(
        request,
        "accounts/recovery_codes.html",
        "Your recovery codes",
        codes=codes,
        first=first,
        next=_next_url(request),
    )
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@staff_member_required
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes replace the old ones and are shown this once."""
    if not request.user.is_verified():
        return redirect("accounts:verify")
    return _recovery_codes_page(request)


@never_cache
@staff_member_required
@require_POST
def remove_factor(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Remove one of the user's own apps or passkeys (never someone else's: 404)."""
    if not request.user.is_verified():
        return redirect("accounts:verify")
    model = {"app": TOTPDevice, "passkey": WebAuthnCredential}.get(kind)
    if model is None:
        return redirect("accounts:two_factor")
    device = get_object_or_404(model, pk=pk, user=request.user, confirmed=True)
    device.delete()
    messages.success(request, f"Removed “{device.name or kind}”.")
    return redirect("accounts:two_factor")


class PasskeyVerifyView(CompleteCredentialAuthenticationView):
    """django-otp-webauthn's end of the passkey step, with the session key renewed as the
    code step renews it."""

    def complete_auth(self, device) -> None:
        super().complete_auth(device)
        self.request.session.cycle_key()


class PasskeyRegisterView(CompleteCredentialRegistrationView):
    """django-otp-webauthn's end of adding a passkey; a first passkey also completes the
    session's second step, under a new session key."""

    def post(self, *args, **kwargs):
        was_verified = self.request.user.is_verified()
        response = super().post(*args, **kwargs)
        if not was_verified and self.request.user.is_verified():
            self.request.session.cycle_key()
        return response
