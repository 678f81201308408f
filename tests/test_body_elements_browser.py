"""Body elements in Chromium: inserted through the story editor's toolbar and saved, and
an embed on the public page loading its frame only when the reader asks."""

import pytest
from playwright.sync_api import expect

from articles.models import Article
from tests.browsers import CHROMIUM
from tests.factories import ArticleFactory, ImageFactory, JournalistFactory
from tests.test_browser import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.usefixtures("migration_rows"),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium (apt)"),
]

YOUTUBE = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"


def test_elements_are_inserted_through_the_toolbar_and_saved(live_server, chromium):
    journalist = JournalistFactory(username="jane")
    image = ImageFactory()
    story = ArticleFactory(body="<p>The debate began.</p>", created_by=journalist)
    page = log_in(chromium, live_server.url, "jane", viewport={"width": 1366, "height": 768})
    page.goto(f"/admin/articles/article/{story.pk}/change/")
    editor = page.locator(".ProseMirror[contenteditable=true]")
    expect(editor).to_be_visible()
    menu = page.locator(".prose-menubar")
    answers = []
    page.on("dialog", lambda dialog: dialog.accept(answers.pop(0)))

    editor.locator("p").first.click()
    editor.press("End")
    answers.append("https://evil.example/video")
    menu.get_by_text("Embed", exact=True).click()
    expect(page.locator(".body-element-refused")).to_contain_text("can be embedded")
    answers.append(YOUTUBE)
    menu.get_by_text("Embed", exact=True).click()
    expect(editor.locator("figure[data-embed]")).to_have_count(1)
    answers.append(str(image.pk))
    menu.get_by_text("Photo", exact=True).click()
    expect(editor.locator("figure[data-photo]")).to_have_count(1)
    menu.get_by_text("Fact box", exact=True).click()
    expect(editor.locator("aside.fact-box h2")).to_have_text("Key facts")
    # Back in the first paragraph (a click, not Control+Home: on a loaded machine the key
    # could arrive before the fact box had taken the cursor, and the quote wrapped that).
    editor.locator("p", has_text="The debate began.").click()
    menu.get_by_text("Pull quote", exact=True).click()
    expect(editor.locator("aside.pull-quote")).to_have_count(1)

    with page.expect_navigation():
        page.locator("input[name=_continue]").first.click()
    body = Article.objects.get(pk=story.pk).body
    assert f'<figure data-embed="{YOUTUBE}"></figure>' in body
    assert f'<figure data-photo="{image.pk}"></figure>' in body
    assert '<aside class="pull-quote"><p>The debate began.</p></aside>' in body
    assert '<aside class="fact-box"><h2>Key facts</h2><p>A fact.</p></aside>' in body
    assert "evil.example" not in body


def test_an_embed_loads_its_frame_only_when_asked(live_server, chromium):
    story = ArticleFactory(
        published=True, body=f'<p>Watch.</p><figure data-embed="{YOUTUBE}"></figure>'
    )
    page = chromium.new_context(base_url=live_server.url).new_page()
    asked = []
    page.route("https://**/*", lambda route: (asked.append(route.request.url), route.abort()))
    page.goto(story.get_absolute_url())
    figure = page.locator("figure.embed")
    expect(figure.get_by_role("link")).to_contain_text("Watch on YouTube")
    assert not asked and figure.locator("iframe").count() == 0
    figure.get_by_role("button", name="Load YouTube content").click()
    expect(figure.locator("iframe")).to_have_attribute(
        "src", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
    )
