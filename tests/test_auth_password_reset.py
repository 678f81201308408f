"""The password reset by e-mail, through a real SMTP server on loopback (aiosmtpd): the link
arrives and works once, and the page says the same for addresses that have no account."""

import json
import re
import subprocess
import sys

import pytest
from django_tasks_db.models import DBTaskResult

from tests.factories import EditorFactory, JournalistFactory, UserFactory
from tests.mail import mail_to_inbox, smtp_server
from tests.servers import ROOT, worker_environment
from tests.signin import authenticator, code

RESET = "/admin/password_reset/"
NEW_PASSWORD = "ferry timetable at dawn"

pytestmark = pytest.mark.django_db


@pytest.fixture
def inbox(settings):
    """A real mail server on a loopback port, the site's SMTP backend pointed at it."""
    with mail_to_inbox(settings) as server:
        yield server.messages


def the_link(message) -> str:
    body = message.get_body(("plain",)).get_content()
    return re.search(r"https?://[^/\s]+(/admin/password_reset/\S+/)", body).group(1)


def test_the_login_page_links_to_the_reset(client):
    page = client.get("/admin/login/").content.decode()
    assert f'href="{RESET}"' in page


def test_a_staff_member_resets_the_password_by_mail_and_then_signs_in(client, inbox):
    jane = JournalistFactory(username="jane", email="jane@caspianherald.example")
    response = client.post(RESET, {"email": "JANE@caspianherald.example"})
    assert response.status_code == 302 and response["Location"] == "/admin/password_reset/done/"
    assert len(inbox) == 1
    message = inbox[0]
    assert message["To"] == "jane@caspianherald.example"
    link = the_link(message)

    form = client.get(link, follow=True)  # Django moves the token out of the address first
    assert form.status_code == 200 and "new_password1" in form.content.decode()
    set_url = form.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/admin/password_reset/complete/"
    jane.refresh_from_db()
    assert jane.check_password(NEW_PASSWORD)

    # The link worked once.
    again = client.get(link, follow=True)
    assert "The password reset link was invalid" in again.content.decode()
    # The new password signs in; nobody was signed in by the reset itself.
    assert "_auth_user_id" not in client.session
    login = client.post("/admin/login/", {"username": "jane", "password": NEW_PASSWORD})
    assert login.status_code == 302


def test_a_reset_keeps_the_second_step(client, inbox):
    eddie = EditorFactory(username="eddie", email="eddie@caspianherald.example")
    device = authenticator(eddie)
    client.post(RESET, {"email": "eddie@caspianherald.example"})
    form = client.get(the_link(inbox[0]), follow=True)
    client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    client.post("/admin/login/", {"username": "eddie", "password": NEW_PASSWORD})
    assert client.get("/admin/")["Location"].startswith("/admin/2fa/verify/")
    client.post("/admin/2fa/verify/", {"code": code(device)})
    assert client.get("/admin/").status_code == 200


def test_unknown_and_non_staff_addresses_get_the_same_answer_and_no_mail(client, inbox):
    JournalistFactory(username="jane", email="jane@caspianherald.example")
    UserFactory(username="reader", email="reader@example.org", is_staff=False)
    UserFactory(username="gone", email="gone@caspianherald.example", is_active=False)
    known = client.post(RESET, {"email": "jane@caspianherald.example"}, follow=True)
    assert len(inbox) == 1
    for address in (
        "nobody@caspianherald.example",
        "reader@example.org",
        "gone@caspianherald.example",
    ):
        unknown = client.post(RESET, {"email": address}, follow=True)
        assert unknown.redirect_chain == known.redirect_chain
        assert unknown.content == known.content
    assert len(inbox) == 1


def test_a_malformed_address_is_refused_clearly(client, inbox):
    response = client.post(RESET, {"email": "not an address"})
    assert response.status_code == 200
    assert "Enter a valid email address" in response.content.decode()
    assert client.post(RESET, {}).status_code == 200
    assert inbox == []


def test_a_forged_link_changes_nothing(client, inbox):
    jane = JournalistFactory(username="jane", email="jane@caspianherald.example")
    page = client.get("/admin/password_reset/MQ/forged-token/", follow=True)
    assert "The password reset link was invalid" in page.content.decode()
    jane.refresh_from_db()
    assert not jane.check_password(NEW_PASSWORD)


@pytest.mark.slow
def test_the_reset_mail_is_queued_and_sent_by_the_worker(
    client, live_server_db_url, migration_rows, settings
):
    """With the production backend the reset page only queues the mail, and the job holds no
    link: the worker, a separate process, makes the token and sends it."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    JournalistFactory(username="jane", email="jane@caspianherald.example")
    with smtp_server() as server:
        response = client.post(RESET, {"email": "jane@caspianherald.example"})
        assert response.status_code == 302 and server.messages == []
        job = DBTaskResult.objects.get()
        assert job.task_path == "accounts.tasks.email_password_reset"
        assert "password_reset/" not in json.dumps(job.args_kwargs)  # no link in the queue
        # The token is signed with the key: the worker must have this process's.
        env = worker_environment(live_server_db_url, server.port, SECRET_KEY=settings.SECRET_KEY)
        worker = subprocess.run(
            [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            timeout=60,
        )
        assert worker.returncode == 0, worker.stderr.decode(errors="replace")
        messages = list(server.messages)
    assert len(messages) == 1 and messages[0]["To"] == "jane@caspianherald.example"
    link = the_link(messages[0])
    form = client.get(link, follow=True)
    assert "new_password1" in form.content.decode()  # the worker's token is a valid one
