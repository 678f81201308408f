"""In Chromium: withdrawing a story asks why, and an embargo holds until it is lifted on purpose.

The steps are folded panels of the change form, each with a box the server requires ticked;
no script is involved, so they work the same without JavaScript.
"""

import pytest
from playwright.sync_api import expect

from articles.models import Article, Correction, Status
from tests.browsers import CHROMIUM
from tests.factories import ArticleFactory, EditorFactory
from tests.test_browser import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.usefixtures("migration_rows"),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium (apt)"),
]


def open_story(page, article: Article) -> None:
    page.goto(f"/admin/articles/article/{article.pk}/change/")


def test_unpublish_asks_for_a_reason_then_withdraws_with_a_public_notice(live_server, chromium):
    EditorFactory(username="eddie")
    article = ArticleFactory(published=True, headline="Minister resigns")
    page = log_in(chromium, live_server.url, "eddie")
    open_story(page, article)
    page.fill("#id_standfirst", "Typed just before unpublishing.")
    page.check("#id_update_kind_0")

    # The step is folded away: nothing to press by accident.
    expect(page.get_by_role("button", name="Unpublish", exact=True)).to_be_hidden()
    page.locator(".desk-confirm-unpublish summary").click()
    page.check("#id_workflow_confirm_unpublish")
    page.get_by_role("button", name="Unpublish", exact=True).click()

    # Refused without a reason: the panel is open again, the edit still typed in.
    expect(page.locator(".errornote, .errorlist").first).to_be_visible()
    expect(page.locator("#article_form")).to_contain_text("Give the reason for withdrawing")
    expect(page.locator("#id_standfirst")).to_have_value("Typed just before unpublishing.")
    assert Article.objects.get(pk=article.pk).is_live()

    page.fill("#id_withdraw_reason", "The source retracted the claim.")
    page.check("#id_withdraw_notice")
    page.check("#id_workflow_confirm_unpublish")
    if page.locator("#id_update_kind_0").count():
        page.check("#id_update_kind_0")
    page.get_by_role("button", name="Unpublish", exact=True).click()

    expect(page.locator(".messagelist")).to_contain_text("is now withdrawn")
    expect(page.locator("#workflow-title")).to_contain_text("Withdrawn")
    expect(page.locator(".desk-events")).to_contain_text("The source retracted the claim.")
    article.refresh_from_db()
    assert article.status == Status.WITHDRAWN
    assert article.standfirst == "Typed just before unpublishing."
    assert Correction.objects.get(article=article).kind == Correction.Kind.WITHDRAWAL
    page.context.close()

    reader = chromium.new_context(base_url=live_server.url).new_page()
    response = reader.goto(article.get_absolute_url())
    assert response.status == 410
    expect(reader.locator("main")).to_contain_text("The source retracted the claim.")
    reader.context.close()


def test_an_embargo_holds_until_it_is_lifted_with_confirmation(live_server, chromium):
    EditorFactory(username="eddie")
    article = ArticleFactory(scheduled=True, headline="Budget figures")
    due = article.publish_at
    page = log_in(chromium, live_server.url, "eddie")
    open_story(page, article)

    # Save is the form's default; there is no plain "Publish now".
    defaults = page.locator("#article_form [type=submit].default")  # what Enter presses
    expect(defaults).to_have_count(2)  # Save, at the top and at the bottom of the form
    for i in range(2):
        expect(defaults.nth(i)).to_have_attribute("name", "_save")
    expect(page.get_by_role("button", name="Publish now", exact=True)).to_have_count(0)
    page.fill("#id_headline", "Budget figures, checked")
    page.press("#id_headline", "Enter")  # the Enter key saves, keeping the schedule
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    article.refresh_from_db()
    assert article.headline == "Budget figures, checked"
    assert article.is_scheduled() and article.publish_at == due

    open_story(page, article)
    page.fill("#id_standfirst", "Typed before lifting the embargo.")
    page.locator(".desk-confirm-lift_embargo summary").click()
    page.get_by_role("button", name="Lift embargo and publish now", exact=True).click()
    expect(page.locator("#article_form")).to_contain_text(
        "tick “Yes, lift the embargo and publish it now”"
    )
    expect(page.locator("#id_standfirst")).to_have_value("Typed before lifting the embargo.")
    assert Article.objects.get(pk=article.pk).is_scheduled()

    page.check("#id_workflow_confirm_lift_embargo")
    page.get_by_role("button", name="Lift embargo and publish now", exact=True).click()
    expect(page.locator("#workflow-title")).to_contain_text("Published")
    expect(page.locator(".desk-events")).to_contain_text("Embargo lifted")
    article.refresh_from_db()
    assert article.is_live() and article.standfirst == "Typed before lifting the embargo."
    page.context.close()
