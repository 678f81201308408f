"""The edge against the real engine: varnishd with deploy/varnish/default.vcl in front of
gunicorn serving the test database, both on free loopback ports, both stopped by pid."""

import contextlib
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import ArticleFactory, SectionFactory

ROOT = Path(__file__).resolve().parent.parent
VARNISHD = Path("/usr/sbin/varnishd")
RUN_VARNISH = ROOT / "deploy" / "varnish" / "run.sh"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not VARNISHD.exists(), reason="needs /usr/sbin/varnishd (apt-get install varnish)"
    ),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url() -> str:
    """The test database as a DATABASE_URL a separate server process can use."""
    from django.db import connection

    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def fetch(port, path="/", method="GET", headers=None, body=None, source=None, timeout=10):
    """(status, headers, body) of one request; `source` binds the client's address."""
    conn = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=timeout, source_address=(source, 0) if source else None
    )
    try:
        conn.request(method, path, body=body, headers={"Host": "127.0.0.1", **(headers or {})})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def wait_until(check, seconds=20.0, what="condition"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


class Stack:
    """gunicorn (DEBUG=0) on one free port and Varnish in front of it on another."""

    def __init__(self, work: Path, static_root: Path, db_url: str, **env):
        self.work = work
        self.backend_port, self.port = free_port(), free_port()
        self.tmp = work / "tmp"
        self.tmp.mkdir(parents=True, exist_ok=True)
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")},
            "DEBUG": "0",
            # The tests' own key: a session made with the test client must hold in the server.
            "SECRET_KEY": settings.SECRET_KEY,
            "DATABASE_URL": db_url,
            "CONN_MAX_AGE": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": f"http://127.0.0.1:{self.port}",
            "STATIC_ROOT": str(static_root),
            "MEDIA_ROOT": str(work / "media"),
            "CACHE_DIR": str(work / "cache"),
            "TMPDIR": str(self.tmp),
            "LOG_LEVEL": "ERROR",
            **env,
        }
        self.gunicorn = self.varnish = self.varnish_dir = None

    def spawn(self, name, args, **kwargs):
        with open(self.work / f"{name}.log", "ab") as log:
            return subprocess.Popen(
                args, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, **kwargs
            )  # fmt: skip

    def start_backend(self):
        self.gunicorn = self.spawn(
            "gunicorn",
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "newsroom.wsgi",
             "--bind", f"127.0.0.1:{self.backend_port}", "--workers", "2"],
            env=self.env,
        )  # fmt: skip
        wait_until(lambda: fetch(self.backend_port, "/healthz")[0] == 200, what="gunicorn")

    def stop_backend(self):
        if self.gunicorn and self.gunicorn.poll() is None:
            self.gunicorn.send_signal(signal.SIGTERM)
            self.gunicorn.wait(timeout=30)

    def start(self):
        self.start_backend()
        # Not under tmp_path: the cache process drops root and must reach its directory.
        self.varnish_dir = tempfile.mkdtemp(prefix="newsroom-edge-varnish-")
        self.varnish = self.spawn(
            "varnish",
            [str(RUN_VARNISH), f"127.0.0.1:{self.port}", f"127.0.0.1:{self.backend_port}",
             self.varnish_dir],
        )  # fmt: skip
        # Through Varnish, and only once its probe has seen the backend healthy.
        wait_until(lambda: fetch(self.port, "/healthz")[0] == 200, what="varnish")
        return self

    def stop(self):
        if self.varnish and self.varnish.poll() is None:
            self.varnish.send_signal(signal.SIGTERM)
            self.varnish.wait(timeout=30)
        self.stop_backend()
        if self.varnish_dir:
            shutil.rmtree(self.varnish_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("static")
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "collectstatic-only", "STATIC_ROOT": str(root)}
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT, env=env, check=True, timeout=300,
    )  # fmt: skip
    return root


@pytest.fixture(scope="module")
def edge(django_db_setup, django_db_blocker, static_root, tmp_path_factory):
    """One stack for the module; each test makes its own stories, so URLs never repeat."""
    with django_db_blocker.unblock():
        url = database_url()
    stack = Stack(tmp_path_factory.mktemp("edge"), static_root, url)
    try:
        yield stack.start()
    finally:
        stack.stop()


@pytest.fixture
def story(committed_db):
    return ArticleFactory(published=True)


