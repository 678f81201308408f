"""The replica routing against a real PostgreSQL streaming replica, through gunicorn.

The test starts its own primary cluster (initdb, on a free loopback port) and a streaming
replica of it (pg_basebackup -R), both in temporary folders as the `postgres` OS user, and
stops and removes them by their own pg_ctl. It never touches the machine's shared cluster.
"""

import glob
import http.cookiejar
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

import psycopg
import pytest
from django.db import connection
from django_otp.oath import TOTP

from tests.servers import ROOT, Gunicorn, free_port

BINARIES = sorted(
    glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2].split(".")[0])
)


def _as_postgres(*args: str) -> list[str]:
    if os.geteuid() != 0:
        return list(args)
    return ["runuser", "-u", "postgres", "--", *args]


class Cluster:
    """One PostgreSQL server of this test's own: a primary, or a replica of one."""

    def __init__(self, bin_dir: str, root: str, name: str):
        self.bin, self.port = bin_dir, free_port()
        self.data, self.log = os.path.join(root, name), os.path.join(root, f"{name}.log")
        self.sockets = root

    def run(self, tool: str, *args: str) -> None:
        subprocess.run(
            _as_postgres(os.path.join(self.bin, tool), *args),
            check=True,
            capture_output=True,
            timeout=120,
        )

    def start(self) -> "Cluster":
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1"
            f" -c unix_socket_directories={self.sockets} -c fsync=off"
            " -c wal_level=replica -c max_wal_senders=5 -c hot_standby=on"
        )
        self.run("pg_ctl", "-D", self.data, "-l", self.log, "-o", options, "-w", "start")
        return self

    def stop(self) -> None:
        if os.path.exists(os.path.join(self.data, "postmaster.pid")):
            self.run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    def url(self, database: str = "newsroom") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def sql(self, query: str, database: str = "newsroom"):
        with psycopg.connect(self.url(database), autocommit=True) as conn:
            cursor = conn.execute(query)
            return cursor.fetchone() if cursor.description else None


@pytest.fixture(scope="module")
def clusters():
    if connection.vendor != "postgresql":
        pytest.skip("streaming replication is PostgreSQL's: run with DATABASE_URL=postgres://...")
    if not BINARIES or not os.path.exists(os.path.join(BINARIES[-1], "pg_basebackup")):
        pytest.skip("the PostgreSQL server binaries (/usr/lib/postgresql/*/bin) are not installed")
    if os.geteuid() == 0 and not shutil.which("runuser"):
        pytest.skip("runuser is needed to run PostgreSQL as the postgres user")
    root = tempfile.mkdtemp(prefix="newsroom-replica-")
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    primary = Cluster(BINARIES[-1], root, "primary")
    standby = Cluster(BINARIES[-1], root, "replica")
    try:
        primary.run("initdb", "-D", primary.data, "-U", "postgres", "--auth=trust", "--no-sync")
        primary.start()
        primary.sql("CREATE DATABASE newsroom", "postgres")
        primary.sql("CREATE TABLE tick (at timestamptz)", "postgres")
        primary.run(
            "pg_basebackup",
            *("-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres"),
            *("-D", standby.data, "-R", "-X", "stream", "--checkpoint=fast"),
        )
        standby.start()
        yield primary, standby
    finally:
        standby.stop()
        primary.stop()
        shutil.rmtree(root, ignore_errors=True)


def manage(primary, *args: str, **env) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": primary.url(), **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


EDITOR_TOTP_KEY = "3132333435363738393031323334353637383930"  # the RFC 6238 test key
SETUP = f"""
from tests.factories import ArticleFactory, EditorFactory
editor = EditorFactory(username="eddie", is_superuser=True)
editor.set_password("a long test password"); editor.save()
from django_otp.plugins.otp_totp.models import TOTPDevice
TOTPDevice.objects.create(user=editor, name="phone", key={EDITOR_TOTP_KEY!r}, confirmed=True)
ArticleFactory(published=True, headline="Harbour reopens after the storm")
ArticleFactory(headline="Ferry strike ends tonight")
"""

PUBLISH = """
from django.utils import timezone
from articles.models import Article, Status
story = Article.objects.get(headline="Caspian fisheries report published")
story.status = Status.PUBLISHED
story.publish_at = story.first_published_at = timezone.now()
story.save()
print(story.get_absolute_url())
"""


