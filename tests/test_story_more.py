"""The end of a story page: "More from <section>" and "More from <author>", newest live
journalism with small photos, chosen by the story page's one query (articles.models
._story_page_sql) and rendered from cached fragments that name what they show."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    ImageFactory,
    SectionFactory,
    photo_upload,
)
from tests.purges import surrogate_keys

pytestmark = pytest.mark.django_db


def block(html: str, heading_id: str) -> str:
    """The <section> headed by heading_id ("" when the page has none)."""
    start = html.find(f'id="{heading_id}"')
    return html[start:].split("</section>")[0] if start >= 0 else ""


def headlines(html: str, heading_id: str) -> list[str]:
    return re.findall(r'class="more__headline" href="[^"]+">([^<]+)</a>', block(html, heading_id))


@pytest.fixture
def desk():
    """Politics with a dozen live stories by two writers, some in Sport, and stories of every
    other kind and state that must never be listed."""
    now = timezone.now()
    politics = SectionFactory(name="Politics", slug="politics")
    sport = SectionFactory(name="Sport", slug="sport")
    leyla = AuthorFactory(name="Leyla Mammadova", slug="leyla-mammadova")
    rauf = AuthorFactory(name="Rauf Aliyev", slug="rauf-aliyev")

    def story(headline, hours_ago, section=politics, authors=(leyla,), **kwargs):
        if "status" not in kwargs and not any(k in kwargs for k in ("scheduled", "withdrawn")):
            kwargs.setdefault("published", True)
            kwargs.setdefault("publish_at", now - dt.timedelta(hours=hours_ago))
        return ArticleFactory(headline=headline, section=section, authors=list(authors), **kwargs)

    main = story("Budget passes", 1, authors=(leyla, rauf), tag_names=["budget"])
    politics_rows = [story(f"Politics {i}", 2 + i, authors=(rauf,)) for i in range(9)]
    leyla_sport = [story(f"Leyla in sport {i}", 3 + i, section=sport) for i in range(3)]
    # Paid for: newer than some of the side column's stories, but no automatic list takes it.
    story("Paid-for politics", 3.5, kind="sponsored", sponsor="Acme")
    story("Paid-for by Leyla", 1.5, section=sport, kind="sponsored", sponsor="Acme")
    story("Scheduled by Leyla", 0, scheduled=True)
    story("Withdrawn by Leyla", 0, withdrawn=True)
    story("Draft by Leyla", 0, status="draft")
    return {
        "main": main,
        "politics": politics_rows,
        "leyla_sport": leyla_sport,
        "leyla": leyla,
        "rauf": rauf,
    }


def test_more_from_the_section_and_the_author_follow_the_story(client, desk):
    html = client.get(desk["main"].get_absolute_url()).content.decode()
    # The side column keeps the section's newest (nothing shares the tag) ...
    related = block(html, "related-heading")
    assert re.findall(r'<li><a href="[^"]+">([^<]+)</a>', related) == [
        f"Politics {i}" for i in range(4)
    ]
    # ... so the end of the story goes on with the next ones, newest first: from the section's
    # newest eight, less those four and the paid-for one.
    assert headlines(html, "more-section-heading") == [f"Politics {i}" for i in range(4, 7)]
    assert '<h2 id="more-section-heading">More from <a href="/politics/">Politics</a></h2>' in html
    # The first byline's author: her other live journalism, wherever it ran, newest first.
    assert headlines(html, "more-author-heading") == [f"Leyla in sport {i}" for i in range(3)]
    assert (
        '<h2 id="more-author-heading">More from '
        '<a href="/authors/leyla-mammadova/">Leyla Mammadova</a></h2>'
    ) in html
    for hidden in ("Paid-for", "Scheduled", "Withdrawn", "Draft"):
        assert hidden not in html
    # In the main column, after the author boxes, before the side column.
    assert html.index('class="about-authors') < html.index("more-section-heading")
    assert html.index("more-author-heading") < html.index('class="story-page__side"')
    assert len(re.findall(r'id="(more-section-heading|more-author-heading)"', html)) == 2


def test_a_story_page_leaves_out_empty_blocks(client, desk):
    # Rauf heads a Politics story: those of his the side column and the section's list
    # show are not repeated under his name.
    html = client.get(desk["politics"][0].get_absolute_url()).content.decode()
    assert headlines(html, "more-section-heading") == ["Politics 4", "Politics 5", "Politics 6"]
    assert headlines(html, "more-author-heading") == ["Politics 7", "Politics 8"]
    # A guest's only story: no block of theirs.
    guest = AuthorFactory(name="Guest Writer")
    theirs = ArticleFactory(
        published=True, section=desk["politics"][0].section, authors=[guest], headline="Op-ed"
    )
    html = client.get(theirs.get_absolute_url()).content.decode()
    assert headlines(html, "more-section-heading")
    assert "more-author-heading" not in html and "Guest Writer</a></h2>" not in html
    # No byline at all, alone in its section: neither block.
    lonely = ArticleFactory(published=True, section=SectionFactory(name="Weather", slug="weather"))
    html = client.get(lonely.get_absolute_url()).content.decode()
    assert "more-section-heading" not in html and "more-author-heading" not in html
    assert 'class="more' not in html


def test_items_show_a_small_photo_never_blown_up_or_none_at_all(client, desk):
    politics = desk["politics"]
    politics[4].featured_image = ImageFactory(
        file=photo_upload(size=(300, 200)), alt_text="Deputies vote"
    )
    politics[4].save()
    politics[5].featured_image = ImageFactory(file=photo_upload(size=(1600, 900)))
    politics[5].save()
    html = client.get(desk["main"].get_absolute_url()).content.decode()
    items = re.findall(
        r'<li class="more__item">.*?</li>', block(html, "more-section-heading"), re.S
    )
    assert len(items) == 3
    small, large, *without = items
    # The photo's own 300 pixels at most, with its height, lazily, with the photo's alt text.
    assert re.search(r'<img [^>]*width="300" height="200" alt="Deputies vote"', small)
    assert 'loading="lazy"' in small and "Politics 4" in small
    assert re.search(r'<img [^>]*width="480" height="270"', large)
    assert all("<img" not in item and "more__image" not in item for item in without)
    assert all(re.search(r'<time datetime="[^"]+">\d{1,2} \w{3} \d{4}</time>', i) for i in items)


def test_the_page_names_every_listed_story_and_a_withdrawal_takes_it_off(
    client, desk, editor, purged
):
    listed = desk["leyla_sport"][0]
    listed.featured_image = ImageFactory()
    listed.save()
    url = desk["main"].get_absolute_url()
    response = client.get(url)
    assert "Leyla in sport 0" in headlines(response.content.decode(), "more-author-heading")
    shown = surrogate_keys(response)
    assert {
        f"story-{listed.pk}",
        f"image-{listed.featured_image_id}",
        f"author-{desk['leyla'].pk}",
        f"section-{listed.section_id}",
    } <= shown
    assert all(f"story-{story.pk}" in shown for story in desk["politics"][4:7])
    # Withdrawing it purges this page (its key), and the page rebuilt leaves it out.
    sent = purged.after(lambda: listed.unpublish(editor, note="Wrong score."))
    assert f"story-{listed.pk}" in sent & shown
    html = client.get(url).content.decode()
    assert headlines(html, "more-author-heading") == ["Leyla in sport 1", "Leyla in sport 2"]
    assert "Leyla in sport 0" not in html


def test_the_story_page_keeps_its_query_budget(client, desk, django_assert_max_num_queries):
    desk["politics"][4].featured_image = ImageFactory()
    desk["politics"][4].save()
    url = desk["main"].get_absolute_url()
    # Nothing cached: the story page's query, the site state (4), the story's parts with the
    # "More from" items (4: rows with photos, bylines, tags, corrections).
    with django_assert_max_num_queries(9):
        assert client.get(url).status_code == 200
    # Cached: the one query that chooses the story and everything its page lists.
    with django_assert_max_num_queries(1):
        html = client.get(url).content.decode()
    assert headlines(html, "more-section-heading") and headlines(html, "more-author-heading")
