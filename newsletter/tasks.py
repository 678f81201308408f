"""The newsletter's jobs (django-tasks): run by `manage.py db_worker` in production, right
after the commit with the immediate backend (`make run`)."""

from django.conf import settings
from django.core.mail import get_connection
from django_tasks import task

from newsletter.mail import confirmation_message, edition_message
from newsletter.models import Edition, Subscriber


@task()
def send_confirmation(subscriber_id: int) -> None:
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None or subscriber.is_subscribed:
        return
    confirmation_message(subscriber).send()


@task()
def send_edition(edition_id: int) -> int:
    """Mail the edition to every confirmed subscriber it has not gone to, one message each,
    NEWSLETTER_BATCH_SIZE to an SMTP connection. Each subscriber is claimed (a committed
    Delivery row) before their message goes, so a job run again, or two at once, mails no one
    twice; a message the server refuses is released for the next run. Returns how many went."""
    edition = Edition.objects.filter(pk=edition_id).first()
    if edition is None or edition.status == Edition.Status.DRAFT:
        return 0
    stories = edition.stories()
    sent, after, failed = 0, 0, []
    while True:
        # By pk: claimed subscribers leave pending(), a refused one is passed over.
        batch = list(
            edition.pending().filter(pk__gt=after).order_by("pk")[: settings.NEWSLETTER_BATCH_SIZE]
        )
        if not batch:
            break
        after = batch[-1].pk
        with get_connection() as connection:
            for subscriber in batch:
                if not edition.claim(subscriber):
                    continue
                try:
                    edition_message(edition, stories, subscriber, connection).send()
                except OSError:  # smtplib's errors included: the server refused or went away
                    edition.release(subscriber)
                    failed.append(subscriber.pk)
                else:
                    sent += 1
    if failed:
        # The job fails (and says so in its result); running it again tries these again.
        raise RuntimeError(f"{len(failed)} messages were refused; send again to retry them.")
    edition.finish()
    return sent
