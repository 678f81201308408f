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


def validate_photo(upload) -> None:
    """Raise ValidationError unless upload is a real JPEG/PNG/WebP within the limits."""
    if upload.size > settings.IMAGE_MAX_BYTES:
        raise ValidationError(
            "This file is %(size)s MB; photos may be at most %(max)s MB.",
            params={
                "size": round(upload.size / 1e6, 1),
                "max": settings.IMAGE_MAX_BYTES // 1_000_000,
            },
            code="too_large",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            upload.seek(0)
            with PILImage.open(upload) as probe:
                fmt, (width, height) = probe.format, probe.size
                probe.verify()
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
    if fmt not in ALLOWED_FORMATS:
        raise ValidationError(
            "%(fmt)s images are not accepted. Upload a JPEG, PNG or WebP photo.",
            params={"fmt": fmt},
            code="format",
        )
    if width * height > settings.IMAGE_MAX_PIXELS:
        raise ValidationError(
            "This image is %(w)s×%(h)s pixels; the limit is %(max)s megapixels.",
            params={"w": width, "h": height, "max": settings.IMAGE_MAX_PIXELS // 1_000_000},
            code="pixels",
        )


def without_metadata(upload) -> ContentFile:
    """Re-encode the photo upright and without EXIF/GPS/XMP, keeping its format."""
    upload.seek(0)
    with PILImage.open(upload) as original:
        fmt = original.format
        image = ImageOps.exif_transpose(original)
        image.load()
    clean = PILImage.new(image.mode, image.size)
    clean.paste(image)
    if fmt == "JPEG" and clean.mode not in ("RGB", "L"):
        clean = clean.convert("RGB")
    buffer = io.BytesIO()
    options = {"quality": 88, "optimize": True} if fmt in ("JPEG", "WEBP") else {"optimize": True}
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
