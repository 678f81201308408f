"""Staff sign-in in a real Chromium: an editor enrols an authenticator app and then a passkey
(Chromium's own virtual authenticator, through the DevTools protocol), signs in with each,
and a locked-out login says so on the page. The system Chromium, loopback only
(tests/browsers.py).
"""

import base64

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import expect

from tests.browsers import CHROMIUM
from tests.factories import EditorFactory
from tests.signin import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.usefixtures("migration_rows"),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium (apt)"),
]


@pytest.fixture
def passkeys_here(settings, live_server):
    """Passkeys bound to the test server's origin (http://localhost:<port>)."""
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    return live_server


def new_page(browser, base_url):
    page = browser.new_context(base_url=base_url).new_page()
    page.set_default_timeout(15_000)
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return page, problems


def password_step(page, username="eddie", password=PASSWORD):
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")


def app_code(key: str, last_t: int = -1) -> str:
    totp = TOTP(base64.b32decode(key.replace(" ", "")))
    if totp.t() <= last_t:
        totp.time += (last_t + 1 - totp.t()) * totp.step
    return f"{totp.token():06d}"


def session_key(page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")


def log_out(page):
    page.locator("#logout-form button").click()
    expect(page.locator("h1")).to_contain_text("Logged out")


def test_an_editor_enrols_an_authenticator_app_and_signs_in_with_it(live_server, chromium):
    EditorFactory(username="eddie")
    page, problems = new_page(chromium, live_server.url)

    password_step(page)
    page.wait_for_url("**/admin/2fa/?next=**")
    expect(page.locator("#enrol-required")).to_contain_text("Set up an authenticator app")
    # Nothing else opens meanwhile.
    page.goto("/admin/articles/article/")
    page.wait_for_url("**/admin/2fa/?next=**")

    page.click("#add-authenticator")
    expect(page.locator("#totp-qr svg")).to_be_visible()
    key = page.locator("#totp-key").inner_text()
    page.fill("#id_code", "000000")
    page.click("#authenticator-form input[type=submit]")
    expect(page.locator(".errorlist")).to_contain_text("That code does not match")
    page.wait_for_timeout(2_000)  # django-otp makes a wrong code wait a second, then longer
    page.fill("#id_code", app_code(key))
    page.click("#authenticator-form input[type=submit]")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="I have saved them: continue").click()
    page.wait_for_url("**/articles/article/")
    expect(page.locator("#content h1")).to_contain_text("article")

    log_out(page)
    password_step(page)
    page.wait_for_url("**/admin/2fa/verify/**")
    device = TOTPDevice.objects.get(user__username="eddie", confirmed=True)
    page.fill("#id_code", app_code(key, device.last_t))
    page.click("#verify-form input[type=submit]")
    page.wait_for_url("**/admin/")
    expect(page.locator("#site-name")).to_contain_text("newsroom")
    assert not [p for p in problems if "Content Security Policy" in p], problems
    page.context.close()


def test_an_editor_enrols_a_passkey_and_signs_in_with_it(passkeys_here, chromium):
    EditorFactory(username="eddie")
    page, problems = new_page(chromium, passkeys_here.url)
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    added = devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )

    password_step(page)
    page.wait_for_url("**/admin/2fa/?next=**")
    page.click("#passkey-register-button")
    # The page shows itself again with the passkey listed and recovery codes on offer.
    expect(page.locator("form.factor")).to_contain_text("added")
    assert WebAuthnCredential.objects.filter(user__username="eddie", confirmed=True).count() == 1
    page.click("#new-recovery-codes")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.goto("/admin/")
    expect(page.locator("#site-name")).to_contain_text("newsroom")

    log_out(page)
    password_step(page)
    page.wait_for_url("**/admin/2fa/verify/**")
    before = session_key(page)
    page.click("#passkey-verification-button")
    page.wait_for_url("**/admin/")
    assert session_key(page) != before  # renewed at the second step
    expect(page.locator("#site-name")).to_contain_text("newsroom")
    # The authenticator holds one credential, used twice (registration, then sign-in).
    held = devtools.send("WebAuthn.getCredentials", {"authenticatorId": added["authenticatorId"]})
    assert len(held["credentials"]) == 1 and held["credentials"][0]["signCount"] >= 1
    assert not [p for p in problems if "Content Security Policy" in p], problems
    page.context.close()


def test_a_locked_out_login_says_so_on_the_page(live_server, chromium):
    EditorFactory(username="eddie")
    page, _ = new_page(chromium, live_server.url)
    for _ in range(5):
        password_step(page, password="not the password")
    expect(page.locator("#lockout-message")).to_contain_text("Too many failed sign-in attempts")
    password_step(page)
    expect(page.locator("#lockout-message")).to_be_visible()
    page.context.close()
