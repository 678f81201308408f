"""Front pages editors arrange: placements in named slots through the admin's real forms,
the newest live stories filling what nobody placed, expiry, and the page readers get."""

import datetime as dt
import re

import pytest
import time_machine
from django.utils import timezone
from reversion.models import Version

from articles.models import Article, Front, Kind, Placement
from tests.admin_forms import form_data
from tests.factories import ArticleFactory, AuthorFactory, ImageFactory, SectionFactory

pytestmark = pytest.mark.django_db


def home_front() -> Front:
    return Front.objects.get(section=None)  # made by the migration


def front_url(front: Front) -> str:
    return f"/admin/articles/front/{front.pk}/change/"


def place(client, front: Front, *rows: tuple[Article, str, dt.datetime | None]):
    """Send the front's change form with these placements (story, slot, until) in order."""
    data = form_data(client.get(front_url(front)))
    initial = int(data["placements-INITIAL_FORMS"])
    for i in range(initial):
        data[f"placements-{i}-DELETE"] = "on"
    data["placements-TOTAL_FORMS"] = initial + len(rows)
    for offset, (article, slot, until) in enumerate(rows):
        i = initial + offset
        local = timezone.localtime(until) if until else None
        data |= {
            f"placements-{i}-article": article.pk,
            f"placements-{i}-slot": slot,
            f"placements-{i}-position": offset,
            f"placements-{i}-expires_at_0": f"{local:%Y-%m-%d}" if local else "",
            f"placements-{i}-expires_at_1": f"{local:%H:%M:%S}" if local else "",
        }
    return client.post(front_url(front), data)


def lead_headline(html: str) -> str:
    lead = re.search(r'<article class="teaser teaser--lead.*?</article>', html, re.S)[0]
    return re.search(r'<h2 class="teaser__headline"><a [^>]*>([^<]+)</a>', lead)[1]


def ago(**kwargs) -> dt.datetime:
    return timezone.now() - dt.timedelta(**kwargs)


def test_an_editor_places_an_older_story_as_the_lead_and_readers_see_it_at_once(client, editor):
    older = ArticleFactory(published=True, headline="The investigation", publish_at=ago(days=2))
    ArticleFactory(published=True, headline="A newer story", publish_at=ago(hours=1))
    assert lead_headline(client.get("/").content.decode()) == "A newer story"

    client.force_login(editor)
    response = place(client, home_front(), (older, Placement.Slot.LEAD, None))
    assert response.status_code == 302, response.content[:3000]
    client.logout()
    assert lead_headline(client.get("/").content.decode()) == "The investigation"
    # Revisioned with its placements, and in the admin's history.
    [version] = Version.objects.get_for_object(home_front())
    assert "The investigation" not in version.serialized_data  # placements are their own rows
    assert version.revision.version_set.filter(content_type__model="placement").count() == 1


def test_top_stories_come_in_the_editors_order_then_the_newest(client, editor):
    first = ArticleFactory(published=True, headline="Placed first", publish_at=ago(days=3))
    second = ArticleFactory(published=True, headline="Placed second", publish_at=ago(days=4))
    for i in range(8):
        ArticleFactory(published=True, headline=f"Fresh story {i}", publish_at=ago(minutes=i))
    client.force_login(editor)
    assert (
        place(client, home_front(), (second, "top", None), (first, "top", None)).status_code == 302
    )
    client.logout()
    html = client.get("/").content.decode()
    top = re.search(r'<div class="front__top">(.*?)</div>\s*</section>', html, re.S)[1]
    headlines = re.findall(r'class="teaser__headline"><a [^>]*>([^<]+)</a>', top)
    assert headlines[:2] == ["Placed second", "Placed first"]
    assert len(headlines) == 6 and "Fresh story 1" in headlines  # the rest filled


def test_a_placement_runs_out_at_its_time_and_the_edge_keeps_the_page_no_longer(client, editor):
    placed = ArticleFactory(published=True, headline="Election night", publish_at=ago(days=1))
    ArticleFactory(published=True, headline="Morning news", publish_at=ago(hours=1))
    until = timezone.now() + dt.timedelta(minutes=30)
    client.force_login(editor)
    assert place(client, home_front(), (placed, "lead", until)).status_code == 302
    client.logout()
    response = client.get("/")
    assert lead_headline(response.content.decode()) == "Election night"
    ttl = int(re.search(r"s-maxage=(\d+)", response["Cache-Control"])[1])
    assert 0 < ttl <= 30 * 60
    with time_machine.travel(until + dt.timedelta(seconds=1)):
        assert lead_headline(client.get("/").content.decode()) == "Morning news"


def test_a_placed_story_that_stops_being_live_leaves_the_front(client, editor):
    placed = ArticleFactory(published=True, headline="Disputed story", publish_at=ago(days=1))
    ArticleFactory(published=True, headline="Other news", publish_at=ago(hours=2))
    client.force_login(editor)
    assert place(client, home_front(), (placed, "lead", None)).status_code == 302
    placed.unpublish(editor, note="Legal")
    client.logout()
    html = client.get("/").content.decode()
    assert "Disputed story" not in html and lead_headline(html) == "Other news"


