"""Webhooks: editors register endpoints; the article workflow's events are POSTed, signed, by
the job queue, retried with backoff, and paused endpoints get nothing.

Deliveries go to a real HTTP server on a loopback port (tests.servers.WebhookReceiver). Most
tests queue on the database backend and run the jobs with django-tasks-db's own Worker in
this process; the last ones start real `manage.py db_worker` processes."""

import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest
import time_machine
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

import webhooks
from articles.models import Article, Kind, LiveEntry
from tests.admin_forms import change_url, form_data
from tests.factories import ArticleFactory, AuthorFactory, CorrectionFactory, EditorFactory
from tests.servers import ROOT, HungServer, WebhookReceiver
from tests.test_workflow import workflow_url
from webhooks.models import Delivery, Endpoint, Event
from webhooks.tasks import deliver

pytestmark = pytest.mark.django_db

ALL_EVENTS = [e.value for e in Event]
ENDPOINTS = "/admin/webhooks/endpoint/"
DELIVERIES = "/admin/webhooks/delivery/"


def readme_verify():
    """The verification snippet README.md › Webhooks gives receivers, exactly as written."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Webhooks\n", 1)[1].split("\n## ", 1)[0]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    namespace: dict = {}
    exec(code, namespace)
    return namespace["verify"]


@pytest.fixture
def queue(settings):
    """The production job queue: jobs are rows, run by run_jobs() (a real db_worker Worker)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.SITE_URL = "https://news.example.com"


def run_jobs() -> None:
    """What `manage.py db_worker --batch` does: run every job that is due, then return.
    (Its close_old_connections() would close the test's connection, which is inside the
    test's transaction: here it leaves it be.)"""
    from unittest import mock

    with mock.patch(f"{Worker.__module__}.close_old_connections"):
        _run_jobs()


def _run_jobs() -> None:
    Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="in-test",
        excluded_queue_names=[],
    ).run()


@pytest.fixture
def receiver():
    with WebhookReceiver() as server:
        yield server


@pytest.fixture
def endpoint(receiver):
    return Endpoint.objects.create(url=receiver.url, events=ALL_EVENTS)


def announce(event: str, article, **details) -> None:
    """webhooks.announce() as a committed transaction runs it (tests run inside one)."""
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        webhooks.announce(event, article, **details)


def step(client, user, story, transition, capture, **data):
    client.force_login(user)
    with capture(execute=True):
        response = client.post(workflow_url(story, transition), data)
    assert response.status_code == 302, response.content[:500]
    story.refresh_from_db()


# --- Delivery and its signature ----------------------------------------------------------


def test_publishing_posts_a_signed_event_the_readme_recipe_verifies(
    client, editor, queue, receiver, endpoint, django_capture_on_commit_callbacks
):
    story = ArticleFactory(headline="Harbour reopens", in_review=True)
    step(client, editor, story, "publish", django_capture_on_commit_callbacks)
    assert receiver.received == []  # queued, not sent in the editor's request
    run_jobs()

    assert len(receiver.received) == 1
    headers, body = receiver.received[0]
    assert readme_verify()(endpoint.secret, headers, body)
    assert not readme_verify()("another secret", headers, body)
    assert not readme_verify()(endpoint.secret, headers, body + b" ")
    payload = json.loads(body)
    assert payload["event"] == "published"
    assert payload["story"]["id"] == story.pk
    assert payload["story"]["headline"] == "Harbour reopens"
    assert payload["story"]["url"] == "https://news.example.com" + story.get_absolute_url()
    assert payload["occurred_at"].endswith("Z")
    assert headers["Content-Type"] == "application/json"
    delivery = Delivery.objects.get()
    assert str(delivery.webhook_id) == headers["Webhook-Id"]
    assert delivery.status == Delivery.Status.DELIVERED and delivery.status_code == 200
    assert delivery.response_excerpt == "ok" and delivery.attempt == 1
    assert delivery.attempted_at is not None and delivery.duration_ms is not None


def test_a_stale_timestamp_fails_the_readme_recipe(queue, receiver, endpoint):
    with time_machine.travel(timezone.now() - dt.timedelta(minutes=10)):
        announce(webhooks.PUBLISHED, ArticleFactory(published=True))
        run_jobs()
    headers, body = receiver.received[0]
    assert not readme_verify()(endpoint.secret, headers, body)  # a replay, 10 minutes late


