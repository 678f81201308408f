"""The reader pages: what a visitor sees on home, story, section, tag, author, search and
corrections pages, and the error pages."""

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.models import Site
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import timezone

from articles.models import Article, BreakingBanner, Byline, Kind
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CorrectionFactory,
    ImageFactory,
    SectionFactory,
    photo_upload,
)

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return response.content.decode()


@pytest.fixture
def leyla():
    return AuthorFactory(
        name="Leyla Məmmədova",
        job_title="staff journalist",
        bio="Leyla covers parliament.",
        twitter="leyla_m",
        website="https://leyla.example.org/",
    )


@pytest.fixture
def story(leyla):
    nation = SectionFactory(name="Nation", slug="nation")
    politics = SectionFactory(name="Politics", slug="politics", parent=nation)
    article = ArticleFactory(
        published=True,
        headline="Parliament passes the oil fund budget",
        section=politics,
        kind=Kind.ANALYSIS,
        dateline="BAKU",
        authors=[leyla],
        tag_names=["Azerbaijan", "Caspian"],
        featured_image=ImageFactory(),
    )
    Byline.objects.create(
        article=article,
        author=AuthorFactory(name="Wire Agency", job_title=""),
        role=Byline.Role.ADDITIONAL_REPORTING,
        position=1,
    )
    return article


def test_article_page_shows_the_whole_story(client, story, leyla, settings):
    html = text_of(client.get(story.get_absolute_url()))
    assert '<h1 class="story__headline">Parliament passes the oil fund budget</h1>' in html
    assert '<span class="kind kind--analysis">Analysis</span>' in html
    assert "Lawmakers argued for six hours" in html
    # Bylines with roles, linking to the author pages.
    assert f'By <a href="{leyla.get_absolute_url()}" rel="author">Leyla Məmmədova</a>' in html
    assert 'Additional reporting by <a href="/authors/wire-agency/" rel="author">' in html
    # Published time in the outlet's time zone, machine-readable.
    local = timezone.localtime(story.first_published_at)
    assert f'<time datetime="{local.isoformat(timespec="seconds")}">' in html
    assert local.isoformat().endswith("+04:00")  # settings.TIME_ZONE is Asia/Baku
    assert "Updated" not in html
    assert '<span class="dateline">BAKU —</span> The debate began at noon.' in html
    assert "“We need schools,” she said." in html
    assert '<a href="/tags/azerbaijan/" rel="tag">Azerbaijan</a>' in html
    # Author box and the outlet's own handle in the footer.
    assert (
        "Leyla Məmmədova</a> is The Caspian Herald's staff journalist. "
        'Follow on X: <a href="https://x.com/leyla_m">@leyla_m</a>'
    ) in html
    assert "Leyla covers parliament." in html
    assert '<a href="https://x.com/caspianherald" rel="me">@caspianherald</a>' in html
    for path in (
        "/pages/about/",
        "/pages/editorial-standards/",
        "/pages/corrections-policy/",
        "/pages/contact/",
        "/corrections/",
    ):
        assert f'href="{path}"' in html


@pytest.mark.parametrize(
    "body", ["\n  <p>The debate began at noon.</p>", '<p class="x">The debate began at noon.</p>']
)
def test_the_dateline_runs_into_the_first_paragraph_whatever_comes_before_it(client, body):
    story = ArticleFactory(published=True, dateline="GANJA")
    Article.objects.filter(pk=story.pk).update(body=body)  # as an old import stored it
    html = text_of(client.get(story.get_absolute_url()))
    assert '<span class="dateline">GANJA —</span> The debate began at noon.' in html
    assert "dateline-alone" not in html


def test_a_story_shows_where_it_sits_as_breadcrumbs(client, story):
    html = text_of(client.get(story.get_absolute_url()))
    assert (
        '<nav class="breadcrumbs" aria-label="Breadcrumb"><ol><li><a href="/">Home</a></li>'
        '<li><a href="/nation/">Nation</a></li>'
        '<li><a href="/politics/">Politics</a></li></ol></nav>'
    ) in html


