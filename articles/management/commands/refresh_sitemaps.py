"""Rebuild the sitemaps' summary from the story table, set-based (articles.sitemap_summary).

Stories saved through the app keep it right by themselves; run this after loading or
changing stories in bulk outside it (COPY, raw SQL, a restore).
"""

import time

from django.core.management.base import BaseCommand

from articles.sitemap_summary import rebuild


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def handle(self, *args, **options):
        started = time.perf_counter()
        rows = rebuild()
        seconds = time.perf_counter() - started
        self.stdout.write(f"{rows:,} sitemap summary rows in {seconds:.1f} s")
