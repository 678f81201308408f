"""The daily newsletter: double opt-in sign-up, editions editors arrange from the front page,
sending through the job queue to a real SMTP server, one-click unsubscribe."""

import datetime as dt
import re
import time

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from articles.models import Front, Kind, Placement
from newsletter.models import Delivery, Edition, Subscriber
from newsletter.tasks import send_edition
from tests.factories import ArticleFactory, EditorFactory
from tests.mail import mail_to_inbox, smtp_server
from tests.servers import db_worker, worker_environment

pytestmark = pytest.mark.django_db

SIGNUP, SUBSCRIBE = "/newsletter/", "/newsletter/subscribe/"


@pytest.fixture
def inbox(settings):
    with mail_to_inbox(settings) as server:
        yield server


@pytest.fixture
def reader():
    """A reader's browser: no session, and CSRF checked as in production."""
    return Client(enforce_csrf_checks=True)


def wait_for(inbox, count: int) -> None:
    deadline = time.monotonic() + 5
    while len(inbox.messages) < count and time.monotonic() < deadline:
        time.sleep(0.02)


def sign_up(reader, email, callbacks):
    with callbacks(execute=True):
        return reader.post(SUBSCRIBE, {"email": email})


def subscribed(*emails: str) -> list[Subscriber]:
    now = timezone.now()
    return [Subscriber.objects.create(email=e, confirmed_at=now) for e in emails]


# --- Signing up -----------------------------------------------------------------------------


def test_the_footer_links_the_sign_up_page_which_the_edge_may_cache(
    client, django_assert_max_num_queries
):
    assert 'href="/newsletter/">Daily newsletter</a>' in client.get("/").content.decode()
    with django_assert_max_num_queries(6):
        response = client.get(SIGNUP)
    assert response.status_code == 200
    assert "public" in response["Cache-Control"] and "Surrogate-Key" in response
    assert not response.cookies  # no CSRF cookie: one cached page for every reader
    html = response.content.decode()
    assert 'action="/newsletter/subscribe/" method="post"' in html
    assert '<label for="newsletter-email">' in html


