"""/.well-known/security.txt (RFC 9116) from the settings."""

import datetime as dt
import re

import time_machine
from django.conf import settings as django_settings


def test_security_txt_names_the_contact_and_expires_within_a_year(client, db, settings):
    settings.SECURITY_CONTACT = ["security@caspianherald.az", "https://caspianherald.az/report"]
    settings.SECURITY_POLICY_URL = "https://caspianherald.az/pages/security/"
    with time_machine.travel(dt.datetime(2026, 12, 2, 15, 30, tzinfo=dt.UTC), tick=False):
        response = client.get("/.well-known/security.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "public" in response["Cache-Control"] and "max-age" in response["Cache-Control"]
    lines = response.content.decode().splitlines()
    assert "Contact: mailto:security@caspianherald.az" in lines
    assert "Contact: https://caspianherald.az/report" in lines
    assert "Expires: 2027-11-27T00:00:00Z" in lines  # 360 days ahead: under a year (RFC 9116)
    assert "Preferred-Languages: en" in lines
    assert f"Canonical: {django_settings.SITE_URL}/.well-known/security.txt" in lines
    assert "Policy: https://caspianherald.az/pages/security/" in lines
    # Every line is a comment or a field RFC 9116 defines.
    fields = {"Contact", "Expires", "Preferred-Languages", "Canonical", "Policy"}
    for line in lines:
        assert line.startswith("#") or re.match(r"^([A-Za-z-]+): \S", line).group(1) in fields


def test_without_a_contact_there_is_no_security_txt(client, db, settings):
    settings.SECURITY_CONTACT = []
    assert client.get("/.well-known/security.txt").status_code == 404


def test_the_policy_line_is_optional(client, db, settings):
    settings.SECURITY_CONTACT = ["mailto:security@example.com"]
    settings.SECURITY_POLICY_URL = ""
    body = client.get("/.well-known/security.txt").content.decode()
    assert "Policy:" not in body
    assert "Contact: mailto:security@example.com" in body
