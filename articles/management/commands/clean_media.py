"""Remove photo files no Image row owns, and public copies of photos that are not public.

Uploads and deletions clean up after themselves (articles.images, articles.photo_access);
this is for what they cannot see: a transaction rolled back after the files were written,
files restored without their rows, a deletion whose on-commit cleanup failed. Files newer
than --grace-minutes are left alone: an upload writes its renditions before its row exists.
"""

import datetime as dt

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.utils import timezone

from articles.images import ORIGINALS_DIR, PRIVATE_PREFIX, delete_files
from articles.models import Image


def _files(path: str):
    try:
        folders, files = default_storage.listdir(path)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{path}/{name}"
    for folder in folders:
        yield from _files(f"{path}/{folder}")


def _token(name: str) -> str:
    """The photo a stored name belongs to: originals/<token>.ext or renditions/<token>/…"""
    parts = name.removeprefix(PRIVATE_PREFIX).split("/")
    return parts[1].rsplit(".", 1)[0] if parts[0] == "originals" else parts[1]


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List, do not delete.")
        parser.add_argument("--grace-minutes", type=int, default=60)

    def handle(self, *args, dry_run: bool, grace_minutes: int, **options):
        now = timezone.now()
        owned, public = set(), set()
        for name, public_at in Image.objects.values_list("file", "public_at").iterator():
            token = name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
            owned.add(token)
            if public_at is not None and public_at <= now:
                public.add(token)
        cutoff = now - dt.timedelta(minutes=grace_minutes)
        stray = [
            name
            for folder, allowed in (
                (ORIGINALS_DIR.rstrip("/"), owned),
                (PRIVATE_PREFIX + "renditions", owned),
                ("renditions", public),
            )
            for name in _files(folder)
            if _token(name) not in allowed and default_storage.get_modified_time(name) < cutoff
        ]
        for name in stray:
            self.stdout.write(name)
        if not dry_run:
            delete_files(stray)
        verb = "Would remove" if dry_run else "Removed"
        self.stdout.write(f"{verb} {len(stray)} file(s) no photo owns or may show.")
