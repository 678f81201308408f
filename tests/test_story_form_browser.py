"""The story form at 1366x768 in Chromium (issue 11, points 6 and 7): what fits above the
fold, the headline's live count, the story list's row height, and real pastes from a word
processor into the body editor."""

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browsers import CHROMIUM
from tests.factories import ArticleFactory, EditorFactory, JournalistFactory
from tests.test_browser import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.usefixtures("migration_rows"),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium (apt)"),
]

# HTML as Word (Windows) and Google Docs put it on the clipboard.
SAMPLES = Path(__file__).parent / "paste_samples"
LAPTOP = {"width": 1366, "height": 768}
# 110 characters, as long as a headline may be.
LONG_HEADLINE = (
    "Parliament approves the new budget after a twelve-hour debate over pensions, "
    "roads and the Caspian ports plans"
)
assert len(LONG_HEADLINE) == 110

WORD_LISTS = (SAMPLES / "word_lists.html").read_text()

GOOGLE_DOCS = (SAMPLES / "google_docs.html").read_text()

PASTE = """([html, files]) => {
  const data = new DataTransfer()
  if (html) data.setData("text/html", html)
  for (const name of files) data.items.add(new File(["x"], name, { type: "image/png" }))
  const editor = document.querySelector(".ProseMirror[contenteditable=true]")
  editor.focus()
  editor.dispatchEvent(new ClipboardEvent("paste", {
    clipboardData: data, bubbles: true, cancelable: true }))
}"""


def laptop_page(chromium, live_server, username):
    # en-US: the locale in which Chromium's own date and time inputs show a 12-hour clock.
    return log_in(chromium, live_server.url, username, viewport=LAPTOP, locale="en-US")


def story_in_review():
    journalist = JournalistFactory(username="jane")
    EditorFactory(username="eddie")
    return ArticleFactory(
        headline=LONG_HEADLINE,
        created_by=journalist,
        authors=[journalist.author],
        in_review=True,
    )


def test_the_story_form_fits_the_job_at_1366x768(live_server, chromium):
    article = story_in_review()
    page = laptop_page(chromium, live_server, "eddie")
    page.goto(f"/admin/articles/article/{article.pk}/change/")
    editor = page.locator(".ProseMirror[contenteditable=true]")
    expect(editor).to_be_visible()  # measured once the editor is made after the page loads

    headline = page.locator("#id_headline")
    sizes = headline.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert sizes[0] <= sizes[1], f"the 110-character headline scrolls: {sizes}"
    for selector in ("#workflow-title", "#bylines-group", "#id_section"):
        box = page.locator(selector).bounding_box()
        assert box["y"] + box["height"] < LAPTOP["height"], selector
    box = editor.bounding_box()
    assert box["y"] < LAPTOP["height"], f"the body editor starts below the fold: {box}"
    assert box["height"] >= 0.55 * LAPTOP["height"]
    expect(page.locator("#id_workflow_at")).to_have_attribute("placeholder", "YYYY-MM-DD HH:MM")
    expect(page.locator(".desk-zone")).to_have_text("Asia/Baku, UTC+04:00")


def test_the_headline_count_follows_typing_and_warns_over_the_limit(live_server, chromium):
    article = story_in_review()
    page = laptop_page(chromium, live_server, "eddie")
    page.goto(f"/admin/articles/article/{article.pk}/change/")
    count = page.locator("#id_headline-count")
    expect(count).to_have_text("110 / 110")

    page.fill("#id_headline", "Ferry")
    expect(count).to_have_text("5 / 110")
    expect(count).not_to_have_class("desk-count desk-count-near")
    page.locator("#id_headline").press_sequentially(" service" * 12)
    expect(count).to_have_text("101 / 110")
    expect(count).to_have_class("desk-count desk-count-near")
    page.locator("#id_headline").press_sequentially(" resumes")
    expect(count).to_have_text("109 / 110")
    page.locator("#id_headline").press_sequentially(" today")
    expect(count).to_have_text("115 / 110: 5 over the limit")
    expect(count).to_have_class("desk-count desk-count-over")