def test_a_public_page_is_a_miss_then_a_hit(edge, story):
    path = story.get_absolute_url()
    status, headers, first = fetch(edge.port, path)
    assert status == 200 and headers["X-Cache"] == "MISS"
    assert story.headline.encode() in first
    status, headers, second = fetch(edge.port, path)
    assert status == 200 and headers["X-Cache"] == "HIT"
    assert second == first
    # The keys and Varnish's own headers never reach readers.
    assert "xkey" not in headers and "Surrogate-Key" not in headers and "Via" not in headers


def test_a_readers_cookies_do_not_split_or_skip_the_cache(edge, story):
    path = story.get_absolute_url()
    assert fetch(edge.port, path, headers={"Cookie": "_ga=1"})[1]["X-Cache"] == "MISS"
    assert fetch(edge.port, path, headers={"Cookie": "theme=dark"})[1]["X-Cache"] == "HIT"


def test_staff_always_pass_and_never_poison_the_cache(edge, story, client):
    from django.contrib.auth.models import User

    # A superuser: the editors' group that EditorFactory joins is flushed with the tables.
    client.force_login(User.objects.create_superuser("boss", "boss@example.com", "pw"))
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    path = story.get_absolute_url()
    for _ in range(2):
        status, headers, _body = fetch(edge.port, path, headers={"Cookie": cookie})
        assert status == 200 and headers["X-Cache"] == "PASS"
        assert "private" in headers["Cache-Control"]
    # The staff copy was never stored: the first reader is a miss and gets the public page.
    status, headers, _body = fetch(edge.port, path)
    assert headers["X-Cache"] == "MISS" and "public" in headers["Cache-Control"]
    # And a cached public page is not what staff get either.
    assert fetch(edge.port, path)[1]["X-Cache"] == "HIT"
    status, headers, _body = fetch(edge.port, path, headers={"Cookie": cookie})
    assert headers["X-Cache"] == "PASS" and "private" in headers["Cache-Control"]
    csrf_only = fetch(edge.port, path, headers={"Cookie": "csrftoken=abc"})[1]
    assert csrf_only["X-Cache"] == "PASS"


@pytest.mark.parametrize("path", ["/admin/login/", "/healthz", "/preview/1/", "/share/x/"])
def test_admin_preview_share_and_healthz_always_pass(edge, committed_db, path):
    for _ in range(2):
        status, headers, _body = fetch(edge.port, path)
        assert headers["X-Cache"] == "PASS", (path, status)


def test_the_scheme_is_part_of_the_cache_key(edge, story):
    """A copy fetched with one X-Forwarded-Proto never answers a request with another, so a
    spoofed header cannot hand readers a page built for the wrong scheme."""
    path = story.get_absolute_url()
    https = {"X-Forwarded-Proto": "https"}
    assert fetch(edge.port, path, headers=https)[1]["X-Cache"] == "MISS"
    assert fetch(edge.port, path)[1]["X-Cache"] == "MISS"
    assert fetch(edge.port, path, headers=https)[1]["X-Cache"] == "HIT"
    assert fetch(edge.port, path)[1]["X-Cache"] == "HIT"


@pytest.mark.parametrize(
    "path",
    [
        "/media/private/originals/x.jpg",
        "//media/private/x",
        "/media//PRIVATE/x",
        "/media/%2e/private/x",
    ],
)
def test_the_private_media_prefix_is_refused_at_the_edge(edge, committed_db, path):
    status, _headers, _body = fetch(edge.port, path)
    assert status == 404


def test_a_404_is_never_cached(edge, committed_db):
    path = f"/no-such-page-{secrets.token_hex(4)}/"
    for _ in range(3):
        status, headers, _body = fetch(edge.port, path)
        assert status == 404 and headers["X-Cache"] == "MISS"


def test_purge_from_outside_the_acl_is_refused(edge, story):
    path = story.get_absolute_url()
    fetch(edge.port, path)
    headers = {"xkey-purge": "all"}
    status, _headers, _body = fetch(edge.port, "/", "PURGE", headers=headers, source="127.0.0.2")
    assert status == 405
    assert fetch(edge.port, path)[1]["X-Cache"] == "HIT"
    assert fetch(edge.port, "/", "BAN", source="127.0.0.1")[0] == 405


