"""Story body elements (articles.body): photos from the library, pull quotes, fact boxes and
embeds. Stored as simple HTML, checked on the server (nh3, then clean_elements), expanded on
the page (a responsive photo with caption and credit; an embed as a link and a button that
loads the platform's frame only when asked) and in the feeds (no JavaScript)."""

import re

import pytest
from django.conf import settings
from django.core.cache import cache

from articles import body
from articles.models import Article, Image
from tests.admin_forms import ARTICLE_ADD, change_url, form_data
from tests.factories import ArticleFactory, ImageFactory, SectionFactory

pytestmark = pytest.mark.django_db

YOUTUBE = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
HOSTILE_ELEMENTS = (
    '<figure data-photo="{pk}" onerror="alert(1)" class="evil" style="color:red">'
    '<img src="x" onerror="alert(2)"><figcaption>hi</figcaption></figure>'
    '<figure data-photo="javascript:alert(3)"></figure>'
    '<figure data-photo="999999"></figure>'
    '<figure data-embed="javascript:alert(4)"></figure>'
    '<figure data-embed="https://evil.example/watch?v=1"></figure>'
    '<figure data-embed="https://www.youtube.com/watch?v=dQw4w9WgXcQ" onclick="alert(5)"></figure>'
    '<iframe src="https://www.youtube.com/embed/x"></iframe>'
    '<aside class="pull-quote evil" onmouseover="alert(6)"><p>Quoted.</p></aside>'
    '<aside class="fact-box"><h2>Facts</h2><p>One.</p><script>alert(7)</script></aside>'
    '<aside class="sidebar">Plain.</aside>'
)


def clean(html: str) -> str:
    return Article._meta.get_field("body").sanitize(html)


def test_hostile_elements_are_cleaned_by_the_field():
    image = ImageFactory()
    stored = clean(HOSTILE_ELEMENTS.format(pk=image.pk))
    for bad in (
        "onerror",
        "onclick",
        "onmouseover",
        "javascript:",
        "<iframe",
        "<script",
        "style=",
        'evil"',
        "alert(",
        "<img",
        "999999",
        "sidebar",
    ):
        assert bad not in stored, (bad, stored)
    assert f'<figure data-photo="{image.pk}"></figure>' in stored
    assert f'<figure data-embed="{YOUTUBE}"></figure>' in stored
    # Not a platform the body embeds: a plain link to it.
    assert '<p><a href="https://evil.example/watch?v=1">' in stored
    assert '<aside class="pull-quote"><p>Quoted.</p></aside>' in stored
    assert '<aside class="fact-box"><h2>Facts</h2><p>One.</p></aside>' in stored
    assert "<aside>Plain.</aside>" in stored


def test_nested_and_unbalanced_figures_keep_only_text():
    assert (
        clean('<figure><figure data-photo="x"></figure><figcaption>Cap</figcaption></figure>')
        == "Cap"
    )
    assert "<figure" not in clean("<p>a</p><figure><p>b</p>")