def test_a_job_run_twice_sends_once(queue, receiver, endpoint):
    announce(webhooks.PUBLISHED, ArticleFactory(published=True))
    delivery = Delivery.objects.get()
    deliver.call(delivery.pk)
    deliver.call(delivery.pk)
    assert len(receiver.received) == 1


# --- Each event -----------------------------------------------------------------------


def test_a_significant_update_is_announced_a_minor_one_is_not(
    client, editor, queue, receiver, endpoint, django_capture_on_commit_callbacks
):
    story = ArticleFactory(published=True)
    client.force_login(editor)
    for kind, headline in (("minor", "Typo fixed"), ("significant", "Death toll rises")):
        data = form_data(client.get(change_url(story)), headline=headline, update_kind=kind)
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(change_url(story), data).status_code == 302
    run_jobs()
    assert [(b["event"], b["story"]["headline"]) for b in receiver.bodies()] == [
        ("updated", "Death toll rises")
    ]
    story.refresh_from_db()
    assert receiver.bodies()[0]["story"]["updated_at"] is not None


def test_a_correction_is_announced_with_its_text(
    queue, receiver, endpoint, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        correction = CorrectionFactory(text="The vote was on Tuesday, not Monday.")
    run_jobs()
    (body,) = receiver.bodies()
    assert body["event"] == "corrected"
    assert body["story"]["id"] == correction.article_id
    assert body["correction"]["text"] == "The vote was on Tuesday, not Monday."
    assert body["correction"]["kind"] == "correction"


def test_withdrawing_is_announced_once_even_with_a_public_notice(
    client, editor, queue, receiver, endpoint, django_capture_on_commit_callbacks
):
    story = ArticleFactory(published=True)
    step(
        client,
        editor,
        story,
        "unpublish",
        django_capture_on_commit_callbacks,
        note="Legal advice.",
        notice="on",
        confirm="unpublish",
    )
    assert story.status == "withdrawn"
    run_jobs()
    assert [b["event"] for b in receiver.bodies()] == ["withdrawn"]


def test_a_live_entry_is_announced_from_an_entry_like_payload(
    queue, receiver, endpoint, django_capture_on_commit_callbacks
):
    story = ArticleFactory(published=True)
    posted = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.announce_live_entry(
            story, {"id": 7, "posted_at": posted, "title": "Polls close", "body": "<p>Done.</p>"}
        )
    run_jobs()
    (body,) = receiver.bodies()
    assert body["event"] == "live_entry"
    assert body["entry"]["id"] == 7 and body["entry"]["title"] == "Polls close"
    assert body["entry"]["body"] == "<p>Done.</p>"
    assert body["entry"]["url"] == body["story"]["url"]


def test_a_live_entry_readers_can_see_is_announced_with_its_address(
    queue, receiver, endpoint, editor, django_capture_on_commit_callbacks
):
    blog = ArticleFactory(published=True, kind=Kind.LIVE, headline="Election night")
    entry = LiveEntry(
        article=blog, author=AuthorFactory(), headline="Polls close", body="<p>Counting.</p>"
    )
    with django_capture_on_commit_callbacks(execute=True):
        entry.post(editor)  # through the live blog's own model method, as the desk posts
    run_jobs()
    (body,) = receiver.bodies()
    assert body["event"] == "live_entry" and body["story"]["id"] == blog.pk
    assert body["entry"]["id"] == entry.pk and body["entry"]["title"] == "Polls close"
    assert body["entry"]["url"].endswith(f"#entry-{entry.pk}")


def test_endpoints_get_only_the_events_they_chose(
    queue, receiver, django_capture_on_commit_callbacks
):
    Endpoint.objects.create(url=receiver.url, events=["withdrawn"])
    with django_capture_on_commit_callbacks(execute=True):
        CorrectionFactory()
    run_jobs()
    assert receiver.received == [] and not Delivery.objects.exists()


def test_a_step_that_never_commits_announces_nothing(client, editor, queue, endpoint):
    client.force_login(editor)
    client.post(workflow_url(ArticleFactory(in_review=True), "publish"))
    assert not Delivery.objects.exists() and not DBTaskResult.objects.exists()


# --- A scheduled story ----------------------------------------------------------------


def test_a_scheduled_story_is_announced_when_it_goes_live(
    client, editor, queue, receiver, endpoint, django_capture_on_commit_callbacks
):
    story = ArticleFactory(headline="Budget vote", in_review=True)
    at = (timezone.now() + dt.timedelta(hours=2)).replace(second=0, microsecond=0)
    local = timezone.localtime(at).strftime("%Y-%m-%dT%H:%M")
    step(client, editor, story, "schedule", django_capture_on_commit_callbacks, at=local)
    assert story.publish_at == at
    delivery = Delivery.objects.get()
    assert delivery.due_at == at
    assert DBTaskResult.objects.get().run_after == at  # the queue waits, no cron
    run_jobs()
    assert receiver.received == []

    Article.objects.filter(pk=story.pk).update(headline="Budget vote passes")
    with time_machine.travel(at + dt.timedelta(seconds=5)):
        run_jobs()
    (body,) = receiver.bodies()
    assert body["event"] == "published"
    assert body["story"]["headline"] == "Budget vote passes"  # as it went out


def test_a_rescheduled_story_is_announced_at_its_new_time_only(
    queue, receiver, endpoint, editor, django_capture_on_commit_callbacks
):
    story = ArticleFactory(in_review=True)
    first = timezone.now() + dt.timedelta(hours=1)
    second = timezone.now() + dt.timedelta(hours=3)
    with django_capture_on_commit_callbacks(execute=True):
        story.schedule(editor, first)
    with django_capture_on_commit_callbacks(execute=True):
        story.schedule(editor, second)
    with time_machine.travel(first + dt.timedelta(seconds=5)):
        run_jobs()
    assert receiver.received == []
    old = Delivery.objects.get(publish_at=first)
    assert old.status == Delivery.Status.SKIPPED and "rescheduled" in old.error
    with time_machine.travel(second + dt.timedelta(seconds=5)):
        run_jobs()
    assert len(receiver.received) == 1


def test_an_unscheduled_story_is_never_announced(
    queue, receiver, endpoint, editor, django_capture_on_commit_callbacks
):
    story = ArticleFactory(in_review=True)
    at = timezone.now() + dt.timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        story.schedule(editor, at)
    story.unschedule(editor)
    with time_machine.travel(at + dt.timedelta(seconds=5)):
        run_jobs()
    assert receiver.received == []
    assert Delivery.objects.get().status == Delivery.Status.SKIPPED


# --- Failures: retries, pausing, a hung receiver ---------------------------------------


def test_failed_attempts_are_retried_with_exponential_backoff(queue, settings, endpoint):
    settings.WEBHOOK_MAX_ATTEMPTS = 5
    with WebhookReceiver(status=503) as down:
        endpoint.url = down.url
        endpoint.save()
        announce(webhooks.CORRECTED, CorrectionFactory().article)
        now = timezone.now()
        delays = []
        for _ in range(5):
            with time_machine.travel(now, tick=False):
                run_jobs()
            last = Delivery.objects.order_by("-attempt").first()
            if last.status == Delivery.Status.PENDING:
                delays.append(round((last.due_at - now).total_seconds()))
                job = DBTaskResult.objects.get(status="READY")
                assert job.run_after == last.due_at
                now = last.due_at
    assert delays == [60, 120, 240, 480]  # 1, 2, 4, 8 minutes; then no sixth attempt
    attempts = Delivery.objects.order_by("attempt")
    assert [d.attempt for d in attempts] == [1, 2, 3, 4, 5]
    assert {d.status for d in attempts} == {Delivery.Status.FAILED}
    assert {d.status_code for d in attempts} == {503}
    assert attempts[0].error == "HTTP 503 Service Unavailable"
    assert attempts.last().retry_at is None
    ids = {headers["Webhook-Id"] for headers, _ in down.received}
    assert len(down.received) == 5 and len(ids) == 1  # one event, five tries


def test_an_endpoint_that_keeps_failing_is_paused_and_resumed_by_an_editor(
    client, editor, queue, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_PAUSE_AFTER, settings.WEBHOOK_MAX_ATTEMPTS = 3, 1
    with WebhookReceiver(status=500) as down:
        endpoint = Endpoint.objects.create(url=down.url, events=ALL_EVENTS)
        story = ArticleFactory(published=True)
        for _ in range(4):
            announce(webhooks.CORRECTED, story)
            run_jobs()
        assert len(down.received) == 3  # the fourth event found it paused: nothing sent
        endpoint.refresh_from_db()
        assert endpoint.is_paused()
        assert endpoint.paused_reason.startswith("Paused after 3 failed deliveries in a row")
        assert Delivery.objects.count() == 3

        client.force_login(editor)
        listing = client.get(ENDPOINTS)
        assert "Paused: Paused after 3 failed deliveries in a row; the last: HTTP 500" in (
            listing.content.decode()
        )
        down.status = 200
        answer = client.post(
            ENDPOINTS, {"action": "resume", "_selected_action": [endpoint.pk]}, follow=True
        )
        assert "Resumed 1 endpoint" in answer.content.decode()
        endpoint.refresh_from_db()
        assert not endpoint.is_paused() and endpoint.consecutive_failures == 0
        announce(webhooks.CORRECTED, story)
        run_jobs()
        assert len(down.received) == 4


def test_a_queued_retry_is_not_sent_to_a_paused_endpoint(queue, settings, endpoint, receiver):
    announce(webhooks.PUBLISHED, ArticleFactory(published=True))
    Endpoint.objects.filter(pk=endpoint.pk).update(
        paused_at=timezone.now(), paused_reason="by hand"
    )
    run_jobs()
    assert receiver.received == []
    assert Delivery.objects.get().status == Delivery.Status.SKIPPED


def test_publishing_with_a_hung_endpoint_is_quick_and_the_job_times_out(
    client, editor, queue, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_TIMEOUT = 0.5
    hung = HungServer()  # accepts the connection, never answers
    try:
        Endpoint.objects.create(url=f"http://127.0.0.1:{hung.port}/hooks", events=ALL_EVENTS)
        story = ArticleFactory(in_review=True)
        started = time.monotonic()
        step(client, editor, story, "publish", django_capture_on_commit_callbacks)
        assert time.monotonic() - started < 1.5  # the save never waited on the partner
        assert story.is_live()
        started = time.monotonic()
        run_jobs()
        assert time.monotonic() - started < 3
    finally:
        hung.close()
    first, retry = Delivery.objects.order_by("attempt")
    assert first.status == Delivery.Status.FAILED and first.status_code is None
    assert "timed out" in first.error
    assert retry.status == Delivery.Status.PENDING and retry.attempt == 2


def test_a_refused_connection_is_a_failed_attempt(queue):
    gone = WebhookReceiver()
    url = gone.url
    gone.server.server_close()  # nothing listens there now
    Endpoint.objects.create(url=url, events=ALL_EVENTS)
    announce(webhooks.PUBLISHED, ArticleFactory(published=True))
    run_jobs()
    first = Delivery.objects.get(attempt=1)
    assert first.status == Delivery.Status.FAILED and "refused" in first.error.lower()


# --- The admin ------------------------------------------------------------------------


def test_journalists_may_not_see_or_add_endpoints_or_deliveries(client, journalist, endpoint):
    client.force_login(journalist)
    for url in (ENDPOINTS, f"{ENDPOINTS}add/", f"{ENDPOINTS}{endpoint.pk}/change/", DELIVERIES):
        assert client.get(url).status_code == 403, url
    assert client.post(f"{ENDPOINTS}add/", {"url": "https://x.example/h"}).status_code == 403
    assert "webhooks" not in client.get("/admin/").content.decode().lower()


def test_an_editor_registers_an_endpoint_and_sees_its_secret(client, editor):
    client.force_login(editor)
    answer = client.post(
        f"{ENDPOINTS}add/",
        {
            "url": "https://partner.example/hooks/newsroom",
            "description": "Partner app",
            "events": ["published", "withdrawn"],
        },
        follow=True,
    )
    endpoint = Endpoint.objects.get()
    assert answer.redirect_chain[-1][0] == f"{ENDPOINTS}{endpoint.pk}/change/"
    assert endpoint.events == ["published", "withdrawn"] and endpoint.created_by == editor
    assert len(endpoint.secret) >= 40
    assert endpoint.secret in answer.content.decode()


@pytest.mark.parametrize(
    "url",
    ["ftp://partner.example/hooks", "partner.example/hooks", "javascript:alert(1)", "https://"],
)
def test_a_bad_url_is_a_clear_form_error(client, editor, url):
    client.force_login(editor)
    answer = client.post(f"{ENDPOINTS}add/", {"url": url, "events": ["published"]})
    assert answer.status_code == 200
    assert "Enter a full address starting with http:// or https://" in answer.content.decode()
    assert not Endpoint.objects.exists()


def test_an_endpoint_needs_an_event(client, editor):
    client.force_login(editor)
    answer = client.post(f"{ENDPOINTS}add/", {"url": "https://partner.example/h"})
    assert "Choose at least one event to send." in answer.content.decode()


def test_the_delivery_log_is_read_only_for_editors(
    client, editor, queue, receiver, endpoint, django_assert_max_num_queries
):
    for _ in range(3):
        announce(webhooks.PUBLISHED, ArticleFactory(published=True))
    run_jobs()
    client.force_login(editor)
    with django_assert_max_num_queries(15):
        listing = client.get(DELIVERIES)
    assert listing.status_code == 200 and listing.content.decode().count("Delivered") >= 3
    delivery = Delivery.objects.first()
    page = client.get(f"{DELIVERIES}{delivery.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert "&quot;event&quot;: &quot;published&quot;" in page.content.decode()
    assert client.get(f"{DELIVERIES}add/").status_code == 403
    assert client.post(f"{DELIVERIES}{delivery.pk}/delete/").status_code == 403


# --- Real worker processes ------------------------------------------------------------


def _worker(database_url: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DEBUG": "0",  # the production default: the database backend
        "SECRET_KEY": "s" * 50,
        "DATABASE_URL": database_url,
        "SITE_URL": "https://news.example.com",
        "WEBHOOK_TIMEOUT": "10",
    }
    env.pop("TASKS_BACKEND", None)
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def _wait(condition, process, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, process.stdout.read().decode(errors="replace")
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.mark.slow
def test_jobs_survive_a_worker_restart_and_run_exactly_once(live_server_db_url, migration_rows):
    """A worker stopped with SIGTERM finishes the delivery it is making, then exits; a job
    that came due while no worker ran is run by the next worker; nothing runs twice."""
    from django.test import override_settings

    editor = EditorFactory()
    with (
        WebhookReceiver(delay=1.5) as receiver,
        override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}),
    ):
        Endpoint.objects.create(url=receiver.url, events=ALL_EVENTS)
        now_story = ArticleFactory(headline="Now", in_review=True)
        later_story = ArticleFactory(headline="Later", in_review=True)
        started = time.monotonic()
        now_story.publish(editor)
        later_story.schedule(editor, timezone.now() + dt.timedelta(seconds=4))
        assert time.monotonic() - started < 2  # queued, never sent in the step

        first = _worker(live_server_db_url)
        try:
            _wait(receiver.started.is_set, first)  # in the middle of the first delivery
            first.send_signal(signal.SIGTERM)
            first_output = first.communicate(timeout=20)[0].decode(errors="replace")
        finally:
            if first.poll() is None:
                first.kill()
        assert first.returncode == 0, first_output
        assert [b["story"]["headline"] for b in receiver.bodies()] == ["Now"]  # finished it

        time.sleep(4)  # "Later" comes due while no worker runs
        receiver.delay = 0
        second = _worker(live_server_db_url)
        try:
            _wait(lambda: len(receiver.received) >= 2, second)
            time.sleep(1.5)  # time enough to run anything twice
        finally:
            second.terminate()
            second_output = second.communicate(timeout=20)[0].decode(errors="replace")

    assert [b["story"]["headline"] for b in receiver.bodies()] == ["Now", "Later"], second_output
    assert set(Delivery.objects.values_list("status", flat=True)) == {"delivered"}
    jobs = DBTaskResult.objects.order_by("enqueued_at")
    assert [j.status for j in jobs] == ["SUCCESSFUL", "SUCCESSFUL"]
    assert jobs[0].worker_ids != jobs[1].worker_ids  # one per worker


def test_without_a_worker_deliveries_go_out_after_the_commit_and_retries_are_not_sent(
    settings, receiver, endpoint
):
    """`make run`'s immediate backend: sent right after the commit; nothing can wait."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    announce(webhooks.PUBLISHED, ArticleFactory(published=True))
    assert len(receiver.received) == 1
    receiver.status = 500
    announce(webhooks.PUBLISHED, ArticleFactory(published=True))
    retry = Delivery.objects.get(attempt=2)
    assert retry.status == Delivery.Status.SKIPPED and "no worker" in retry.error
    assert len(receiver.received) == 2
