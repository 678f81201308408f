"""Checking and cleaning uploaded photos, and the responsive renditions readers get.

Uploads are judged by their content, never by their name: Pillow must recognise the bytes
as JPEG, PNG or WebP, within size and pixel limits (decompression bombs are refused).
Accepted photos are re-encoded without metadata, so GPS positions and camera serials
never reach the public site.

Where the files live (MEDIA_ROOT, one storage):
  private/originals/<token>.<ext>       the cleaned original, under a random name
  private/renditions/<token>/<w>.<ext>  every rendition, made before the original is kept
  renditions/<token>/<w>.<ext>          public copies, written only once the photo is public
  (private/)renditions/<token>/<w>x<h>-<fx>-<fy>.<ext>
                                        crops around the focal point (fx, fy in %): square
                                        headshots and social cards; the focal point is in the
                                        name, so moving it gives new addresses, never a stale
                                        crop from a browser's or the edge's cache
Nothing under private/ is ever served: Django's media view and the nginx media service
refuse the prefix, and Varnish answers 404 for it. A photo becomes public when a live story
or an author profile uses it (Image.public_at); until then pages show it through signed,
expiring addresses (articles.photo_access), which only previews and the admin produce.
"""

import io
import logging
import secrets
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from imagekit import ImageSpec
from imagekit.processors import ResizeToFit
from PIL import Image as PILImage
from PIL import ImageOps

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
RENDITION_WIDTHS = (480, 800, 1200, 1600)
RENDITION_FORMATS = ("WEBP", None)  # None: the original's own format
# Crops around the focal point, made for every photo (any photo can become a headshot or a
# story's share image): square headshots at 1x/2x/4x of the 96 px author box, and the
# social card (1200x630, what Facebook, X and LinkedIn show) with the 4:3 and 1:1 crops
# Google asks for in a story's structured data.
HEADSHOT_SIDES = (96, 192, 384)
CARD_SIZE = (1200, 630)
CARD_SIZES = (CARD_SIZE, (1200, 900), (1200, 1200))
CROP_SIZES = (*((side, side) for side in HEADSHOT_SIDES), *CARD_SIZES)
PRIVATE_PREFIX = "private/"
ORIGINALS_DIR = PRIVATE_PREFIX + "originals/"
# WebP, the format every rendition is also made in, cannot encode a side longer than this.
MAX_SIDE = 16383
# A photo at most this many times wider than tall (or taller than wide): beyond it the
# narrowest rendition (480 px wide) of a wide strip would be less than a pixel high.
MAX_ASPECT = 20

log = logging.getLogger(__name__)


def stored_width(width: int) -> int:
    """The listed rendition width that gives a copy `width` pixels wide (or the widest).

    Only the listed widths are made on upload. Renditions never enlarge, so a photo
    narrower than a listed width gets a copy of its own width from that spec.
    """
    return next((w for w in RENDITION_WIDTHS if w >= width), RENDITION_WIDTHS[-1])


def validate_photo(upload) -> None:
    """Raise ValidationError unless upload is a real JPEG/PNG/WebP within the limits.

    The header is read first, so a decompression bomb is refused by its declared size
    before a single pixel is decoded; only then is the whole image decoded once, so a
    truncated or corrupt file fails here, as a form error, not later while saving.
    """
    if getattr(upload, "_committed", False):
        return  # already stored, so it was checked when it was uploaded
    if upload.size > settings.IMAGE_MAX_BYTES:
        raise ValidationError(
            "This file is %(size)s MB; photos may be at most %(max)s MB.",
            params={
                "size": round(upload.size / 1e6, 1),
                "max": round(settings.IMAGE_MAX_BYTES / 1e6, 1),
            },
            code="too_large",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            upload.seek(0)
            with PILImage.open(upload) as probe:
                fmt, (width, height) = probe.format, probe.size
                _check_format_and_pixels(fmt, width, height)
                probe.verify()
            upload.seek(0)
            with PILImage.open(upload) as decoded:
                decoded.load()
    except ValidationError:
        raise
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning):
        raise ValidationError(
            "This image has too many pixels to be processed safely.", code="bomb"
        ) from None
    except Exception:
        raise ValidationError(
            "This file is not a valid image. Upload a JPEG, PNG or WebP photo.", code="invalid"
        ) from None
    finally:
        upload.seek(0)


