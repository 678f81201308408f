"""Staff sessions end after SESSION_IDLE_MINUTES without a request and SESSION_MAX_HOURS
after the login, whatever the activity; readers never get a session."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from tests.factories import ArticleFactory, EditorFactory
from tests.signin import sign_in

pytestmark = pytest.mark.django_db


def signed_in(client) -> bool:
    return client.get("/admin/").status_code == 200


def test_an_idle_session_ends(client, settings):
    assert settings.SESSION_IDLE_MINUTES == 30
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, EditorFactory(username="eddie"))
        assert signed_in(client)
    with time_machine.travel(start + dt.timedelta(minutes=31), tick=False):
        response = client.get("/admin/")
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_activity_keeps_a_session_until_its_maximum_age(client, settings):
    assert settings.SESSION_MAX_HOURS == 12
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, EditorFactory(username="eddie"))
    # A request every 20 minutes: never idle for 30, signed in all day...
    for minutes in range(20, 12 * 60, 20):
        with time_machine.travel(start + dt.timedelta(minutes=minutes), tick=False):
            assert signed_in(client), minutes
    # ...until twelve hours after the login.
    with time_machine.travel(start + dt.timedelta(hours=12, minutes=5), tick=False):
        assert not signed_in(client)
        assert "_auth_user_id" not in client.session


def test_the_session_cookie_ends_with_the_browser_and_is_http_only(client):
    response = sign_in(client, EditorFactory(username="eddie"))
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] and not cookie["expires"] and not cookie["max-age"]


def test_readers_get_no_session_and_no_vary_on_cookie(client):
    story = ArticleFactory(published=True)
    response = client.get(story.get_absolute_url())
    assert response.status_code == 200
    assert "sessionid" not in response.cookies
    assert "Cookie" not in response.get("Vary", "")
