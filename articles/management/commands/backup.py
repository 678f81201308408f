"""`manage.py backup DIR`: the database and every media file, into a new directory.

See _backup.py for what the directory holds; `manage.py restore DIR` puts it back.
"""

import json
import sqlite3
import tarfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils import timezone

from . import _backup


class Command(BaseCommand):
    help = "Back up the database and MEDIA_ROOT into DIR (a new or empty directory)."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        target: Path = options["directory"]
        if target.exists() and any(target.iterdir()):
            raise CommandError(f"{target} is not empty: back up into a new directory")
        target.mkdir(parents=True, exist_ok=True)
        engine = _backup.engine()

        if engine == "postgresql":
            cmd, env = _backup.pg_command("pg_dump")
            database_file = _backup.PG_DUMP_FILE
            cmd += ["--format=custom", "--no-owner", "--no-privileges",
                    "--file", str(target / database_file)]  # fmt: skip
            _backup.run(cmd, env)
        else:
            database_file = _backup.SQLITE_FILE
            source = sqlite3.connect(connections["default"].settings_dict["NAME"])
            copy = sqlite3.connect(target / database_file)
            try:
                with copy:
                    source.backup(copy)  # consistent even while the site writes
            finally:
                copy.close()
                source.close()

        media_root = Path(settings.MEDIA_ROOT)
        count = 0
        with tarfile.open(target / _backup.MEDIA_FILE, "w:gz") as tar:
            if media_root.is_dir():
                tar.add(media_root, arcname=".")
                count = sum(1 for path in media_root.rglob("*") if path.is_file())

        manifest = {
            "format": 1,
            "created_at": timezone.now().isoformat(),
            "engine": engine,
            "database": database_file,
            "media": _backup.MEDIA_FILE,
            "media_files": count,
        }
        (target / _backup.MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        self.stdout.write(f"Backed up the {engine} database and {count} media files to {target}")
