"""Two-factor sign-in through the HTTP client: who must enrol, enrolment with an authenticator
app, the code step, recovery codes, and what a session with only the password may do.

(The same in Chromium, and passkeys, in test_auth_browser.py.)
"""

import base64
import re

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from accounts import twofactor
from tests.factories import ArticleFactory, EditorFactory, JournalistFactory, UserFactory
from tests.signin import PASSWORD, authenticator, code, sign_in

pytestmark = pytest.mark.django_db

ENROL = "/admin/2fa/"
VERIFY = "/admin/2fa/verify/"
APP = "/admin/2fa/authenticator/"


def password_step(client, user, next_url="/admin/"):
    response = client.post(
        f"/admin/login/?next={next_url}",
        {"username": user.username, "password": PASSWORD, "next": next_url},
    )
    assert response.status_code == 302, response.content[:300]
    return response


def code_for_key(key: str) -> str:
    totp = TOTP(base64.b32decode(key.replace(" ", "")))
    return f"{totp.token():06d}"


def enrol_app(client) -> tuple[str, list[str]]:
    """Add an authenticator app from the set-up page, as a person with a phone would."""
    page = client.get(APP).content.decode()
    key = re.search(r'<code id="totp-key">([A-Z2-7 ]+)</code>', page).group(1)
    done = client.post(APP, {"code": code_for_key(key)})
    if done.status_code == 302:  # had recovery codes already: none are made
        return key, []
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", done.content.decode())
    return key, codes


# --- Who must ---------------------------------------------------------------------------


def test_an_editor_with_a_password_only_is_sent_to_enrol_and_can_do_nothing_else(client):
    editor = EditorFactory(username="eddie")
    story = ArticleFactory(headline="Embargoed budget story")
    password_step(client, editor)
    for path in (
        "/admin/",
        "/admin/articles/article/",
        f"/admin/articles/article/{story.pk}/change/",
        "/admin/password_change/",
        "/admin/accounts/signinlockout/",
    ):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(f"{ENROL}?next="), path
    # Writes are refused the same way, and change nothing.
    response = client.post("/admin/articles/article/add/", {"headline": "Sneaky"})
    assert response.status_code == 302 and response["Location"].startswith(ENROL)
    # Outside the admin the session counts for nothing: a draft's preview wants a login.
    response = client.get(f"/preview/{story.pk}/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    page = client.get(ENROL).content.decode()
    assert "Your role signs in with two factors" in page and 'id="add-authenticator"' in page


def test_superusers_must_enrol_too(client):
    boss = UserFactory(username="boss", is_superuser=True)
    password_step(client, boss)
    assert client.get("/admin/")["Location"].startswith(ENROL)


def test_a_journalist_may_sign_in_with_the_password_alone_by_default(client):
    jane = JournalistFactory(username="jane")
    password_step(client, jane)
    assert client.get("/admin/").status_code == 200
    page = client.get(ENROL).content.decode()
    assert "optional for your role" in page
    assert not twofactor.is_required(jane)


def test_settings_decide_which_roles_must(client, settings):
    settings.STAFF_2FA_REQUIRED = ["journalists"]
    jane = JournalistFactory(username="jane")
    eddie = EditorFactory(username="eddie")
    password_step(client, jane)
    assert client.get("/admin/")["Location"].startswith(ENROL)
    other = Client()
    password_step(other, eddie)
    assert other.get("/admin/").status_code == 200
    settings.STAFF_2FA_REQUIRED = ["staff"]
    assert twofactor.is_required(eddie) and twofactor.is_required(jane)


# --- Enrolling with an authenticator app ------------------------------------------------


def test_an_editor_enrols_an_app_gets_recovery_codes_once_and_reaches_the_desk(client):
    editor = EditorFactory(username="eddie")
    password_step(client, editor, next_url="/admin/articles/article/")
    to_enrol = client.get("/admin/articles/article/")["Location"]
    assert to_enrol == f"{ENROL}?next=%2Fadmin%2Farticles%2Farticle%2F"
    page = client.get(APP)
    html = page.content.decode()
    # The QR code is drawn inline (nothing fetched, nothing for the CSP to allow).
    assert "<svg" in html and "<img" not in html.split('id="totp-qr"')[1].split("</div>")[0]
    assert "img-src 'self' data:" in page["Content-Security-Policy"]
    _, codes = enrol_app(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    device = TOTPDevice.objects.get(user=editor)
    assert device.confirmed
    assert client.get("/admin/articles/article/").status_code == 200
    # Shown once: the page offers new ones, it never shows these again.
    page = client.get(ENROL).content.decode()
    assert "10 unused recovery codes" in page and codes[0] not in page


def test_a_wrong_code_confirms_nothing(client):
    editor = EditorFactory(username="eddie")
    password_step(client, editor)
    client.get(APP)
    response = client.post(APP, {"code": "000000"})
    assert response.status_code == 200
    assert "That code does not match" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=editor, confirmed=True).exists()
    assert client.get("/admin/")["Location"].startswith(ENROL)
    for odd in ("", "x" * 40, "12 34 56 78", "\x00"):
        assert client.post(APP, {"code": odd}).status_code == 200


def test_someone_with_a_factor_cannot_add_another_without_the_code_step(client):
    editor = EditorFactory(username="eddie")
    authenticator(editor)
    password_step(client, editor)
    assert client.get(APP)["Location"].startswith(VERIFY)
    assert client.get(ENROL)["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=editor).count() == 1
    # Nor a passkey: the registration API does not open for this session.
    response = client.post("/admin/2fa/webauthn/registration/begin/")
    assert response.status_code in (401, 403)


# --- Signing in with the code -----------------------------------------------------------


def test_the_code_step_takes_the_app_code_once(client):
    editor = EditorFactory(username="eddie")
    device = authenticator(editor)
    password_step(client, editor, next_url="/admin/articles/article/")
    assert client.get("/admin/")["Location"].startswith(VERIFY)
    wrong = client.post(VERIFY, {"code": "123456", "next": "/admin/articles/article/"})
    assert wrong.status_code == 200 and "That code does not work" in wrong.content.decode()
    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=5), tick=False):
        # django-otp makes each wrong code wait longer; a few seconds later it is open again.
        first_code = code(device)
        right = client.post(VERIFY, {"code": first_code, "next": "/admin/articles/article/"})
        assert right.status_code == 302 and right["Location"] == "/admin/articles/article/"
        assert client.get("/admin/articles/article/").status_code == 200
        # The same code does not open a second session.
        other = Client()
        password_step(other, editor)
        replay = other.post(VERIFY, {"code": first_code})
        assert replay.status_code == 200
        assert other.get("/admin/")["Location"].startswith(VERIFY)


