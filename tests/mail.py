"""A real SMTP server on a loopback port (aiosmtpd) for the tests that send mail."""

import contextlib
import email
import email.policy

from aiosmtpd.controller import Controller

from tests.servers import free_port


class Inbox:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.port = 0

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 OK"


@contextlib.contextmanager
def smtp_server():
    """An Inbox whose .port an SMTP client (this process or another) can send to."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    try:
        yield inbox
    finally:
        controller.stop()


@contextlib.contextmanager
def mail_to_inbox(settings):
    """A real SMTP server that this process's mail goes to: the Inbox, settings pointed at it."""
    with smtp_server() as inbox:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", inbox.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        yield inbox
