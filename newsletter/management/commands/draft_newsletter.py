from django.core.management.base import BaseCommand
from django.utils import timezone

from newsletter.models import Edition


class Command(BaseCommand):
    help = (
        "Draft today's newsletter edition from the home page's front and the day's stories, "
        "for editors to arrange and send (run it daily from cron; an edition with stories "
        "already is left alone)."
    )

    def handle(self, *args, **options):
        edition = Edition.objects.draft_for(timezone.localdate())
        count = edition.items.count()
        self.stdout.write(f"{edition}: {edition.get_status_display()}, {count} stories.")
