"""`manage.py restore DIR`: put back what `manage.py backup DIR` saved.

Replaces the database's contents (PostgreSQL: pg_restore --clean in one transaction; SQLite:
the file's pages, through the backup API) and MEDIA_ROOT's files. Stop the web processes
first (docker compose stop web) so nothing writes in between; purge the edge afterwards.
"""

import json
import shutil
import sqlite3
import tarfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from . import _backup


class Command(BaseCommand):
    help = "Restore the database and MEDIA_ROOT from a directory made by `manage.py backup`."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive",
            help="Do not ask before replacing the database and the media files.",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        source: Path = options["directory"]
        try:
            manifest = json.loads((source / _backup.MANIFEST).read_text())
        except FileNotFoundError:
            raise CommandError(f"{source} holds no {_backup.MANIFEST}: not a backup") from None
        engine = _backup.engine()
        if manifest["engine"] != engine:
            raise CommandError(
                f"the backup is of a {manifest['engine']} database; this site uses {engine}"
            )
        database = connections["default"].settings_dict["NAME"]
        if options["interactive"]:
            answer = input(
                f"This replaces everything in the database {database} and in "
                f"{settings.MEDIA_ROOT}. Type 'yes' to continue: "
            )
            if answer != "yes":
                raise CommandError("Restore cancelled.")

        dump = source / manifest["database"]
        connections.close_all()
        if engine == "postgresql":
            cmd, env = _backup.pg_command("pg_restore")
            cmd += ["--clean", "--if-exists", "--no-owner", "--no-privileges",
                    "--single-transaction", str(dump)]  # fmt: skip
            connections.close_all()
            _backup.run(cmd, env)
        else:
            backup = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
            live = sqlite3.connect(database)
            try:
                with live:
                    backup.backup(live)
            finally:
                live.close()
                backup.close()

        media_root = Path(settings.MEDIA_ROOT)
        media_root.mkdir(parents=True, exist_ok=True)
        # Empty it in place: in docker compose MEDIA_ROOT is a volume's mount point.
        for child in media_root.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
        with tarfile.open(source / manifest["media"], "r:gz") as tar:
            tar.extractall(media_root, filter="data")
        self.stdout.write(
            f"Restored the {engine} database {database} and "
            f"{manifest['media_files']} media files from {source}"
        )
