"""Notifications of workflow steps: on the desk home and by e-mail, to the right people.

A step's notifications are made once its transaction commits; the e-mails go through the job
queue: in these tests the immediate backend (as `make run`), and in the last one a real
`manage.py db_worker` process with the database backend and a real SMTP server."""

import datetime as dt
import time

import pytest
from django.core import mail
from django_tasks_db.models import DBTaskResult

from articles.models import Notification
from tests.factories import ArticleFactory, AuthorFactory, EditorFactory, UserFactory
from tests.mail import smtp_server
from tests.servers import db_worker, worker_environment
from tests.test_workflow import workflow_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(journalist, other_journalist, editor):
    """A story in review started by jane with omar's byline beside hers, two editors, a
    journalist with nothing to do with it, and a superuser."""
    for user in (journalist, other_journalist, editor):
        user.email = f"{user.username}@caspianherald.example"
        user.save()
    second_editor = EditorFactory(username="erin", email="erin@caspianherald.example")
    bystander = UserFactory(username="bea", email="bea@caspianherald.example", role="Journalists")
    UserFactory(username="root", email="root@caspianherald.example", is_superuser=True)
    story = ArticleFactory(
        headline="Ferry timetable changes",
        created_by=journalist,
        authors=[journalist.author, other_journalist.author, AuthorFactory(name="Stringer")],
    )
    return story, second_editor, bystander


def told(event: str) -> dict[str, str]:
    return {
        n.recipient.username: n.message
        for n in Notification.objects.filter(event=event).select_related("recipient")
    }


def step(client, actor, story, transition, django_capture_on_commit_callbacks, **data):
    client.force_login(actor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(workflow_url(story, transition), data)
    assert response.status_code == 302
    story.refresh_from_db()


def test_a_submission_tells_the_editors_not_the_writer(
    client, desk, journalist, django_capture_on_commit_callbacks
):
    story, *_ = desk
    step(client, journalist, story, "submit", django_capture_on_commit_callbacks)

    messages = told("submitted")
    assert set(messages) == {"eddie", "erin"}  # not jane herself, omar, bea, nor the superuser
    assert "submitted “Ferry timetable changes” for review" in messages["eddie"]
    assert sorted(m.to[0] for m in mail.outbox) == [
        "eddie@caspianherald.example",
        "erin@caspianherald.example",
    ]
    assert mail.outbox[0].subject == "Submitted for review: Ferry timetable changes"
    assert f"/admin/articles/article/{story.pk}/change/" in mail.outbox[0].body


def test_a_return_tells_the_storys_journalists_with_the_note(
    client, desk, journalist, other_journalist, editor, django_capture_on_commit_callbacks
):
    story, *_ = desk
    story.submit(journalist)
    step(
        client,
        editor,
        story,
        "return_to_authors",
        django_capture_on_commit_callbacks,
        note="Name the ministry's source.",
    )

    messages = told("returned")
    assert set(messages) == {"jane", "omar"}  # creator and bylined author with a login
    assert messages["omar"].endswith(
        "returned “Ferry timetable changes” to you: Name the ministry's source."
    )
    assert {m.to[0] for m in mail.outbox} == {
        "jane@caspianherald.example",
        "omar@caspianherald.example",
    }
    assert "Name the ministry's source." in mail.outbox[0].body


def test_publishing_tells_the_journalists(
    client, desk, journalist, editor, django_capture_on_commit_callbacks
):
    story, *_ = desk
    story.submit(journalist)
    step(client, editor, story, "publish", django_capture_on_commit_callbacks)

    assert set(told("published")) == {"jane", "omar"}
    assert {m.subject for m in mail.outbox} == {"Published: Ferry timetable changes"}


def test_scheduling_tells_the_journalists_when_in_the_newsrooms_zone(
    client, desk, journalist, editor, settings, django_capture_on_commit_callbacks
):
    story, *_ = desk
    story.submit(journalist)
    # 09:30 in Baku (UTC+4) is 05:30 UTC; the form takes the newsroom's local time.
    step(
        client, editor, story, "schedule", django_capture_on_commit_callbacks, at="2031-05-04T09:30"
    )

    assert story.publish_at == dt.datetime(2031, 5, 4, 5, 30, tzinfo=dt.UTC)
    messages = told("scheduled")
    assert set(messages) == {"jane", "omar"}
    assert "to go live at 09:30 on 04 May 2031 (Asia/Baku)" in messages["jane"]
    assert {m.subject for m in mail.outbox} == {"Scheduled: Ferry timetable changes"}


def test_an_editor_publishing_their_own_story_is_not_told(
    client, editor, django_capture_on_commit_callbacks
):
    story = ArticleFactory(created_by=editor, authors=[editor.author], in_review=True)
    step(client, editor, story, "publish", django_capture_on_commit_callbacks)
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_steps_that_tell_no_one_make_nothing(client, editor, django_capture_on_commit_callbacks):
    story = ArticleFactory(published=True, created_by=UserFactory(email="x@example.com"))
    step(client, editor, story, "unpublish", django_capture_on_commit_callbacks)
    assert not Notification.objects.exists() and mail.outbox == []


def test_a_refused_step_tells_no_one(client, desk, other_journalist, journalist):
    story, *_ = desk
    story.submit(journalist)
    client.force_login(other_journalist)  # a co-author cannot publish
    assert client.post(workflow_url(story, "publish")).status_code == 403
    assert not Notification.objects.exists() and mail.outbox == []


def test_nothing_is_told_before_the_step_commits(client, desk, journalist):
    story, *_ = desk
    client.force_login(journalist)
    client.post(workflow_url(story, "submit"))  # the test's transaction never commits
    assert not Notification.objects.exists() and mail.outbox == []


@pytest.mark.slow
def test_the_worker_process_mails_what_the_desk_queued(live_server_db_url, migration_rows):
    """The database backend queues the mail in the editor's request; `manage.py db_worker`, a
    separate process, sends it through a real SMTP server."""
    from django.test import override_settings

    jane = UserFactory(username="jane", email="jane@caspianherald.example", role="Journalists")
    eddie = EditorFactory(username="eddie", email="eddie@caspianherald.example")
    story = ArticleFactory(headline="Harbour reopens", created_by=jane, in_review=True)

    with smtp_server() as inbox:
        env = worker_environment(
            live_server_db_url, inbox.port, SITE_URL="https://news.example.com"
        )
        with db_worker(env) as worker:
            with override_settings(
                TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
            ):
                started = time.monotonic()
                story.return_to_authors(eddie, "Add the port authority's figures.")
                assert time.monotonic() - started < 2  # the step never waited on the mail
            deadline = time.monotonic() + 30
            while not inbox.messages and time.monotonic() < deadline:
                assert worker.poll() is None, worker.stdout.read().decode(errors="replace")
                time.sleep(0.1)
    output = worker.output

    assert len(inbox.messages) == 1, output
    message = inbox.messages[0]
    assert message["To"] == "jane@caspianherald.example"
    assert message["Subject"] == "Returned to authors: Harbour reopens"
    body = message.get_body(("plain",)).get_content()
    assert "Add the port authority's figures." in body
    assert f"https://news.example.com/admin/articles/article/{story.pk}/change/" in body
    notification = Notification.objects.get()
    assert notification.recipient == jane and notification.emailed_at is not None
    # Queued as a row in the editor's process, run by the worker.
    job = DBTaskResult.objects.get()
    assert job.task_path == "articles.tasks.email_notification"
    assert job.status == "SUCCESSFUL" and job.worker_ids
