"""X-Forwarded-Proto is believed only when the settings say the proxy in front sets it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _proxy_header(**env: str) -> str:
    code = (
        "import django; from django.conf import settings; django.setup(); "
        "print(settings.SECURE_PROXY_SSL_HEADER)"
    )
    environ = {k: v for k, v in os.environ.items() if k != "PROXY_SETS_FORWARDED_PROTO"}
    environ.update(DJANGO_SETTINGS_MODULE="newsroom.settings", **env)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environ, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_header_is_not_trusted_unless_the_proxy_is_said_to_set_it():
    assert _proxy_header() == "None"
    assert _proxy_header(PROXY_SETS_FORWARDED_PROTO="0") == "None"
    assert _proxy_header(PROXY_SETS_FORWARDED_PROTO="1") == "('HTTP_X_FORWARDED_PROTO', 'https')"


@pytest.mark.django_db
def test_a_spoofed_https_header_does_not_skip_the_redirect_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = None  # the default
    response = client.get("/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


@pytest.mark.django_db
def test_behind_a_proxy_that_sets_it_https_requests_are_served(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert client.get("/", HTTP_X_FORWARDED_PROTO="https").status_code == 200
    assert client.get("/", HTTP_X_FORWARDED_PROTO="http").status_code == 301
