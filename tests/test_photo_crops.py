"""Crops around the focal point: author headshots and the story's social cards (issue 12.4)."""

import io
import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from PIL import Image as PILImage

from articles.images import CROP_SIZES, crop_name, crop_names
from tests.factories import ArticleFactory, AuthorFactory, ImageFactory, photo_upload
from tests.test_pages import text_of
from tests.test_structured_data import json_ld, meta

pytestmark = pytest.mark.django_db

RED, BLUE = (200, 20, 20), (20, 20, 200)


def _two_colour_upload(size=(1600, 900), red_width=400):
    """A photo red in its left `red_width` pixels and blue elsewhere."""
    image = PILImage.new("RGB", size, BLUE)
    image.paste(RED, (0, 0, red_width, size[1]))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=95)
    return SimpleUploadedFile("two.jpg", buffer.getvalue(), content_type="image/jpeg")


def _pixels(name: str) -> PILImage.Image:
    with default_storage.open(name) as fh:
        image = PILImage.open(fh)
        image.load()
    return image.convert("RGB")


def _is(colour, expected) -> bool:
    return all(abs(a - b) < 40 for a, b in zip(colour, expected, strict=True))


def _media_path(url: str) -> str:
    return url.split("/media/", 1)[1]


def test_every_upload_gets_its_crops_cut_around_the_focal_point():
    left = ImageFactory(file=_two_colour_upload(), focal_x=0, focal_y=50)
    right = ImageFactory(file=_two_colour_upload(), focal_x=100, focal_y=50)
    for box in CROP_SIZES:
        for fmt in ("WEBP", None):
            crop = _pixels(crop_name(left.file.name, box, (0, 50), fmt, public=False))
            assert crop.size == left.crop_size(box)  # 1:1 of a 900 px tall photo: 900x900
            # The subject on the left: the crop starts at the photo's left edge (red).
            assert _is(crop.getpixel((2, box[1] // 2)), RED)
    square = _pixels(crop_name(right.file.name, (384, 384), (100, 50), None, public=False))
    # The subject on the right: the square is the photo's right 900 px, all blue.
    assert _is(square.getpixel((2, 192)), BLUE)


def test_author_page_headshot_is_a_square_srcset_of_public_crops(client):
    author = AuthorFactory(name="Leyla Mammadova", photo=ImageFactory(focal_x=30, focal_y=20))
    ArticleFactory(published=True, authors=[author])
    html = text_of(client.get(author.get_absolute_url()))
    picture = re.search(r"<picture>.*?</picture>", html, re.S).group(0)
    webp = re.search(r'<source type="image/webp" srcset="([^"]+)" sizes="120px">', picture)
    candidates = [c.split() for c in webp.group(1).split(", ")]
    assert [w for _, w in candidates] == ["96w", "192w", "384w"]
    for url, width in candidates:
        assert url.endswith("-30-20.webp")
        side = int(width[:-1])
        assert _pixels(_media_path(url)).size == (side, side)
        assert client.get(url).status_code == 200  # the public copy is served
    img = re.search(r"<img [^>]*>", picture).group(0)
    assert 'width="120" height="120"' in img
    assert 'alt="Leyla Mammadova"' in img
    assert "loading=" not in img  # the first thing on the page is not lazy


def test_author_box_and_opinion_teaser_show_the_headshot_crops(client):
    author = AuthorFactory(name="Kamal Aliyev", photo=ImageFactory())
    story = ArticleFactory(published=True, kind="opinion", authors=[author])
    html = text_of(client.get(story.get_absolute_url()))
    box = re.search(r'<div class="author-box">.*?</picture>', html, re.S).group(0)
    assert 'sizes="96px" width="96" height="96"' in box
    assert 'loading="lazy"' in box
    assert re.search(r'srcset="[^"]+/96x96-50-50\.jpg 96w, ', box)
    assert "/480." not in box  # no longer the 480 px wide rendition
    home = text_of(client.get("/"))
    teaser = re.search(r'<article class="teaser teaser--opinion">.*?</article>', home, re.S)
    assert 'sizes="64px" width="64" height="64"' in teaser.group(0)
    assert re.search(r'srcset="[^"]+/96x96-50-50\.webp 96w, ', teaser.group(0))


def test_small_headshot_is_never_enlarged(client):
    author = AuthorFactory(photo=ImageFactory(file=photo_upload(size=(300, 150))))
    ArticleFactory(published=True, authors=[author])
    html = text_of(client.get(author.get_absolute_url()))
    picture = re.search(r"<picture>.*?</picture>", html, re.S).group(0)
    srcset = re.search(r'<source type="image/webp" srcset="([^"]+)"', picture).group(1)
    assert [c.split()[1] for c in srcset.split(", ")] == ["96w", "150w"]
    assert 'width="120" height="120"' in picture
    biggest = srcset.split(", ")[-1].split()[0]
    assert _pixels(_media_path(biggest)).size == (150, 150)


def test_story_share_image_is_the_1200x630_card_around_the_focal_point(client):
    image = ImageFactory(file=_two_colour_upload(), focal_x=0, focal_y=50)
    story = ArticleFactory(published=True, featured_image=image)
    html = text_of(client.get(story.get_absolute_url()))
    (og,) = meta(html, "og:image")
    assert meta(html, "twitter:image") == [og]
    assert og.startswith("http") and og.endswith("/1200x630-0-50.jpg")
    assert meta(html, "og:image:width") == ["1200"]
    assert meta(html, "og:image:height") == ["630"]
    assert meta(html, "twitter:image:alt") == [image.alt_text]
    assert _pixels(_media_path(og)).size == (1200, 630)
    article = json_ld(html)[0]
    assert [url.rsplit("/", 1)[1] for url in article["image"]] == [
        "1200x630-0-50.jpg",
        "1200x900-0-50.jpg",
        "1200x1200-0-50.jpg",
    ]


def test_small_photo_card_is_not_upscaled(client):
    story = ArticleFactory(
        published=True, featured_image=ImageFactory(file=photo_upload(size=(600, 400)))
    )
    html = text_of(client.get(story.get_absolute_url()))
    assert meta(html, "og:image:width") == ["600"]
    assert meta(html, "og:image:height") == ["315"]
    assert _pixels(_media_path(meta(html, "og:image")[0])).size == (600, 315)


def test_moving_the_focal_point_in_the_admin_makes_new_crops(
    client, editor, django_capture_on_commit_callbacks
):
    image = ImageFactory(file=_two_colour_upload())
    story = ArticleFactory(published=True, featured_image=image)
    client.get(story.get_absolute_url())  # publishes the crops around 50/50
    old = [*crop_names(image.file.name, (50, 50), public=False)]
    old_public = [*crop_names(image.file.name, (50, 50), public=True)]
    assert all(default_storage.exists(n) for n in old + old_public)
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/articles/image/{image.pk}/change/",
            {"alt_text": image.alt_text, "caption": "", "credit": "", "focal_x": 0, "focal_y": 50},
        )
    assert response.status_code == 302
    assert not any(default_storage.exists(n) for n in old + old_public)
    assert all(
        default_storage.exists(n) for n in crop_names(image.file.name, (0, 50), public=False)
    )
    client.logout()
    html = text_of(client.get(story.get_absolute_url()))
    assert meta(html, "og:image")[0].endswith("/1200x630-0-50.jpg")
    assert client.get(meta(html, "og:image")[0]).status_code == 200


def test_photos_from_before_crops_get_them_from_the_command(client):
    image = ImageFactory()
    for name in crop_names(image.file.name, (50, 50), public=False):
        default_storage.delete(name)
    out = io.StringIO()
    call_command("make_crops", stdout=out)
    assert "1 photo" in out.getvalue()
    assert all(
        default_storage.exists(n) for n in crop_names(image.file.name, (50, 50), public=False)
    )
