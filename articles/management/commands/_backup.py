"""What `manage.py backup` and `manage.py restore` share: the files of a backup directory and
the database tools. A backup is a directory holding

    database.pgdump   PostgreSQL: pg_dump's custom format (restored with pg_restore)
    database.sqlite3  SQLite: a consistent copy made with SQLite's online backup API
    media.tar.gz      every file under MEDIA_ROOT (photos and their renditions)
    backup.json       what was backed up, from which engine, when

The commands act on the database Django is configured with (connections["default"]), so under
the test suite they act on the test database only.
"""

import os
import re
import shutil
import subprocess

from django.core.management.base import CommandError
from django.db import connections

MANIFEST = "backup.json"
PG_DUMP_FILE = "database.pgdump"
SQLITE_FILE = "database.sqlite3"
MEDIA_FILE = "media.tar.gz"


def engine() -> str:
    vendor = connections["default"].vendor
    if vendor not in ("postgresql", "sqlite"):
        raise CommandError(f"backup supports PostgreSQL and SQLite, not {vendor}")
    return vendor


def pg_command(tool: str) -> tuple[list[str], dict[str, str]]:
    """The pg_dump/pg_restore command line and environment for the default database."""
    path = shutil.which(tool)
    if not path:
        raise CommandError(f"{tool} is missing: install the PostgreSQL client (postgresql-client)")
    s = connections["default"].settings_dict
    args = [path, "--dbname", s["NAME"]]
    if s["HOST"]:
        args += ["--host", s["HOST"]]
    if s["PORT"]:
        args += ["--port", str(s["PORT"])]
    if s["USER"]:
        args += ["--username", s["USER"]]
    env = {**os.environ}
    if s["PASSWORD"]:
        env["PGPASSWORD"] = s["PASSWORD"]
    _check_client_version(path, env)
    return args, env


def _check_client_version(path: str, env: dict[str, str]) -> None:
    """pg_dump refuses a server newer than itself; say so before it fails halfway."""
    out = subprocess.run([path, "--version"], capture_output=True, text=True, env=env).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    connection = connections["default"]
    connection.ensure_connection()
    server = connection.pg_version // 10000
    if match and int(match[1]) < server:
        raise CommandError(
            f"{os.path.basename(path)} {match[1]} cannot handle PostgreSQL {server}: "
            "install a PostgreSQL client at least as new as the server"
        )


def run(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise CommandError(f"{os.path.basename(args[0])} failed: {result.stderr.strip()}")
