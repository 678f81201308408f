"""Jobs for the queue (django-tasks): run by `manage.py db_worker` with the database backend,
or right away after the commit with the immediate one (settings.TASKS_BACKEND)."""

from django.core.mail import send_mail
from django.utils import timezone
from django_tasks import task

from articles.models import Notification


@task()
def email_notification(notification_id: int) -> None:
    """Mail one desk notification to its recipient, once (a job run twice sends nothing more)."""
    notification = (
        Notification.objects.select_related("recipient", "article")
        .filter(pk=notification_id, emailed_at__isnull=True)
        .first()
    )
    if notification is None or not notification.recipient.email:
        return
    send_mail(
        notification.email_subject(),
        notification.email_body(),
        None,  # DEFAULT_FROM_EMAIL
        [notification.recipient.email],
    )
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
