"""Signing staff in for tests the way they sign in for real: password, then second step.

Most tests are about what staff do once signed in, and call `client.force_login(user)`; for
them conftest makes force_login finish the second step too, with the user's own
authenticator app (made on the spot for someone who must have one). The tests of sign-in
itself go through the login form and the second-step page instead (tests/test_auth_*.py).
"""

from __future__ import annotations

import time

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import twofactor

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's

_password_only_force_login = Client.force_login


def authenticator(user) -> TOTPDevice:
    """The user's confirmed authenticator app, added if there is none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Test phone", confirmed=True)


def code(device: TOTPDevice) -> str:
    """The code the app shows now; or, if that one was used already (a code works once),
    the next period's, which the site accepts as a clock one step ahead."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() <= device.last_t:
        totp.time += (device.last_t + 1 - totp.t()) * device.step
    return f"{totp.token():0{device.digits}d}"


def sign_in(client: Client, user, password: str = PASSWORD, next_url: str = "/admin/"):
    """Sign in through the real forms: the admin login, then (for someone with a factor, or
    who must have one: an authenticator app is added first, as if enrolled earlier) the
    code step. Returns the last response, a redirect to next_url when all went well."""
    needs_code = twofactor.is_required(user) or twofactor.has_factor(user)
    device = authenticator(user) if needs_code else None
    response = client.post(
        f"/admin/login/?next={next_url}",
        {"username": user.username, "password": password, "next": next_url},
    )
    if device is None or response.status_code != 302:
        return response
    return client.post(
        f"/admin/2fa/verify/?next={next_url}", {"code": code(device), "next": next_url}
    )


def force_login_with_second_step(self: Client, user, backend=None) -> None:
    _password_only_force_login(self, user, backend)
    if twofactor.is_required(user) or twofactor.has_factor(user):
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = authenticator(user).persistent_id
        session.save()


def password_only_force_login(client: Client, user) -> None:
    """A session that has the password step only (for tests of what it may not do)."""
    _password_only_force_login(client, user)