def test_sign_up_confirm_by_link_and_subscribed(reader, inbox, django_capture_on_commit_callbacks):
    response = sign_up(reader, "Reader@Example.com ", django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert "Check your inbox" in response.content.decode()
    assert "no-cache" in response["Cache-Control"] or "private" in response["Cache-Control"]
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "reader@example.com" and not subscriber.is_subscribed

    wait_for(inbox, 1)
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == "reader@example.com"
    body = message.get_body(("plain",)).get_content()
    link = re.search(r"http://127\.0\.0\.1:8000(/newsletter/confirm/[^/\s]+/)", body).group(1)

    page = reader.get(link)  # a mail scanner opening the link confirms nothing
    assert page.status_code == 200 and "Yes, subscribe me" in page.content.decode()
    subscriber.refresh_from_db()
    assert not subscriber.is_subscribed

    done = reader.post(link)
    assert done.status_code == 200 and "You are subscribed" in done.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.is_subscribed
    assert list(Subscriber.objects.confirmed()) == [subscriber]


def test_the_answer_never_tells_whether_an_address_is_subscribed(
    reader, inbox, django_capture_on_commit_callbacks
):
    subscribed("known@example.com")
    new = sign_up(reader, "new@example.com", django_capture_on_commit_callbacks)
    known = sign_up(reader, "known@example.com", django_capture_on_commit_callbacks)
    again = sign_up(reader, "new@example.com", django_capture_on_commit_callbacks)
    assert new.status_code == known.status_code == again.status_code == 200
    assert new.content == known.content == again.content
    wait_for(inbox, 1)
    time.sleep(0.3)
    # The subscribed address gets nothing; the pending one one mail, not one per request.
    assert [m["To"] for m in inbox.messages] == ["new@example.com"]


def test_bad_input_gets_a_clear_message_never_a_500(reader, django_capture_on_commit_callbacks):
    for data, message in [
        ({}, "Enter your e-mail address."),
        ({"email": ""}, "Enter your e-mail address."),
        ({"email": "not an address"}, "Enter an e-mail address such as name@example.com."),
        ({"email": "a@" + "b" * 300 + ".com"}, "Enter an e-mail address such as"),
        ({"email": "x\x00@example.com"}, "Enter an e-mail address"),
    ]:
        response = (
            sign_up(reader, data.get("email"), django_capture_on_commit_callbacks)
            if data
            else reader.post(SUBSCRIBE, data)
        )
        assert response.status_code == 400, data
        html = response.content.decode()
        assert message in html and 'aria-invalid="true"' in html
    assert not Subscriber.objects.exists()
    assert reader.get(SUBSCRIBE).status_code == 302  # a GET goes back to the form


def test_too_many_sign_ups_from_one_address_are_refused(
    reader, settings, django_capture_on_commit_callbacks, mailoutbox
):
    settings.NEWSLETTER_SIGNUPS_PER_HOUR = 2
    for n in range(2):
        assert (
            sign_up(reader, f"r{n}@example.com", django_capture_on_commit_callbacks).status_code
            == 200
        )
    response = sign_up(reader, "r9@example.com", django_capture_on_commit_callbacks)
    assert response.status_code == 429
    assert "too many sign-ups" in response.content.decode()
    assert len(mailoutbox) == 2


def test_forged_and_expired_links_say_what_to_do(reader):
    subscriber = Subscriber.objects.create(email="late@example.com")
    token = subscriber.confirmation_token()
    forged = reader.get(f"/newsletter/confirm/{token[:-3]}xyz/")
    assert forged.status_code == 400 and "This link does not work" in forged.content.decode()
    assert reader.post("/newsletter/unsubscribe/nonsense/").status_code == 400
    with time_machine.travel(timezone.now() + dt.timedelta(hours=49)):
        expired = reader.post(f"/newsletter/confirm/{token}/")
    assert expired.status_code == 400
    assert "This link has expired" in expired.content.decode()
    assert 'href="/newsletter/"' in expired.content.decode()
    subscriber.refresh_from_db()
    assert not subscriber.is_subscribed


# --- Editions -------------------------------------------------------------------------------


@pytest.fixture
def front_page():
    """The home front: a placed lead, two placed top stories (one of them paid, placed on
    purpose), plus today's other live stories, a draft, a scheduled and an unplaced paid one."""
    home, _ = Front.objects.get_or_create(section=None)
    ago = lambda **kw: timezone.now() - dt.timedelta(**kw)  # noqa: E731
    lead = ArticleFactory(
        published=True, headline="Lead: ceasefire holds", publish_at=ago(minutes=50)
    )
    second = ArticleFactory(published=True, headline="Placed second", publish_at=ago(minutes=40))
    paid = ArticleFactory(
        published=True,
        headline="Placed paid",
        kind=Kind.SPONSORED,
        sponsor="Port Co",
        publish_at=ago(minutes=30),
    )
    Placement.objects.create(front=home, slot=Placement.Slot.LEAD, article=lead)
    Placement.objects.create(front=home, slot=Placement.Slot.TOP, position=1, article=second)
    Placement.objects.create(front=home, slot=Placement.Slot.TOP, position=2, article=paid)
    fresh = ArticleFactory(published=True, headline="Fresh today", publish_at=ago(minutes=5))
    ArticleFactory(headline="Still a draft")
    ArticleFactory(scheduled=True, headline="Not yet")
    ArticleFactory(published=True, headline="Unplaced paid", kind=Kind.SPONSORED, sponsor="X")
    return [lead, second, paid, fresh]


def headlines(edition: Edition) -> list[str]:
    return [story.headline for story in edition.stories()]


def test_an_edition_is_drafted_from_the_front_in_its_order_then_the_days_stories(front_page):
    from django.core.management import call_command

    call_command("draft_newsletter")
    edition = Edition.objects.get()
    assert edition.date == timezone.localdate() and edition.status == Edition.Status.DRAFT
    assert headlines(edition) == [
        "Lead: ceasefire holds",
        "Placed second",
        "Placed paid",
        "Fresh today",
    ]
    call_command("draft_newsletter")  # once drafted, left to the editors
    assert edition.items.count() == 4


def edition_url(edition, rest="change/"):
    return f"/admin/newsletter/edition/{edition.pk}/{rest}"


def test_editors_reorder_remove_add_and_write_a_note_then_preview(
    client, editor, front_page, django_assert_max_num_queries
):
    from tests.admin_forms import form_data

    older = ArticleFactory(
        published=True,
        headline="Yesterday's scoop",
        publish_at=timezone.now() - dt.timedelta(days=1),
    )
    client.force_login(editor)
    response = client.post(
        "/admin/newsletter/edition/add/",
        {
            "date": timezone.localdate().isoformat(),
            "note": "",
            "items-TOTAL_FORMS": 0,
            "items-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302
    edition = Edition.objects.get()
    assert headlines(edition) == [
        "Lead: ceasefire holds",
        "Placed second",
        "Placed paid",
        "Fresh today",
    ]

    data = form_data(client.get(edition_url(edition)), note="Good morning.\n\nA calm day.")
    positions = {"Fresh today": 0, "Lead: ceasefire holds": 1, "Placed second": 2}
    for i in range(4):
        article = data[f"items-{i}-article"]
        headline = next(a.headline for a in front_page if a.pk == article)
        if headline == "Placed paid":
            data[f"items-{i}-DELETE"] = "on"
        else:
            data[f"items-{i}-position"] = positions[headline]
    data["items-4-article"], data["items-4-position"] = older.pk, 3
    data["items-TOTAL_FORMS"] = 5
    response = client.post(edition_url(edition), data)
    assert response.status_code == 302, response.context["errors"]
    assert headlines(edition) == [
        "Fresh today",
        "Lead: ceasefire holds",
        "Placed second",
        "Yesterday's scoop",
    ]

    with django_assert_max_num_queries(12):
        preview = client.get(edition_url(edition, "preview/"))
    html = preview.content.decode()
    assert html.index("Fresh today") < html.index("Lead: ceasefire holds") < html.index("Yesterday")
    assert "Good morning." in html and "A calm day." in html and "Placed paid" not in html
    text = client.get(edition_url(edition, "preview/") + "?format=text").content.decode()
    assert text.startswith(edition.subject) and "Good morning." in text


def test_only_live_stories_can_be_added_and_go_out(client, editor, front_page):
    from tests.admin_forms import form_data

    edition = Edition.objects.draft_for(timezone.localdate())
    draft = ArticleFactory(headline="Secret draft")
    client.force_login(editor)
    data = form_data(client.get(edition_url(edition)))
    data["items-4-article"], data["items-4-position"], data["items-TOTAL_FORMS"] = draft.pk, 9, 5
    response = client.post(edition_url(edition), data)
    assert response.status_code == 200
    assert "Only live stories can go in the newsletter." in response.content.decode()
    # A story withdrawn after it was chosen drops out by itself.
    front_page[1].unpublish(editor, "Wrong figures.")
    assert "Placed second" not in headlines(edition)


def test_journalists_cannot_see_prepare_or_send(client, journalist, front_page, inbox):
    edition = Edition.objects.draft_for(timezone.localdate())
    subscribed("a@example.com")
    client.force_login(journalist)
    assert client.get("/admin/newsletter/edition/").status_code == 403
    assert client.get(edition_url(edition)).status_code == 403
    assert client.get(edition_url(edition, "preview/")).status_code == 403
    assert client.post(edition_url(edition, "send/")).status_code == 403
    edition.refresh_from_db()
    assert edition.status == Edition.Status.DRAFT and not Delivery.objects.exists()
    time.sleep(0.2)
    assert inbox.messages == []


# --- Sending --------------------------------------------------------------------------------


def test_an_edition_goes_once_to_each_confirmed_subscriber_with_one_click_unsubscribe(
    client, editor, front_page, inbox, settings, django_capture_on_commit_callbacks
):
    settings.NEWSLETTER_BATCH_SIZE = 2  # three subscribers: two SMTP connections
    settings.SITE_URL = "https://news.example.com"
    subscribed("ann@example.com", "bob@example.com", "cem@example.com")
    Subscriber.objects.create(email="pending@example.com")  # never confirmed
    gone = subscribed("gone@example.com")[0]
    gone.unsubscribe()
    edition = Edition.objects.draft_for(timezone.localdate())
    edition.note = "Today's note from the desk."
    edition.save()

    client.force_login(editor)
    page = client.get(edition_url(edition)).content.decode()
    assert "Send to 3 subscribers" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(edition_url(edition, "send/"))
    assert response.status_code == 302
    wait_for(inbox, 3)
    assert sorted(m["To"] for m in inbox.messages) == [
        "ann@example.com",
        "bob@example.com",
        "cem@example.com",
    ]
    edition.refresh_from_db()
    assert edition.status == Edition.Status.SENT and edition.sent_by == editor
    assert Delivery.objects.filter(edition=edition).count() == 3

    message = inbox.messages[0]
    assert message["Subject"] == edition.subject
    unsubscribe = message["List-Unsubscribe"].strip()
    url = re.match(
        r"<(https://news\.example\.com/newsletter/unsubscribe/[^>]+/)>, <mailto:", unsubscribe
    ).group(1)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    for part in (html, text):
        assert (
            part.index("Lead: ceasefire holds")
            < part.index("Placed second")
            < part.index("Placed paid")
            < part.index("Fresh today")
        )
        assert "Today's note from the desk." in part or "Today&#x27;s note from the desk." in part
        assert "Not yet" not in part and "Still a draft" not in part and "Unplaced paid" not in part
    assert "<script" not in html and "<link" not in html and "<style" not in html
    assert "<table" in html and 'href="https://news.example.com/' in html
    assert not re.search(r'(href|src)="/', html)  # every address absolute
    assert "paid for by Port Co" in html

    # Sending again, or the job run again, mails no one twice.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(edition_url(edition, "send/"), follow=True)
    assert "already sending or sent" in again.content.decode()
    assert send_edition.call(edition.pk) == 0
    time.sleep(0.3)
    assert len(inbox.messages) == 3

    # The mail client's one click: a POST without any CSRF token.
    recipient = Subscriber.objects.get(email=message["To"])
    path = url.removeprefix("https://news.example.com")
    reader = Client(enforce_csrf_checks=True)
    confirm_page = reader.get(path)
    assert confirm_page.status_code == 200 and "Stop sending" in confirm_page.content.decode()
    recipient.refresh_from_db()
    assert recipient.is_subscribed
    done = reader.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert done.status_code == 200 and "You are unsubscribed" in done.content.decode()
    recipient.refresh_from_db()
    assert not recipient.is_subscribed
    assert recipient not in Subscriber.objects.confirmed()


def test_an_edition_without_live_stories_is_not_sent(client, editor, inbox):
    subscribed("ann@example.com")
    edition = Edition.objects.create(date=timezone.localdate())
    client.force_login(editor)
    response = client.post(edition_url(edition, "send/"), follow=True)
    assert "has no live stories" in response.content.decode()
    edition.refresh_from_db()
    assert edition.status == Edition.Status.DRAFT and not Delivery.objects.exists()


def test_a_retried_send_reaches_only_those_not_mailed_yet(front_page, inbox, editor):
    ann, _bob = subscribed("ann@example.com", "bob@example.com")
    edition = Edition.objects.draft_for(timezone.localdate())
    Edition.objects.filter(pk=edition.pk).update(status=Edition.Status.SENDING)
    Delivery.objects.create(edition=edition, subscriber=ann)  # a first run got this far
    assert send_edition.call(edition.pk) == 1
    wait_for(inbox, 1)
    assert [m["To"] for m in inbox.messages] == ["bob@example.com"]


@pytest.mark.slow
def test_the_worker_process_sends_the_edition(live_server_db_url, migration_rows, front_page):
    """The database backend queues the send in the editor's request; `manage.py db_worker`, a
    separate process, mails every confirmed subscriber through a real SMTP server."""
    from django.test import override_settings

    editor = EditorFactory(username="eddie")
    subscribed("ann@example.com", "bob@example.com")
    Subscriber.objects.create(email="pending@example.com")
    edition = Edition.objects.draft_for(timezone.localdate())

    with smtp_server() as inbox:
        env = worker_environment(
            live_server_db_url, inbox.port, SITE_URL="https://news.example.com"
        )
        with db_worker(env) as worker:
            with override_settings(
                TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
            ):
                edition.send(editor)
            deadline = time.monotonic() + 30
            while len(inbox.messages) < 2 and time.monotonic() < deadline:
                assert worker.poll() is None, worker.stdout.read().decode(errors="replace")
                time.sleep(0.1)
            time.sleep(0.5)
    output = worker.output

    assert sorted(m["To"] for m in inbox.messages) == ["ann@example.com", "bob@example.com"], output
    assert (
        inbox.messages[0]["List-Unsubscribe"]
        .strip()
        .startswith("<https://news.example.com/newsletter/unsubscribe/")
    )
    job = DBTaskResult.objects.get()
    assert job.task_path == "newsletter.tasks.send_edition" and job.status == "SUCCESSFUL"
    edition.refresh_from_db()
    assert edition.status == Edition.Status.SENT
    assert Delivery.objects.filter(edition=edition).count() == 2