def caught_up(primary, standby) -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    target = primary.sql("SELECT pg_current_wal_lsn()::text")[0]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if standby.sql(f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn")[0]:
            return
        time.sleep(0.05)
    raise AssertionError("the replica never caught up")


def tick(primary) -> None:
    """A transaction on the primary: the replica's replay timestamp becomes now."""
    primary.sql("INSERT INTO tick VALUES (now())", "postgres")


def page(server, path: str = "/", opener=None) -> tuple[int, str]:
    url = f"http://127.0.0.1:{server.port}{path}"
    try:
        with (opener or urllib.request.build_opener()).open(url, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def staff_browser(server):
    """A browser signed in as the editor through the admin's login form."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    _, form = page(server, "/admin/login/", opener)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)[1]
    data = urllib.parse.urlencode(
        {"username": "eddie", "password": "a long test password", "csrfmiddlewaretoken": token}
    ).encode()
    url = f"http://127.0.0.1:{server.port}/admin/login/?next=/admin/"
    with opener.open(urllib.request.Request(url, data=data), timeout=10) as answer:
        step = answer.read().decode()
        assert "/admin/2fa/verify/" in answer.url  # the password is right; now the code
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', step)[1]
    totp = TOTP(bytes.fromhex(EDITOR_TOTP_KEY))
    data = urllib.parse.urlencode(
        {"code": f"{totp.token():06d}", "next": "/admin/", "csrfmiddlewaretoken": token}
    ).encode()
    with opener.open(urllib.request.Request(answer.url, data=data), timeout=10) as answer:
        assert "Log out" in answer.read().decode() and answer.url.endswith("/admin/")
    assert any(cookie.name == "sessionid" for cookie in jar)
    return opener


@pytest.mark.django_db
def test_readers_get_the_replica_staff_and_fresh_changes_the_primary(
    clusters, static_root, tmp_path
):
    primary, standby = clusters
    cache_dir = str(tmp_path / "cache")  # one cache shared by gunicorn and manage.py
    env = {"STATIC_ROOT": static_root, "CACHE_DIR": cache_dir, "DEBUG": "0", "SECRET_KEY": "s" * 50}
    manage(primary, "migrate", "--noinput", "-v", "0")
    manage(primary, "shell", "-c", SETUP)
    replica_env = {**env, "DATABASE_REPLICA_URL": standby.url(), "REPLICA_MAX_LAG_SECONDS": "2"}

    with Gunicorn(primary.url(), **replica_env) as server:
        editor = staff_browser(server)
        assert (
            "Harbour reopens" in page(server)[1]
        )  # the first reader learns the primary's position
        tick(primary)
        caught_up(primary, standby)
        time.sleep(1.1)  # the app's remembered replica position is renewed
        standby.sql("SELECT pg_wal_replay_pause()")
        ticked = time.monotonic()
        # A story published on the primary by something other than this app (no purge, so the
        # app does not know of the commit): readers under the lag bound read the replica.
        primary.sql(
            "UPDATE articles_article SET status = 'published',"
            " publish_at = now() - interval '1 minute', first_published_at = now()"
            " WHERE headline = 'Ferry strike ends tonight'"
        )
        status, home = page(server)
        assert time.monotonic() - ticked < 2, "too slow to observe the replica under its bound"
        assert status == 200 and "Harbour reopens" in home and "Ferry strike" not in home
        # The staff member who published it sees it at once: staff read the primary.
        assert "Ferry strike ends tonight" in page(server, "/", editor)[1]
        # Replay is paused: the replica falls behind, and once it is REPLICA_MAX_LAG_SECONDS
        # (2 s) behind the primary, readers get the primary (within the one second the app
        # keeps its last look at both).
        while "Ferry strike ends tonight" not in page(server)[1]:
            assert time.monotonic() - ticked < 6, "readers never fell back to the primary"
            time.sleep(0.2)
        assert time.monotonic() - ticked > 2, "readers left the replica before the lag bound"
        standby.sql("SELECT pg_wal_replay_resume()")
        caught_up(primary, standby)

    # The app's own change (a save that purges pages): until the replica has replayed it, readers
    # read the primary, however small the lag bound allows; so the edge's refetch after the
    # purge is fresh. A lag bound of a minute shows it is the commit position that decides.
    slow_env = {**replica_env, "REPLICA_MAX_LAG_SECONDS": "60"}
    manage(
        primary,
        "shell",
        "-c",
        "from tests.factories import ArticleFactory;"
        " ArticleFactory(headline='Caspian fisheries report published')",
    )
    with Gunicorn(primary.url(), **slow_env) as server:
        assert "Harbour reopens" in page(server)[1]
        tick(primary)
        caught_up(primary, standby)
        standby.sql("SELECT pg_wal_replay_pause()")
        path = manage(primary, "shell", "-c", PUBLISH, **slow_env).strip().splitlines()[-1]
        status, story = page(server, path)
        assert status == 200 and "Caspian fisheries report published" in story
        assert "Caspian fisheries report published" in page(server)[1]
        standby.sql("SELECT pg_wal_replay_resume()")

        # The replica stops: readers still get their pages, from the primary.
        standby.stop()
        for address in ("/", path):
            status, body = page(server, address)
            assert status == 200 and "Caspian fisheries" in body, body[:300]
