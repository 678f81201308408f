"""/healthz reports the database and the cache apart; a database outage answers the 503 page."""

import pytest
from django.db import connections
from django.template.loader import render_to_string
from django.test import Client

from tests.servers import Gunicorn, free_port, redis_caches


@pytest.mark.django_db
def test_healthz_reports_database_and_cache(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_is_degraded_not_failing_when_the_cache_is_down(client, settings):
    settings.CACHES = redis_caches(f"redis://127.0.0.1:{free_port()}/7")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "cache": "unreachable"}


@pytest.fixture
def database_down(django_db_blocker, monkeypatch):
    """The default connection pointed at a closed port (PostgreSQL) or an unreadable path."""
    connection = connections["default"]
    if connection.vendor == "sqlite":
        settings_dict = {**connection.settings_dict, "NAME": "/nonexistent/dir/db.sqlite3"}
    else:
        settings_dict = {**connection.settings_dict, "HOST": "127.0.0.1", "PORT": free_port()}
    broken = connection.__class__(settings_dict, alias="default")
    monkeypatch.setitem(connections._connections.__dict__, "default", broken)
    with django_db_blocker.unblock():
        yield
    broken.close()


def assert_outage_page(status, headers, body: bytes) -> None:
    assert status == 503
    assert headers["retry-after"] == "30"
    assert "no-store" in headers["cache-control"]
    csp = headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert b"We'll be back in a moment" in body and b"The Caspian Herald" in body
    assert b'href="/static/css/site.css"' in body or b"/static/css/site." in body
    assert b"Traceback" not in body and b"OperationalError" not in body


def test_healthz_answers_503_error_when_the_database_is_down(database_down):
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unreachable", "cache": "ok"}


@pytest.mark.parametrize(
    "path", ["/", "/politics/", "/politics/2026/01/02/a-story/", "/search/?q=oil", "/tags/oil/"]
)
def test_readers_and_staff_get_the_503_page_when_the_database_is_down(database_down, path):
    client = Client(raise_request_exception=False)
    response = client.get(path)
    headers = {k.lower(): v for k, v in response.headers.items()}
    assert_outage_page(response.status_code, headers, response.content)


def test_staff_with_a_session_get_the_503_page_too(database_down):
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "x" * 32
    for path in ("/admin/", "/admin/articles/article/", "/"):
        response = client.get(path)
        headers = {k.lower(): v for k, v in response.headers.items()}
        assert_outage_page(response.status_code, headers, response.content)
    response = client.post("/admin/login/", {"username": "a", "password": "b"})
    assert response.status_code == 503


def test_the_503_page_needs_no_database():
    html = render_to_string("503.html")  # no db mark: any query would raise here
    assert "We'll be back in a moment" in html and "The Caspian Herald" in html


@pytest.mark.slow
@pytest.mark.parametrize(
    "database_url",
    ["postgres://postgres@127.0.0.1:{port}/x", "sqlite:////nonexistent/dir/db.sqlite3"],
    ids=["postgresql", "sqlite"],
)
def test_gunicorn_answers_503_while_the_database_is_down(database_url, tmp_path, static_root):
    url = database_url.format(port=free_port())
    with Gunicorn(url, CACHE_DIR=str(tmp_path / "cache"), STATIC_ROOT=static_root) as server:
        for path, cookie in (
            (b"/", b""),
            (b"/politics/2026/01/02/a-story/", b""),
            (b"/admin/", b"Cookie: sessionid=" + b"x" * 32 + b"\r\n"),
        ):
            status, headers, body = server.get(path, cookie)
            assert_outage_page(status, headers, body)
        status, headers, body = server.get(b"/healthz")
        assert status == 503 and b'"database": "unreachable"' in body
