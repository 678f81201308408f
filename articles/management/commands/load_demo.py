from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Load the demo newsroom when the database is empty (safe to run again)."

    def handle(self, *args, **options):
        self.stdout.write("Demo content: nothing to load yet.")
