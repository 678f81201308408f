"""Login throttling: failed logins pause sign-in per username and per address, say so on the
login page, and editors can lift the pause; through the admin's real login form."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts.models import SignInLockout
from tests.factories import EditorFactory, JournalistFactory
from tests.signin import PASSWORD, sign_in

LOGIN = "/admin/login/?next=/admin/"
LOCKOUTS = "/admin/accounts/signinlockout/"

pytestmark = pytest.mark.django_db


def attempt(client, username, password="wrong password", **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def test_fifty_wrong_passwords_lock_the_account_and_the_right_one_then_fails(client, settings):
    assert settings.LOGIN_FAILURE_LIMIT == 5
    jane = JournalistFactory(username="jane")
    answers = [attempt(client, "jane") for _ in range(50)]
    # The first four are the ordinary "wrong password" page; from the fifth on, the pause.
    assert [a.status_code for a in answers[:4]] == [200] * 4
    assert b"Please enter the correct username and password" in answers[0].content
    assert {a.status_code for a in answers[4:]} == {429}
    page = answers[-1].content.decode()
    assert "Too many failed sign-in attempts" in page
    assert "paused for 15 minutes" in page and 'id="lockout-message"' in page
    assert answers[-1]["Retry-After"] == "900"

    right = attempt(client, "jane", PASSWORD)
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302  # still the login page
    assert jane.last_login is None


def test_a_username_is_locked_from_every_address(client):
    JournalistFactory(username="jane")
    for i in range(5):
        attempt(client, "jane", REMOTE_ADDR=f"198.51.100.{i + 1}")
    other_place = Client()
    response = attempt(other_place, "jane", PASSWORD, REMOTE_ADDR="203.0.113.50")
    assert response.status_code == 429


def test_an_address_is_locked_for_every_username(client):
    JournalistFactory(username="jane")
    for i in range(5):
        attempt(client, f"guess{i}", REMOTE_ADDR="198.51.100.7")
    response = attempt(client, "jane", PASSWORD, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 429
    # Someone else, elsewhere, signs in as usual.
    assert attempt(Client(), "jane", PASSWORD, REMOTE_ADDR="203.0.113.9").status_code == 302


def test_the_pause_says_the_same_for_real_and_unknown_usernames():
    JournalistFactory(username="jane")
    real, unknown = Client(), Client()
    for _ in range(5):
        last_real = attempt(real, "jane", REMOTE_ADDR="198.51.100.1")
        last_unknown = attempt(unknown, "nobody-here", REMOTE_ADDR="198.51.100.2")
    assert last_real.status_code == last_unknown.status_code == 429

    def text(response):
        return response.content.decode().replace("nobody-here", "jane")

    assert (
        text(last_real).split('id="lockout-message"')[1].split("</p>")[0]
        == (text(last_unknown).split('id="lockout-message"')[1].split("</p>")[0])
    )


def test_the_pause_ends_by_itself(client):
    JournalistFactory(username="jane")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            attempt(client, "jane")
    with time_machine.travel(start + dt.timedelta(minutes=10), tick=False):
        # A try during the pause restarts it.
        assert attempt(client, "jane", PASSWORD).status_code == 429
    with time_machine.travel(start + dt.timedelta(minutes=24), tick=False):
        assert attempt(client, "jane", PASSWORD).status_code == 429
    with time_machine.travel(start + dt.timedelta(minutes=41), tick=False):
        assert attempt(client, "jane", PASSWORD).status_code == 302


def test_a_forged_forwarded_for_header_does_not_dodge_the_address_lockout(client, settings):
    assert settings.TRUSTED_PROXY_COUNT == 0  # no proxy is trusted unless configured
    for i in range(5):
        attempt(client, f"guess{i}", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}", REMOTE_ADDR="192.0.2.1")
    assert SignInLockout.objects.filter(ip_address="192.0.2.1").count() == 5
    response = attempt(client, "guess9", HTTP_X_FORWARDED_FOR="10.9.9.9", REMOTE_ADDR="192.0.2.1")
    assert response.status_code == 429


def test_behind_a_trusted_proxy_the_address_is_the_one_it_saw(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1  # Varnish appends the client it saw to X-Forwarded-For
    varnish = "127.0.0.1"
    for i in range(5):
        # What the client sent itself (left of Varnish's entry) is not believed.
        forwarded = f"10.0.0.{i}, 198.51.100.20"
        attempt(client, f"guess{i}", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=varnish)
    assert set(SignInLockout.objects.values_list("ip_address", flat=True)) == {"198.51.100.20"}
    locked = attempt(client, "guess9", HTTP_X_FORWARDED_FOR="198.51.100.20", REMOTE_ADDR=varnish)
    assert locked.status_code == 429
    # Another reader behind the same Varnish is not locked out.
    JournalistFactory(username="jane")
    elsewhere = attempt(
        Client(), "jane", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.4", REMOTE_ADDR=varnish
    )
    assert elsewhere.status_code == 302
    # A header that is not an address falls back to the connection's.
    attempt(client, "odd", HTTP_X_FORWARDED_FOR="not-an-ip", REMOTE_ADDR=varnish)
    assert SignInLockout.objects.filter(username="odd", ip_address=varnish).exists()


def test_an_editor_sees_and_lifts_a_lockout(client):
    jane = JournalistFactory(username="jane")
    for _ in range(5):
        attempt(Client(), "jane", REMOTE_ADDR="198.51.100.3")
    assert attempt(Client(), "jane", PASSWORD).status_code == 429

    editor = EditorFactory(username="eddie")
    desk = Client()
    assert sign_in(desk, editor)["Location"] == "/admin/"
    page = desk.get(LOCKOUTS)
    assert page.status_code == 200
    assert "jane" in page.content.decode() and "198.51.100.3" in page.content.decode()
    lockout = SignInLockout.objects.locked().get(username="jane")
    actions = [value for value, _ in page.context["action_form"].fields["action"].choices]
    assert "lift" in actions and "delete_selected" not in actions

    response = desk.post(LOCKOUTS, {"action": "lift", "_selected_action": [lockout.pk]})
    assert response.status_code == 302
    assert not SignInLockout.objects.filter(username="jane").exists()
    assert "Lifted: jane from 198.51.100.3." in desk.get(LOCKOUTS).content.decode()
    again = Client()
    assert attempt(again, "jane", PASSWORD).status_code == 302
    assert again.session["_auth_user_id"] == str(jane.pk)


def test_a_journalist_cannot_see_or_lift_lockouts(client, journalist):
    for _ in range(5):
        attempt(Client(), "omar")
    client.force_login(journalist)
    assert client.get(LOCKOUTS).status_code == 403
    lockout = SignInLockout.objects.get(username="omar")
    response = client.post(LOCKOUTS, {"action": "lift", "_selected_action": [lockout.pk]})
    assert response.status_code == 403
    assert SignInLockout.objects.filter(pk=lockout.pk).exists()


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"username": "x" * 5000, "password": "y"},
        {"username": "jane\x00", "password": "y"},
        {"username": ["a", "b"], "password": "y"},
    ],
)
def test_odd_login_input_gets_the_login_page_not_an_error(client, body):
    response = client.post(LOGIN, body)
    assert response.status_code in (200, 400, 429)
    assert "_auth_user_id" not in client.session


def test_an_absurdly_long_username_is_counted_like_any_other(client):
    for _ in range(5):
        attempt(client, "x" * 5000, REMOTE_ADDR="198.51.100.8")
    assert SignInLockout.objects.get(ip_address="198.51.100.8").username == "x" * 150
    assert attempt(client, "x" * 5000, REMOTE_ADDR="198.51.100.9").status_code == 429