def test_featured_image_is_a_responsive_picture(client, story):
    html = text_of(client.get(story.get_absolute_url()))
    picture = re.search(r"<picture>.*?</picture>", html, re.S).group(0)
    assert re.search(r'<source type="image/webp" srcset="[^"]+\.webp 480w, ', picture)
    assert re.search(r'<img src="[^"]+\.jpg" srcset="[^"]+\.jpg 480w, [^"]+ 1600w"', picture)
    assert 'sizes="(min-width: 62rem) 60rem, 100vw"' in picture
    assert 'width="1600" height="900"' in picture
    assert 'alt="Protesters gather in front of parliament"' in picture
    assert "The square at noon." in html
    assert '<span class="credit">Photo: Staff</span>' in html


def _image_addresses(html: str) -> set[str]:
    """Every address an <img src> or a srcset in the page points at."""
    addresses = set(re.findall(r'<img[^>]* src="([^"]+)"', html))
    for srcset in re.findall(r'srcset="([^"]+)"', html):
        addresses.update(entry.split()[0] for entry in srcset.split(", "))
    return addresses


def test_every_photo_address_on_the_public_pages_is_a_stored_file(client, settings):
    """Photos narrower than the widest rendition, at widths no rendition is made for,
    must still point only at files made on upload: the browser asks for any of them."""
    portrait = ImageFactory(file=photo_upload(size=(400, 400)))
    author = AuthorFactory(name="Rashad Əliyev", photo=portrait)
    article = ArticleFactory(
        published=True,
        authors=[author],
        tag_names=["Budget"],
        featured_image=ImageFactory(file=photo_upload(size=(1000, 600))),
    )
    pages = [
        "/",
        article.get_absolute_url(),
        author.get_absolute_url(),
        article.section.get_absolute_url(),
        "/tags/budget/",
    ]
    addresses = set()
    for page in pages:
        addresses |= _image_addresses(text_of(client.get(page)))
    addresses.discard(static("img/icon.png"))  # the masthead's logo, a static file

    assert len(addresses) >= 7  # the story photo in WebP and JPEG at 3 widths, the portrait
    for address in addresses:
        assert address.startswith(settings.MEDIA_URL), address
        name = address.removeprefix(settings.MEDIA_URL)
        assert default_storage.exists(name), f"{address} is not a stored file"


def test_srcset_lists_each_width_once_up_to_the_photo_s_own(client):
    wide = ArticleFactory(
        published=True, featured_image=ImageFactory(file=photo_upload(size=(2400, 1350)))
    )
    narrow = ArticleFactory(
        published=True, featured_image=ImageFactory(file=photo_upload(size=(1000, 600)))
    )

    def descriptors(article):
        html = text_of(client.get(article.get_absolute_url()))
        srcset = re.search(r'<img [^>]*srcset="([^"]+)"', html).group(1)
        return [entry.split()[1] for entry in srcset.split(", ")]

    assert descriptors(wide) == ["480w", "800w", "1200w", "1600w"]
    assert descriptors(narrow) == ["480w", "800w", "1000w"]


def test_significant_update_shows_updated_time(client, story):
    CorrectionFactory(article=story, published_at=timezone.now())
    html = text_of(client.get(story.get_absolute_url()))
    assert "Updated <time datetime=" in html
    assert "Corrections and clarifications" in html
    assert "An earlier version of this story misstated the date of the vote." in html


