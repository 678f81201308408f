"""The story change form's live parts in a real Chromium (static/newsroom_admin/desk_form.js):
autosave and restore, the unsaved-changes warning, presence, Ctrl+S, the keyboard, and the
takeover after a stale save. Endpoints and rules on their own: test_desk_live.py."""

import pytest
import reversion
from playwright.sync_api import expect

from articles import desk_live
from articles.desk_state import ArticleAutosave
from articles.models import Article
from tests.browsers import CHROMIUM
from tests.factories import ArticleFactory, EditorFactory, JournalistFactory
from tests.test_browser import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.usefixtures("migration_rows"),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium (apt)"),
]

EDITOR = ".ProseMirror[contenteditable=true]"


def change(article) -> str:
    return f"/admin/articles/article/{article.pk}/change/"


def type_at_end_of_body(page, text: str) -> None:
    page.locator(EDITOR).first.click()
    page.keyboard.press("Control+End")
    page.keyboard.type(text)


def tab_to(page, selector: str, presses: int = 80) -> None:
    """Press Tab until the element matching selector has the focus (the keyboard alone)."""
    for _ in range(presses):
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def wait_for_autosave(page, article, text: str) -> ArticleAutosave:
    """The server's autosave of article once its body holds text (typing runs ahead of it)."""
    for _ in range(40):
        kept = ArticleAutosave.objects.filter(article=article).first()
        if kept is not None and text in kept.data.get("body", ""):
            return kept
        page.wait_for_timeout(250)
    raise AssertionError(f"no autosave with {text!r}")


@pytest.fixture
def jane_story(db):
    jane = JournalistFactory(username="jane", first_name="Jane", last_name="Hasanova")
    return ArticleFactory(
        created_by=jane,
        authors=[jane.author],
        headline="Ferries sail again",
        body="<p>The first ferry left at dawn.</p>",
    )


def test_typing_autosaves_and_reopening_offers_to_restore_it(live_server, chromium, jane_story):
    page = log_in(chromium, live_server.url, "jane")
    page.goto(change(jane_story))
    page.fill("#id_headline", "Ferries sail again after the storm")
    type_at_end_of_body(page, " Two hundred passengers were aboard.")

    kept = wait_for_autosave(page, jane_story, "Two hundred passengers were aboard.")
    expect(page.locator("#desk-autosave-status")).to_contain_text("Draft autosaved")
    assert kept.data["headline"] == "Ferries sail again after the storm"
    assert "Two hundred passengers were aboard." in kept.data["body"]
    saved = Article.objects.get(pk=jane_story.pk)
    assert (saved.headline, saved.version) == ("Ferries sail again", jane_story.version)

    # Leaving with unsaved changes asks first.
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))
    page.reload()
    assert dialogs == ["beforeunload"]

    # The reopened form shows the saved story and offers the draft; the keyboard reaches it.
    expect(page.locator("#id_headline")).to_have_value("Ferries sail again")
    expect(page.locator("#desk-restore")).to_be_visible()
    expect(page.locator("#desk-restore")).to_contain_text("unsaved changes to this story")
    tab_to(page, "#desk-restore-button")
    page.keyboard.press("Enter")
    expect(page.locator("#desk-restore")).to_be_hidden()
    expect(page.locator("#id_headline")).to_have_value("Ferries sail again after the storm")
    expect(page.locator(EDITOR).first).to_contain_text("Two hundred passengers were aboard.")

    # Saved for real: the autosave is gone, and no warning stops the Save.
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert dialogs == ["beforeunload"]
    saved.refresh_from_db()
    assert saved.headline == "Ferries sail again after the storm"
    assert "Two hundred passengers were aboard." in saved.body
    assert not ArticleAutosave.objects.exists()
    expect(page.locator("#desk-restore")).to_be_hidden()


def test_the_browser_copy_survives_a_lost_connection_and_a_crash(live_server, chromium, jane_story):
    page = log_in(chromium, live_server.url, "jane")
    page.goto(change(jane_story))
    expect(page.locator(EDITOR).first).to_be_visible()
    page.context.set_offline(True)
    page.fill("#id_standfirst", "Typed on the train, offline.")
    expect(page.locator("#desk-autosave-status")).to_contain_text("no connection", timeout=10_000)
    assert not ArticleAutosave.objects.exists()
    page.close()  # the tab crashed: no warning, nothing sent

    page = page.context.new_page()
    page.context.set_offline(False)
    page.goto(change(jane_story))
    expect(page.locator("#desk-restore")).to_contain_text("kept in this browser")
    page.click("#desk-restore-button")
    expect(page.locator("#id_standfirst")).to_have_value("Typed on the train, offline.")

    # Discarding drops it: reopened, nothing is offered.
    page.fill("#id_standfirst", "")
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(change(jane_story))
    page.click("#desk-discard-button")
    page.goto(change(jane_story))
    expect(page.locator("#id_standfirst")).to_have_value(jane_story.standfirst)
    page.wait_for_timeout(500)
    expect(page.locator("#desk-restore")).to_be_hidden()


