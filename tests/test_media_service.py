"""deploy/nginx/media.conf against the real nginx: private/ is never served, whatever the
spelling of the path, and a photo's public renditions carry its surrogate key."""

import http.client
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(NGINX).exists(), reason="needs nginx (apt-get install nginx)"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def media_service(tmp_path):
    media = tmp_path / "media"
    for name in (
        "private/originals/secret.jpg",
        "private/renditions/tok/480.webp",
        "renditions/tok/480.webp",
        "renditions/tok/1200x630-30-40.jpg",
    ):
        (media / name).parent.mkdir(parents=True, exist_ok=True)
        (media / name).write_bytes(b"RIFF....WEBP")
    port = _free_port()
    server = (ROOT / "deploy" / "nginx" / "media.conf").read_text()
    server = server.replace("listen 80;", f"listen 127.0.0.1:{port};")
    server = server.replace("/srv/media/", f"{media}/")
    # Started as root, nginx's workers would drop to nobody, who cannot enter pytest's tmp.
    user = "user root;\n" if os.geteuid() == 0 else ""
    (tmp_path / "nginx.conf").write_text(
        f"{user}pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        "events {}\n"
        f"http {{\n access_log off;\n client_body_temp_path {tmp_path}/body;\n"
        f" proxy_temp_path {tmp_path}/proxy;\n fastcgi_temp_path {tmp_path}/fcgi;\n"
        f" uwsgi_temp_path {tmp_path}/uwsgi;\n scgi_temp_path {tmp_path}/scgi;\n"
        f"{server}\n}}\n"
    )
    process = subprocess.Popen(
        [NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"],
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        else:
            pytest.fail(f"nginx did not start: {process.stderr.read().decode()}")
        yield port
    finally:
        process.send_signal(signal.SIGQUIT)
        process.wait(timeout=10)


def _get(port: int, path: str):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


@pytest.mark.parametrize(
    "path",
    [
        "/media/private/originals/secret.jpg",
        "/media/private/renditions/tok/480.webp",
        "/media//private/originals/secret.jpg",
        "/media/./private/originals/secret.jpg",
        "/media/renditions/../private/originals/secret.jpg",
        "/media/%70rivate/originals/secret.jpg",
        "/media/private%2Foriginals%2Fsecret.jpg",
        "/media/private/",
    ],
)
def test_nothing_under_private_is_served(media_service, path):
    assert _get(media_service, path).status in (400, 404), path


@pytest.mark.parametrize("name", ["480.webp", "1200x630-30-40.jpg"])  # a width, a crop
def test_a_public_rendition_carries_its_photos_key(media_service, name):
    response = _get(media_service, f"/media/renditions/tok/{name}")
    assert response.status == 200
    assert response.getheader("Surrogate-Key") == "photo-tok"
    assert "public" in response.getheader("Cache-Control")
