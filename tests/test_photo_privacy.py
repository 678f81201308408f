"""Photos are private until a live story (or an author profile) uses them; uploads that
cannot be rendered are refused and leave nothing behind under MEDIA_ROOT."""

import datetime as dt
import io
import re
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image as PILImage

from accounts.models import Author
from articles import images
from articles.images import rendition_names
from articles.models import Article, Image
from tests.factories import ArticleFactory, ImageFactory, photo_upload

ADD_URL = "/admin/articles/image/add/"


def _files(settings) -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    if not root.exists():
        return []
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def _png(size, mode="1") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    PILImage.new(mode, size).save(buffer, format="PNG")
    return SimpleUploadedFile("strip.png", buffer.getvalue(), content_type="image/png")


def _upload(client, upload):
    return client.post(
        ADD_URL, {"file": upload, "alt_text": "A strip", "caption": "", "credit": ""}
    )


@pytest.mark.parametrize(
    ("size", "message"),
    [
        ((40_000, 1), "a side may be at most 16383 pixels"),
        ((16_000, 1), "at most 20 times"),
        ((1, 20_000), "a side may be at most 16383 pixels"),
        ((100, 5_000), "at most 20 times"),
        ((17_000, 1_000), "a side may be at most 16383 pixels"),
    ],
    ids=["40000x1", "16000x1", "1x20000", "100x5000", "17000x1000"],
)
def test_photos_the_renditions_cannot_carry_are_refused_with_a_message(
    client, editor, settings, size, message
):
    client.force_login(editor)
    response = _upload(client, _png(size))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["adminform"].form.errors["file"]
    assert Image.objects.count() == 0
    assert _files(settings) == []


def test_a_rendition_that_fails_anyway_leaves_no_file_and_no_row(
    client, editor, settings, monkeypatch
):
    # With the aspect check lifted, the 480-wide rendition of 16000×1 is 0 pixels high.
    monkeypatch.setattr(images, "MAX_ASPECT", 10**6)
    client.force_login(editor)
    client.raise_request_exception = False
    response = _upload(client, _png((16_000, 1)))
    assert response.status_code == 500
    assert Image.objects.count() == 0
    assert _files(settings) == []


def test_originals_get_unguessable_names_under_the_private_prefix(client, editor):
    client.force_login(editor)
    assert _upload(client, photo_upload(name="minister-leaked-memo.jpg")).status_code == 302
    name = Image.objects.get().file.name
    assert "minister" not in name
    assert re.fullmatch(r"private/originals/[A-Za-z0-9_-]{24}\.jpg", name)


@pytest.fixture
def draft_with_photo(db):
    image = ImageFactory()
    return ArticleFactory(featured_image=image), image


def test_a_photo_of_a_draft_is_not_served_at_any_media_address(client, draft_with_photo, settings):
    _article, image = draft_with_photo
    assert not image.is_public()
    stored = _files(settings)
    assert stored and all(name.startswith("private/") for name in stored)
    for name in [image.file.name, *rendition_names(image.file.name, public=False)]:
        assert client.get(f"/media/{name}").status_code == 404, name
    for trick in ("/media//{}", "/media/./{}", "/media/x/../{}"):
        assert client.get(trick.format(image.file.name)).status_code == 404, trick
    for name in rendition_names(image.file.name, public=True):
        assert client.get(f"/media/{name}").status_code == 404, name


def test_the_preview_shows_the_photo_through_an_expiring_signed_address(
    client, editor, draft_with_photo
):
    article, _image = draft_with_photo
    client.force_login(editor)
    html = client.get(f"/preview/{article.pk}/").content.decode()
    assert "/media/" not in html
    signed = re.findall(r'src="(/preview/photo/[^"]+)"', html)
    assert signed

    client.logout()  # the address alone opens it: a share-link reviewer has no session
    response = client.get(signed[0])
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, max-age=3600"
    assert PILImage.open(io.BytesIO(b"".join(response.streaming_content))).format == "JPEG"

    assert client.get(signed[0][:-3] + "xyz").status_code == 404
    with time_machine.travel(timezone.now() + dt.timedelta(hours=13)):
        assert client.get(signed[0]).status_code == 404


def test_publishing_the_story_makes_its_photo_public(
    client, editor, draft_with_photo, settings, django_capture_on_commit_callbacks
):
    article, image = draft_with_photo
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.get(pk=article.pk).publish(editor)
    image.refresh_from_db()
    assert image.is_public()
    public = rendition_names(image.file.name, public=True)
    assert set(public) <= set(_files(settings))

    article.refresh_from_db()
    html = client.get(article.get_absolute_url()).content.decode()
    assert "/preview/photo/" not in html
    urls = set(re.findall(r"/media/renditions/[^\" ,]+", html))
    assert urls
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Surrogate-Key"] == images.edge_key(image.file.name)
    assert client.get(f"/media/{image.file.name}").status_code == 404  # the original: never


