from django.core.management.base import BaseCommand

from articles.models import Article, TaggedArticle
from articles.search import refresh_all_search_documents, search_config


class Command(BaseCommand):
    help = (
        "Fill every story's search document again, in the configuration SEARCH_LANGUAGE "
        "names (after changing it). Works a pk range at a time; the site stays up."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=2000, help="stories per transaction")

    def handle(self, *args, batch: int, **options):
        def progress(done: int) -> None:
            if done and done % (batch * 50) == 0:
                self.stdout.write(f"{done} stories")

        done = refresh_all_search_documents(Article, TaggedArticle, batch=batch, progress=progress)
        self.stdout.write(self.style.SUCCESS(f"{done} search documents filled ({search_config()})"))
