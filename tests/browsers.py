"""The system Chromium for the browser tests (/usr/bin/chromium; no browser is ever
downloaded), with the same launch flags as ../shared/sitecheck/check_site.py, loopback only.
conftest makes the `chromium` fixture available to every test file."""

from pathlib import Path

import pytest
from django.db import connections

CHROMIUM = Path("/usr/bin/chromium")
# As in check_site.py: headless and quiet, and every non-loopback request goes nowhere.
CHROME_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--proxy-server=http://127.0.0.1:9",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE *.localhost, "
    "EXCLUDE 127.0.0.1",
]


@pytest.fixture
def chromium(monkeypatch):
    """A fresh Playwright and browser for this test only.

    Playwright's sync API runs an event loop in this thread, and Django refuses ORM calls from
    a thread with a running loop; the flag allows them for this test. Started and stopped here
    rather than through pytest-playwright's session fixtures, so the loop is gone before other
    tests run.
    """
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    monkeypatch.setenv("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROME_FLAGS)
        yield browser
        browser.close()
        # Otherwise a connection the test's ORM calls opened while Playwright ran stays open,
        # and PostgreSQL refuses to drop the test database at the end of the session.
        connections.close_all()
