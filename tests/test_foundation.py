import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.db import connection, connections

ROOT = Path(__file__).resolve().parent.parent


def test_home_page_answers(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert b"<!DOCTYPE html>" in response.content


def test_admin_login_page_answers(client, db):
    assert client.get("/admin/login/").status_code == 200


def test_healthz_reports_a_working_database(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_healthz_answers_503_when_the_database_is_unreachable(
    client, django_db_blocker, monkeypatch
):
    connection = connections["default"]
    closed_port = _free_port()
    if connection.vendor == "sqlite":
        # SQLite is a file: an unreadable path is what "unreachable" means for it.
        settings_dict = {**connection.settings_dict, "NAME": "/nonexistent/dir/db.sqlite3"}
    else:
        settings_dict = {**connection.settings_dict, "HOST": "127.0.0.1", "PORT": closed_port}
    broken = connection.__class__(settings_dict, alias="default")
    monkeypatch.setitem(connections._connections.__dict__, "default", broken)
    try:
        with django_db_blocker.unblock():
            response = client.get("/healthz")
    finally:
        broken.close()
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def _run_check(**env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_missing_secret_key_in_production_stops_with_one_clear_line():
    result = _run_check(DEBUG="0")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "SECRET_KEY" in lines[0]


def test_malformed_database_url_stops_with_one_clear_line():
    result = _run_check(DATABASE_URL="nonsense://", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "DATABASE_URL" in lines[0]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_gunicorn_serves_healthz(live_server_db_url):
    port = _free_port()
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "s" * 50, "DATABASE_URL": live_server_db_url}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "newsroom.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        body = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    body = json.loads(r.read())
                    server_header = r.headers.get("Server", "")
                break
            except OSError:
                time.sleep(0.1)
        assert body == {"status": "ok", "database": "ok", "cache": "ok"}
        assert not any(ch.isdigit() for ch in server_header)
    finally:
        server.terminate()
        server.wait(timeout=10)


def _database_settings(**env_overrides) -> dict:
    """The default database's settings as a fresh process reads them from the environment."""
    skip = (
        "DATABASE_URL",
        "DB_PREPARED_STATEMENTS",
        "CONN_HEALTH_CHECKS",
        "DB_STATEMENT_TIMEOUT_MS",
    )
    env = {k: v for k, v in os.environ.items() if k not in skip}
    env.update(DJANGO_SETTINGS_MODULE="newsroom.settings", **env_overrides)
    code = (
        "import json; from django.conf import settings; db = settings.DATABASES['default'];"
        "print(json.dumps({'options': db.get('OPTIONS', {}), 'checks': db['CONN_HEALTH_CHECKS']}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_postgresql_prepares_repeated_statements_unless_told_not_to():
    url = "postgres://newsroom@127.0.0.1:5432/newsroom"
    on = _database_settings(DATABASE_URL=url)
    assert on["options"]["server_side_binding"] is True and on["options"]["prepare_threshold"]
    assert "plan_cache_mode=force_generic_plan" in on["options"]["options"]
    off = _database_settings(DATABASE_URL=url, DB_PREPARED_STATEMENTS="0")
    assert "server_side_binding" not in off["options"]
    assert "plan_cache_mode" not in off["options"].get("options", "")
    assert "server_side_binding" not in _database_settings()["options"]  # SQLite


def test_postgresql_web_connections_get_a_statement_timeout_beside_the_plan_mode():
    url = "postgres://newsroom@127.0.0.1:5432/newsroom"
    on = _database_settings(DATABASE_URL=url)["options"]["options"]
    no_parallel = "-c max_parallel_workers_per_gather=0"
    assert on == f"-c plan_cache_mode=force_generic_plan -c statement_timeout=3000 {no_parallel}"
    off = _database_settings(DATABASE_URL=url, DB_PREPARED_STATEMENTS="0")["options"]
    assert off["options"] == f"-c statement_timeout=3000 {no_parallel}"
    none = _database_settings(DATABASE_URL=url, DB_STATEMENT_TIMEOUT_MS="0")["options"]
    assert "statement_timeout" not in none["options"]
    assert _database_settings()["options"].get("options") is None  # SQLite


def test_connection_health_checks_are_off_unless_asked_for():
    assert _database_settings()["checks"] is False
    assert _database_settings(CONN_HEALTH_CHECKS="1")["checks"] is True


@pytest.mark.django_db
def test_postgresql_connections_plan_prepared_statements_once():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone()[0] == "force_generic_plan"
