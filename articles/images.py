"""Checking and cleaning uploaded photos, and the responsive renditions readers get.

Uploads are judged by their content, never by their name: Pillow must recognise the bytes
as JPEG, PNG or WebP, within size and pixel limits (decompression bombs are refused).
Accepted photos are re-encoded without metadata, so GPS positions and camera serials
never reach the public site.
"""

import io
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from imagekit import ImageSpec
from imagekit.processors import ResizeToFit
from PIL import Image as PILImage
from PIL import ImageOps

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
RENDITION_WIDTHS = (480, 800, 1200, 1600)


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
    name = upload.name.rsplit("/", 1)[-1].rsplit(".", 1)[0] + "." + ALLOWED_FORMATS[fmt]
    return ContentFile(buffer.getvalue(), name=name)


class Rendition(ImageSpec):
    """A resized copy, made once by imagekit and stored beside the original."""

    options = {"quality": 80}

    def __init__(self, source, width: int, fmt: str | None):
        self.processors = [ResizeToFit(width=width, upscale=False)]
        self.format = fmt
        super().__init__(source=source)