def test_purge_from_loopback_answers_with_the_count(edge, story):
    status, _headers, body = fetch(edge.port, "/", "PURGE", headers={"xkey-purge": "no-such-key"})
    assert status == 200 and b"Purged 0" in body


def test_purge_by_key_evicts_exactly_the_pages_carrying_it(edge, committed_db):
    # Different sections and no tags: neither page lists the other as a related story.
    one = ArticleFactory(published=True, section=SectionFactory())
    other = ArticleFactory(published=True, section=SectionFactory())
    for article in (one, other):
        fetch(edge.port, article.get_absolute_url())
        assert fetch(edge.port, article.get_absolute_url())[1]["X-Cache"] == "HIT"
    status, _headers, body = fetch(
        edge.port, "/", "PURGE", headers={"xkey-purge": f"story-{one.pk}"}
    )
    assert status == 200 and int(body.split()[1]) >= 1
    assert fetch(edge.port, one.get_absolute_url())[1]["X-Cache"] == "MISS"
    assert fetch(edge.port, other.get_absolute_url())[1]["X-Cache"] == "HIT"


def _status_line(sock) -> bytes:
    return sock.makefile("rb").readline()


def test_a_big_anonymous_post_is_refused_at_the_proxy(edge, committed_db):
    before = set(edge.tmp.iterdir())
    head = (
        "POST /admin/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: multipart/form-data; boundary=zz\r\n"
    )
    # Content-Length over the limit: refused before a byte of the body is read.
    with socket.create_connection(("127.0.0.1", edge.port), timeout=10) as s:
        s.sendall(f"{head}Content-Length: {2 * 1024 * 1024 * 1024}\r\n\r\n".encode())
        assert b" 413 " in _status_line(s)
    # No Content-Length (chunked): read up to the limit, then the proxy drops the connection
    # (Varnish cannot answer in the middle of a body it stopped reading).
    with socket.create_connection(("127.0.0.1", edge.port), timeout=10) as s:
        s.sendall(f"{head}Transfer-Encoding: chunked\r\n\r\n".encode())
        chunk = b"10000\r\n" + b"y" * 0x10000 + b"\r\n"
        try:
            for _ in range(40):  # 2.6 MB
                s.sendall(chunk)
            answer = _status_line(s)
        except ConnectionError:
            answer = b""
        assert answer in (b"",) or b" 413 " in answer, answer
    # gunicorn never saw either body: no temp file in the workers' TMPDIR.
    assert set(edge.tmp.iterdir()) == before


def test_a_photo_sized_upload_by_staff_passes_the_proxy(edge, committed_db, client):
    from django.contrib.auth.models import User

    client.force_login(User.objects.create_superuser("photo-desk", "p@example.com", "pw"))
    session = f"sessionid={client.cookies['sessionid'].value}"
    # The photo form answered through Varnish gives the CSRF cookie and token, as in a browser.
    add = "/admin/articles/image/add/"
    _status, headers, page = fetch(edge.port, add, headers={"Cookie": session})
    csrf = headers["Set-Cookie"].split(";")[0]
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
    # 15 MB, IMAGE_MAX_BYTES: far above the anonymous limit, within the staff one.
    boundary = "edgetest"
    fields = {"csrfmiddlewaretoken": token, "alt_text": "A big photo"}
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    )
    body += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode()
    body += b"x" * (15 * 1024 * 1024) + f"\r\n--{boundary}--\r\n".encode()
    headers = {
        "Cookie": f"{session}; {csrf}",
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "Referer": f"http://127.0.0.1:{edge.port}{add}",
    }
    status, headers, page = fetch(edge.port, add, "POST", headers, body, timeout=60)
    # Django read the whole upload and judged it by its content: not a photo.
    assert status == 200 and headers["X-Cache"] == "PASS"
    assert b"Upload a valid image" in page


def test_slow_clients_do_not_keep_readers_waiting(edge, story):
    path = story.get_absolute_url()
    fetch(edge.port, path)
    slow = []
    try:
        for _ in range(200):
            s = socket.create_connection(("127.0.0.1", edge.port), timeout=5)
            s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            slow.append(s)
        started = time.monotonic()
        worst = 0.0
        while time.monotonic() - started < 8:
            for s in slow:
                with contextlib.suppress(OSError):  # Varnish may have dropped it
                    s.sendall(b"X-Slow: 1\r\n")
            t0 = time.monotonic()
            assert fetch(edge.port, path, timeout=5)[0] == 200  # cached page
            miss = f"/no-such-page-{secrets.token_hex(4)}/"
            assert fetch(edge.port, miss, timeout=5)[0] == 404  # through to gunicorn
            worst = max(worst, time.monotonic() - t0)
            time.sleep(0.5)
        assert worst < 1.0, f"a reader waited {worst:.2f} s"
    finally:
        for s in slow:
            s.close()


