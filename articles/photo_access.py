"""Who may see a photo: the public once something public uses it, previews before.

A photo is public from `Image.public_at`: the publish time of the earliest published story
that uses it, as its featured photo, inline in its body or in an approved live-blog entry (a
scheduled story's future minute, so time decides, as for stories), or the moment an author
profile takes it. The receivers below keep that column right whenever a story, an entry or an
author changes; nothing else writes it.

- Public: pages link the files under /media/renditions/, written the first time a page
  shows the photo after public_at (or at once, when a story is published now). The proxy
  serves and caches them like any static file.
- Not public: only previews and the admin show the photo, through /preview/photo/<signed>,
  an address signed with SECRET_KEY that expires after PHOTO_PREVIEW_HOURS and is served
  by Django with `Cache-Control: private`. Nothing under private/ is served by anyone.
- No longer public (its last live story withdrawn, or the photo swapped for another): the
  public copies are removed again after commit.
"""

import mimetypes
import posixpath

from django.conf import settings
from django.core import signing
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Min, Q
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe
from django.views.static import serve

from articles import images
from articles.body import photo_ids

SALT = "articles.photo_access"

# Photos whose public copies this process has made sure of, by (file, public_at): the hot
# path pays one check per photo and process, and a photo made public again (new
# public_at) after a retraction is checked again.
_PUBLISHED: set[tuple[str, object]] = set()
_PUBLISHED_MAX = 50_000


def ensure_public(image) -> None:
    key = (image.file.name, image.public_at, image.focal_x, image.focal_y)
    if key in _PUBLISHED:
        return
    images.publish_renditions(image.file.name)
    images.publish_crops(image.file.name, (image.focal_x, image.focal_y))
    if len(_PUBLISHED) >= _PUBLISHED_MAX:
        _PUBLISHED.clear()
    _PUBLISHED.add(key)


def signed_url(image, width: int, fmt: str | None) -> str:
    """An expiring address of one private rendition, for previews and the admin."""
    return signed_file_url(images.rendition_name(image.file.name, width, fmt, public=False))


def signed_file_url(name: str) -> str:
    """An expiring address of one private file under private/renditions/."""
    return reverse("articles:photo", args=[signing.dumps(name, salt=SALT, compress=True)])


@require_safe
def photo(request: HttpRequest, signed: str) -> FileResponse:
    """A private rendition through its signed address; 404 once expired or tampered with."""
    try:
        name = signing.loads(signed, salt=SALT, max_age=settings.PHOTO_PREVIEW_HOURS * 3600)
    except signing.BadSignature:
        raise Http404("This photo address has expired or is not valid.") from None
    if not (isinstance(name, str) and name.startswith(images.PRIVATE_PREFIX + "renditions/")):
        raise Http404
    try:
        fh = default_storage.open(name)
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(fh, content_type=mimetypes.guess_type(name)[0])
    # The reviewer's browser may keep it while the preview is open; no shared cache may.
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Robots-Tag"] = "noindex"
    return response


def serve_public_media(request: HttpRequest, path: str):
    """MEDIA_ROOT for one-machine setups (SERVE_MEDIA), without its private/ part.

    The same rule as the nginx media service and the VCL: originals and the renditions of
    photos that are not public yet are never served from /media/.
    """
    normalised = posixpath.normpath("/" + path.replace("\\", "/")).lstrip("/")
    if normalised == images.PRIVATE_PREFIX.rstrip("/") or normalised.startswith(
        images.PRIVATE_PREFIX
    ):
        raise Http404
    response = serve(request, normalised, document_root=settings.MEDIA_ROOT)
    parts = normalised.split("/")
    if len(parts) == 3 and parts[0] == "renditions":
        # As the nginx media service does: a retraction purges the edge's copies by it.
        response["Surrogate-Key"] = f"photo-{parts[1]}"
    return response


# --- Keeping public_at right -------------------------------------------------------------


def refresh(image_ids) -> None:
    """Recompute public_at of these photos from the stories and authors using them."""
    from accounts.models import Author
    from articles.models import Article, Image, LiveEntry, Status

    for image in Image.objects.filter(pk__in={pk for pk in image_ids if pk}):
        # Inline photos are found by their reference in the body (articles.body stores
        # exactly this form): a scan, but only when a story's photos or status change.
        uses = Q(featured_image=image) | Q(body__contains=f'<figure data-photo="{image.pk}">')
        first_story = Article.objects.filter(uses, status=Status.PUBLISHED).aggregate(
            at=Min("publish_at")
        )["at"]
        # A live blog's approved entry shows its photo from the story's publication.
        first_entry = LiveEntry.objects.filter(
            photo=image, status=LiveEntry.Status.PUBLISHED, article__status=Status.PUBLISHED
        ).aggregate(at=Min("article__publish_at"))["at"]
        public_at = min(filter(None, (first_story, first_entry)), default=None)
        if Author.objects.filter(photo=image).exists():
            # A profile is public: the photo is, from now on (or since it already was).
            since = image.public_at if image.is_public() else timezone.now()
            public_at = min(public_at, since) if public_at else since
        if public_at == image.public_at:
            continue
        # update(): the stories' own invalidation purges the pages that show the photo.
        Image.objects.filter(pk=image.pk).update(public_at=public_at)
        name = image.file.name
        if public_at is not None and public_at <= timezone.now():
            transaction.on_commit(lambda name=name: images.publish_renditions(name))
        elif image.is_public():
            # Only drafts or scheduled stories use it now: readers may not fetch it any more
            # (files removed, and purged from the edge by their key).
            transaction.on_commit(lambda name=name: images.retract_renditions(name))


