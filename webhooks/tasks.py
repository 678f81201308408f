"""Jobs for the queue (django-tasks; see articles.tasks): run by `manage.py db_worker`."""

from django_tasks import task

from webhooks.models import Delivery


@task()
def deliver(delivery_id: int) -> None:
    """Make one delivery attempt (and queue the next one if it failed)."""
    delivery = Delivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is not None:
        delivery.send()