def test_stale_pages_are_served_while_gunicorn_is_down(
    committed_db, django_db_blocker, static_root, tmp_path
):
    # Its own stack: this test stops gunicorn. Pages live 2 s at the edge.
    stack = Stack(tmp_path, static_root, database_url(), EDGE_TTL="2")
    article = ArticleFactory(published=True)
    path = article.get_absolute_url()
    try:
        stack.start()
        assert fetch(stack.port, path)[1]["X-Cache"] == "MISS"
        stack.stop_backend()
        time.sleep(3)  # past the page's TTL, with the backend refusing connections
        for _ in range(3):
            status, headers, body = fetch(stack.port, path)
            assert status == 200 and headers["X-Cache"] == "HIT-STALE"
            assert article.headline.encode() in body
        # Once the probe says sick, stale pages are still served; a page never cached is a 503.
        wait_until(lambda: fetch(stack.port, "/healthz")[0] == 503, what="probe: sick")
        assert fetch(stack.port, path)[0] == 200
        status, headers, _body = fetch(stack.port, f"/never-{secrets.token_hex(4)}/")
        assert status == 503 and headers["Retry-After"]
    finally:
        stack.stop()


def test_a_database_outage_serves_stale_pages_and_the_sites_own_503(static_root, tmp_path):
    # Its own stack on its own SQLite file, which then becomes unreadable: gunicorn stays up,
    # the database does not (every new connection fails, /healthz included).
    database = tmp_path / "outage.sqlite3"
    stack = Stack(tmp_path, static_root, f"sqlite:///{database}", EDGE_TTL="2")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT, env=stack.env, check=True, timeout=300,
    )  # fmt: skip
    try:
        stack.start()
        cached = "/corrections/"
        assert fetch(stack.port, cached)[0] == 200
        database.rename(tmp_path / "gone.sqlite3")
        database.mkdir()  # a folder where the database file was: it cannot be opened
        wait_until(lambda: fetch(stack.port, "/healthz")[0] == 503, what="probe: sick")
        time.sleep(2.5)  # past the page's TTL
        status, headers, _body = fetch(stack.port, cached)
        assert status == 200 and headers["X-Cache"] == "HIT-STALE"
        # A page the edge never had: the app's own 503 page, in the site's design.
        status, headers, body = fetch(stack.port, f"/never-{secrets.token_hex(4)}/")
        assert status == 503 and headers["Retry-After"]
        assert b"be back in a moment" in body and b"Traceback" not in body
    finally:
        stack.stop()


def test_vcl_rules_under_varnishtest():
    """Set-Cookie and no-Cache-Control responses never stored, 5xx with and without a stale
    copy, purge by key, a sick backend: deploy/varnish/tests/*.vtc, with scripted backends
    (the app never sets a cookie on a public page, nor fails on demand)."""
    # Copied where the VCL compiler, which runs as the varnish user, may read it: a checkout
    # can sit in a private folder (CI clones into one).
    readable = Path(tempfile.mkdtemp(prefix="newsroom-vtc-"))
    try:
        shutil.copytree(ROOT / "deploy" / "varnish", readable / "varnish")
        for path in [readable, *readable.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        for vtc in sorted((readable / "varnish" / "tests").glob("*.vtc")):
            result = subprocess.run(
                ["varnishtest", "-q", str(vtc)], capture_output=True, text=True, timeout=120
            )
            assert result.returncode == 0, f"{vtc.name}:\n{result.stdout}{result.stderr}"
    finally:
        shutil.rmtree(readable, ignore_errors=True)


class StaffBrowser:
    """A staff member's browser through the edge: cookies kept, forms posted with CSRF."""

    def __init__(self, port):
        self.port, self.cookies = port, {}

    def _send(self, method, path, body=None, headers=None):
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request(method, path, body=body, headers={"Host": "127.0.0.1", "Cookie": cookie,
                                                       **(headers or {})})  # fmt: skip
        response = conn.getresponse()
        response.body = response.read()
        conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, value = header.split(";")[0].split("=", 1)
            self.cookies[name] = value
        return response

    def get(self, path):
        return self._send("GET", path)

    def post(self, path, fields):
        token = self.cookies["csrftoken"]  # set by the login page; rotated at login
        body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token})
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://127.0.0.1:{self.port}{path}",
            "X-CSRFToken": token,
        }
        return self._send("POST", path, body, headers)

    def log_in(self, username, password, code=None):
        self.get("/admin/login/")
        answer = self.post("/admin/login/", {"username": username, "password": password})
        assert answer.status == 302, answer.body[:500]
        if code:  # the second step: a code from the app, or a recovery code
            answer = self.post("/admin/2fa/verify/", {"code": code})
            assert answer.status == 302, answer.body[:500]

    def article_type(self) -> int:
        with sqlite3.connect(self.database) as db:
            return db.execute(
                "SELECT id FROM django_content_type"
                " WHERE app_label = 'articles' AND model = 'article'"
            ).fetchone()[0]


