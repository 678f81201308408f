"""The app's Redis cache fails open: Redis down or hung never costs a reader or editor a page.

Each test points the cache at a Redis of its own (tests/servers.py): a closed port, a socket
that accepts and never answers, or a redis-server it starts and stops by pid.
"""

import json
import logging
import os
import subprocess
import sys
import time

import pytest
from django.core.cache import cache

from tests.factories import ArticleFactory, EditorFactory
from tests.servers import ROOT, HungServer, RedisServer, free_port, redis_caches
from tests.signin import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def story():
    return ArticleFactory(published=True, headline="Ferry service resumes")


@pytest.fixture
def hung(settings):
    server = HungServer()
    settings.CACHES = redis_caches(server.url)
    yield server
    server.close()


@pytest.fixture
def redis_down(settings):
    settings.CACHES = redis_caches(f"redis://127.0.0.1:{free_port()}/7")


@pytest.fixture
def own_redis(settings):
    server = RedisServer().start()
    settings.CACHES = redis_caches(server.url)
    yield server
    server.stop()


def _reader_and_editor_pages(client, story):
    for path in ("/", story.get_absolute_url(), story.section.get_absolute_url(), "/search/?q=x"):
        response = client.get(path)
        assert response.status_code == 200, path
    assert client.get(story.get_absolute_url()).content.count(b"Ferry service resumes")
    assert client.get("/admin/login/").status_code == 200
    response = sign_in(client, EditorFactory(username="eddie"))
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/articles/article/").status_code == 200


def test_pages_admin_and_login_work_with_redis_down(client, story, redis_down):
    started = time.monotonic()
    _reader_and_editor_pages(client, story)
    assert time.monotonic() - started < 10


def test_pages_admin_and_login_work_with_redis_hung(client, story, hung):
    started = time.monotonic()
    _reader_and_editor_pages(client, story)
    elapsed = time.monotonic() - started
    assert hung.accepted, "the cache never tried the hung server"
    # A dozen requests, several cache calls each: without the breaker that is dozens of
    # 0.25 s timeouts; with it, about one per second.
    assert elapsed < 8, elapsed


def test_a_failed_call_is_a_miss_and_the_breaker_skips_redis_for_a_while(hung, settings):
    settings.REDIS_BREAKER_SECONDS = 0.5
    started = time.monotonic()
    assert cache.get("k", "default") == "default"
    first = time.monotonic() - started
    assert 0.2 <= first < 1.0, first  # one socket timeout, bounded

    started = time.monotonic()
    assert cache.get_many(["a", "b"]) == {}
    assert cache.add("k", 1) is False
    cache.set("k", 1)
    cache.set_many({"a": 1})
    cache.delete("k")
    cache.delete_many(["a"])
    assert cache.has_key("k") is False
    with pytest.raises(ValueError):
        cache.incr("k")
    assert time.monotonic() - started < 0.05  # the breaker is open: Redis is not tried

    time.sleep(0.6)
    connections_before = len(hung.accepted)
    started = time.monotonic()
    assert cache.get("k") is None
    assert time.monotonic() - started >= 0.2  # tried again once the breaker closed
    assert len(hung.accepted) >= connections_before


def test_failures_log_one_warning_not_one_per_call(redis_down, settings, caplog):
    settings.REDIS_BREAKER_SECONDS = 0  # every call tries Redis and fails
    with caplog.at_level(logging.WARNING, logger="newsroom.redis_cache"):
        for _ in range(30):
            assert cache.get("k") is None
    warnings = [r for r in caplog.records if r.name == "newsroom.redis_cache"]
    assert len(warnings) == 1
    assert "unavailable" in warnings[0].getMessage()


def test_cache_works_when_redis_answers(own_redis):
    cache.set("k", {"a": 1}, 30)
    assert cache.get("k") == {"a": 1}
    assert cache.get_many(["k", "nope"]) == {"k": {"a": 1}}


def test_staff_stay_logged_in_across_a_redis_restart(client, story, own_redis):
    response = sign_in(client, EditorFactory(username="eddie"))
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    cache.set("proof", "the cache is this redis", 30)
    assert cache.get("proof") == "the cache is this redis"

    own_redis.stop()
    response = client.get("/admin/")
    assert response.status_code == 200 and response.wsgi_request.user.username == "eddie"

    own_redis.start()  # empty: nothing was persisted
    time.sleep(1.1)  # past the breaker
    assert cache.get("proof") is None
    response = client.get("/admin/articles/article/")
    assert response.status_code == 200 and response.wsgi_request.user.username == "eddie"


def test_settings_with_redis_keep_sessions_in_the_database_and_bound_timeouts():
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DJANGO_SETTINGS_MODULE="newsroom.settings", REDIS_URL="redis://127.0.0.1:1/7")
    code = (
        "import json; from django.conf import settings;"
        "print(json.dumps([settings.SESSION_ENGINE, settings.CACHES['default']['OPTIONS']]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    engine, options = json.loads(result.stdout)
    assert engine == "django.contrib.sessions.backends.db"
    assert options == {"socket_timeout": 0.25, "socket_connect_timeout": 0.25}
