"""Bounded work per request: anonymous body size, and a statement timeout on PostgreSQL."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from tests.factories import photo_upload
from tests.servers import ROOT, Gunicorn, parse_response

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def _temp_files() -> set[Path]:
    return set(Path(django_settings.FILE_UPLOAD_TEMP_DIR).iterdir())


def test_anonymous_20_mb_post_to_the_login_is_refused_unread(client):
    before = _temp_files()
    body = {"username": "x", "password": "y", "file": SimpleUploadedFile("a.bin", b"\0" * 20 * MB)}
    response = client.post("/admin/login/", body)
    assert response.status_code == 413
    assert b"too large" in response.content
    assert response.wsgi_request._stream._pos == 0  # not a byte of the body was read
    assert _temp_files() == before


def test_a_made_up_session_cookie_does_not_lift_the_limit(client):
    client.cookies["sessionid"] = "nonsense" * 4
    response = client.post("/admin/login/", {"p": "x" * (2 * MB)})
    assert response.status_code == 413


def test_small_anonymous_posts_pass(client):
    response = client.post("/admin/login/", {"username": "x", "password": "y"})
    assert response.status_code == 200  # the form again, with its error


def test_staff_still_upload_a_15_mb_photo(client, editor):
    client.force_login(editor)
    upload = photo_upload(size=(2400, 1600), fmt="PNG")
    padded = upload.read() + b"\0" * (15 * MB - 64 * 1024 - upload.size)  # PNG ignores a tail
    upload.file.seek(0)
    upload.file.truncate()
    upload.file.write(padded)
    upload.size = len(padded)
    upload.file.seek(0)
    assert upload.size > 14 * MB
    response = client.post(
        "/admin/articles/image/add/",
        {"file": upload, "alt_text": "Oil rigs", "caption": "", "credit": ""},
    )
    assert response.status_code == 302, response.content[:2000]


@pytest.mark.slow
def test_gunicorn_refuses_a_large_or_chunked_anonymous_body_before_reading_it(
    live_server_db_url, static_root, tmp_path
):
    uploads = tmp_path / "uploads"
    with Gunicorn(
        live_server_db_url,
        STATIC_ROOT=static_root,
        CACHE_DIR=str(tmp_path / "cache"),
        FILE_UPLOAD_TEMP_DIR=str(uploads),
    ) as server:
        head = (
            b"POST /admin/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: multipart/form-data; boundary=xyz\r\n"
        )
        for framing in (
            b"Content-Length: %d\r\n" % (2 * 1024 * MB),
            b"Transfer-Encoding: chunked\r\n",
        ):
            with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
                started = time.monotonic()
                s.sendall(head + framing + b"\r\n" + b"--xyz\r\n")  # the 2 GB never follow
                answer = b""
                while chunk := s.recv(65536):
                    answer += chunk
                elapsed = time.monotonic() - started
            status, _, body = parse_response(answer)
            assert status == 413 and b"too large" in body, framing
            assert elapsed < 5
        assert list(uploads.iterdir()) == []


# --- Statement timeout (PostgreSQL) ------------------------------------------------------


def _needs_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("the statement timeout is PostgreSQL's")


def _show_timeout() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return cursor.fetchone()[0]


def test_web_connections_start_with_the_public_statement_timeout():
    _needs_postgresql()
    assert _show_timeout() == "3s"


@pytest.mark.slow
@pytest.mark.urls("tests.slow_urls")
def test_a_slow_public_query_is_cancelled_and_answers_503(client):
    _needs_postgresql()
    client.raise_request_exception = False
    started = time.monotonic()
    response = client.get("/slow/")
    elapsed = time.monotonic() - started
    assert response.status_code == 503, response.content[:500]
    assert response["Retry-After"] == "30"
    assert b"We'll be back in a moment" in response.content
    assert 2.5 < elapsed < 6


@pytest.mark.urls("tests.slow_urls")
def test_staff_requests_get_the_longer_timeout_and_readers_the_short_one_again(client, editor):
    _needs_postgresql()
    assert client.get("/timeout/").content == b"3s"
    client.force_login(editor)
    assert client.get("/timeout/").content == b"1min"
    assert _show_timeout() == "3s"  # reset once the staff request is done
    client.logout()
    assert client.get("/timeout/").content == b"3s"


def test_management_commands_run_without_the_statement_timeout(live_server_db_url):
    _needs_postgresql()
    env = {**os.environ, "DATABASE_URL": live_server_db_url}
    env.pop("DB_STATEMENT_TIMEOUT_MS", None)
    code = "from django.db import connection; c = connection.cursor(); "
    code += "c.execute('SHOW statement_timeout'); print(c.fetchone()[0])"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "0"
