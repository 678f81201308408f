import pytest
from django.core.cache import cache

from tests.browsers import chromium  # noqa: F401  (Chromium for the browser tests)
from tests.factories import EditorFactory, JournalistFactory
from tests.servers import static_root  # noqa: F401  (a session fixture for gunicorn tests)


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    """Each test gets its own media folder and an empty cache; passwords hash fast."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _force_login_signs_in_fully(monkeypatch):
    """client.force_login(user) is a whole sign-in: the password and the second step
    (tests.signin). Sign-in itself is tested through the real forms."""
    from django.test import Client

    from tests.signin import force_login_with_second_step

    monkeypatch.setattr(Client, "force_login", force_login_with_second_step)


@pytest.fixture
def journalist(db):
    return JournalistFactory(username="jane")


@pytest.fixture
def other_journalist(db):
    return JournalistFactory(username="omar")


@pytest.fixture
def editor(db):
    return EditorFactory(username="eddie")


@pytest.fixture
def live_server_db_url(transactional_db):
    """A DATABASE_URL that a separate server process can use to reach the test database."""
    from django.db import connection

    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def purged(settings, django_capture_on_commit_callbacks):
    """purged.after(change): the keys purged once change() commits (change runs inside the
    test's transaction, so its on_commit callbacks are run as a commit would run them)."""
    from tests.purges import RecordingPurge

    settings.PURGE_BACKENDS = ["tests.purges.RecordingPurge"]

    class Purged:
        def after(self, change) -> set[str]:
            RecordingPurge.sent.clear()
            with django_capture_on_commit_callbacks(execute=True):
                change()
            return set().union(*RecordingPurge.sent)

    yield Purged()
    RecordingPurge.sent.clear()


def restore_migration_rows() -> None:
    """Put back the rows migrations made (the Journalists and Editors groups, the home page's
    front) after a flush emptied the tables (flushing recreates content types, permissions
    and the site itself)."""
    import importlib

    from django.contrib.auth.models import Group, Permission

    from articles.models import Front

    roles = importlib.import_module("accounts.migrations.0003_roles")
    lockouts = importlib.import_module("accounts.migrations.0005_auth_lockouts")
    fronts = importlib.import_module("articles.migrations.0021_fronts")
    live = importlib.import_module("articles.migrations.0023_live_blogs")

    def as_spec(codenames):
        return [("articles", c.split("_", 1)[1], [c.split("_", 1)[0]]) for c in codenames]

    front_permissions = as_spec(fronts.EDITOR_CODENAMES)
    Front.objects.get_or_create(section=None)  # the home page's front
    for name, spec in (
        ("Journalists", roles.JOURNALIST_PERMISSIONS + as_spec(live.JOURNALIST_CODENAMES)),
        (
            "Editors",
            roles.EDITOR_PERMISSIONS
            + lockouts.EDITOR_PERMISSIONS
            + front_permissions
            + as_spec(live.EDITOR_CODENAMES),
        ),
    ):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(
            Permission.objects.get(
                content_type__app_label=app, codename=roles.codename(action, model)
            )
            for app, model, actions in spec
            for action in actions
        )


@pytest.fixture
def _reload_migration_rows(django_db_blocker):
    """Set up before transactional_db, so torn down after its flush: the migrations' rows come
    back for the tests that follow."""
    yield
    with django_db_blocker.unblock():
        restore_migration_rows()


@pytest.fixture
def migration_rows(transactional_db):
    """For live_server tests, whose flush pytest-django sets up before any other fixture: the
    migrations' rows are put back at the start instead."""
    restore_migration_rows()


@pytest.fixture
def committed_db(_reload_migration_rows, transactional_db):
    """Rows that other processes (a server, pg_dump) can see: each test commits, the tables
    are emptied afterwards and the migrations' rows put back."""