def test_two_editors_see_each_other_on_the_story(live_server, chromium, monkeypatch):
    monkeypatch.setattr(desk_live, "POLL_SECONDS", 1)
    EditorFactory(username="eddie", first_name="Eddie", last_name="Mammadov")
    EditorFactory(username="farid", first_name="Farid", last_name="Aliyev")
    article = ArticleFactory()

    eddie = log_in(chromium, live_server.url, "eddie")
    eddie.goto(change(article))
    expect(eddie.locator("#desk-presence")).to_be_hidden()
    farid = log_in(chromium, live_server.url, "farid")
    farid.goto(change(article))

    expect(farid.locator("#desk-presence")).to_contain_text("Eddie Mammadov (viewing)")
    expect(eddie.locator("#desk-presence")).to_contain_text("Farid Aliyev (viewing)")
    expect(eddie.locator("#desk-presence")).not_to_contain_text("Eddie")
    farid.fill("#id_headline", "Farid is typing a headline")
    expect(eddie.locator("#desk-presence")).to_contain_text("Farid Aliyev (editing)")

    farid.on("dialog", lambda dialog: dialog.accept())
    farid.context.close()  # he leaves: gone from Eddie's form at once
    expect(eddie.locator("#desk-presence")).to_be_hidden()


def test_ctrl_s_saves_with_the_plain_save_button(live_server, chromium, jane_story):
    page = log_in(chromium, live_server.url, "jane")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.goto(change(jane_story))
    type_at_end_of_body(page, " Saved from the keyboard.")
    page.keyboard.press("Control+s")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert dialogs == []
    saved = Article.objects.get(pk=jane_story.pk)
    assert "Saved from the keyboard." in saved.body
    assert saved.status == jane_story.status  # Save, not a workflow step

    # The new-story form too.
    page.goto("/admin/articles/article/add/")
    page.fill("#id_headline", "A new story saved with Ctrl+S")
    page.select_option("#id_section", index=1)
    page.keyboard.press("Control+s")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    assert dialogs == []
    assert Article.objects.filter(headline="A new story saved with Ctrl+S").exists()


def test_the_form_works_from_the_keyboard_alone(live_server, chromium, jane_story):
    page = log_in(chromium, live_server.url, "jane")
    page.goto(change(jane_story))
    page.focus("#id_headline")
    page.keyboard.press("End")
    page.keyboard.type(" today")
    tab_to(page, EDITOR)
    page.keyboard.press("Control+End")
    page.keyboard.type(" Typed without a mouse.")
    tab_to(page, "input[name=_continue]")
    page.keyboard.press("Enter")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    saved = Article.objects.get(pk=jane_story.pk)
    assert saved.headline == "Ferries sail again today"
    assert "Typed without a mouse." in saved.body


def test_a_stale_save_keeps_the_text_shows_the_diff_and_re_applies_it(live_server, chromium):
    EditorFactory(username="eddie")
    farid = EditorFactory(username="farid", first_name="Farid", last_name="Aliyev")
    article = ArticleFactory(headline="Ferries sail again", body="<p>The ferry left at dawn.</p>")
    with reversion.create_revision():
        Article.objects.get(pk=article.pk).save()  # the version Eddie opens, with a revision

    page = log_in(chromium, live_server.url, "eddie")
    page.goto(change(article))
    expect(page.locator(EDITOR).first).to_be_visible()
    with reversion.create_revision():  # meanwhile Farid saves a better headline
        theirs = Article.objects.get(pk=article.pk)
        theirs.headline, theirs.modified_by = "Ferries sail again from Baku", farid
        theirs.save()
    page.fill("#id_standfirst", "Eddie's standfirst.")
    type_at_end_of_body(page, " Eddie's sentence.")
    page.click("input[name=_continue]")

    # Refused, with Eddie's text still in the form and Farid's change beside it.
    expect(page.locator(".errornote, .errorlist").first).to_be_visible()
    expect(page.locator("#article_form")).to_contain_text("Your text is still in the form below")
    expect(page.locator("#desk-takeover")).to_contain_text("What Farid Aliyev changed")
    expect(page.locator("#desk-takeover ins")).to_have_text(" from Baku")
    expect(page.locator("#id_standfirst")).to_have_value("Eddie's standfirst.")
    expect(page.locator(EDITOR).first).to_contain_text("Eddie's sentence.")
    expect(page.locator("#id_headline")).to_have_value("Ferries sail again")

    page.click("#desk-takeover-apply")
    expect(page.locator("#id_headline")).to_have_value("Ferries sail again from Baku")
    expect(page.locator("#desk-takeover-done")).to_contain_text("Press Save")
    page.keyboard.press("Control+s")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    saved = Article.objects.get(pk=article.pk)
    assert saved.headline == "Ferries sail again from Baku"
    assert saved.standfirst == "Eddie's standfirst."
    assert "Eddie's sentence." in saved.body
