"""Make the focal-point crops (headshots, social cards) of photos that lack them.

Photos uploaded before crops existed get theirs here (and lazily, the first time a page shows
them publicly); photos whose crops are all there are skipped. --all remakes every photo's.
"""

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand

from articles.images import crop_names, make_crops
from articles.models import Image


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def add_arguments(self, parser):
        parser.add_argument(
            "--all", dest="remake", action="store_true", help="Remake crops that exist too."
        )

    def handle(self, *args, remake: bool, **options):
        made = failed = 0
        for image in Image.objects.only("file", "focal_x", "focal_y").iterator():
            names = crop_names(image.file.name, image.focal, public=False)
            if not remake and all_exist(names):
                continue
            try:
                with image.file.open("rb") as source:
                    make_crops(source, image.file.name, image.focal)
            except OSError as error:  # a lost original: report it, carry on with the rest
                failed += 1
                self.stderr.write(f"Photo {image.pk} ({image.file.name}): {error}")
                continue
            made += 1
        self.stdout.write(f"Made crops for {made} photo(s); {failed} failed.")


def all_exist(names) -> bool:
    return all(default_storage.exists(name) for name in names)