def test_the_date_line_reads_in_the_newsrooms_style_with_a_corrected_mark(client, settings):
    published = dt.datetime(2026, 12, 1, 15, 14, tzinfo=dt.UTC)  # 19:14 in Baku
    story = ArticleFactory(published=True, publish_at=published)
    html = text_of(client.get(story.get_absolute_url()))
    assert ">1 December 2026, 19:14 (GMT+4)</time>" in html
    assert "+04<" not in html and "Corrected" not in html

    CorrectionFactory(article=story, published_at=timezone.now())
    Article.objects.filter(pk=story.pk).update(updated_at=published + dt.timedelta(hours=2))
    html = text_of(client.get(story.get_absolute_url()))
    assert ">1 December 2026, 21:14 (GMT+4)</time></span>" in html  # Updated
    assert '<a class="story__corrected" href="#corrections-heading">Corrected</a>' in html
    assert 'id="corrections-heading"' in html


@pytest.mark.parametrize(
    ("zone", "shown"),
    [("Asia/Kolkata", "(GMT+5:30)"), ("America/Sao_Paulo", "(GMT-3)"), ("UTC", "(GMT)")],
)
def test_the_zone_is_named_as_readers_know_it(client, settings, zone, shown):
    settings.TIME_ZONE = zone
    story = ArticleFactory(published=True, publish_at=dt.datetime(2026, 7, 1, 12, tzinfo=dt.UTC))
    assert f"{shown}</time>" in text_of(client.get(story.get_absolute_url()))


def test_a_story_flagged_breaking_says_so_in_its_teasers_and_on_its_page(client):
    story = ArticleFactory(published=True, is_breaking=True, headline="Earthquake in Shamakhi")
    calm = ArticleFactory(published=True, headline="Tea harvest begins")
    label = '<span class="kind kind--breaking">Breaking</span>'
    assert label in text_of(client.get(story.get_absolute_url()))
    assert label not in text_of(client.get(calm.get_absolute_url()))
    home = text_of(client.get("/"))
    assert home.count(label) == 1


def test_a_story_ends_with_share_links_and_ways_to_follow(client, story):
    html = text_of(client.get(story.get_absolute_url()))
    url = "http%3A%2F%2F127.0.0.1%3A8000" + story.get_absolute_url().replace("/", "%2F")
    links = dict(
        re.findall(r'class="share__link share__link--[\w-]+" href="([^"]+)">([^<]+)<', html)
    )
    by_name = {name: href for href, name in links.items()}
    assert set(by_name) == {"X", "Facebook", "LinkedIn", "WhatsApp", "Telegram", "E-mail"}
    assert (
        by_name["X"]
        == f"https://x.com/intent/post?url={url}&amp;text=Parliament%20passes%20the%20oil%20fund%20budget"
    )
    assert by_name["E-mail"].startswith("mailto:?subject=Parliament%20passes")
    assert all(url in href for href in by_name.values())
    assert '<script src="https://' not in html  # nothing from the networks loads
    assert 'on X at <a href="https://x.com/caspianherald">@caspianherald</a>' in html
    assert '<a href="/feeds/sections/politics/rss/">RSS</a>' in html


def test_meta_title_and_description_overrides(client, story):
    story.meta_title = "Budget passes: what it means"
    story.meta_description = "Six hours of debate, in short."
    story.save()
    html = text_of(client.get(story.get_absolute_url()))
    assert "<title>Budget passes: what it means | The Caspian Herald</title>" in html
    assert '<meta name="description" content="Six hours of debate, in short.">' in html


def _related_headlines(response) -> list[str]:
    html = text_of(response)
    related = html[html.index('id="related-heading"') :].split("</section>")[0]
    return re.findall(r'<li><a href="[^"]+">([^<]+)</a>', related)