def test_the_session_key_changes_at_the_code_step(client):
    editor = EditorFactory(username="eddie")
    device = authenticator(editor)
    password_step(client, editor)
    before = client.cookies["sessionid"].value
    client.post(VERIFY, {"code": code(device)})
    assert client.cookies["sessionid"].value != before
    assert client.get("/admin/").status_code == 200


def test_guessing_codes_is_slowed_down(client):
    editor = EditorFactory(username="eddie")
    device = authenticator(editor)
    password_step(client, editor)
    for _ in range(3):
        client.post(VERIFY, {"code": "000000"})
    response = client.post(VERIFY, {"code": code(device)})
    assert "Too many wrong codes" in response.content.decode()
    assert client.get("/admin/")["Location"].startswith(VERIFY)


def test_the_code_step_never_sends_anyone_off_the_site(client):
    editor = EditorFactory(username="eddie")
    device = authenticator(editor)
    password_step(client, editor)
    response = client.post(VERIFY, {"code": code(device), "next": "https://evil.example/"})
    assert response["Location"] == "/admin/"


def test_a_recovery_code_works_once_and_says_how_many_are_left(client):
    editor = EditorFactory(username="eddie")
    authenticator(editor)
    codes = twofactor.new_recovery_codes(editor)
    password_step(client, editor)
    response = client.post(VERIFY, {"code": codes[0].upper()}, follow=True)
    assert response.status_code == 200
    assert "9 left" in response.content.decode()
    assert client.get("/admin/").status_code == 200
    other = Client()
    password_step(other, editor)
    assert other.post(VERIFY, {"code": codes[0]}).status_code == 200
    assert other.get("/admin/")["Location"].startswith(VERIFY)
    assert StaticToken.objects.filter(device__user=editor).count() == 9