def _check_format_and_pixels(fmt: str | None, width: int, height: int) -> None:
    if fmt not in ALLOWED_FORMATS:
        raise ValidationError(
            "%(fmt)s images are not accepted. Upload a JPEG, PNG or WebP photo.",
            params={"fmt": fmt or "These"},
            code="format",
        )
    if width * height > settings.IMAGE_MAX_PIXELS:
        raise ValidationError(
            "This image is %(w)s×%(h)s pixels; the limit is %(max)s megapixels.",
            params={"w": width, "h": height, "max": round(settings.IMAGE_MAX_PIXELS / 1e6, 1)},
            code="pixels",
        )
    if width > MAX_SIDE or height > MAX_SIDE:
        raise ValidationError(
            "This image is %(w)s×%(h)s pixels; a side may be at most %(max)s pixels.",
            params={"w": width, "h": height, "max": MAX_SIDE},
            code="side",
        )
    if max(width, height) > MAX_ASPECT * max(min(width, height), 1):
        raise ValidationError(
            "This image is %(w)s×%(h)s pixels; a photo may be at most %(ratio)s times "
            "as wide as it is tall (or as tall as it is wide). Crop it first.",
            params={"w": width, "h": height, "ratio": MAX_ASPECT},
            code="aspect",
        )


def without_metadata(upload) -> ContentFile:
    """Re-encode the photo upright and without EXIF/GPS/XMP, keeping its format.

    Pixels are copied into a fresh image, so no metadata block of the original can ride
    along; only the colour profile is kept, because dropping it shifts the colours.
    """
    upload.seek(0)
    with PILImage.open(upload) as original:
        fmt = original.format
        icc_profile = original.info.get("icc_profile")
        image = ImageOps.exif_transpose(original)
        image.load()
    if image.mode == "P":
        # A palette image would lose its palette in the copy below; RGBA keeps transparency.
        image = image.convert("RGBA")
    clean = PILImage.new(image.mode, image.size)
    clean.paste(image)
    if fmt == "JPEG" and clean.mode not in ("RGB", "L"):
        clean = clean.convert("RGB")
    buffer = io.BytesIO()
    options = {"quality": 88, "optimize": True} if fmt in ("JPEG", "WEBP") else {"optimize": True}
    if icc_profile:
        options["icc_profile"] = icc_profile
    clean.save(buffer, format=fmt, **options)
    # A random name: the uploader's file name says nothing to readers and must not let
    # anyone guess the address of a photo before its story is out.
    name = f"{secrets.token_urlsafe(18)}.{ALLOWED_FORMATS[fmt]}"
    return ContentFile(buffer.getvalue(), name=name)


def rendition_name(original: str, width: int | str, fmt: str | None, *, public: bool) -> str:
    """Where the rendition of `original` (a stored name) at `width` in `fmt` is kept."""
    token, ext = original.rsplit("/", 1)[-1].rsplit(".", 1)
    ext = ALLOWED_FORMATS[fmt] if fmt else ext
    return f"{'' if public else PRIVATE_PREFIX}renditions/{token}/{width}.{ext}"


def rendition_names(original: str, *, public: bool) -> list[str]:
    return [
        rendition_name(original, width, fmt, public=public)
        for width in RENDITION_WIDTHS
        for fmt in RENDITION_FORMATS
    ]


def crop_box(width: int, height: int, box: tuple[int, int], focal: tuple[int, int]):
    """The largest (left, top, right, bottom) of the box's shape inside a width x height
    photo, centred on the focal point (in %) as far as the edges allow."""
    box_w, box_h = box
    if width * box_h > height * box_w:  # wider than the box: full height
        crop_w, crop_h = round(height * box_w / box_h), height
    else:
        crop_w, crop_h = width, round(width * box_h / box_w)
    crop_w, crop_h = max(crop_w, 1), max(crop_h, 1)
    left = min(max(round(width * focal[0] / 100 - crop_w / 2), 0), width - crop_w)
    top = min(max(round(height * focal[1] / 100 - crop_h / 2), 0), height - crop_h)
    return left, top, left + crop_w, top + crop_h


def crop_size(width: int, height: int, box: tuple[int, int]) -> tuple[int, int]:
    """The pixel size of the crop for `box`: the box itself, or smaller (same shape) when the
    photo has fewer pixels. Crops never enlarge."""
    left, top, right, bottom = crop_box(width, height, box, (50, 50))
    if right - left <= box[0]:
        return right - left, bottom - top
    return box


def crop_name(original: str, box: tuple[int, int], focal, fmt: str | None, *, public: bool) -> str:
    key = f"{box[0]}x{box[1]}-{focal[0]}-{focal[1]}"
    return rendition_name(original, key, fmt, public=public)


