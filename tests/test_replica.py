"""Read replicas (newsroom/replica.py): which requests read the replica, through the test client.

The "replica" alias is a test mirror of the default database here (TEST MIRROR), so the
router's choices are checked without a second database. It is a connection of its own, which
does not see another connection's open transaction: the tests commit.
tests/test_replica_streaming.py runs the same app against a real streaming replica.
"""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from newsroom import replica
from tests.factories import ArticleFactory, EditorFactory
from tests.servers import free_port

DATABASES = ["default", "replica"]


@pytest.fixture(autouse=True)
def _replica_on(settings):
    settings.DATABASE_REPLICA_URL = "postgres://replica.invalid/newsroom"  # any: the mirror
    replica.state.forget()
    yield
    replica.state.forget()
    connections["replica"].close()  # a mirror's connection must not hold the test database


@pytest.fixture
def story(migration_rows):
    return ArticleFactory(published=True, headline="Caspian ferry resumes")


@pytest.fixture
def editor(migration_rows):
    return EditorFactory(username="eddie")


def queries(client, path, **kwargs):
    """(response, queries on the default connection, queries on the replica connection)."""
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as standby,
    ):
        response = getattr(client, kwargs.pop("method", "get"))(path, **kwargs)
    return response, primary.captured_queries, standby.captured_queries


@pytest.mark.django_db(transaction=True, databases=DATABASES)
@pytest.mark.parametrize("method", ["get", "head"])
def test_anonymous_reads_of_public_pages_read_the_replica(client, story, method):
    for path in ("/", story.get_absolute_url(), "/search/?q=ferry"):
        response, primary, standby = queries(client, path, method=method)
        assert response.status_code == 200, path
        assert response.wsgi_request.reads_replica, path
        if connections["replica"] is not connections["default"]:
            assert standby, path
            # On the primary only the once-a-second look at its WAL position.
            assert all("pg_current_wal_lsn" in query["sql"] for query in primary), path
    assert b"Caspian ferry resumes" in client.get("/").content


@pytest.mark.django_db(transaction=True, databases=DATABASES)
def test_staff_read_the_primary(client, story, editor):
    client.force_login(editor)
    for path in ("/", story.get_absolute_url(), "/admin/articles/article/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert not response.wsgi_request.reads_replica, path


@pytest.mark.django_db(transaction=True, databases=DATABASES)
@pytest.mark.parametrize("path", ["/admin/login/", "/preview/nope/", "/share/nope/", "/healthz"])
def test_private_paths_read_the_primary(client, path):
    response = client.get(path)
    assert response.status_code in (200, 302, 404)
    assert not response.wsgi_request.reads_replica


@pytest.mark.django_db(transaction=True, databases=DATABASES)
def test_writes_read_and_write_the_primary(client, editor):
    response = client.post("/admin/login/", {"username": "eddie", "password": "wrong"})
    assert not response.wsgi_request.reads_replica
    assert replica.ReplicaRouter().db_for_write(None) == "default"
    with replica._reading_replica_for_tests(True):
        assert replica.ReplicaRouter().db_for_read(None) == "replica"
        assert replica.ReplicaRouter().db_for_write(None) == "default"
    assert replica.ReplicaRouter().db_for_read(None) is None  # Django's default choice
    assert replica.ReplicaRouter().allow_migrate("replica", "articles") is False


@pytest.mark.django_db(transaction=True, databases=DATABASES)
def test_the_browser_that_wrote_reads_the_primary_for_a_while(client, editor, settings):
    settings.REPLICA_MAX_LAG_SECONDS = 3
    client.force_login(editor)
    response = client.post("/admin/logout/")
    cookie = response.cookies[replica.RECENT_WRITE_COOKIE]
    assert cookie["max-age"] == 4 and cookie["httponly"]
    # Signed out, the same browser still reads the primary until the cookie expires.
    assert not client.cookies[settings.SESSION_COOKIE_NAME].value  # signed out
    assert not client.get("/").wsgi_request.reads_replica
    del client.cookies[replica.RECENT_WRITE_COOKIE]
    assert client.get("/").wsgi_request.reads_replica


@pytest.mark.django_db(transaction=True, databases=DATABASES)
def test_without_a_replica_url_nothing_reads_the_replica(client, story, settings):
    settings.DATABASE_REPLICA_URL = ""
    response = client.get("/")
    assert response.status_code == 200 and not response.wsgi_request.reads_replica
    assert replica.RECENT_WRITE_COOKIE not in client.post("/admin/logout/").cookies


@pytest.fixture
def replica_down(monkeypatch):
    connection = connections["replica"]
    if connection.vendor != "postgresql":
        pytest.skip("a SQLite replica is the same file: it cannot be down apart from it")
    settings_dict = {**connection.settings_dict, "HOST": "127.0.0.1", "PORT": free_port()}
    broken = connection.__class__(settings_dict, alias="replica")
    monkeypatch.setitem(connections._connections.__dict__, "replica", broken)
    yield
    broken.close()


@pytest.mark.django_db(transaction=True, databases=DATABASES)
def test_a_replica_that_is_down_sends_readers_to_the_primary(client, story, replica_down):
    response = client.get("/")
    assert response.status_code == 200 and b"Caspian ferry resumes" in response.content
    assert not response.wsgi_request.reads_replica


@pytest.mark.django_db(transaction=True, databases=DATABASES)
def test_a_replica_lost_between_checks_is_retried_on_the_primary(client, story, monkeypatch):
    """The last check said yes, then the replica went away: the reader still gets the page."""
    if connections["replica"].vendor != "postgresql":
        pytest.skip("a SQLite replica is the same file: it cannot be down apart from it")
    assert client.get("/").wsgi_request.reads_replica  # checked: fine for a second
    connection = connections["replica"]
    settings_dict = {**connection.settings_dict, "HOST": "127.0.0.1", "PORT": free_port()}
    broken = connection.__class__(settings_dict, alias="replica")
    monkeypatch.setitem(connections._connections.__dict__, "replica", broken)
    response = client.get(story.get_absolute_url())
    assert response.status_code == 200 and b"Caspian ferry resumes" in response.content
    assert not response.wsgi_request.reads_replica
    broken.close()


def test_lsn_compares_positions():
    assert replica.lsn("0/3000148") < replica.lsn("1/0") < replica.lsn("1/10")
    assert replica.lsn(None) is None
    assert replica.lsn(replica.lsn_text(replica.lsn("A/3000148"))) == replica.lsn("A/3000148")
