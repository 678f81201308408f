"""The desk home (the admin's index): each person's queues for the day, and their
notifications with "mark as read"."""

import datetime as dt
import re

import pytest
import time_machine
from django.utils import timezone

from articles.desk import NOTIFICATIONS_SHOWN, QUEUE_LENGTH
from articles.models import Notification
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

HOME = "/admin/"
READ = "/admin/desk/notifications/read/"
# 10:00 in Baku (UTC+4): the newsroom's day began at 20:00 UTC the day before.
NOW = dt.datetime(2031, 3, 14, 6, 0, tzinfo=dt.UTC)
# Sign-in and permissions (6, with PostgreSQL's staff statement timeout set and reset), the
# notifications, four queues, the recent actions: the same however many stories there are.
DESK_QUERIES = 13


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def queue(page: str, title: str) -> str:
    """The HTML of the queue headed `title` on the desk home."""
    heading = rf'<section class="module desk-queue"[^>]*>\s*<h3[^>]*>{re.escape(title)}</h3>'
    match = re.search(heading + "(.*?)</section>", page, re.S)
    assert match, f"no queue {title!r} on the page"
    return match[1]


def headlines(html: str) -> list[str]:
    return re.findall(r'<th scope="row">\s*<a href="[^"]+">([^<]+)</a>', html)


def at(hours_ago: float):
    return time_machine.travel(NOW - dt.timedelta(hours=hours_ago), tick=False)


def mine(user, headline: str, **traits):
    return ArticleFactory(headline=headline, created_by=user, authors=[user.author], **traits)


def test_a_journalists_desk_shows_only_their_own_stories_in_each_queue(
    client, journalist, other_journalist, editor, django_assert_max_num_queries
):
    mine(journalist, "My draft")
    ArticleFactory(headline="Draft I am bylined on", authors=[journalist.author])
    returned = mine(journalist, "Sent back to me", in_review=True)
    with at(5):
        returned.return_to_authors(editor, "Too long: cut it to 600 words.")
    returned.status = "review"  # submitted again, returned again: the latest note shows
    returned.save()
    with at(2):
        returned.return_to_authors(editor, "Better. Now check the minister's title.")
    submitted = mine(journalist, "Waiting for the desk")
    with at(3):
        submitted.submit(journalist)
    mine(journalist, "Out this morning", published=True)
    for trait in ({}, {"in_review": True}, {"returned": True}, {"published": True}):
        mine(other_journalist, f"Omar's story {sorted(trait)}", **trait)
    client.force_login(journalist)

    with django_assert_max_num_queries(DESK_QUERIES):
        page = client.get(HOME).content.decode()

    assert "Omar" not in page
    assert headlines(queue(page, "My drafts")) == ["Draft I am bylined on", "My draft"]
    returned_html = queue(page, "Returned to me")
    assert headlines(returned_html) == ["Sent back to me"]
    assert "Now check the minister&#x27;s title." in returned_html
    assert "cut it to 600 words" not in returned_html
    review = queue(page, "In review")
    assert headlines(review) == ["Waiting for the desk"]
    assert "3\xa0hours" in review
    assert headlines(queue(page, "My recent publications")) == ["Out this morning"]
    assert "Awaiting review" not in page  # the editors' queues are not a journalist's


def test_each_row_is_one_click_from_the_storys_change_form(client, journalist):
    story = mine(journalist, "My draft")
    client.force_login(journalist)
    page = client.get(HOME).content.decode()
    link = f'<a href="/admin/articles/article/{story.pk}/change/">My draft</a>'
    assert link in queue(page, "My drafts")
    assert client.get(f"/admin/articles/article/{story.pk}/change/").status_code == 200