def test_related_stories_share_a_tag_first_then_come_from_the_section(client):
    politics = SectionFactory(name="Politics", slug="politics")
    sport = SectionFactory(name="Sport", slug="sport")
    now = timezone.now()

    def story(headline, hours_ago, section=politics, tags=()):
        return ArticleFactory(
            published=True,
            headline=headline,
            section=section,
            tag_names=list(tags),
            publish_at=now - dt.timedelta(hours=hours_ago),
            first_published_at=now - dt.timedelta(hours=hours_ago),
        )

    main = story("Budget passes", 1, tags=["budget", "parliament"])
    story("Old budget row in sport", 90, section=sport, tags=["budget"])
    story("Parliament and budget recap", 50, tags=["parliament", "budget"])
    story("Newest politics, untagged", 2)
    story("Second politics, untagged", 3)
    story("Third politics, untagged", 4)
    ArticleFactory(scheduled=True, headline="Scheduled budget story", tag_names=["budget"])

    # Stories sharing a tag come first, newest first, however old and whatever their section;
    # the section's newest fill the rest; each story once; never the story itself or one
    # that is not live.
    assert _related_headlines(client.get(main.get_absolute_url())) == [
        "Parliament and budget recap",
        "Old budget row in sport",
        "Newest politics, untagged",
        "Second politics, untagged",
    ]


def test_home_has_lead_top_stories_and_sections(client):
    business = SectionFactory(name="Business", slug="business")
    lead = ArticleFactory(published=True, headline="The lead story", is_lead=True)
    lead.publish_at = lead.first_published_at = timezone.now() - dt.timedelta(days=2)
    lead.save()
    newer = [ArticleFactory(published=True, headline=f"Top story {i}") for i in range(8)]
    in_business = ArticleFactory(published=True, headline="Markets rally", section=business)
    # Older than the front's top stories: the home page shows it under its section instead.
    in_business.publish_at = in_business.first_published_at = lead.publish_at
    in_business.save()
    html = text_of(client.get("/"))
    assert html.index("The lead story") < html.index(newer[-1].headline)
    assert 'class="teaser teaser--lead' in html
    assert '<a href="/business/">Business</a></h2>' in html
    assert in_business.headline in html
    for article in newer:
        assert article.headline in html


def test_home_lead_older_than_the_stories_it_groups_is_still_the_lead(client, monkeypatch):
    from articles import views

    # The home page groups the newest RECENT_STORIES stories; a lead older than all of
    # them is looked up on its own.
    monkeypatch.setattr(views, "RECENT_STORIES", 3)
    lead = ArticleFactory(published=True, headline="The old lead", is_lead=True)
    lead.publish_at = lead.first_published_at = timezone.now() - dt.timedelta(days=3)
    lead.save()
    for i in range(4):
        ArticleFactory(published=True, headline=f"Newer story {i}")
    html = client.get("/").content.decode()
    assert html.index("The old lead") < html.index("Newer story")
    assert html.count("teaser--lead") == 1


def test_home_sections_show_their_newest_stories_subsections_included(client):
    now = timezone.now()
    world = SectionFactory(name="World", slug="world", position=2)
    culture = SectionFactory(name="Culture", slug="culture", position=1)
    books = SectionFactory(name="Books", slug="books", parent=culture)
    SectionFactory(name="Science", slug="science", position=3)  # no stories: no block

    def story(headline, section, hours_ago, **kwargs):
        when = now - dt.timedelta(hours=hours_ago)
        return ArticleFactory(
            headline=headline, section=section, publish_at=when, first_published_at=when, **kwargs
        )

    # The seven newest are the lead and the top stories; the section blocks come after them.
    for i in range(7):
        story(f"Front story {i}", world, hours_ago=i, published=True)
    for i in range(5):
        story(f"World story {i}", world, hours_ago=10 + i, published=True)
    story("Review of a novel", books, hours_ago=20, published=True)
    story("Gallery opens", culture, hours_ago=21, published=True)
    story("Draft about art", culture, hours_ago=22)
    html = text_of(client.get("/"))
    blocks = re.findall(r'<section class="section-block".*?</section>', html, re.S)
    titles = [
        re.search(r'<h2 class="section-block__title"[^>]*><a href="([^"]+)">', b)[1] for b in blocks
    ]
    assert titles == ["/culture/", "/world/"]  # editors' order; Science has nothing to show
    culture_block, world_block = blocks
    assert culture_block.index("Review of a novel") < culture_block.index("Gallery opens")
    assert "Draft about art" not in html
    assert [f"World story {i}" in world_block for i in range(5)] == [True] * 4 + [False]
    assert "Front story" not in world_block


