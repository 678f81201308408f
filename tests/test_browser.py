"""End to end in a real Chromium: a journalist writes and submits a story, an editor publishes
it, a reader finds it on the home page.

Drives the system Chromium (/usr/bin/chromium; no browser is ever downloaded) with the same
launch flags as ../shared/sitecheck/check_site.py, loopback only, against pytest-django's
live_server.
"""

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from accounts import twofactor
from articles.models import Article, Status
from tests.browsers import CHROMIUM
from tests.factories import ArticleFactory, EditorFactory, JournalistFactory, SectionFactory
from tests.signin import authenticator, code

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's

pytestmark = [
    pytest.mark.browser,
    # live_server empties the database after each test; the roles a migration made come back.
    pytest.mark.usefixtures("migration_rows"),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium (apt)"),
]


def log_in(browser, base_url: str, username: str, **context_options):
    """The login form, then, for staff whose role must use a second factor, the code from
    their authenticator app (enrolled beforehand; enrolment itself: test_auth_browser.py).
    context_options go to Playwright's new_context (viewport, locale, ...)."""
    user = User.objects.get(username=username)
    device = authenticator(user) if twofactor.is_required(user) else None
    page = browser.new_context(base_url=base_url, **context_options).new_page()
    page.set_default_timeout(15_000)
    page.goto("/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    if device is not None:
        page.wait_for_url("**/admin/2fa/verify/**")
        page.fill("#id_code", code(device))
        page.click("#verify-form input[type=submit]")
    page.wait_for_url("**/admin/")
    return page


def test_story_goes_from_journalist_to_editor_to_reader(live_server, chromium):
    JournalistFactory(username="jane", first_name="Jane", last_name="Hasanova")
    EditorFactory(username="eddie")
    SectionFactory(name="Politics", slug="politics")
    headline = "Caspian ferry service resumes after storm"
    paragraph = "The first ferry left the port of Baku at dawn with 200 passengers."

    # The journalist writes the story in the rich text editor and submits it for review.
    page = log_in(chromium, live_server.url, "jane")
    page.goto("/admin/articles/article/add/")
    page.fill("#id_headline", headline)
    page.fill("#id_standfirst", "Ferries are sailing again after three days in port.")
    page.select_option("#id_section", label="Politics")
    editor = page.locator(".ProseMirror[contenteditable=true]").first
    editor.click()
    page.keyboard.type(paragraph)
    # Save it, then submit.
    page.click("input[name=_continue]")
    expect(page.locator("#workflow-title")).to_contain_text("Draft")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator("#workflow-title")).to_contain_text("In review")
    article = Article.objects.get(headline=headline)
    assert article.status == Status.IN_REVIEW
    assert paragraph in article.body
    page.context.close()

    # Not public yet.
    early_reader = chromium.new_context(base_url=live_server.url).new_page()
    early_reader.goto("/")
    expect(early_reader.locator("main")).not_to_contain_text(headline)
    early_reader.context.close()

    # The editor opens it from the list and publishes it.
    page = log_in(chromium, live_server.url, "eddie")
    page.goto("/admin/articles/article/")
    page.get_by_role("link", name=headline).first.click()
    page.get_by_role("button", name="Publish now").click()
    expect(page.locator("#workflow-title")).to_contain_text("Published")
    article.refresh_from_db()
    assert article.status == Status.PUBLISHED
    page.context.close()

    # A reader, logged out, finds it on the home page and reads it. (A new browser: the early
    # reader's may keep its copy of the home page for the max-age the site sends.)
    reader = chromium.new_context(base_url=live_server.url).new_page()
    reader.set_default_timeout(15_000)
    reader.goto("/")
    reader.get_by_role("link", name=headline).first.click()
    expect(reader.locator("h1").first).to_have_text(headline)
    expect(reader.get_by_text(paragraph)).to_be_visible()


def test_every_workflow_button_keeps_the_edit_typed_before_it(live_server, chromium):
    """Type an edit, press a workflow button without saving: the edit is there afterwards."""
    journalist = JournalistFactory(username="jane")
    EditorFactory(username="eddie")
    article = ArticleFactory(created_by=journalist, authors=[journalist.author])
    change = f"/admin/articles/article/{article.pk}/change/"

    def edit_and_press(page, button: str, standfirst: str, confirm: str = "", **inputs) -> None:
        """confirm: the step needs its box ticked, in its folded panel (forms.CONFIRMATIONS)."""
        page.goto(change)
        page.fill("#id_standfirst", standfirst)
        editor = page.locator(".ProseMirror[contenteditable=true]").first
        editor.click()
        # The end of the story, not of the clicked line: End stops where a wrapped line
        # wraps, and the next edit would land inside an earlier one.
        page.keyboard.press("Control+End")
        page.keyboard.type(f" {standfirst}")
        if confirm:
            page.locator(f".desk-confirm-{confirm} summary").click()
            page.check(f"#id_workflow_confirm_{confirm}")
        for selector, value in inputs.items():
            page.fill(selector, value)
        if page.locator("#id_update_kind_0").count():
            page.check("#id_update_kind_0")
        page.get_by_role("button", name=button, exact=True).click()
        expect(page.locator(".messagelist")).to_contain_text("is now")
        # The story as it reopens (an editable form, or read-only once it left the author).
        shown = page.locator("#id_standfirst")
        if shown.count():
            expect(shown).to_have_value(standfirst)
        else:
            expect(page.locator("#article_form")).to_contain_text(standfirst)
        saved = Article.objects.get(pk=article.pk)
        assert saved.standfirst == standfirst and standfirst in saved.body

    page = log_in(chromium, live_server.url, "jane")
    edit_and_press(page, "Submit for review", "Typed by Jane before submitting.")
    expect(page.locator("#workflow-title")).to_contain_text("In review")
    page.context.close()

    page = log_in(chromium, live_server.url, "eddie")
    edit_and_press(
        page,
        "Return to authors",
        "Typed by the editor before returning.",
        **{"#id_workflow_note": "Name the minister."},
    )
    expect(page.locator("#workflow-title")).to_contain_text("Returned")
    edit_and_press(
        page,
        "Schedule",
        "Typed by the editor before scheduling.",
        **{"#id_workflow_at": "2031-05-04T09:30"},
    )
    expect(page.locator("#workflow-title")).to_contain_text("Scheduled")
    # Scheduled: publishing now means lifting the embargo, confirmed.
    edit_and_press(
        page,
        "Lift embargo and publish now",
        "Typed by the editor before publishing.",
        confirm="lift_embargo",
    )
    expect(page.locator("#workflow-title")).to_contain_text("Published")
    edit_and_press(
        page,
        "Unpublish",
        "Typed by the editor before unpublishing.",
        confirm="unpublish",
        **{"#id_withdraw_reason": "The source retracted."},
    )
    expect(page.locator("#workflow-title")).to_contain_text("Withdrawn")
    page.context.close()

    article.refresh_from_db()
    assert article.status == Status.WITHDRAWN
    assert article.standfirst == "Typed by the editor before unpublishing."
    assert "Typed by Jane before submitting." in article.body
    # The activity log has each edit, then the step it was saved with.
    steps = ["submitted", "returned", "scheduled", "published", "withdrew"]
    actions = article.events.order_by("created_at", "pk").values_list("action", flat=True)
    assert list(actions) == [a for step in steps for a in ("edited", step)]
