"""Who must use a second factor, what they have enrolled, and what their session still needs.

The factors are django-otp devices: an authenticator app (TOTPDevice), a passkey or security
key (django-otp-webauthn's WebAuthnCredential) and one set of recovery codes (StaticDevice,
each code works once). Recovery codes are a way back in, not a factor of their own: someone
who must use two-factor sign-in and has only recovery codes left is sent to enrol again.
"""

from __future__ import annotations

import base64
import enum
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Exists, OuterRef
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from accounts.models import EDITORS, JOURNALISTS

RECOVERY_CODES = 10
RECOVERY_DEVICE_NAME = "Recovery codes"
ROLE_GROUPS = {"editors": EDITORS, "journalists": JOURNALISTS}
User = get_user_model()


class Step(enum.Enum):
    """What a signed-in session must do before it may use the admin."""

    VERIFY = "verify"  # enter a code or use a passkey (the user has a factor)
    ENROL = "enrol"  # set up a factor (the user must have one and has none)


def _required_groups() -> list[str]:
    return [ROLE_GROUPS[role] for role in settings.STAFF_2FA_REQUIRED if role in ROLE_GROUPS]


def _required_by_flags(user: AbstractBaseUser) -> bool:
    required = set(settings.STAFF_2FA_REQUIRED)
    return ("staff" in required and user.is_staff) or (
        "superusers" in required and user.is_superuser
    )


def _in_group(names: list[str]):
    return Exists(User.groups.through.objects.filter(user=OuterRef("pk"), group__name__in=names))


def _factors():
    return {
        "has_app": Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
        "has_passkey": Exists(
            WebAuthnCredential.objects.filter(user=OuterRef("pk"), confirmed=True)
        ),
        "has_codes": Exists(
            StaticToken.objects.filter(device__user=OuterRef("pk"), device__confirmed=True)
        ),
    }


@dataclass(frozen=True)
class Standing:
    """What the user has enrolled and whether their role must; read in one query."""

    required: bool
    has_factor: bool  # an authenticator app or a passkey, confirmed
    has_codes: bool  # unused recovery codes

    @classmethod
    def of(cls, user: AbstractBaseUser) -> Standing:
        row = (
            User._default_manager.filter(pk=user.pk)
            .annotate(in_required_group=_in_group(_required_groups()), **_factors())
            .values("in_required_group", "has_app", "has_passkey", "has_codes")
            .get()
        )
        return cls(
            required=_required_by_flags(user) or row["in_required_group"],
            has_factor=row["has_app"] or row["has_passkey"],
            has_codes=row["has_codes"],
        )


def is_required(user: AbstractBaseUser) -> bool:
    """Whether settings.STAFF_2FA_REQUIRED names one of this user's roles."""
    groups = _required_groups()
    return _required_by_flags(user) or (
        bool(groups) and user.groups.filter(name__in=groups).exists()
    )


def has_factor(user: AbstractBaseUser) -> bool:
    """An authenticator app or a passkey, confirmed."""
    return Standing.of(user).has_factor


def has_recovery_codes(user: AbstractBaseUser) -> bool:
    return Standing.of(user).has_codes


def pending_step(user: AbstractBaseUser) -> Step | None:
    """What this signed-in user's session lacks, or None when it may go on.

    A session verified with an app or a passkey costs no query; the others one, and only
    staff have sessions.
    """
    device = getattr(user, "otp_device", None)
    if device is not None and not isinstance(device, StaticDevice):
        return None
    standing = Standing.of(user)
    if device is not None:  # came in with a recovery code
        return Step.ENROL if standing.required and not standing.has_factor else None
    if standing.has_factor or standing.has_codes:
        return Step.VERIFY
    return Step.ENROL if standing.required else None


def may_enrol(user: AbstractBaseUser) -> bool:
    """A new factor may be added by a verified session, or by one with nothing to verify
    with yet (the first enrolment, right after the password)."""
    if user.is_verified():
        return True
    standing = Standing.of(user)
    return not (standing.has_factor or standing.has_codes)


def new_authenticator(user: AbstractBaseUser) -> TOTPDevice:
    """An unconfirmed authenticator for the set-up page; confirmed once a code matches.

    Earlier unconfirmed ones (an abandoned set-up) are removed: their keys were shown once.
    """
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def totp_key(device: TOTPDevice) -> str:
    """The key as an authenticator app asks for it typed in: base32 in groups of four."""
    key = base64.b32encode(device.bin_key).decode()
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@transaction.atomic
def new_recovery_codes(user: AbstractBaseUser) -> list[str]:
    """Replace the user's recovery codes with a fresh set, to be shown this once.

    The site never shows them again; django-otp keeps them as typed, so the database is
    guarded like the password hashes are (README, "Signing in").
    """
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_codes_left(user: AbstractBaseUser) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def check_code(user: AbstractBaseUser, code: str):
    """(device, None) for a code that one of the user's apps or recovery codes accepts, else
    (None, why). django-otp slows guessing per device (each failure doubles the wait)."""
    if code.isdigit() and len(code) == 6:
        devices = list(TOTPDevice.objects.filter(user=user, confirmed=True))
    else:
        devices = list(StaticDevice.objects.filter(user=user, confirmed=True))
    waiting = False
    for device in devices:
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            waiting = True
            continue
        if device.verify_token(code):
            return device, None
    if waiting:
        return None, "Too many wrong codes in a row: wait a minute, then try the newest code."
    return None, "That code does not work. Type the newest code, or an unused recovery code."
