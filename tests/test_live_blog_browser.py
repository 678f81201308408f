"""A live blog in Chromium: the page's script (static/js/live.js) swaps in a new entry
without a reload, under the site's strict CSP, and stops once the coverage is ended."""

import pytest
from playwright.sync_api import expect

from articles.models import Kind, LiveEntry
from tests.browsers import CHROMIUM
from tests.factories import ArticleFactory, AuthorFactory, EditorFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.usefixtures("migration_rows"),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium (apt)"),
]

# The script polls every 30 s and when the tab becomes visible: the test asks the latter.
POLL_NOW = "document.dispatchEvent(new Event('visibilitychange'))"


def test_a_new_entry_appears_without_a_reload(live_server, chromium):
    blog = ArticleFactory(published=True, kind=Kind.LIVE, live_summary="Counting continues.")
    author = AuthorFactory(name="Aysel Quliyeva")
    editor = EditorFactory()
    LiveEntry(article=blog, author=author, headline="Polls close", body="<p>At 8.</p>").post(editor)
    page = chromium.new_page()
    problems = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(live_server.url + blog.get_absolute_url())
    expect(page.locator("article.live-entry")).to_have_count(1)

    LiveEntry(article=blog, author=author, headline="Opposition concedes", body="<p>x</p>").post(
        editor
    )
    page.evaluate(POLL_NOW)
    expect(page.locator("article.live-entry").first).to_contain_text("Opposition concedes")
    expect(page.locator("[data-live-status]")).to_have_text("1 new update")
    assert page.url.endswith(blog.get_absolute_url())  # no reload, no navigation
    assert not problems, problems  # no CSP refusal, no script error