def test_make_stack_serves_through_varnish_and_stops_on_sigterm(tmp_path):
    port, backend_port = free_port(), free_port()
    env = {
        **os.environ,
        "STACK_PORT": str(port),
        "STACK_BACKEND_PORT": str(backend_port),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'stack.sqlite3'}",
        "REDIS_URL": "redis://127.0.0.1:6379/5",  # the edge's Redis database on a shared box
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "ACCESS_LOG": "",
    }
    with open(tmp_path / "stack.log", "wb") as log:
        make = subprocess.Popen(["make", "stack"], cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        wait_until(lambda: fetch(port, "/")[0] == 200, seconds=120, what="make stack")
        assert fetch(port, "/")[1]["X-Cache"] == "HIT"
        log = (tmp_path / "stack.log").read_text()
        assert "Demo logins" in log
        # An editor withdraws a story in the stack's admin: its page changes at the edge.
        password = re.search(r"^\s+editor\s+(\S+)$", log, re.M).group(1)
        recovery = re.search(r"^\s+editor: key .*; recovery codes: (\S+)", log, re.M).group(1)
        with sqlite3.connect(tmp_path / "stack.sqlite3") as db:
            (pk,) = db.execute(
                "SELECT id FROM articles_article WHERE status = 'published' ORDER BY id LIMIT 1"
            ).fetchone()
        desk = StaffBrowser(port)
        desk.database = tmp_path / "stack.sqlite3"
        desk.log_in("editor", password, recovery)
        story_path = desk.get(f"/admin/r/{desk.article_type()}/{pk}/").headers["Location"]
        assert fetch(port, story_path)[0] == 200 and fetch(port, story_path)[1]["X-Cache"] == "HIT"
        desk.post(
            f"/admin/articles/article/{pk}/workflow/unpublish/",
            {"note": "Legal", "confirm": "unpublish"},
        )
        wait_until(lambda: fetch(port, story_path)[0] == 410, seconds=1, what="410 at the edge")
    finally:
        make.send_signal(signal.SIGTERM)
        make.wait(timeout=60)
    # Nothing of it is left: neither port answers, no process names them.
    time.sleep(1)
    for p in (port, backend_port):
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", p), timeout=1).close()
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert f"127.0.0.1:{port}" not in ps and f"127.0.0.1:{backend_port}" not in ps


# --- Changes reach the edge: the app purges exactly what they touch ---------------------------


@pytest.fixture
def purging(edge, settings, committed_db):
    """The test process is the app saving: its purges go to this Varnish, as in production."""
    from django.contrib.auth.models import User

    settings.PURGE_BACKENDS = ["varnish"]
    settings.VARNISH_PURGE_URLS = [f"http://127.0.0.1:{edge.port}/"]
    # And the app's own cache is the server's (in production both are the same Redis).
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": edge.env["CACHE_DIR"],
        }
    }
    return User.objects.create_superuser(f"boss-{secrets.token_hex(3)}", "b@example.com", "pw")


def cached_at_the_edge(port, path) -> bytes:
    fetch(port, path)
    status, headers, body = fetch(port, path)
    assert headers["X-Cache"] == "HIT", (path, status, headers["X-Cache"])
    return body