def test_home_without_stories_is_friendly(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "No stories have been published yet" in text_of(response)


def test_section_page_lists_subsections_and_their_stories_paginated(client):
    nation = SectionFactory(name="Nation", slug="nation", description="Across the country.")
    politics = SectionFactory(name="Politics", slug="politics", parent=nation)
    base = timezone.now() - dt.timedelta(days=1)
    for i in range(30):
        ArticleFactory(
            published=True,
            headline=f"Nation story {i:02d}",
            section=politics if i % 2 else nation,
            publish_at=base + dt.timedelta(minutes=i),
            first_published_at=base + dt.timedelta(minutes=i),
        )
    # The front shows the newest five (a lead and four top stories); the list the rest, 20 a
    # page, never repeating the front.
    html = text_of(client.get("/nation/"))
    assert "<h1>Nation</h1>" in html
    assert "Across the country." in html
    assert '<a href="/politics/">Politics</a>' in html
    assert html.index("Nation story 29") < html.index("Nation story 28")  # newest first
    assert 'class="teaser teaser--lead' in html and html.count("Nation story 25") == 1
    assert "Nation story 04" not in html
    assert 'rel="next" href="?page=2"' in html
    page2 = text_of(client.get("/nation/?page=2"))
    assert "Nation story 04" in page2 and "Nation story 00" in page2
    assert "Nation story 29" not in page2
    assert '<link rel="canonical" href="http://127.0.0.1:8000/nation/?page=2">' in page2
    # Garbage page numbers fall back instead of failing.
    assert client.get("/nation/?page=abc").status_code == 200
    assert client.get("/nation/?page=999").status_code == 200


def test_tag_page(client, story):
    html = text_of(client.get("/tags/azerbaijan/"))
    assert "<h1>Azerbaijan</h1>" in html
    assert story.headline in html
    assert client.get("/tags/no-such-tag/").status_code == 404


def test_author_page_shows_bio_photo_and_social_links(client, story, leyla):
    leyla.photo = story.featured_image
    leyla.save()
    html = text_of(client.get(leyla.get_absolute_url()))
    assert "<h1>Leyla Məmmədova</h1>" in html
    assert "The Caspian Herald's staff journalist" in html
    assert "Leyla covers parliament." in html
    assert '<a href="https://x.com/leyla_m" rel="me">X: @leyla_m</a>' in html
    assert '<a href="https://leyla.example.org/" rel="me">Website</a>' in html
    assert 'class="profile__photo"' in html
    assert story.headline in html
    assert client.get("/authors/nobody/").status_code == 404


def test_search_form_and_results(client, story):
    html = text_of(client.get("/search/?q=oil+fund"))
    assert re.search(r'<form [^>]*role="search"[^>]*method="get"', html)
    assert '<input type="search" id="search-query" name="q" value="oil fund"' in html
    assert story.headline in html
    assert "1 story matches" in html
    assert '<meta name="robots" content="noindex, follow">' in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "Type a few words above"),
        ("   ", "Type a few words above"),
        ("\"-&|!:*()'", "We could not find any words"),
        ("%00%01", "We could not find any words"),
        ("zzzqqxx", "No stories match"),
        ("budget " * 200, "we used only its first 200 characters"),
    ],
)
def test_search_is_friendly_for_odd_queries(client, story, query, message):
    response = client.get("/search/", {"q": query} if "%" not in query else {"q": "\x00\x01"})
    assert response.status_code == 200
    assert message in text_of(response)


def test_corrections_page_lists_every_correction_newest_first(client, story):
    other = ArticleFactory(published=True, headline="Another story")
    older = CorrectionFactory(
        article=story, text="Older note.", published_at=timezone.now() - dt.timedelta(days=2)
    )
    newer = CorrectionFactory(article=other, text="Newer note.", kind="clarification")
    html = text_of(client.get("/corrections/"))
    assert html.index(newer.text) < html.index(older.text)
    assert f'<a href="{story.get_absolute_url()}">{story.headline}</a>' in html
    assert "Clarification" in html