# Saves that touch none of these cannot change whether a photo is public.
ARTICLE_FIELDS = frozenset({"featured_image", "status", "publish_at", "body"})


def _remember_old_photo(sender, instance, field: str, update_fields=None, **kwargs) -> None:
    old = getattr(instance, f"{field}_id")
    if instance.pk and (update_fields is None or field in update_fields):
        stored = sender._default_manager.filter(pk=instance.pk).values_list(f"{field}_id")
        old = (stored.first() or (None,))[0]
    instance._photo_before = old


def _article_pre_save(sender, instance, update_fields=None, **kwargs) -> None:
    _remember_old_photo(sender, instance, "featured_image", update_fields=update_fields, **kwargs)
    instance._body_photos_before = set()
    if instance.pk and (update_fields is None or "body" in update_fields):
        stored = sender._default_manager.filter(pk=instance.pk).values_list("body", flat=True)
        instance._body_photos_before = set(photo_ids(stored.first() or ""))


def _article_pre_delete(sender, instance, **kwargs) -> None:
    stored = sender._default_manager.filter(pk=instance.pk).values_list("body", flat=True)
    instance._body_photos_before = set(photo_ids(stored.first() or ""))


def _author_pre_save(sender, instance, **kwargs) -> None:
    _remember_old_photo(sender, instance, "photo", **kwargs)


def _article_changed(sender, instance, update_fields=None, **kwargs) -> None:
    if update_fields is not None and not ARTICLE_FIELDS.intersection(update_fields):
        return
    photos = {
        instance.featured_image_id,
        getattr(instance, "_photo_before", None),
        # The body only if loaded: a deleted row with it deferred cannot load it now
        # (its stored photos were read at pre_delete).
        *photo_ids(instance.__dict__.get("body") or ""),
        *getattr(instance, "_body_photos_before", ()),
    }
    if instance.kind == "live" and instance.pk:  # its entries' photos follow the story
        photos |= set(instance.live_entries.values_list("photo_id", flat=True))
    refresh(photos)


def _entry_pre_save(sender, instance, **kwargs) -> None:
    _remember_old_photo(sender, instance, "photo", **kwargs)


def _entry_changed(sender, instance, **kwargs) -> None:
    refresh({instance.photo_id, getattr(instance, "_photo_before", None)})


def _author_changed(sender, instance, **kwargs) -> None:
    refresh({instance.photo_id, getattr(instance, "_photo_before", None)})


def _image_deleted(sender, instance, **kwargs) -> None:
    """A deleted photo takes its original and every rendition with it, after commit."""
    name = instance.file.name
    if not name:
        return
    names = [
        name,
        *images.rendition_names(name, public=False),
        *images.rendition_names(name, public=True),
        *images.all_rendition_files(name, public=False),
        *images.all_rendition_files(name, public=True),
    ]
    transaction.on_commit(lambda: images.delete_files(names))


def connect() -> None:
    from accounts.models import Author
    from articles.models import Article, Image, LiveEntry

    pre_save.connect(_entry_pre_save, sender=LiveEntry, dispatch_uid="photo-entry-pre")
    post_save.connect(_entry_changed, sender=LiveEntry, dispatch_uid="photo-entry")
    post_delete.connect(_entry_changed, sender=LiveEntry, dispatch_uid="photo-entry-del")
    pre_save.connect(_article_pre_save, sender=Article, dispatch_uid="photo-article-pre")
    post_save.connect(_article_changed, sender=Article, dispatch_uid="photo-article")
    pre_delete.connect(_article_pre_delete, sender=Article, dispatch_uid="photo-article-pre-del")
    post_delete.connect(_article_changed, sender=Article, dispatch_uid="photo-article-del")
    pre_save.connect(_author_pre_save, sender=Author, dispatch_uid="photo-author-pre")
    post_save.connect(_author_changed, sender=Author, dispatch_uid="photo-author")
    post_delete.connect(_author_changed, sender=Author, dispatch_uid="photo-author-del")
    post_delete.connect(_image_deleted, sender=Image, dispatch_uid="photo-image-del")