def shows_within_a_second(port, path, check) -> None:
    """check(status, body) becomes true at the edge within a second of the change."""
    started = time.monotonic()
    while True:
        status, _headers, body = fetch(port, path)
        if check(status, body):
            return
        waited = time.monotonic() - started
        assert waited < 1.0, f"{path} did not change at the edge within a second"
        time.sleep(0.02)


def test_a_publish_shows_at_the_edge_and_leaves_other_stories_cached(edge, purging):
    section = SectionFactory()
    other = ArticleFactory(published=True, section=SectionFactory())
    draft = ArticleFactory(section=section, headline=f"Ferry resumes {secrets.token_hex(3)}")
    for path in ("/", section.get_absolute_url(), other.get_absolute_url()):
        assert draft.headline.encode() not in cached_at_the_edge(edge.port, path)
    draft.publish(purging)
    for path in ("/", section.get_absolute_url(), "/feeds/rss/"):
        shows_within_a_second(edge.port, path, lambda s, b: draft.headline.encode() in b)
    # The rest of the archive is still served from the edge.
    assert fetch(edge.port, other.get_absolute_url())[1]["X-Cache"] == "HIT"


def test_an_edit_of_a_live_story_shows_at_the_edge(edge, purging):
    story = ArticleFactory(published=True, section=SectionFactory())
    cached_at_the_edge(edge.port, story.get_absolute_url())
    cached_at_the_edge(edge.port, "/")
    story.headline = f"Corrected headline {secrets.token_hex(3)}"
    story.save()
    for path in (story.get_absolute_url(), "/"):
        shows_within_a_second(edge.port, path, lambda s, b: story.headline.encode() in b)


def test_a_correction_shows_at_the_edge(edge, purging):
    from tests.factories import CorrectionFactory

    story = ArticleFactory(published=True, section=SectionFactory())
    cached_at_the_edge(edge.port, story.get_absolute_url())
    note = CorrectionFactory(article=story, text=f"We misstated the date {secrets.token_hex(3)}.")
    shows_within_a_second(edge.port, story.get_absolute_url(), lambda s, b: note.text.encode() in b)


def test_a_withdrawal_shows_at_the_edge(edge, purging):
    story = ArticleFactory(published=True, section=SectionFactory())
    cached_at_the_edge(edge.port, story.get_absolute_url())
    assert story.headline.encode() in cached_at_the_edge(edge.port, "/")
    story.unpublish(purging, note="Legal")
    shows_within_a_second(edge.port, story.get_absolute_url(), lambda s, b: s == 410)
    shows_within_a_second(edge.port, "/", lambda s, b: story.headline.encode() not in b)


def test_deleting_a_banner_a_section_and_a_story_shows_at_the_edge(edge, purging):
    import datetime as dt

    from django.utils import timezone

    from articles.models import BreakingBanner

    banner = BreakingBanner.objects.create(
        text=f"Polls close at eight {secrets.token_hex(3)}",
        ends_at=timezone.now() + dt.timedelta(hours=1),
    )
    empty = SectionFactory(name=f"Weather {secrets.token_hex(3)}")
    story = ArticleFactory(published=True, section=SectionFactory())
    home = cached_at_the_edge(edge.port, "/")
    assert banner.text.encode() in home and empty.name.encode() in home
    cached_at_the_edge(edge.port, story.get_absolute_url())

    banner.delete()
    shows_within_a_second(edge.port, "/", lambda s, b: banner.text.encode() not in b)
    empty.delete()
    shows_within_a_second(edge.port, "/", lambda s, b: empty.name.encode() not in b)
    path = story.get_absolute_url()
    story.delete()
    shows_within_a_second(edge.port, path, lambda s, b: s in (404, 410))
    shows_within_a_second(edge.port, "/", lambda s, b: story.headline.encode() not in b)


def test_a_scheduled_story_appears_at_the_edge_on_time_without_a_purge(edge, purging):
    import datetime as dt

    from django.utils import timezone

    cached_at_the_edge(edge.port, "/")
    story = ArticleFactory(in_review=True, headline=f"Embargoed budget {secrets.token_hex(3)}")
    due = timezone.now() + dt.timedelta(seconds=3)
    story.schedule(purging, due)
    # Before its minute: on no page, its own address a 404 that is not cached.
    assert story.headline.encode() not in cached_at_the_edge(edge.port, "/")
    assert fetch(edge.port, story.get_absolute_url())[0] == 404
    # The home page's edge TTL ends at the story's time; grace may serve one stale copy.
    time.sleep(max(0.0, (due - timezone.now()).total_seconds()))
    deadline = time.monotonic() + 2.0
    while story.headline.encode() not in fetch(edge.port, "/")[2]:
        assert time.monotonic() < deadline, "the scheduled story did not appear at the edge"
        time.sleep(0.05)
    assert fetch(edge.port, story.get_absolute_url())[0] == 200