@pytest.mark.parametrize(
    ("url", "platform", "frame"),
    [
        (YOUTUBE, "YouTube", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        (
            "https://youtu.be/dQw4w9WgXcQ",
            "YouTube",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        ),
        (
            "https://x.com/user/status/1234567890",
            "X",
            "https://platform.twitter.com/embed/Tweet.html?id=1234567890&dnt=true",
        ),
        ("https://twitter.com/user/status/1234567890", "X", None),
        ("https://www.facebook.com/page/posts/123", "Facebook", None),
        (
            "https://www.instagram.com/p/Cabc_12/",
            "Instagram",
            "https://www.instagram.com/p/Cabc_12/embed",
        ),
        (
            "https://www.tiktok.com/@user/video/7123456789",
            "TikTok",
            "https://www.tiktok.com/embed/v2/7123456789",
        ),
        ("https://t.me/channel/42", "Telegram", "https://t.me/channel/42?embed=1"),
    ],
)
def test_the_allowed_platforms(url, platform, frame):
    found = body.embed(url)
    assert found and found.platform == platform
    if frame:
        assert found.frame == frame
    assert found.frame.startswith(tuple(f"{host}/" for host in body.EMBED_FRAME_HOSTS))


@pytest.mark.parametrize(
    "url",
    [
        "http://www.youtube.com/watch?v=dQw4w9WgXcQ",  # not https
        "https://www.youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
        "https://evil.example/?u=https://youtube.com/watch?v=dQw4w9WgXcQ",
        "https://user:pw@youtube.com/watch?v=dQw4w9WgXcQ",
        'https://www.youtube.com/watch?v="><script>',
        "https://x.com/user",
        "javascript:alert(1)",
        "",
    ],
)
def test_other_addresses_are_not_embeds(url):
    assert body.embed(url) is None


def test_csp_frame_src_is_exactly_the_embed_hosts():
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert directives["frame-src"] == list(body.EMBED_FRAME_HOSTS)
    assert directives["default-src"] == ["'self'"]


def _story_with_elements(**kwargs):
    image = ImageFactory(caption="Crowds at noon.", credit="Photo: Staff")
    html = (
        "<p>The debate began.</p>"
        f'<figure data-photo="{image.pk}"></figure>'
        '<aside class="pull-quote"><p>“We need schools.”</p></aside>'
        '<aside class="fact-box"><h2>The budget</h2><p>12 billion.</p></aside>'
        f'<figure data-embed="{YOUTUBE}"></figure>'
    )
    return ArticleFactory(published=True, body=html, **kwargs), image


def _story_body(client, story) -> str:
    page = client.get(story.get_absolute_url())
    assert page.status_code == 200
    return page.content.decode().split('class="story__body', 1)[1].split("</article>", 1)[0]


def test_the_page_shows_the_photo_quote_box_and_a_placeholder(client):
    story, image = _story_with_elements()
    image.refresh_from_db()
    assert image.is_public()  # an inline photo of a published story is public
    html = _story_body(client, story)
    photo = html.split('<figure class="body-photo">', 1)[1].split("</figure>", 1)[0]
    assert "<picture>" in photo and 'loading="lazy"' in photo and "srcset=" in photo
    assert f'alt="{image.alt_text}"' in photo
    # Never shown wider than the photo (1600 pixels).
    assert 'width="1200"' in photo and 'height="675"' in photo
    assert "Crowds at noon. — <span" in photo and "Photo: Staff" in photo
    assert (
        '<aside class="pull-quote">' in html
        and '<aside class="fact-box"><h2>The budget</h2>' in html
    )
    embed = html.split('<figure class="embed">', 1)[1].split("</figure>", 1)[0]
    assert f'<a href="{YOUTUBE.replace("&", "&amp;")}">Watch on YouTube: ' in embed
    assert 'data-embed-frame="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in embed
    assert "hidden>Load YouTube content</button>" in embed
    assert "<iframe" not in html  # nothing from the platform until the reader asks
    assert re.search(r'<script src="[^"]*js/embeds\.js" defer></script>', html)


def test_a_photo_that_is_not_public_is_left_out(client):
    image = ImageFactory()
    draft = ArticleFactory(body=f'<p>Draft.</p><figure data-photo="{image.pk}"></figure>')
    image.refresh_from_db()
    assert not image.is_public()
    story = ArticleFactory(published=True, body="<p>Live.</p>")
    # Stored by hand (as an import might): the page shows only public photos.
    Article.objects.filter(pk=story.pk).update(body=draft.body)
    assert "body-photo" not in _story_body(client, story)


def test_withdrawing_the_story_makes_its_inline_photo_private_again():
    story, image = _story_with_elements()
    story.status = "withdrawn"
    story.save()
    image.refresh_from_db()
    assert not image.is_public()


def test_story_page_queries_with_inline_photos(client, django_assert_max_num_queries):
    story, _ = _story_with_elements()
    cache.clear()
    # The page's usual budget (tests/test_caching.py) and one query for the inline photos.
    with django_assert_max_num_queries(10):
        assert client.get(story.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(1):
        assert client.get(story.get_absolute_url()).status_code == 200


def test_a_caption_change_shows_on_the_cached_page_and_purges_it(client):
    story, image = _story_with_elements()
    first = client.get(story.get_absolute_url())
    assert f"image-{image.pk}" in first.headers.get("Surrogate-Key", first.headers.get("xkey", ""))
    image.refresh_from_db()  # as the admin would load it (public_at is set by update())
    image.caption = "A new caption."
    image.save()
    assert "A new caption." in _story_body(client, story)


def test_feeds_show_the_elements_without_javascript(client):
    _story_with_elements()
    rss = client.get("/feeds/rss/").content.decode()
    item = rss.split("<content:encoded>", 1)[1].split("</content:encoded>", 1)[0]
    assert "Watch on YouTube: " in item and "&lt;img src=" in item
    assert "Crowds at noon. — Photo: Staff" in item
    assert "pull-quote" in item and "fact-box" in item
    assert "<script" not in item and "Load YouTube" not in item
    atom = client.get("/feeds/atom/").content.decode()
    assert '<content type="html">' in atom and "Watch on YouTube: " in atom


def test_hostile_elements_through_the_admin_form(client, journalist):
    client.force_login(journalist)
    image = ImageFactory()
    data = form_data(client.get(ARTICLE_ADD))
    data.update(
        headline="Budget passes",
        body="<p>Hello.</p>" + HOSTILE_ELEMENTS.format(pk=image.pk),
        section=SectionFactory(name="Politics", slug="politics").pk,
        kind="news",
    )
    assert client.post(ARTICLE_ADD, data).status_code == 302
    story = Article.objects.get()
    for bad in ("onerror", "onclick", "javascript:", "<iframe", "<script", "alert("):
        assert bad not in story.body
    assert f'<figure data-photo="{image.pk}"></figure>' in story.body
    # The editor loads the elements' extension.
    form = client.get(change_url(story)).content.decode()
    assert "newsroom_admin/body_elements.js" in form
    assert Image.objects.count() == 1


def test_deleting_a_story_makes_its_inline_photo_private_again():
    story, image = _story_with_elements()
    Article.objects.defer("body").get(pk=story.pk).delete()
    image.refresh_from_db()
    assert not image.is_public()
