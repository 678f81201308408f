"""Purge backends against a local HTTP server that records what it is sent."""

import json
import logging
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from newsroom import edge
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


class Recorder(BaseHTTPRequestHandler):
    def _record(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.requests.append(
            {"method": self.command, "path": self.path, "headers": self.headers, "body": body}
        )
        time.sleep(self.server.delay)
        self.send_response(self.server.status)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"1")

    do_PURGE = do_POST = _record

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    """start(delay=0, status=200): a recording server on a free loopback port; stopped after."""
    started = []

    def start(delay: float = 0.0, status: int = 200):
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
        httpd.daemon_threads = True
        httpd.requests, httpd.delay, httpd.status = [], delay, status
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        started.append(httpd)
        httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"
        return httpd

    yield start
    for httpd in started:
        httpd.shutdown()
        httpd.server_close()


def dead_url() -> str:
    with socket.socket() as s:  # a port nothing listens on once this closes
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/"


def test_varnish_gets_purge_with_xkey_purge_at_every_address(server, settings):
    one, two = server(), server()
    settings.PURGE_BACKENDS = ["varnish"]
    settings.VARNISH_PURGE_URLS = [one.url + "/", two.url + "/"]
    edge.purge(["story-7", "home", "story-7"])
    for httpd in (one, two):
        [request] = httpd.requests
        assert (request["method"], request["path"]) == ("PURGE", "/")
        assert request["headers"]["xkey-purge"] == "home story-7"


def test_fastly_gets_its_documented_purge_by_surrogate_key(server, settings):
    api = server()
    settings.PURGE_BACKENDS = ["fastly"]
    settings.FASTLY_API_URL = api.url
    settings.FASTLY_SERVICE_ID = "SU1Z0isxPaozGVKXdv0eY"
    settings.FASTLY_API_TOKEN = "token-123"
    keys = [f"story-{n}" for n in range(300)]
    edge.purge(keys)
    assert len(api.requests) == 2  # at most 256 keys a request
    sent = []
    for request in api.requests:
        assert (request["method"], request["path"]) == (
            "POST",
            "/service/SU1Z0isxPaozGVKXdv0eY/purge",
        )
        assert request["headers"]["Fastly-Key"] == "token-123"
        assert request["headers"]["Content-Type"] == "application/json"
        assert "Fastly-Soft-Purge" not in request["headers"]
        sent += json.loads(request["body"])["surrogate_keys"]
    assert sorted(sent) == sorted(keys)
    settings.FASTLY_SOFT_PURGE = True
    edge.purge(["home"])
    assert api.requests[-1]["headers"]["Fastly-Soft-Purge"] == "1"


def test_a_publish_purges_both_backends_after_commit(
    server, settings, editor, django_capture_on_commit_callbacks
):
    varnish, api = server(), server()
    settings.PURGE_BACKENDS = ["varnish", "fastly"]
    settings.VARNISH_PURGE_URLS = [varnish.url + "/"]
    settings.FASTLY_API_URL = api.url
    settings.FASTLY_SERVICE_ID, settings.FASTLY_API_TOKEN = "svc", "token"
    story = ArticleFactory(headline="Fresh news")
    with django_capture_on_commit_callbacks(execute=True):
        story.publish(editor)
    assert f"story-{story.pk}" in varnish.requests[-1]["headers"]["xkey-purge"].split()
    assert f"story-{story.pk}" in json.loads(api.requests[-1]["body"])["surrogate_keys"]


@pytest.mark.parametrize("endpoint", ["dead", "slow", "refusing"])
def test_a_dead_slow_or_refusing_edge_neither_fails_nor_holds_up_the_save(
    endpoint, server, settings, editor, caplog, django_capture_on_commit_callbacks
):
    settings.PURGE_BACKENDS = ["varnish"]
    settings.PURGE_TIMEOUT = 0.5
    if endpoint == "dead":
        settings.VARNISH_PURGE_URLS = [dead_url()]
    elif endpoint == "slow":
        settings.VARNISH_PURGE_URLS = [server(delay=3).url + "/", server(delay=3).url + "/"]
    else:  # Varnish's answer to an address outside its purge ACL
        settings.VARNISH_PURGE_URLS = [server(status=405).url + "/"]
    story = ArticleFactory(headline="Fresh news")
    started = time.monotonic()
    with (
        caplog.at_level(logging.WARNING, logger="newsroom.edge"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        story.publish(editor)
    elapsed = time.monotonic() - started
    story.refresh_from_db()
    assert story.is_live()
    assert elapsed < 0.5 + 0.4, elapsed  # two slow addresses are waited for side by side
    assert "Purge PURGE" in caplog.text and "failed" in caplog.text