def test_placing_is_refused_with_a_reason_and_changes_nothing(client, editor):
    draft = ArticleFactory(headline="Unfinished")
    live = [ArticleFactory(published=True) for _ in range(2)]
    client.force_login(editor)
    refused = place(client, home_front(), (draft, "lead", None))
    assert refused.status_code == 200
    assert "Only published (or scheduled) stories can be placed" in refused.content.decode()
    refused = place(client, home_front(), (live[0], "lead", None), (live[1], "lead", None))
    assert "Lead holds at most 1 story; you placed 2." in refused.content.decode()
    refused = place(client, home_front(), (live[0], "lead", ago(minutes=5)))
    assert "Choose a time in the future" in refused.content.decode()
    assert not Placement.objects.exists()


def test_only_editors_arrange_fronts(client, journalist):
    story = ArticleFactory(published=True)
    client.force_login(journalist)
    assert client.get(front_url(home_front())).status_code == 403
    assert client.get("/admin/articles/front/").status_code == 403
    data = {
        "placements-TOTAL_FORMS": 1,
        "placements-INITIAL_FORMS": 0,
        "placements-0-article": story.pk,
        "placements-0-slot": "lead",
        "placements-0-position": 0,
    }
    assert client.post(front_url(home_front()), data).status_code == 403
    assert not Placement.objects.exists()


def test_saving_a_front_purges_the_pages_it_arranges(client, editor, purged):
    politics = SectionFactory(name="Politics", slug="politics")
    story = ArticleFactory(published=True, section=politics)
    section_front = Front.objects.create(section=politics)
    client.force_login(editor)
    sent = purged.after(lambda: place(client, section_front, (story, "lead", None)))
    assert {"home", f"section-{politics.pk}-list"} <= sent
    sent = purged.after(lambda: place(client, home_front(), (story, "top", None)))
    assert "home" in sent and f"section-{politics.pk}-list" not in sent


def test_a_section_front_leads_its_page_and_its_block_on_the_home_page(client, editor):
    politics = SectionFactory(name="Politics", slug="politics", position=1)
    chosen = ArticleFactory(
        published=True, section=politics, headline="The budget explained", publish_at=ago(days=5)
    )
    for i in range(6):
        ArticleFactory(published=True, section=politics, headline=f"Politics {i}")
    client.force_login(editor)
    front = Front.objects.create(section=politics)
    assert place(client, front, (chosen, "lead", None)).status_code == 302
    client.logout()
    page = client.get("/politics/").content.decode()
    assert lead_headline(page) == "The budget explained"
    assert page.count("The budget explained</a>") == 1  # not repeated in the list below
    home = client.get("/").content.decode()
    block = re.search(r'<section class="section-block" aria-labelledby="section-politics">'
                      r"(.*?)</section>", home, re.S)[1]  # fmt: skip
    assert "The budget explained" in block


def test_paid_content_is_on_the_front_only_where_an_editor_places_it(client, editor):
    paid = ArticleFactory(
        published=True, kind=Kind.SPONSORED, sponsor="Tourism Board", headline="Visit Absheron"
    )
    ArticleFactory(published=True, headline="Parliament sits", publish_at=ago(hours=3))
    assert "Visit Absheron" not in client.get("/").content.decode()
    client.force_login(editor)
    assert place(client, home_front(), (paid, "top", None)).status_code == 302
    client.logout()
    html = client.get("/").content.decode()
    assert "Visit Absheron" in html and "Paid for by Tourism Board" in html


def test_the_front_page_has_a_latest_river_and_opinion_with_the_columnists(
    client, django_assert_max_num_queries
):
    columnist = AuthorFactory(name="Zaur Hasanov", photo=ImageFactory())
    # Everything is made inside the travel: a story made at the real time of day would be
    # in the future at 09:05 and not on the front page.
    with time_machine.travel(timezone.now().replace(hour=9, minute=5), tick=False):
        ArticleFactory(
            published=True, kind=Kind.OPINION, authors=[columnist], headline="Why the port matters"
        )
        for i in range(20):
            ArticleFactory(
                published=True, headline=f"River story {i:02d}", publish_at=ago(hours=3 * i)
            )
        with django_assert_max_num_queries(12):
            html = client.get("/").content.decode()
    river = re.search(r'<ol class="headline-list">(.*?)</ol>', html, re.S)[1]
    items = re.findall(r"<time [^>]*>([^<]+)</time> <a [^>]*>([^<]+)</a>", river)
    assert len(items) == 10
    # Today's stories by their time, older ones by their day.
    assert {bool(re.fullmatch(r"\d\d:\d\d", when)) for when, _ in items} == {True, False}
    assert all(re.fullmatch(r"\d\d:\d\d|\d{1,2} [A-Z][a-z]{2}", when) for when, _ in items)
    opinion = re.search(r'class="section-block section-block--opinion".*?</section>', html, re.S)[0]
    assert "Zaur Hasanov" in opinion and "Why the port matters" in opinion
    assert 'class="teaser__headshot"' in opinion


def test_the_latest_river_escapes_headlines_and_dates_them_in_the_newsroom_zone(client):
    story = ArticleFactory(published=True, headline='Tom & Jerry <b>"live"</b>')
    html = client.get("/").content.decode()
    river = re.search(r'<ol class="headline-list">(.*?)</ol>', html, re.S)[1]
    assert "Tom &amp; Jerry &lt;b&gt;" in river and "<b>" not in river
    local = timezone.localtime(story.publish_at)
    assert f'<time datetime="{local.isoformat(timespec="seconds")}">' in river
    assert f'href="{story.get_absolute_url()}"' in river
