"""`manage.py backup` and `manage.py restore`: a round trip on the suite's database (PostgreSQL
when DATABASE_URL is set, SQLite otherwise), with a real photo file."""

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from articles.models import Article, Image
from tests.factories import ArticleFactory, ImageFactory


@pytest.fixture
def test_database_only(committed_db):
    """Committed rows: pg_dump reads through its own connection."""
    # restore replaces the configured database: here that must be the test database.
    name = Path(connection.settings_dict["NAME"]).name
    assert name.startswith("test"), f"refusing to restore into {name}"


def test_backup_then_restore_brings_back_stories_and_photos(test_database_only, tmp_path):
    stories = [ArticleFactory(published=True) for _ in range(3)]
    photo = ImageFactory()
    photo_path = Path(photo.file.path)
    photo_bytes = photo_path.read_bytes()
    headlines = sorted(a.headline for a in stories)

    call_command("backup", str(tmp_path / "backup"))
    manifest = json.loads((tmp_path / "backup" / "backup.json").read_text())
    assert manifest["engine"] == connection.vendor and manifest["media_files"] >= 1

    # Wipe: the stories and the photo, row and file.
    Article.objects.all().delete()
    Image.objects.all().delete()  # takes its files with it (articles.photo_access)
    photo_path.unlink(missing_ok=True)
    ArticleFactory(published=True, headline="Written after the backup")
    assert not Article.objects.filter(headline__in=headlines).exists()

    call_command("restore", str(tmp_path / "backup"), "--noinput")

    assert sorted(Article.objects.values_list("headline", flat=True)) == headlines
    restored = Image.objects.get(pk=photo.pk)
    assert Path(restored.file.path).read_bytes() == photo_bytes
    # The site reads the restored rows (a new connection after the restore).
    assert Article.objects.live().count() == 3


def test_backup_refuses_a_directory_that_is_not_empty(test_database_only, tmp_path):
    (tmp_path / "old").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(tmp_path))


def test_restore_refuses_a_directory_that_is_not_a_backup(test_database_only, tmp_path):
    with pytest.raises(CommandError, match="not a backup"):
        call_command("restore", str(tmp_path), "--noinput")