def test_an_editors_desk_shows_the_days_queues(
    client, journalist, editor, django_assert_max_num_queries
):
    for headline, hours in (("Newer submission", 1), ("Oldest submission", 26), ("Middle", 4)):
        story = mine(journalist, headline)
        with at(hours):
            story.submit(journalist)
    ArticleFactory(
        headline="Embargoed results",
        status="published",
        publish_at=dt.datetime(2031, 3, 14, 11, 30, tzinfo=dt.UTC),  # 15:30 in Baku
    )
    ArticleFactory(
        headline="Went live at dawn",
        status="published",
        publish_at=dt.datetime(2031, 3, 14, 3, 15, tzinfo=dt.UTC),  # 07:15 in Baku
    )
    ArticleFactory(
        headline="Yesterday's news",
        status="published",
        publish_at=dt.datetime(2031, 3, 13, 19, 0, tzinfo=dt.UTC),  # 23:00 yesterday in Baku
    )
    withdrawn = ArticleFactory(headline="Taken down", published=True)
    with at(1):
        withdrawn.unpublish(editor, note="Legal asked.")
    mine(journalist, "A draft the desk need not see yet")
    client.force_login(editor)

    with django_assert_max_num_queries(DESK_QUERIES):
        page = client.get(HOME).content.decode()

    review = queue(page, "Awaiting review")
    assert headlines(review) == ["Oldest submission", "Middle", "Newer submission"]
    assert "1\xa0day, 2\xa0hours" in review and "4\xa0hours" in review
    scheduled = queue(page, "Scheduled")
    assert headlines(scheduled) == ["Embargoed results"]
    assert "Goes live (Asia/Baku)" in scheduled and "14 Mar 2031, 15:30" in scheduled
    today = queue(page, "Published today")
    assert headlines(today) == ["Went live at dawn"]
    assert "07:15" in today
    assert headlines(queue(page, "Recently withdrawn")) == ["Taken down"]
    assert "A draft the desk need not see yet" not in page
    assert "My drafts" not in page


def test_a_long_queue_is_capped_and_links_to_the_filtered_story_list(
    client, journalist, editor, django_assert_max_num_queries
):
    for n in range(QUEUE_LENGTH + 2):
        mine(journalist, f"Submission {n:02}", in_review=True)
    client.force_login(editor)

    with django_assert_max_num_queries(DESK_QUERIES):
        review = queue(client.get(HOME).content.decode(), "Awaiting review")

    assert len(headlines(review)) == QUEUE_LENGTH
    link = re.search(r'<a href="([^"]+)">Showing the first 10: see all', review)
    assert link and link[1] == "/admin/articles/article/?status=review"
    full_list = client.get(link[1])
    assert full_list.status_code == 200
    assert full_list.context["cl"].result_count == QUEUE_LENGTH + 2


def test_every_queue_link_opens_the_story_list_filtered(client, journalist, editor):
    mine(journalist, "Out this morning", published=True)
    for user, expected in ((journalist, 4), (editor, 4)):
        client.force_login(user)
        page = client.get(HOME).content.decode()
        links = re.findall(r'<p class="desk-more"><a href="([^"]+)"', page)
        assert len(links) == expected
        for link in links:
            response = client.get(link.replace("&amp;", "&"))
            assert response.status_code == 200, link


def test_todays_list_link_shows_the_stories_published_today(client, editor):
    ArticleFactory(headline="Went live at dawn", status="published", publish_at=NOW)
    ArticleFactory(headline="Last week", published=True, publish_at=NOW - dt.timedelta(days=7))
    client.force_login(editor)
    page = client.get(HOME).content.decode()
    link = re.search(r'<p class="desk-more"><a href="([^"]+)">', queue(page, "Published today"))
    listed = client.get(link[1].replace("&amp;", "&"))
    assert [a.headline for a in listed.context["cl"].result_list] == ["Went live at dawn"]


def test_staff_without_stories_get_the_plain_app_list(client):
    clerk = UserFactory(username="clerk")
    client.force_login(clerk)
    page = client.get(HOME).content.decode()
    assert "desk-queue" not in page and "Notifications" not in page


def test_the_app_list_stays_on_the_desk_home_folded(client, editor):
    client.force_login(editor)
    page = client.get(HOME).content.decode()
    assert "<summary>Everything in the admin</summary>" in page
    assert 'href="/admin/articles/article/"' in page


