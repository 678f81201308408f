"""The day archive, /archive/<yyyy>/<mm>/<dd>/: what was published on a day, in the outlet's
time zone, and the way to the days before and after."""

import datetime as dt

import pytest
from django.utils import timezone

from articles.models import Article
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def local(*args) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


def published_at(moment: dt.datetime, headline: str) -> Article:
    return ArticleFactory(published=True, publish_at=moment, headline=headline)


def test_a_day_lists_its_live_stories_newest_first(client):
    published_at(local(2025, 3, 14, 8, 0), "Morning story")
    published_at(local(2025, 3, 14, 18, 0), "Evening story")
    published_at(local(2025, 3, 14, 0, 0), "Just after midnight")
    published_at(local(2025, 3, 13, 23, 59), "The day before")
    published_at(local(2025, 3, 15, 0, 0), "The day after")
    ArticleFactory(headline="A draft of that day", publish_at=local(2025, 3, 14, 9))
    withdrawn = published_at(local(2025, 3, 14, 10, 0), "Taken down")
    withdrawn.status = "withdrawn"
    withdrawn.save()

    response = client.get("/archive/2025/03/14/")

    assert response.status_code == 200
    text = response.content.decode()
    assert "Stories of" in text and "14 March 2025" in text
    assert text.index("Evening story") < text.index("Morning story") < text.index("after midnight")
    for absent in ("The day before", "The day after", "A draft of that day", "Taken down"):
        assert absent not in text
    assert 'href="/archive/2025/03/13/"' in text  # the nearest earlier day with stories
    assert 'href="/archive/2025/03/15/"' in text
    assert "archive-2025-03-14" in response["Surrogate-Key"].split()


def test_the_links_skip_days_without_stories(client):
    published_at(local(2025, 1, 2, 12), "January story")
    published_at(local(2025, 3, 14, 12), "March story")
    text = client.get("/archive/2025/03/14/").content.decode()
    assert 'href="/archive/2025/01/02/"' in text
    assert "/archive/2025/03/15/" not in text  # nothing later yet


@pytest.mark.parametrize(
    "path",
    [
        "/archive/2025/02/30/",
        "/archive/2025/13/01/",
        "/archive/2025/03/15/",
        "/archive/9999/12/31/",
        "/archive/0001/01/01/",
        "/archive/0000/01/01/",
        "/archive/99999999999999999999/01/01/",
    ],
)
def test_an_impossible_or_empty_day_is_not_found(client, path):
    published_at(local(2025, 3, 14, 12), "March story")
    assert client.get(path).status_code == 404


def test_a_story_scheduled_for_later_that_day_is_not_shown_before_its_time(client):
    now = timezone.localtime()
    ArticleFactory(scheduled=True, publish_at=now + dt.timedelta(minutes=1), headline="Not yet")
    published_at(now - dt.timedelta(seconds=1), "Out already")
    response = client.get(f"/archive/{now:%Y/%m/%d}/")
    assert response.status_code == 200
    assert "Not yet" not in response.content.decode()


def test_a_busy_day_is_paged_in_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    for minute in range(45):
        published_at(local(2025, 3, 14, 9, minute), f"Story {minute}")
    client.get("/archive/2025/03/14/")  # fragments and site state cached, as after a purge
    # The day's stories, their count and the days around it; on PostgreSQL three more for
    # planning the list for its own day (a transaction and SET LOCAL, articles.search).
    with django_assert_max_num_queries(9):
        first = client.get("/archive/2025/03/14/")
    assert first.content.decode().count('class="teaser__headline"') == 20
    last = client.get("/archive/2025/03/14/?page=3").content.decode()
    assert last.count('class="teaser__headline"') == 5
    assert ">Story 0</a>" in last


def test_publishing_purges_the_day_it_appears_on_and_the_day_it_left(purged):
    story = published_at(local(2025, 3, 14, 12), "Moved story")
    assert "archive-2025-03-14" in purged.after(story.save)
    story.publish_at = local(2025, 3, 10, 12)
    keys = purged.after(story.save)
    assert {"archive-2025-03-14", "archive-2025-03-10"} <= keys


def test_a_story_page_links_its_date_to_that_days_archive(client):
    story = published_at(local(2025, 3, 14, 8, 0), "Morning story")
    text = client.get(story.get_absolute_url()).content.decode()
    assert 'href="/archive/2025/03/14/"' in text
    assert client.get("/archive/2025/03/14/").status_code == 200


def test_a_preview_of_a_scheduled_story_links_no_archive_day(client, editor):
    story = ArticleFactory(scheduled=True, headline="Not yet")
    client.force_login(editor)
    response = client.get(f"/preview/{story.pk}/")
    assert response.status_code == 200
    assert "/archive/" not in response.content.decode()


def test_a_sections_day_lists_its_stories_and_its_subsections(client):
    from tests.factories import SectionFactory

    nation = SectionFactory(name="Nation", slug="nation")
    politics = SectionFactory(name="Politics", slug="politics", parent=nation)
    sport = SectionFactory(name="Sport", slug="sport")
    ArticleFactory(published=True, publish_at=local(2025, 3, 14, 9), section=nation, headline="N")
    ArticleFactory(
        published=True, publish_at=local(2025, 3, 14, 10), section=politics, headline="Vote held"
    )
    ArticleFactory(
        published=True, publish_at=local(2025, 3, 14, 11), section=sport, headline="Derby"
    )
    ArticleFactory(published=True, publish_at=local(2025, 3, 10, 11), section=sport, headline="Old")
    ArticleFactory(published=True, publish_at=local(2025, 3, 12, 8), section=politics, headline="P")

    response = client.get("/nation/2025/03/14/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Nation: stories of" in text and "Vote held" in text and "Derby" not in text
    assert 'href="/nation/2025/03/12/"' in text  # the section's own earlier day, not Sport's
    assert 'href="/archive/2025/03/14/"' in text
    assert {f"section-{nation.pk}-list", "archive-2025-03-14"} <= set(
        response["Surrogate-Key"].split()
    )
    assert client.get("/sport/2025/03/13/").status_code == 404  # no Sport story that day
    assert client.get("/no-such-section/2025/03/14/").status_code == 404
