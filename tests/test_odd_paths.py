"""NUL bytes and any Unicode in a path answer the site's own 404 with the security headers."""

import pytest
from django.test import Client

from tests.factories import ArticleFactory
from tests.servers import Gunicorn

ODD_PATHS = [
    "/\x00",
    "/politics/\x00/",
    "/pages/\x00/",
    "/tags/\x00/",
    "/ə/",
    "/москва/",
    "/🙂/",
    "/politics/2026/12/01/ə/",
    "/tags/ə/",
    "/authors/ə/",
    "/pages/ə/",
    "/share/ə/",
    "/ə",
]


def assert_site_404(status: int, headers: dict[str, str], body: bytes) -> None:
    assert status == 404
    assert b"We can't find that page" in body
    assert b'class="masthead"' in body
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ODD_PATHS)
def test_odd_paths_answer_the_site_404(path):
    ArticleFactory(published=True)
    response = Client(raise_request_exception=False).get(path)
    headers = {k.lower(): v for k, v in response.headers.items()}
    assert_site_404(response.status_code, headers, response.content)


@pytest.mark.slow
def test_gunicorn_answers_odd_paths_with_the_site_404(live_server_db_url, static_root, tmp_path):
    ArticleFactory(published=True)
    with Gunicorn(
        live_server_db_url, STATIC_ROOT=static_root, CACHE_DIR=str(tmp_path / "cache")
    ) as server:
        for path in ODD_PATHS:
            # Percent-encoded UTF-8, as browsers send it: gunicorn hands Django the bytes
            # decoded as latin-1 in PATH_INFO.
            encoded = "".join(c if c.isascii() and c != "\x00" else _pct(c) for c in path)
            assert_site_404(*server.get(encoded.encode()))
            # Raw UTF-8 bytes in the request line: gunicorn itself refuses them (400) or
            # Django answers its 404; never a 500.
            status, headers, body = server.get(path.encode().replace(b"\x00", b"%00"))
            if status != 400:
                assert_site_404(status, headers, body)


def _pct(char: str) -> str:
    return "".join(f"%{b:02X}" for b in char.encode())