# --- Notifications ------------------------------------------------------------------


def notification(user, message: str, read: bool = False, **fields) -> Notification:
    story = fields.pop("article", None) or mine(user, "Ferry timetable changes")
    event = story.events.create(actor=None, from_status="Draft", to_status="In review")
    return Notification.objects.create(
        recipient=user,
        article=story,
        workflow_event=event,
        event="submitted",
        message=message,
        read_at=timezone.now() if read else None,
        **fields,
    )


def shown_notifications(page: str) -> list[str]:
    section = re.search(r'<section class="module desk-notifications".*?</section>', page, re.S)[0]
    return re.findall(r'<a href="/admin/articles/article/\d+/change/">([^<]+)</a>', section)


def test_notifications_are_on_top_unread_first(client, journalist, other_journalist):
    story = mine(journalist, "Ferry timetable changes")
    with at(3):
        notification(journalist, "Older, unread", article=story)
    with at(2):
        notification(journalist, "Read already", read=True, article=story)
    with at(1):
        notification(journalist, "Newest, unread", article=story)
    notification(other_journalist, "For Omar")
    client.force_login(journalist)

    page = client.get(HOME).content.decode()

    assert page.index("Notifications") < page.index("My drafts")
    assert shown_notifications(page) == ["Newest, unread", "Older, unread", "Read already"]
    assert "(2 unread)" in page


def test_many_unread_notifications_are_counted_past_those_shown(client, journalist):
    story = mine(journalist, "Ferry timetable changes")
    for n in range(NOTIFICATIONS_SHOWN + 1):
        notification(journalist, f"Message {n}", article=story)
    client.force_login(journalist)
    page = client.get(HOME).content.decode()
    assert len(shown_notifications(page)) == NOTIFICATIONS_SHOWN
    assert f"({NOTIFICATIONS_SHOWN}+ unread)" in page


def test_mark_one_and_then_all_as_read(client, journalist):
    story = mine(journalist, "Ferry timetable changes")
    first = notification(journalist, "First", article=story)
    notification(journalist, "Second", article=story)
    client.force_login(journalist)

    response = client.post(READ, {"notification": first.pk})
    assert response.status_code == 302 and response["Location"] == "/admin/#notifications"
    first.refresh_from_db()
    assert first.read_at is not None
    assert "(1 unread)" in client.get(HOME).content.decode()

    client.post(READ, {"notification": "all"})
    assert not Notification.objects.unread().exists()
    assert "unread)" not in client.get(HOME).content.decode()


@pytest.mark.parametrize("value", ["", "abc", "-1", "99999999999999999999999", "theirs"])
def test_marking_what_is_not_yours_changes_nothing_and_says_so(
    client, journalist, other_journalist, value
):
    theirs = notification(other_journalist, "For Omar")
    client.force_login(journalist)

    posted = str(theirs.pk) if value == "theirs" else value
    response = client.post(READ, {"notification": posted}, follow=True)

    assert response.status_code == 200
    assert (
        "That notification is not one of yours; nothing was changed." in response.content.decode()
    )
    assert Notification.objects.unread().count() == 1


def test_marking_as_read_takes_a_post(client, journalist):
    client.force_login(journalist)
    assert client.get(READ).status_code == 405


def test_marking_as_read_needs_a_sign_in(client, journalist):
    theirs = notification(journalist, "For Jane")
    response = client.post(READ, {"notification": theirs.pk})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert Notification.objects.unread().count() == 1


def test_a_returned_story_reaches_the_desk_home_as_a_notification(
    client, journalist, editor, django_capture_on_commit_callbacks
):
    story = mine(journalist, "Harbour reopens", in_review=True)
    with django_capture_on_commit_callbacks(execute=True):
        story.return_to_authors(editor, "Add the port authority's figures.")
    client.force_login(journalist)
    page = client.get(HOME).content.decode()
    assert shown_notifications(page) == [
        f"{editor.get_full_name()} returned “Harbour reopens” to you: "
        "Add the port authority&#x27;s figures."
    ]