def crop_names(original: str, focal, *, public: bool) -> list[str]:
    return [
        crop_name(original, box, focal, fmt, public=public)
        for box in CROP_SIZES
        for fmt in RENDITION_FORMATS
    ]


def make_crops(source, original: str, focal) -> list[str]:
    """Write every private crop of `source` around `focal`; all or nothing, as below."""
    written: list[str] = []
    try:
        for box in CROP_SIZES:
            for fmt in RENDITION_FORMATS:
                source.seek(0)
                content = Crop(source, box, focal, fmt).generate()
                name = crop_name(original, box, focal, fmt, public=False)
                default_storage.delete(name)
                written.append(default_storage.save(name, content))
    except BaseException:
        delete_files(written)
        raise
    return written


def publish_crops(original: str, focal) -> None:
    """Copy the private crops to their public names; make them first if they are missing
    (photos uploaded before crops existed get theirs the first time a page shows them)."""
    for private, public in zip(
        crop_names(original, focal, public=False),
        crop_names(original, focal, public=True),
        strict=True,
    ):
        if default_storage.exists(public):
            continue
        if not default_storage.exists(private):
            with default_storage.open(original) as source:
                make_crops(source, original, focal)
        with default_storage.open(private) as fh:
            default_storage.save(public, ContentFile(fh.read()))


def all_rendition_files(original: str, *, public: bool) -> list[str]:
    """Every file in the photo's rendition folder: widths and crops for any focal point."""
    token = original.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    folder = f"{'' if public else PRIVATE_PREFIX}renditions/{token}"
    try:
        _, files = default_storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return []
    return [f"{folder}/{name}" for name in files]


def make_renditions(source, original: str) -> list[str]:
    """Write every private rendition of `source` (stored, or about to be, as `original`).

    All or nothing: if one fails, the ones already written are removed and the error
    is raised, so a failed upload leaves no file behind.
    """
    written: list[str] = []
    try:
        for width in RENDITION_WIDTHS:
            for fmt in RENDITION_FORMATS:
                source.seek(0)
                content = Rendition(source, width, fmt).generate()
                name = rendition_name(original, width, fmt, public=False)
                default_storage.delete(name)  # regenerating replaces, never adds a suffix
                written.append(default_storage.save(name, content))
    except BaseException:
        delete_files(written)
        raise
    return written


def publish_renditions(original: str) -> None:
    """Copy the private renditions to their public names (those not there already)."""
    for private, public in zip(
        rendition_names(original, public=False), rendition_names(original, public=True), strict=True
    ):
        if default_storage.exists(public):
            continue
        if not default_storage.exists(private):
            with default_storage.open(original) as source:
                make_renditions(source, original)
        with default_storage.open(private) as fh:
            default_storage.save(public, ContentFile(fh.read()))


def edge_key(original: str) -> str:
    """The surrogate key the media service sends with a photo's public renditions."""
    return "photo-" + original.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def retract_renditions(original: str) -> None:
    """Remove the public copies, and the edge's copies of them: the photo is no longer shown
    by anything public (its pages were purged by the stories' own invalidation)."""
    from newsroom import edge

    public = {*rendition_names(original, public=True), *all_rendition_files(original, public=True)}
    delete_files(public)
    edge.purge([edge_key(original)])


def delete_files(names) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            # A file that cannot be removed now is logged, not allowed to fail the request.
            log.warning("Could not delete media file %s", name, exc_info=True)


class Rendition(ImageSpec):
    """A resized copy, made once by imagekit and stored beside the original."""

    options = {"quality": 80}

    def __init__(self, source, width: int, fmt: str | None):
        self.processors = [ResizeToFit(width=width, upscale=False)]
        self.format = fmt
        super().__init__(source=source)


class FocalCrop:
    """An imagekit processor: the box's shape cut around the focal point, then scaled down
    to the box (never up)."""

    def __init__(self, box: tuple[int, int], focal):
        self.box, self.focal = box, focal

    def process(self, img):
        img = img.crop(crop_box(img.width, img.height, self.box, self.focal))
        if img.width > self.box[0]:
            img = img.resize(self.box, PILImage.Resampling.LANCZOS)
        return img


class Crop(ImageSpec):
    options = {"quality": 80}

    def __init__(self, source, box: tuple[int, int], focal, fmt: str | None):
        self.processors = [FocalCrop(box, tuple(focal))]
        self.format = fmt
        super().__init__(source=source)