def test_recovery_codes_alone_get_the_editor_in_only_to_enrol_again(client):
    # Lost the phone: an administrator removed the app; the printed codes remain.
    editor = EditorFactory(username="eddie")
    codes = twofactor.new_recovery_codes(editor)
    password_step(client, editor)
    assert client.get("/admin/")["Location"].startswith(VERIFY)
    client.post(VERIFY, {"code": codes[0]})
    assert client.get("/admin/")["Location"].startswith(ENROL)
    enrol_app(client)
    assert client.get("/admin/").status_code == 200


def test_new_recovery_codes_replace_the_old_ones(client):
    editor = EditorFactory(username="eddie")
    client.force_login(editor)
    old = twofactor.new_recovery_codes(editor)
    page = client.post("/admin/2fa/recovery-codes/").content.decode()
    new = re.findall(r"<li><code>([a-z2-7]+)</code></li>", page)
    assert len(new) == 10 and not set(new) & set(old)
    assert set(StaticToken.objects.filter(device__user=editor).values_list("token", flat=True)) == (
        set(new)
    )


def test_an_optional_journalist_who_enrolled_must_use_it(client):
    jane = JournalistFactory(username="jane")
    password_step(client, jane)
    enrol_app(client)
    other = Client()
    password_step(other, jane)
    assert other.get("/admin/")["Location"].startswith(VERIFY)


# --- Managing factors -------------------------------------------------------------------


def test_staff_remove_their_own_factors_only(client):
    editor, jane = EditorFactory(username="eddie"), JournalistFactory(username="jane")
    theirs = authenticator(jane)
    client.force_login(editor)
    mine = authenticator(editor)
    assert client.post(f"/admin/2fa/app/{theirs.pk}/remove/").status_code == 404
    assert client.post(f"/admin/2fa/nothing/{mine.pk}/remove/").status_code == 302
    assert client.get(f"/admin/2fa/app/{mine.pk}/remove/").status_code == 405
    assert TOTPDevice.objects.filter(pk__in=[theirs.pk, mine.pk]).count() == 2
    assert client.post(f"/admin/2fa/app/{mine.pk}/remove/").status_code == 302
    assert not TOTPDevice.objects.filter(pk=mine.pk).exists()
    # The session was verified with that app: it must enrol again before going on.
    assert client.get("/admin/")["Location"].startswith(ENROL)


def test_the_sign_in_helper_goes_through_the_real_forms(client):
    editor = EditorFactory(username="eddie")
    assert sign_in(client, editor)["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


# --- Passkeys at the HTTP level (the ceremony itself runs in Chromium) ------------------


def test_passkey_registration_opens_for_a_session_that_is_enrolling(client, settings):
    editor = EditorFactory(username="eddie")
    password_step(client, editor)
    response = client.post("/admin/2fa/webauthn/registration/begin/")
    assert response.status_code == 200
    options = response.json()
    assert options["rp"] == {"id": settings.OTP_WEBAUTHN_RP_ID, "name": settings.SITE_NAME}
    assert options["user"]["name"] == "eddie"


def test_passkeys_are_a_second_step_only(client):
    # No passwordless sign-in: without the password step the ceremony does not start.
    response = client.post("/admin/2fa/webauthn/authentication/begin/")
    assert response.status_code == 403
    assert not WebAuthnCredential.objects.exists()


def test_the_verify_page_offers_a_passkey_only_to_those_who_have_one(client):
    editor = EditorFactory(username="eddie")
    authenticator(editor)
    password_step(client, editor)
    page = client.get(VERIFY).content.decode()
    assert "passkey-verification-button" not in page


def test_a_superuser_can_remove_a_lost_factor_in_the_admin(client):
    boss = UserFactory(username="boss", is_superuser=True)
    client.force_login(boss)
    for path in (
        "/admin/otp_totp/totpdevice/",
        "/admin/otp_static/staticdevice/",
        "/admin/django_otp_webauthn/webauthncredential/",
    ):
        assert client.get(path).status_code == 200, path
    editor = EditorFactory(username="eddie")
    client.force_login(editor)
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 403