# --- A live blog's polled fragment: one origin render per change, however many readers ------


def test_a_thousand_polls_of_a_live_blog_cost_the_origin_one_request_per_purge(
    static_root, tmp_path, settings, committed_db
):
    """Readers' scripts poll <story>/live/ every few seconds: Varnish answers them all, and
    only an entry's post, correction or deletion (each purging live-<pk>) sends one request
    on to gunicorn. Counted in gunicorn's access log."""
    from django.contrib.auth.models import User

    from articles.models import Kind, LiveEntry
    from tests.factories import AuthorFactory

    log = tmp_path / "access.log"
    stack = Stack(tmp_path / "stack", static_root, database_url(), ACCESS_LOG=str(log))
    try:
        stack.start()
        settings.PURGE_BACKENDS = ["varnish"]
        settings.VARNISH_PURGE_URLS = [f"http://127.0.0.1:{stack.port}/"]
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": stack.env["CACHE_DIR"],
            }
        }
        boss = User.objects.create_superuser(f"desk-{secrets.token_hex(3)}", "d@example.com", "pw")
        blog = ArticleFactory(published=True, kind=Kind.LIVE, section=SectionFactory())
        author = AuthorFactory()
        path = f"{blog.get_absolute_url()}live/"

        def origin_requests() -> int:
            return sum(f"GET {path} " in line for line in log.read_text().splitlines())

        changes = [
            lambda: LiveEntry(article=blog, author=author, body="<p>Polls close.</p>").post(boss),
            lambda: LiveEntry(article=blog, author=author, body="<p>Turnout 61%.</p>").post(boss),
        ]
        polls, expected = 0, 1  # the first poll fills the cache
        for round_ in range(len(changes) + 1):
            if round_:
                changes[round_ - 1]()  # purges after commit (autocommit here)
                expected += 1
            for _ in range(1000 // (len(changes) + 1) + 1):
                status, _headers, body = fetch(stack.port, path)
                assert status == 200
                polls += 1
            # Every change was seen at once, from the first poll after it.
            assert body.count(b'<article class="live-entry') == round_
        assert polls >= 1000
        wait_until(lambda: origin_requests() == expected, seconds=5, what="the access log")
        assert origin_requests() == expected  # 3 renders for 1002 polls
    finally:
        stack.stop()


def test_the_api_is_cached_for_anonymous_callers_passed_with_a_key_and_purged_by_key(edge, story):
    from api.models import ApiKey

    path = f"/api/v1/stories/{story.pk}/"
    assert fetch(edge.port, path)[1]["X-Cache"] == "MISS"
    status, headers, _body = fetch(edge.port, path)
    assert status == 200 and headers["X-Cache"] == "HIT"
    # A key's requests always reach the app, which counts them and checks revocation.
    _, raw = ApiKey.issue("Edge partner")
    for key_headers in ({"X-Api-Key": raw}, {"Authorization": f"Api-Key {raw}"}) * 2:
        status, headers, _body = fetch(edge.port, path, headers=key_headers)
        assert status == 200 and headers["X-Cache"] == "PASS"
        assert "private" in headers["Cache-Control"]
    # The list carries "api", which every public story change purges.
    fetch(edge.port, "/api/v1/stories/")
    assert fetch(edge.port, "/api/v1/stories/")[1]["X-Cache"] == "HIT"
    fetch(edge.port, "/", "PURGE", headers={"xkey-purge": "api"})
    assert fetch(edge.port, "/api/v1/stories/")[1]["X-Cache"] == "MISS"
    assert fetch(edge.port, path)[1]["X-Cache"] == "HIT"  # the detail is keyed story-<pk>
    fetch(edge.port, "/", "PURGE", headers={"xkey-purge": f"story-{story.pk}"})
    assert fetch(edge.port, path)[1]["X-Cache"] == "MISS"
