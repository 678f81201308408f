"""The front page and a story as readers see them in Chromium, at a phone's and a desktop's
size: screenshots for a person to look at (var/screenshots/), and the layout rules checked."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browsers import CHROMIUM
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    ImageFactory,
    SectionFactory,
    photo_upload,
)

pytestmark = [
    pytest.mark.browser,
    # live_server empties the database after each test; the home front is a migration's row.
    pytest.mark.usefixtures("migration_rows"),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium (apt)"),
]

SCREENSHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"
SIZES = {"phone": (390, 844), "desktop": (1366, 768)}

UPSCALED = """() => [...document.querySelectorAll('main img')]
  .filter(img => img.complete && img.naturalWidth > 0)
  .filter(img => img.getBoundingClientRect().width > img.naturalWidth + 1)
  .map(img => img.currentSrc)"""

MORE_PHOTOS_LOADED = """() => [...document.querySelectorAll('.more__image img')]
  .every(img => img.complete && img.naturalWidth > 0)"""

HEADSHOT_LOADED = """() => { const img = document.querySelector('.teaser__headshot');
  return img.complete && img.naturalWidth > 0; }"""
HEADSHOT = """() => { const img = document.querySelector('.teaser__headshot');
  return [img.naturalWidth, img.naturalHeight, img.currentSrc]; }"""


@pytest.fixture
def newsroom(live_server):
    politics = SectionFactory(name="Politics", slug="politics")
    columnist = AuthorFactory(name="Zaur Hasanov", photo=ImageFactory())
    reporter = AuthorFactory(name="Leyla Mammadova")
    lead = ArticleFactory(
        published=True,
        is_lead=True,
        section=politics,
        authors=[reporter],
        headline="Parliament passes the budget after a six-hour debate",
        featured_image=ImageFactory(file=photo_upload(size=(1600, 900))),
    )
    # A small square portrait as a story's photo: it must never be blown up.
    small = ArticleFactory(
        published=True,
        section=politics,
        authors=[reporter],
        headline="The minister who never gives interviews",
        featured_image=ImageFactory(file=photo_upload(size=(400, 400))),
    )
    for i in range(8):
        # The older four end both stories' pages ("More from Politics"), two with photos:
        # one smaller than the card, which must not be blown up.
        photo = {0: (1600, 900), 1: (120, 80)}.get(i)
        ArticleFactory(
            published=True,
            section=politics,
            headline=f"Politics story {i}",
            featured_image=ImageFactory(file=photo_upload(size=photo)) if photo else None,
        )
    ArticleFactory(published=True, kind="opinion", authors=[columnist], headline="Why it matters")
    return {"lead": lead, "small": small}


@pytest.mark.parametrize("size", SIZES)
def test_front_page_and_story_follow_the_layout_rules(live_server, chromium, newsroom, size):
    width, height = SIZES[size]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = chromium.new_page(viewport={"width": width, "height": height})

    page.goto(live_server.url + "/")
    lead = page.locator(".teaser--lead .teaser__headline")
    expect(lead).to_have_text(newsroom["lead"].headline)
    box = lead.bounding_box()
    assert box["y"] + box["height"] <= height, "the lead headline is below the first screen"
    expect(page.locator(".front__latest")).to_be_visible()
    expect(page.locator(".section-block--opinion")).to_contain_text("Zaur Hasanov")
    assert page.evaluate(UPSCALED) == []
    # The columnist's headshot is a square crop of the photo, not its 16:9 rendition.
    page.locator(".teaser__headshot").first.scroll_into_view_if_needed()
    page.wait_for_function(HEADSHOT_LOADED)
    shot_width, shot_height, shot_src = page.evaluate(HEADSHOT)
    assert shot_width == shot_height, shot_src
    assert re.search(r"/(96|192|384)x\1-50-50\.webp$", shot_src), shot_src
    page.screenshot(path=SCREENSHOTS / f"home-{size}.png", full_page=True)

    for story in (newsroom["lead"], newsroom["small"]):
        page.goto(live_server.url + story.get_absolute_url())
        page.wait_for_load_state("load")
        assert page.evaluate(UPSCALED) == [], story.headline
        expect(page.locator(".share__link")).to_have_count(6)
        expect(page.locator(".follow")).to_contain_text("@caspianherald")
        # The story ends with more from its section and its author (the other of the two).
        expect(page.locator("#more-section-heading")).to_have_text("More from Politics")
        expect(page.locator("#more-section-heading + ul > li")).to_have_count(4)
        expect(page.locator("#more-author-heading")).to_have_text("More from Leyla Mammadova")
        page.locator("#more-author-heading").scroll_into_view_if_needed()
        page.wait_for_function(MORE_PHOTOS_LOADED)
        assert page.evaluate(UPSCALED) == [], story.headline
        cards = [page.locator(".more__item").nth(i).bounding_box() for i in range(2)]
        if size == "desktop":  # a row of cards
            assert cards[1]["x"] > cards[0]["x"] and cards[1]["y"] == cards[0]["y"]
        else:  # a list, each photo left of its headline
            assert cards[1]["y"] >= cards[0]["y"] + cards[0]["height"]
            with_photo = page.locator(".more__item:has(.more__image)").first
            photo = with_photo.locator(".more__image").bounding_box()
            text = with_photo.locator(".more__text").bounding_box()
            assert photo["x"] + photo["width"] <= text["x"]
    if size == "desktop":  # the width is used: related stories beside the story
        story_box = page.locator(".story__headline").bounding_box()
        side_box = page.locator(".story-page__side").bounding_box()
        assert side_box["x"] >= story_box["x"] + story_box["width"]
        assert side_box["y"] < height
    page.screenshot(path=SCREENSHOTS / f"story-{size}.png", full_page=True)

    if size == "phone":  # the menu opens without JavaScript
        page.goto(live_server.url + "/")
        menu = page.get_by_text("Menu", exact=True)
        menu.click()
        expect(page.locator(".menu__sections")).to_contain_text("Politics")
    page.close()
