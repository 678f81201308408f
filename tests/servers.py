"""Processes and sockets the resilience tests start for themselves, and stop by pid.

Never the machine's shared Redis or PostgreSQL: every server here is this test's own, on a
free loopback port.
"""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 20.0, process=None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            out = process.stdout.read().decode(errors="replace") if process.stdout else ""
            raise AssertionError(f"server exited early:\n{out}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise AssertionError(f"nothing listens on 127.0.0.1:{port}")


REDIS_FLAGS = ("--save", "", "--appendonly", "no")


class RedisServer:
    """A redis-server of this test's own, without persistence, that can be stopped and started."""

    def __init__(self):
        self.binary = shutil.which("redis-server")
        if not self.binary:
            pytest.skip("redis-server is not installed")
        self.port = free_port()
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/7"

    def start(self) -> "RedisServer":
        self.process = subprocess.Popen(
            [self.binary, *("--port", str(self.port), "--bind", "127.0.0.1"), *REDIS_FLAGS],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port, process=self.process)
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


class HungServer:
    """A TCP server that accepts connections and never answers: a hung Redis."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.accepted = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/7"

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)

    def close(self) -> None:
        self.sock.close()
        for conn in self.accepted:
            conn.close()


def redis_caches(url: str) -> dict:
    """CACHES as settings.py builds them for REDIS_URL=url."""
    return {
        "default": {
            "BACKEND": "newsroom.redis_cache.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "newsroom",
            "OPTIONS": {"socket_timeout": 0.25, "socket_connect_timeout": 0.25},
        }
    }


@pytest.fixture(scope="session")
def static_root(tmp_path_factory) -> str:
    """collectstatic once per test run, as a DEBUG=0 server needs its manifest."""
    root = tmp_path_factory.mktemp("static")
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "s" * 50, "STATIC_ROOT": str(root)}
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    return str(root)


class Gunicorn:
    """gunicorn serving the project on a free loopback port, with DEBUG off."""

    def __init__(self, database_url: str, **env):
        self.port = free_port()
        self.env = {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": "s" * 50,
            "DATABASE_URL": database_url,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "WARNING",
            **env,
        }
        self.process = None

    def __enter__(self) -> "Gunicorn":
        args = ("--bind", f"127.0.0.1:{self.port}", "--workers", "1")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "newsroom.wsgi", "-c", "gunicorn.conf.py", *args],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        wait_for_port(self.port, process=self.process)
        return self

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.output = self.process.stdout.read().decode(errors="replace")

    def raw(self, request: bytes, timeout: float = 10.0) -> bytes:
        """Send these bytes as they are; the whole answer (the worker closes the connection)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as s:
            s.sendall(request)
            chunks = []
            while chunk := s.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks)

    def get(self, path: bytes, headers: bytes = b"") -> tuple[int, dict[str, str], bytes]:
        answer = self.raw(
            b"GET "
            + path
            + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + headers
            + b"Connection: close\r\n\r\n"
        )
        return parse_response(answer)


def parse_response(answer: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, body


class WebhookReceiver:
    """An HTTP server in a thread on a free loopback port that records every POST (headers
    and the exact body) and answers with `status`, after `delay` seconds."""

    def __init__(self, status: int = 200, delay: float = 0.0):
        import http.server

        self.status, self.delay = status, delay
        # (headers, body): headers as http.server parsed them, case-insensitive like any
        # web framework's request.headers.
        self.received: list[tuple[object, bytes]] = []
        self.started = threading.Event()  # set when a request starts (before the delay)
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.started.set()
                time.sleep(receiver.delay)
                receiver.received.append((self.headers, body))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "WebhookReceiver":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def bodies(self) -> list[dict]:
        import json

        return [json.loads(body) for _, body in self.received]


def worker_environment(database_url: str, smtp_port: int, **extra: str) -> dict[str, str]:
    """The environment of a `manage.py db_worker` process that runs this test's jobs: the
    production task backend (DEBUG off), the test database, mail to a test SMTP server."""
    env = {
        **os.environ,
        "DEBUG": "0",  # the production default: the database backend
        "SECRET_KEY": "s" * 50,
        "DATABASE_URL": database_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        **extra,
    }
    env.pop("TASKS_BACKEND", None)
    return env


@contextlib.contextmanager
def db_worker(env: dict[str, str]):
    """A running `manage.py db_worker`, stopped (SIGTERM) on the way out. Yields the process;
    its output is in .output afterwards."""
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        yield worker
    finally:
        worker.terminate()
        worker.output = worker.communicate(timeout=20)[0].decode(errors="replace")
