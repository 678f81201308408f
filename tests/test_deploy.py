"""The production path, checked without Docker: files the images need, settings they set,
and `manage.py check --deploy` with production-like environment variables."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
ENV_CALL = re.compile(r"""env(?:\.[a-z_]+)?\(\s*["']([A-Z][A-Z0-9_]*)["']""")
OS_ENVIRON = re.compile(r"""os\.environ\.get\(\s*["']([A-Z][A-Z0-9_]*)["']""")


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with backslash continuations joined."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "")
        for line in lines
        if line and not line.startswith("#")
    ]


def settings_variables() -> set[str]:
    """Every environment variable newsroom/settings.py reads through django-environ."""
    return set(ENV_CALL.findall((ROOT / "newsroom" / "settings.py").read_text()))


def gunicorn_variables() -> set[str]:
    return set(OS_ENVIRON.findall((ROOT / "gunicorn.conf.py").read_text()))


def test_settings_parser_finds_the_core_variables():
    assert {"DATABASE_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "REDIS_URL"} <= (
        settings_variables()
    )
    assert {"WEB_CONCURRENCY", "BIND"} <= gunicorn_variables()


def test_dockerfile_uses_the_official_slim_python_and_a_non_root_user():
    instructions = _dockerfile_instructions()
    assert instructions[0] == ("FROM", "python:3.11-slim")
    users = [args for name, args in instructions if name == "USER"]
    assert users and users[-1] not in ("root", "0")
    cmd = next(args for name, args in instructions if name == "CMD")
    assert "gunicorn.conf.py" in cmd and "newsroom.wsgi" in cmd
    assert any("collectstatic" in args for name, args in instructions if name == "RUN")


def test_every_file_the_dockerfile_copies_exists():
    copies = [args.split() for name, args in _dockerfile_instructions() if name == "COPY"]
    assert copies
    for *sources, _destination in copies:
        for source in sources:
            if source.startswith("--"):
                continue
            assert (ROOT / source).exists(), f"Dockerfile copies missing {source}"
    # The build needs what pyproject.toml packages and what the CMD and command load.
    copied = {source.rstrip("/") for *sources, _ in copies for source in sources}
    for needed in ("pyproject.toml", "manage.py", "gunicorn.conf.py", "newsroom", "articles"):
        assert needed in copied, f"Dockerfile never copies {needed}"


def test_dockerignore_keeps_local_state_out_of_the_image():
    ignored = (ROOT / ".dockerignore").read_text().split()
    for local in (".venv", "var", ".git", ".env"):
        assert local in ignored


def _command(service: dict) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else command


def test_compose_services_and_their_wiring():
    services = _compose()["services"]
    assert set(services) >= {"db", "redis", "migrate", "web", "media", "varnish"}
    assert services["db"]["image"].startswith("postgres:16")
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert services["redis"]["image"].split(":")[0] == "redis"
    web = services["web"]
    assert web["depends_on"]["db"]["condition"] == "service_healthy"
    assert web["depends_on"]["redis"]["condition"] == "service_healthy"
    assert web["environment"]["DEBUG"] == "0"


def test_compose_migrates_once_in_a_one_off_service_that_web_waits_for():
    services = _compose()["services"]
    migrate, web = services["migrate"], services["web"]
    assert "manage.py migrate --noinput" in _command(migrate)
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"
    assert migrate.get("restart", "no") == "no"
    assert web["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    # web itself never migrates (replicas would race), it only serves.
    assert "migrate" not in _command(web)
    assert _command(web).split()[0] == "gunicorn" and "newsroom.wsgi" in _command(web)
    # migrate runs the web image with the same settings.
    assert migrate["build"] == web["build"]
    assert migrate["environment"]["DATABASE_URL"] == web["environment"]["DATABASE_URL"]


def test_compose_runs_the_job_queues_worker_beside_web():
    services = _compose()["services"]
    worker, web = services["worker"], services["web"]
    assert _command(worker).startswith("python manage.py db_worker")
    assert "--reload" not in _command(worker).replace("--no-reload", "")
    assert worker["build"] == web["build"]
    assert worker["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert worker["depends_on"]["db"]["condition"] == "service_healthy"
    # The same database and mail settings as web, and jobs kept in the database for it.
    assert worker["environment"] == services["migrate"]["environment"]
    assert worker["environment"]["DATABASE_URL"] == web["environment"]["DATABASE_URL"]
    assert web["environment"]["TASKS_BACKEND"] == "database"
    assert "ports" not in worker


def test_make_stack_starts_the_worker_and_stops_it_with_the_rest():
    script = (ROOT / "deploy" / "stack.sh").read_text()
    assert "manage.py db_worker --no-reload &" in script
    assert "TASKS_BACKEND=database" in script
    assert re.search(r"for pid in [^;]*\$WORKER_PID; do\s+kill -TERM", script)
    assert 'kill -0 "$WORKER_PID"' in script  # a worker that dies stops the stack too


def test_compose_web_publishes_no_port_so_it_scales():
    services = _compose()["services"]
    assert "ports" not in services["web"], "a published web port collides under --scale web=N"
    assert "container_name" not in services["web"]
    published = [name for name, service in services.items() if service.get("ports")]
    assert published == ["varnish"], f"only Varnish faces readers, not {published}"
    assert services["varnish"]["ports"][0].endswith(":80")


def test_compose_every_long_running_service_has_a_healthcheck():
    services = _compose()["services"]
    for name in ("db", "db-replica", "redis", "web", "media", "varnish"):
        test = services[name].get("healthcheck", {}).get("test")
        assert test, f"{name} has no healthcheck"
    web_check = " ".join(services["web"]["healthcheck"]["test"])
    assert "/healthz" in web_check and "8000" in web_check
    assert services["varnish"]["depends_on"]["web"]["condition"] == "service_healthy"


def _seconds(value: str) -> int:
    match = re.fullmatch(r"(\d+)(s|m)", str(value))
    assert match, f"unexpected duration {value}"
    return int(match[1]) * (60 if match[2] == "m" else 1)


def test_compose_stop_grace_outlasts_gunicorns_graceful_drain():
    web = _compose()["services"]["web"]
    graceful = int(web["environment"]["WEB_GRACEFUL_TIMEOUT"])
    assert _seconds(web["stop_grace_period"]) > graceful
    # gunicorn reads it (and sets graceful_timeout from it).
    conf = (ROOT / "gunicorn.conf.py").read_text()
    assert re.search(r'^graceful_timeout = .*"WEB_GRACEFUL_TIMEOUT"', conf, re.MULTILINE)
    assert "WEB_GRACEFUL_TIMEOUT" in gunicorn_variables()


def test_compose_logs_go_to_stdout():
    web = _compose()["services"]["web"]
    assert web["environment"]["ACCESS_LOG"] == "-"
    conf = (ROOT / "gunicorn.conf.py").read_text()
    assert re.search(r'^errorlog = "-"', conf, re.MULTILINE)
    for name, service in _compose()["services"].items():
        assert "logging" not in service, f"{name} logs somewhere other than stdout"


def test_compose_media_is_served_by_the_proxy_tier_not_django():
    services = _compose()["services"]
    web, media = services["web"], services["media"]
    assert web["environment"]["SERVE_MEDIA"] == "0"
    assert media["image"].split(":")[0] == "nginx"
    assert "media:/srv/media:ro" in media["volumes"]
    assert "media:/app/var/media" in web["volumes"]
    conf_mount = next(v for v in media["volumes"] if v.startswith("./"))
    conf = (ROOT / conf_mount.split(":")[0]).read_text()
    assert "alias /srv/media/;" in conf and "location /media/" in conf
    assert "public" in conf  # Varnish stores only what is marked public
    backends = (ROOT / "deploy" / "varnish" / "compose-backends.vcl").read_text()
    assert re.search(r'req\.url ~ "\^/media/"\)\s*\{[^}]*media_pool\.backend\("media"\)', backends)


def test_compose_varnish_is_the_official_image_with_the_repos_vcl():
    services = _compose()["services"]
    varnish = services["varnish"]
    assert varnish["image"].split(":")[0] == "varnish"
    mounts = {v.split(":")[1]: v.split(":")[0] for v in varnish["volumes"]}
    assert mounts["/etc/varnish/default.vcl"] == "./deploy/varnish/default.vcl"
    assert mounts["/etc/varnish/backends.vcl"] == "./deploy/varnish/compose-backends.vcl"
    for source in mounts.values():
        assert (ROOT / source).is_file()
    assert 'include "backends.vcl";' in (ROOT / "deploy" / "varnish" / "default.vcl").read_text()


def test_compose_varnish_reaches_every_web_replica():
    """A static backend refuses a name with several addresses: vmod dynamic resolves `web`
    (all replicas) on the port gunicorn binds, with the /healthz probe."""
    services = _compose()["services"]
    backends = (ROOT / "deploy" / "varnish" / "compose-backends.vcl").read_text()
    assert "import dynamic;" in backends
    assert not re.search(r"^backend \w+ \{", backends, re.MULTILINE), "no static backends"
    director = re.search(r"new web_pool = dynamic\.director\(([^)]*)\)", backends)
    assert director and "probe = healthz" in director[1]
    port = re.search(r'port = "(\d+)"', director[1])[1]
    assert f"0.0.0.0:{port}" in _command(services["web"])
    assert 'web_pool.backend("web")' in backends
    assert "probe healthz" in (ROOT / "deploy" / "varnish" / "default.vcl").read_text()


def test_compose_app_purges_varnish_from_inside_the_purge_acl():
    compose = _compose()
    services = compose["services"]
    purge_urls = services["web"]["environment"]["VARNISH_PURGE_URLS"].split(",")
    assert purge_urls and all(u.startswith("http://varnish") for u in purge_urls)
    # Without the backend named, the app purges nothing and edits show only after EDGE_TTL.
    assert "varnish" in services["web"]["environment"]["PURGE_BACKENDS"]
    subnet = compose["networks"]["backend"]["ipam"]["config"][0]["subnet"]
    network, bits = subnet.split("/")
    backends = (ROOT / "deploy" / "varnish" / "compose-backends.vcl").read_text()
    acl = re.search(r"acl purge \{(.*?)\}", backends, re.DOTALL)[1]
    assert f'"{network}"/{bits};' in acl
    gateway = network.rsplit(".", 1)[0] + ".1"
    assert f'! "{gateway}";' in acl, "the bridge gateway (the host) must not purge"
    assert "backend" in services["web"]["networks"] and "backend" in services["varnish"]["networks"]


def test_compose_replica_is_an_optional_streaming_standby_of_db():
    services = _compose()["services"]
    db, standby, web = services["db"], services["db-replica"], services["web"]
    assert standby["profiles"] == ["replica"], "only with COMPOSE_PROFILES=replica"
    assert standby["image"] == db["image"] and standby["user"] == "postgres"
    assert "db-replica" not in web["depends_on"], "a missing replica must not stop web"
    assert standby["depends_on"]["db"]["condition"] == "service_healthy"
    assert "pg_isready" in " ".join(standby["healthcheck"]["test"])
    # db: a replication role and its pg_hba line, made when the volume is created.
    mounts = {v.split(":")[1]: v.split(":")[0] for v in db["volumes"] if v.startswith("./")}
    init = (ROOT / mounts["/docker-entrypoint-initdb.d/init-replication.sh"]).read_text()
    assert "CREATE ROLE replicator WITH REPLICATION LOGIN" in init
    assert "host replication replicator all scram-sha-256" in init and "pg_hba.conf" in init
    # db-replica: pg_basebackup -R from db on first start, then postgres as a hot standby.
    mounts = {v.split(":")[1]: v.split(":")[0] for v in standby["volumes"] if v.startswith("./")}
    script_path = next(a for a in standby["entrypoint"] if a.endswith(".sh"))
    script = (ROOT / mounts[script_path]).read_text()
    assert re.search(r"pg_basebackup -h db .*-U replicator .*-R", script)
    assert "exec postgres" in script
    password = "${POSTGRES_REPLICATION_PASSWORD:-replicator}"
    assert db["environment"]["POSTGRES_REPLICATION_PASSWORD"] == password
    assert standby["environment"]["POSTGRES_REPLICATION_PASSWORD"] == password
    # web reads it when DATABASE_REPLICA_URL names it (empty: no replica).
    assert web["environment"]["DATABASE_REPLICA_URL"] == "${DATABASE_REPLICA_URL:-}"
    assert "@db-replica:5432/newsroom" in (ROOT / "docker-compose.yml").read_text()
    assert "COMPOSE_PROFILES=replica" in (ROOT / "README.md").read_text()


def test_compose_volumes_are_declared():
    compose = _compose()
    named = set(compose["volumes"])
    for service in compose["services"].values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith((".", "/")):
                assert source in named, f"volume {source} is not declared"


def test_compose_files_exist():
    for name, service in _compose()["services"].items():
        build = service.get("build")
        if build is None:
            continue
        context = build if isinstance(build, str) else build.get("context", ".")
        dockerfile = (
            "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile")
        )
        assert (ROOT / context).is_dir(), f"{name}: build context {context} missing"
        assert (ROOT / context / dockerfile).is_file(), f"{name}: {dockerfile} missing"
    command = " ".join(_command(service) for service in _compose()["services"].values())
    for path in re.findall(r"[\w./-]+\.(?:py|conf\.py)\b", command):
        assert (ROOT / path).is_file(), f"compose runs missing file {path}"


def test_web_environment_names_only_variables_the_code_reads():
    known = settings_variables() | gunicorn_variables()
    environment = _compose()["services"]["web"]["environment"]
    unknown = set(environment) - known
    assert not unknown, f"settings.py and gunicorn.conf.py never read {sorted(unknown)}"
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS"} <= set(environment)


def test_env_example_lists_every_variable_and_nothing_else():
    example = (ROOT / ".env.example").read_text()
    names = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", example, re.MULTILINE))
    known = settings_variables() | gunicorn_variables()
    assert names <= known | {"POSTGRES_PASSWORD", "POSTGRES_REPLICATION_PASSWORD"}
    assert settings_variables() <= names, f"undocumented: {sorted(settings_variables() - names)}"


def test_readme_documents_every_settings_variable():
    readme = (ROOT / "README.md").read_text()
    missing = sorted(name for name in settings_variables() if f"`{name}`" not in readme)
    assert not missing, f"README's Configuration section lacks {missing}"


def test_check_deploy_is_clean_with_production_settings():
    # Only the variables named here: a SILENCED_SYSTEM_CHECKS in the caller's shell must not hide
    # a warning. DATABASE_URL is kept so the check also runs against PostgreSQL.
    env = {k: v for k, v in os.environ.items() if k not in settings_variables()}
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        SITE_URL="https://news.example.com",
        ALLOWED_HOSTS="news.example.com",
    )
    if os.environ.get("DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["DATABASE_URL"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "no issues" in output, output


def test_the_web_image_can_back_up_postgresql():
    runs = " ".join(args for name, args in _dockerfile_instructions() if name == "RUN")
    assert "postgresql-client" in runs  # pg_dump and pg_restore for manage.py backup/restore