def test_flatpages_are_served_in_the_site_design(client):
    page = FlatPage.objects.create(
        url="/pages/about/", title="About us", content="<p>Who we are.</p>"
    )
    page.sites.add(Site.objects.get_current())
    response = client.get("/pages/about/")
    assert response.status_code == 200
    html = text_of(response)
    assert "<h1>About us</h1>" in html and "<p>Who we are.</p>" in html
    assert 'class="site-footer"' in html


def test_breaking_banner_appears_and_ends_by_itself(client):
    now = timezone.now()
    BreakingBanner.objects.create(
        text="Parliament dissolved",
        url="/nation/",
        starts_at=now,
        ends_at=now + dt.timedelta(minutes=2),
    )
    assert '<a href="/nation/">Parliament dissolved</a>' in text_of(client.get("/"))
    with time_machine.travel(now + dt.timedelta(minutes=3)):
        assert "Parliament dissolved" not in text_of(client.get("/"))


def test_breaking_banner_refuses_script_links(client):
    now = timezone.now()
    BreakingBanner.objects.create(
        text="Click", url="javascript:alert(1)", starts_at=now, ends_at=now + dt.timedelta(hours=1)
    )
    html = text_of(client.get("/"))
    assert "Click" in html and "javascript:" not in html


def test_not_found_page_uses_the_site_design(client):
    response = client.get("/no-such-section/")
    assert response.status_code == 404
    html = text_of(response)
    assert "We can't find that page" in html
    assert 'class="masthead"' in html and 'role="search"' in html


def test_error_pages_offer_the_latest_stories_as_a_way_on(client, django_assert_max_num_queries):
    live = ArticleFactory(published=True, headline="Parliament passes the budget")
    ArticleFactory(headline="A draft nobody may see")
    ArticleFactory(published=True, kind=Kind.SPONSORED, sponsor="A board", headline="Paid trip")
    withdrawn = ArticleFactory(withdrawn=True, headline="Taken down")
    with django_assert_max_num_queries(8):
        missing = text_of(client.get("/no-such-section/"))
    gone = client.get(withdrawn.get_absolute_url())
    assert gone.status_code == 410
    for html in (missing, text_of(gone)):
        assert "Latest stories" in html
        assert f'<a href="{live.get_absolute_url()}">Parliament passes the budget</a>' in html
        assert "A draft nobody may see" not in html and "Paid trip" not in html


def test_server_error_page_needs_no_context_or_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        html = render_to_string("500.html")
    assert "Something went wrong" in html and "The Caspian Herald" in html
    assert 'href="/static/css/site.css"' in html


def test_preview_rendering_shows_banner_and_noindex(story, rf):
    request = rf.get("/preview/1/")
    html = render_to_string(
        "articles/article_detail.html", {"article": story, "preview": True}, request=request
    )
    assert "PREVIEW" in html
    assert '<meta name="robots" content="noindex, nofollow">' in html


def test_every_page_is_valid_shape_with_skip_link_and_one_canonical(client, story, leyla):
    for path in (
        "/",
        story.get_absolute_url(),
        "/politics/",
        "/tags/azerbaijan/",
        leyla.get_absolute_url(),
        "/search/?q=oil",
        "/corrections/",
    ):
        html = text_of(client.get(path))
        assert html.startswith('<!DOCTYPE html>\n<html lang="en">'), path
        assert '<a class="skip-link" href="#content">' in html
        assert '<main id="content"' in html
        canonicals = re.findall(r'<link rel="canonical" href="([^"]+)">', html)
        assert len(canonicals) == 1 and canonicals[0].startswith("http://127.0.0.1:8000/"), path
        assert '<meta name="description" content="' in html
        assert '<meta name="viewport"' in html