def test_long_headlines_do_not_stretch_the_story_list(live_server, chromium):
    EditorFactory(username="eddie")
    ArticleFactory(headline=LONG_HEADLINE)
    page = laptop_page(chromium, live_server, "eddie")
    page.goto("/admin/articles/article/")

    cell = page.locator("th.field-story_headline").first
    line = cell.locator("a").evaluate("e => parseFloat(getComputedStyle(e).lineHeight)")
    assert cell.bounding_box()["height"] <= 4 * line + 20
    expect(cell.locator(".desk-list-headline")).to_have_attribute("title", LONG_HEADLINE)


def test_pastes_from_word_and_google_docs_come_in_clean(live_server, chromium):
    JournalistFactory(username="jane")
    page = laptop_page(chromium, live_server, "jane")
    page.goto("/admin/articles/article/add/")
    editor = page.locator(".ProseMirror[contenteditable=true]")
    expect(editor).to_be_visible()  # the editor is made after the page loads

    page.evaluate(PASTE, [WORD_LISTS, []])
    html = editor.inner_html()
    assert (
        "<ul><li><p>Cost</p><ul><li><p>Steel prices</p></li></ul></li><li><p>Delays</p></li></ul>"
        in html
    )
    assert "<li><p>Tender</p></li><li><p>Contract</p></li></ol>" in html
    assert "<p>Party | Seats</p><p>Alpha | 42</p>" in html
    assert "<p>The council listed <strong>three</strong> reasons:</p>" in html
    assert "·" not in html and "MsoNormal" not in html and "color" not in html
    assert "<p><br" not in html and "<p></p>" not in html

    editor.press("Control+a")
    editor.press("Delete")
    page.evaluate(PASTE, [GOOGLE_DOCS, []])
    html = editor.inner_html()
    assert "<p><strong>Bold lead</strong> then plain</p>" in html
    assert "<ul><li><p><em>One</em></p></li><li><p>Two</p></li></ul>" in html
    assert "<p><br" not in html and "style=" not in html.split('class="ProseMirror"')[-1]
    expect(page.locator(".desk-paste-refused")).to_be_hidden()


def test_pasted_images_are_refused_with_a_pointer_to_the_photo_library(live_server, chromium):
    JournalistFactory(username="jane")
    page = laptop_page(chromium, live_server, "jane")
    page.goto("/admin/articles/article/add/")
    editor = page.locator(".ProseMirror[contenteditable=true]")
    refusal = page.locator(".desk-paste-refused")
    expect(editor).to_be_visible()

    page.evaluate(PASTE, ['<p>Caption text</p><p><img src="/static/x.png" alt="x"></p>', []])
    expect(refusal).to_be_visible()
    expect(refusal).to_contain_text("photo library")
    assert "<img" not in editor.inner_html().replace('class="ProseMirror-separator"', "")
    assert "Caption text" in editor.inner_html()

    page.evaluate(PASTE, ["", ["photo.png"]])
    expect(refusal).to_be_visible()
    assert "<img src" not in editor.inner_html()


def test_an_editor_in_an_en_us_browser_schedules_on_a_24_hour_clock(live_server, chromium):
    """Chromium in en-US shows datetime-local as 12-hour; the desk's box reads the same in
    every locale."""
    article = story_in_review()
    page = laptop_page(chromium, live_server, "eddie")
    page.goto(f"/admin/articles/article/{article.pk}/change/")

    page.fill("#id_workflow_at", "2031-05-04 21:30")
    page.get_by_role("button", name="Schedule", exact=True).click()

    expect(page.locator("#workflow-title")).to_have_text(
        "Workflow: Scheduled for 4 May 2031, 21:30 (Asia/Baku, UTC+04:00)"
    )
    article.refresh_from_db()
    assert article.publish_at == dt.datetime(2031, 5, 4, 17, 30, tzinfo=dt.UTC)
