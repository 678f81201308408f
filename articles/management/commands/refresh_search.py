from django.core.management.base import BaseCommand

from articles.models import Article, TaggedArticle
from articles.search import refresh_all_search_documents, search_config


class Command(BaseCommand):
    help = (
        "Fill every story's search document again, in the configuration SEARCH_LANGUAGE "
        "names (after changing it). Works a pk range at a time; the site stays up."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch", type=int, default=2000, help="at most this many stories per transaction"
        )

    def handle(self, *args, batch: int, **options):
        reported = [0]

        def progress(done: int) -> None:
            # Batches vary in size (they follow the time they take): report every ~50 full ones.
            if done - reported[0] >= batch * 50:
                reported[0] = done
                self.stdout.write(f"{done} stories")

        done = refresh_all_search_documents(Article, TaggedArticle, batch=batch, progress=progress)
        self.stdout.write(self.style.SUCCESS(f"{done} search documents filled ({search_config()})"))