def test_a_scheduled_storys_photo_turns_public_on_time_by_itself(
    client, editor, draft_with_photo, settings
):
    article, image = draft_with_photo
    at = timezone.now() + dt.timedelta(hours=2)
    Article.objects.get(pk=article.pk).publish(editor, at=at)
    image.refresh_from_db()
    assert image.public_at == at and not image.is_public()
    assert all(name.startswith("private/") for name in _files(settings))

    with time_machine.travel(at + dt.timedelta(minutes=1)):
        article.refresh_from_db()
        html = client.get(article.get_absolute_url()).content.decode()
        urls = set(re.findall(r"/media/renditions/[^\" ,]+", html))
        assert urls
        for url in urls:
            assert client.get(url).status_code == 200, url


def test_withdrawing_the_only_live_story_takes_the_public_copies_down(
    client, editor, draft_with_photo, settings, purged
):
    article, image = draft_with_photo
    purged.after(lambda: Article.objects.get(pk=article.pk).publish(editor))
    assert any(name.startswith("renditions/") for name in _files(settings))
    keys = purged.after(
        lambda: Article.objects.get(pk=article.pk).unpublish(editor, note="Taken down.")
    )
    image.refresh_from_db()
    assert image.public_at is None
    assert all(name.startswith("private/") for name in _files(settings))
    # The edge's copies go too: the media service sends this key with each rendition.
    assert images.edge_key(image.file.name) in keys
    url = f"/media/{rendition_names(image.file.name, public=True)[0]}"
    assert client.get(url).status_code == 404


def test_a_photo_shared_with_another_live_story_stays_public(
    editor, draft_with_photo, django_capture_on_commit_callbacks
):
    article, image = draft_with_photo
    ArticleFactory(published=True, featured_image=image, slug="other")
    image.refresh_from_db()
    assert image.is_public()
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.get(pk=article.pk).publish(editor)
        Article.objects.get(pk=article.pk).unpublish(editor, note="Taken down.")
    image.refresh_from_db()
    assert image.is_public()


def test_an_author_photo_is_public(db):
    image = ImageFactory()
    Author.objects.create(name="Leyla Mammadova", photo=image)
    image.refresh_from_db()
    assert image.is_public()
    assert image.rendition_url(480).startswith("/media/renditions/")


def test_deleting_a_photo_removes_every_file(
    client, editor, settings, django_capture_on_commit_callbacks
):
    image = ImageFactory()
    ArticleFactory(published=True, featured_image=image)
    image.refresh_from_db()
    image.rendition_url(480)  # writes the public copies
    assert any(name.startswith("renditions/") for name in _files(settings))
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/articles/image/{image.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert _files(settings) == []


def test_clean_media_removes_what_no_photo_owns_and_public_copies_of_private_photos(
    settings, draft_with_photo
):
    from io import StringIO

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.core.management import call_command

    _article, image = draft_with_photo
    kept = _files(settings)
    stray = [
        "private/originals/leftover.jpg",
        "private/renditions/leftover/480.webp",
        rendition_names(image.file.name, public=True)[0],  # a public copy of a draft's photo
    ]
    for name in stray:
        default_storage.save(name, ContentFile(b"x"))
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2)):
        out = StringIO()
        call_command("clean_media", "--dry-run", stdout=out)
        assert set(stray) <= set(out.getvalue().split())
        assert set(_files(settings)) == {*kept, *stray}
        call_command("clean_media", stdout=StringIO())
    assert _files(settings) == kept


def test_clean_media_spares_an_upload_in_progress(db, settings):
    from io import StringIO

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.core.management import call_command

    default_storage.save("private/renditions/just-written/480.webp", ContentFile(b"x"))
    call_command("clean_media", stdout=StringIO())
    assert _files(settings) == ["private/renditions/just-written/480.webp"]


def test_the_migration_moves_existing_photos_to_private_names(db, settings, editor):
    import importlib

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    migration = importlib.import_module("articles.migrations.0014_uploads_private_photos")
    state = MigrationExecutor(connection).loader.project_state(
        ("articles", "0014_uploads_private_photos")
    )
    legacy = "photos/2026/11/minister-leaked-memo.jpg"
    default_storage.save(legacy, ContentFile(photo_upload(size=(900, 600)).read()))
    default_storage.save(
        "renditions/photos/2026/11/minister-leaked-memo/ab12.jpg", ContentFile(b"x")
    )
    draft_photo, live_photo = Image.objects.bulk_create(
        [
            Image(file=legacy, width=900, height=600, alt_text="Memo"),
            Image(file="photos/2026/11/gone.jpg", width=900, height=600, alt_text="Lost"),
        ]
    )
    ArticleFactory(published=True, featured_image=live_photo)
    Image.objects.filter(pk=live_photo.pk).update(public_at=None)  # as before the migration

    migration.move_photos(state.apps, None)
    migration.remove_old_renditions(state.apps, None)

    rows = dict(Image.objects.values_list("pk", "file"))
    public = dict(Image.objects.values_list("pk", "public_at"))
    assert re.fullmatch(r"private/originals/[A-Za-z0-9_-]{24}\.jpg", rows[draft_photo.pk])
    assert public[draft_photo.pk] is None
    # Its story is live; its file was lost before the migration, so its name stays.
    assert public[live_photo.pk] is not None
    assert rows[live_photo.pk] == "photos/2026/11/gone.jpg"
    assert _files(settings) == sorted(
        [rows[draft_photo.pk], *rendition_names(rows[draft_photo.pk], public=False)]
    )
