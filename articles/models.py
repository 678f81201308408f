import dataclasses
import datetime as dt
import html
import secrets
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.flatpages.models import FlatPage
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.validators import MaxValueValidator
from django.db import connection, connections, models, router, transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import Signal, receiver
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.functional import cached_property
from taggit.managers import TaggableManager
from taggit.models import Tag, TaggedItemBase

import webhooks
from articles.body import body_field
from articles.images import (
    HEADSHOT_SIDES,
    ORIGINALS_DIR,
    RENDITION_WIDTHS,
    crop_name,
    crop_names,
    crop_size,
    delete_files,
    make_crops,
    make_renditions,
    rendition_name,
    stored_width,
    validate_photo,
    without_metadata,
)
from articles.text import is_url_slug, plain_text, reading_minutes, unique_slug, word_count
from newsroom.addresses import slug_path, url_pattern

PUBLISH_PERMISSION = "articles.publish_article"

# Top-level paths the site uses itself; a section may not take one of them as its slug.
RESERVED_SLUGS = frozenset(
    "admin search feeds feed rss atom tags tag authors author static media sitemap sitemaps "
    "sitemap.xml robots.txt healthz preview share corrections pages about contact api "
    "accounts login logout news archive".split()
)


def validate_section_slug(value: str) -> None:
    if value.lower() in RESERVED_SLUGS:
        raise ValidationError(
            "“%(slug)s” is used by the site itself; choose another slug.",
            params={"slug": value},
            code="reserved",
        )


class Section(models.Model):
    name = models.CharField(max_length=80)
    slug = models.SlugField(
        max_length=80,
        unique=True,
        validators=[validate_section_slug],
        help_text="The section's address: /slug/. Names the site uses itself are refused.",
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Lower numbers come first in the navigation."
    )
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return f"{self.parent.name} › {self.name}" if self.parent_id else self.name

    def save(self, *args, **kwargs):
        if not is_url_slug(self.slug):  # the admin requires one; rows made in code may not
            self.slug = unique_slug(
                Section, self.name, self, max_length=80, fallback="section", reserved=RESERVED_SLUGS
            )
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        """The section's page, or "" for a row without a usable slug (never a 500)."""
        return slug_path("articles:section", self.slug)


class Image(models.Model):
    """A photo in the shared library, reusable across stories and author profiles.

    Private until something public uses it: see articles.images (where files live) and
    articles.photo_access (who may see a photo that is not public yet).
    """

    file = models.ImageField(
        upload_to=ORIGINALS_DIR,
        width_field="width",
        height_field="height",
        validators=[validate_photo],
        help_text="JPEG, PNG or WebP. Location and camera data are removed on upload.",
    )
    alt_text = models.CharField(
        max_length=250, help_text="What the photo shows, for readers who cannot see it."
    )
    caption = models.CharField(max_length=300, blank=True)
    credit = models.CharField(max_length=120, blank=True, help_text="e.g. “Photo: Reuters”.")
    # Where the subject is, so crops for teasers and cards keep it in view.
    focal_x = models.PositiveSmallIntegerField(
        "focal point across",
        default=50,
        db_default=50,
        validators=[MaxValueValidator(100)],
        help_text="Where the subject is, in % from the left edge (50: the middle).",
    )
    focal_y = models.PositiveSmallIntegerField(
        "focal point down",
        default=50,
        db_default=50,
        validators=[MaxValueValidator(100)],
        help_text="… and in % from the top edge. Teaser crops keep this point in view.",
    )
    width = models.PositiveIntegerField(editable=False, default=0)
    height = models.PositiveIntegerField(editable=False, default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # When the first story using the photo goes (or went) live, or when an author profile
    # took it; empty while only drafts and scheduled stories use it. Kept by photo_access.
    public_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        # The photo library, newest first (the admin adds -id), and its date drill-down.
        indexes = [models.Index(fields=["-created_at", "-id"], name="image_recent_idx")]

    def __str__(self) -> str:
        return self.alt_text[:60] or self.file.name

    def save(self, *args, **kwargs):
        """A new upload is cleaned and its renditions made before the original is kept;
        if anything fails, every file written for it is removed again."""
        if not (self.file and not self.file._committed):
            return self._save_moving_focal_point(*args, **kwargs)
        self.file = without_metadata(self.file)
        original = ORIGINALS_DIR + self.file.name
        written = make_renditions(self.file, original)
        written += make_crops(self.file, original, self.focal)
        try:
            super().save(*args, **kwargs)
        except BaseException:
            delete_files([*written, original])
            raise
        if self.file.name != original:  # the storage picked another name: follow it
            delete_files(written)
            self.make_renditions()

    def _save_moving_focal_point(self, *args, **kwargs):
        """A saved photo whose focal point moved gets crops around the new point; the old
        crops go once the change is committed (their names carry the old point)."""
        before = None
        if self.pk and self.file:
            before = Image.objects.filter(pk=self.pk).values_list("focal_x", "focal_y").first()
        super().save(*args, **kwargs)
        if before is None or tuple(before) == self.focal:
            return
        with self.file.open("rb") as source:
            make_crops(source, self.file.name, self.focal)
        old = [
            *crop_names(self.file.name, before, public=False),
            *crop_names(self.file.name, before, public=True),
        ]
        transaction.on_commit(lambda: delete_files(old))

    def make_renditions(self) -> None:
        """(Re)write the private renditions and crops from the stored original."""
        with self.file.open("rb") as source:
            make_renditions(source, self.file.name)
            make_crops(source, self.file.name, self.focal)

    @property
    def focal(self) -> tuple[int, int]:
        return (self.focal_x, self.focal_y)

    def crop_size(self, box: tuple[int, int]) -> tuple[int, int]:
        """The pixel size of the crop for box (smaller than box for a small photo)."""
        return crop_size(self.width, self.height, box) if self.width else box

    def crop_url(self, box: tuple[int, int], fmt: str | None = None) -> str:
        """The address of the crop for `box` (one of images.CROP_SIZES) around the focal
        point: public once the photo is, signed and expiring before."""
        from articles import photo_access

        if self.is_public():
            photo_access.ensure_public(self)
            return default_storage.url(crop_name(self.file.name, box, self.focal, fmt, public=True))
        return photo_access.signed_file_url(
            crop_name(self.file.name, box, self.focal, fmt, public=False)
        )

    def headshot_srcset(self, fmt: str | None = None) -> str:
        """“url 96w, url 192w, …”: the square crops, one per distinct pixel size."""
        seen: dict[int, str] = {}
        for side in HEADSHOT_SIDES:
            width = self.crop_size((side, side))[0]
            seen.setdefault(width, self.crop_url((side, side), fmt))
        return ", ".join(f"{url} {width}w" for width, url in seen.items())

    @property
    def focal_position(self) -> str:
        """The focal point as CSS object-position, for crops of the photo."""
        return f"{self.focal_x}% {self.focal_y}%"

    def is_public(self, at: dt.datetime | None = None) -> bool:
        return self.public_at is not None and self.public_at <= (at or timezone.now())

    def srcset(self, fmt: str | None = None) -> str:
        """“url 480w, url 800w, …”: a stored rendition per listed width, capped at the photo’s."""
        widths = sorted({min(width, self.width) for width in RENDITION_WIDTHS})
        return ", ".join(f"{self.rendition_url(width, fmt)} {width}w" for width in widths)

    def rendition_url(self, width: int = 1200, fmt: str | None = None) -> str:
        """The address of a rendition at least `width` wide (or the photo's own width):
        the public file once the photo is public, a signed expiring address before."""
        from articles import photo_access

        name = rendition_name(self.file.name, stored_width(width), fmt, public=True)
        if self.is_public():
            photo_access.ensure_public(self)
            return default_storage.url(name)
        return photo_access.signed_url(self, stored_width(width), fmt)


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "review", "In review"
    RETURNED = "returned", "Returned to authors"
    PUBLISHED = "published", "Published"
    WITHDRAWN = "withdrawn", "Withdrawn"
    # Deleted from the admin after it was published: kept whole (events, revisions, bylines,
    # redirects), off every public surface, its addresses 410; editors can restore it.
    SPIKED = "spiked", "Spiked"


class Kind(models.TextChoices):
    NEWS = "news", "News"
    ANALYSIS = "analysis", "Analysis"
    OPINION = "opinion", "Opinion"
    INTERVIEW = "interview", "Interview"
    SPONSORED = "sponsored", "Sponsored"
    # A live blog: the story is a summary on top of timestamped entries (LiveEntry).
    LIVE = "live", "Live"


EDITABLE_BY_AUTHORS = (Status.DRAFT, Status.RETURNED)
# Stories taken down after publication: their addresses answer 410 Gone.
GONE = (Status.WITHDRAWN, Status.SPIKED)
# Where a story is placed on the site is the desk's decision: only users who may publish set
# these; for anyone else they are read-only, whatever a form posts (ArticleAdmin).
EDITOR_ONLY_FIELDS = ("is_lead", "is_breaking")
# Saving any of these changes what search finds, so the search document is rebuilt.
SEARCHED_FIELDS = frozenset({"headline", "standfirst", "body"})


def live_condition(at: dt.datetime | None = None, via: str = "") -> Q:
    """Published and due (now, or at the given moment): the visibility rule as a condition,
    for live() and form choices; `via` names the relation to the story from another model
    (“article” from a byline)."""
    prefix = f"{via}__" if via else ""
    return Q(
        **{f"{prefix}status": Status.PUBLISHED, f"{prefix}publish_at__lte": at or timezone.now()}
    )


def carried_by_live_story(kind: str, at: dt.datetime | None = None) -> Exists:
    """Whether a live story carries the tag or author (kind "tag" or "author") of the outer
    query's row: the one rule for which tags and authors have a public page, feeds and a
    sitemap entry (the sitemaps' summary counts the same stories, articles.sitemap_summary).
    Until then a guessed address must not confirm an embargoed topic or a new hire.

    An EXISTS on the (tag, story) or (author, story) index joined to the story: it stops at
    the first live story and counts nothing, however many stories the tag has."""
    if kind == "tag":
        links = TaggedArticle.objects.filter(live_condition(at, via="content_object"))
    elif kind == "author":
        links = Byline.objects.filter(live_condition(at, via="article"))
    else:
        raise ValueError(f"Only tags and authors have pages of their own, not {kind!r}.")
    return Exists(links.filter(**{kind: OuterRef("pk")}))


def public_tags(at: dt.datetime | None = None) -> models.QuerySet:
    """Tags with a live story: the ones whose page and feeds answer."""
    return Tag.objects.filter(carried_by_live_story("tag", at))


def tags_visible_to(user) -> models.QuerySet:
    """The tags user may see in the admin's list and autocomplete: editors all of them,
    anyone else those on live stories or on stories of their own (a colleague's draft-only
    tag names a story that is not out yet)."""
    if user.has_perm(PUBLISH_PERMISSION):
        return Tag.objects.all()
    own = TaggedArticle.objects.filter(
        tag=OuterRef("pk"), content_object__in=Article.objects.owned_by(user)
    )
    return Tag.objects.filter(carried_by_live_story("tag") | Exists(own))


def live_sql(alias: str, at: dt.datetime) -> tuple[str, list]:
    """live_condition(at) in SQL, for the raw queries of the hottest pages (_story_page):
    a condition on the article table under `alias`, and its parameters. The same rule as
    live_condition(); tests/test_story_page.py fails if they ever select different stories."""
    publish_at = Article._meta.get_field("publish_at").get_db_prep_value(at, connection)
    condition = f"({alias}.status = %s AND {alias}.publish_at <= %s)"
    return condition, [Status.PUBLISHED.value, publish_at]


def story_path(section_slug: str, published: dt.datetime | None, slug: str) -> str:
    """A story's address: /<section>/<yyyy>/<mm>/<dd>/<slug>/, dated in the outlet's zone;
    "" when a slug cannot be addressed (an old row with none), so no page linking it fails."""
    if not (is_url_slug(section_slug) and is_url_slug(slug)):
        return ""
    day = timezone.localtime(published or timezone.now())
    return url_pattern(*STORY_SENTINELS).format(
        section_slug, day.year, f"{day.month:02d}", f"{day.day:02d}", slug
    )


# The story page's URL name and a value for each of its converters (see url_pattern()).
STORY_SENTINELS = ("articles:detail", "zzsectionzz", 1111, 22, 33, "zzslugzz")


def story_path_format() -> str:
    """story_path() as a format string of three positional fields: {0} the section's slug,
    {1} the date as yyyy/mm/dd, {2} the story's slug. For a 50,000-URL sitemap, whose query
    gives the date as one string."""
    return url_pattern(*STORY_SENTINELS).replace("{1}/{2}/{3}", "{1}").replace("{4}", "{2}")


RELATED_STORIES = 4
# Related stories by tag come from the newest this many stories of each of the story's tags:
# a popular tag has tens of thousands, and collecting them all to show four made the story
# page's cost grow with the archive.
RELATED_CANDIDATES_PER_TAG = 12
# "More from the section" and "More from the author" at the end of a story page.
MORE_STORIES = 4
# The author's are chosen among their newest this many bylines (by story id, from the
# (author, story) index), for the same reason: a staff writer has thousands of stories.
MORE_CANDIDATES_PER_AUTHOR = 12


@dataclasses.dataclass(frozen=True)
class StoryRow:
    """A live story as a plain database row: enough to link to it and to head its page.

    A story page whose parts are cached needs no more; a model instance is loaded only to
    render a part that is not (see articles.fragments).
    """

    FIELDS: ClassVar = (
        "pk", "modified_at", "headline", "slug", "publish_at", "first_published_at",
        "section_id", "section__slug", "section__name",
        "standfirst", "meta_title", "meta_description",
    )  # fmt: skip

    pk: int
    modified_at: dt.datetime
    headline: str
    slug: str
    publish_at: dt.datetime
    first_published_at: dt.datetime | None
    section_id: int
    section_slug: str
    section_name: str
    standfirst: str
    meta_title: str
    meta_description: str

    def get_absolute_url(self) -> str:
        return self._path

    @cached_property
    def _path(self) -> str:  # a page asks twice: to check the address, and for its canonical
        return story_path(self.section_slug, self.first_published_at or self.publish_at, self.slug)


class ArticleQuerySet(models.QuerySet):
    def live(self, at: dt.datetime | None = None):
        """The one visibility rule: published and due. Every public surface goes through it."""
        return self.filter(live_condition(at))

    def scheduled(self):
        return self.filter(status=Status.PUBLISHED, publish_at__gt=timezone.now())

    def awaiting_review(self):
        return self.filter(status=Status.IN_REVIEW)

    def owned_by(self, user):
        """Stories the user started or has a byline on (a subquery, not a join: no DISTINCT
        over every story of the list)."""
        bylined = Byline.objects.filter(author__user=user).values("article_id")
        return self.filter(Q(created_by=user) | Q(pk__in=bylined))

    def visible_to(self, user):
        """What user may open in the admin (and preview): editors everything, others their own."""
        if user.has_perm(PUBLISH_PERMISSION):
            return self
        return self.owned_by(user)

    def in_section(self, section):
        """Stories in the section or any of its subsections."""
        return self.filter(Q(section=section) | Q(section__parent=section))

    def tagged(self, tag):
        return self.filter(tags=tag)

    def by(self, author):
        """Stories with a byline of author: a semi-join, so there is nothing to de-duplicate
        and PostgreSQL can walk the newest stories and stop at a page."""
        return self.filter(pk__in=Byline.objects.filter(author=author).values("article_id"))

    def newest_first(self):
        return self.order_by("-publish_at", "-pk")

    def for_listing(self):
        """What a teaser needs, in a fixed number of queries however many stories."""
        return self.select_related("section", "featured_image").prefetch_related(
            models.Prefetch("bylines", queryset=Byline.objects.select_related("author__photo"))
        )

    def for_detail(self):
        """What the story page needs (bylines with author photos, tags, corrections) at once."""
        return self.select_related("section__parent", "featured_image").prefetch_related(
            models.Prefetch("bylines", queryset=Byline.objects.select_related("author__photo")),
            "tags",
            "corrections",
        )

    def withdrawn(self):
        """Stories the desk withdrew (and may say why on the corrections page)."""
        return self.filter(status=Status.WITHDRAWN)

    def editorial(self):
        """The newsroom's own journalism: everything but paid content, which only goes where
        an editor places it (never into an automatic slot or the news sitemap)."""
        return self.exclude(kind=Kind.SPONSORED)

    def gone(self):
        """Stories taken down after publication, withdrawn or spiked: their addresses
        answer 410 Gone."""
        return self.filter(status__in=GONE)

    # --- The desk home's queues (articles.desk) ------------------------------------------

    def drafts(self):
        return self.filter(status=Status.DRAFT)

    def returned(self):
        return self.filter(status=Status.RETURNED)

    def published_since(self, start: dt.datetime):
        """Live stories that went live at or after start (the newsroom's day: desk home)."""
        return self.live().filter(publish_at__gte=start)

    def with_moved_at(self, to_status: str, name: str):
        """Annotate `name` with when the story last moved to to_status (a state label as
        ArticleEvent records it, e.g. "In review"), and `name`_note with that step's note."""
        last = ArticleEvent.objects.filter(article=OuterRef("pk"), to_status=to_status)
        last = last.order_by("-created_at", "-pk")
        return self.annotate(
            **{
                # A story moved without an event (made so in code) is dated by its last save.
                name: Coalesce(Subquery(last.values("created_at")[:1]), F("modified_at")),
                f"{name}_note": Subquery(last.values("note")[:1]),
            }
        )

    def waiting_longest_first(self):
        """Stories in review, the one submitted longest ago first (`submitted_at`)."""
        return (
            self.awaiting_review()
            .with_moved_at(Status.IN_REVIEW.label, "submitted_at")
            .order_by("submitted_at", "pk")
        )


@dataclasses.dataclass(frozen=True)
class StoryPage:
    """What a story page lists besides the story: related stories (the side column), then
    more from its section and from its first byline's author (the end of the story)."""

    story: StoryRow | None
    related: list[StoryRow]
    more_in_section: list[StoryRow]
    more_by_author: list[StoryRow]
    # The first byline's author (an unsaved Author: name and slug, for the heading's link),
    # None when the story has no byline or its author no other story to list.
    author: Any = None

    @property
    def section(self) -> "Section | None":
        """The story's section (unsaved: name and slug, for the heading's link)."""
        if self.story is None:
            return None
        row = self.story
        return Section(pk=row.section_id, name=row.section_name, slug=row.section_slug)


class ArticleManager(models.Manager.from_queryset(ArticleQuerySet)):
    def live_story_with_related(self, slug: str) -> StoryPage:
        """The live story at slug (story None if there is none) and the stories its page
        lists: related ones, the newest live stories sharing a tag with it, topped up from
        its section; then, for the end of the story, the newest others in its section and by
        its first byline's author (journalism only, never sponsored content, and none shown
        twice on the page).

        One query, the story page's only one when its parts are cached: the story's row and
        the newest few of each kind of related story, rather than ranking every candidate by
        the number of shared tags (which means grouping thousands of rows on a big archive).
        """
        story, related, in_section, by_author, author = None, {}, [], [], None
        for *columns, kind, author_name, author_slug, rank in _story_page(slug, timezone.now()):
            row = StoryRow(*columns)
            if rank == 0:
                story = row
            elif rank == 3:
                by_author.append(row)
                if author is None:
                    author = Byline.author.field.related_model(name=author_name, slug=author_slug)
            elif kind != Kind.SPONSORED:  # paid content goes only where editors place it
                related.setdefault(row.pk, row)  # tagged alike and in the section: twice
                if rank == 2:
                    in_section.append(row)
        related = list(related.values())[:RELATED_STORIES]
        shown = {row.pk for row in related}
        in_section = [row for row in in_section if row.pk not in shown][:MORE_STORIES]
        shown |= {row.pk for row in in_section}
        by_author = [row for row in by_author if row.pk not in shown][:MORE_STORIES]
        return StoryPage(story, related, in_section, by_author, author if by_author else None)


class Article(models.Model):
    headline = models.CharField(max_length=110)
    slug = models.SlugField(
        max_length=120,
        unique=True,
        blank=True,
        help_text="Made from the headline when left empty. Old addresses keep working.",
    )
    standfirst = models.TextField(
        max_length=400, blank=True, help_text="One paragraph that sums up the story."
    )
    body = body_field(blank=True)
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="articles")
    tags = TaggableManager(blank=True, through="TaggedArticle")
    featured_image = models.ForeignKey(
        Image, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dateline = models.CharField(
        max_length=80, blank=True, help_text="Where the story was reported, e.g. “BAKU”."
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.NEWS)
    sponsor = models.CharField(
        max_length=120,
        blank=True,
        default="",
        db_default="",  # rows written by SQL (loaders, old releases) need no sponsor either
        help_text="Sponsored content only: who paid for it, shown to readers and search engines.",
    )
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    publish_at = models.DateTimeField(null=True, blank=True, editable=False)
    first_published_at = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(
        "last significant update", null=True, blank=True, editable=False
    )
    is_lead = models.BooleanField("lead story", default=False)
    is_breaking = models.BooleanField("breaking", default=False)
    meta_title = models.CharField(
        max_length=70, blank=True, help_text="For search engines; the headline when empty."
    )
    meta_description = models.CharField(
        max_length=160, blank=True, help_text="For search engines; the standfirst when empty."
    )
    word_count = models.PositiveIntegerField(default=0, editable=False)
    search_document = SearchVectorField(null=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    modified_at = models.DateTimeField(auto_now=True)
    # Bumped on every save; a form carrying an older number is stale and is refused.
    version = models.PositiveIntegerField(default=1, editable=False)
    # Live blogs only (kind "live"): what readers need to know now, and when coverage ran.
    live_summary = models.TextField(
        "live summary",
        blank=True,
        default="",
        db_default="",
        help_text="Live blogs: the state of the story now, shown above the entries.",
    )
    coverage_started_at = models.DateTimeField(
        null=True, blank=True, help_text="Live blogs: when coverage began (publication if empty)."
    )
    coverage_ended_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="Set by “End coverage”: the live blog becomes an archive page.",
    )

    objects = ArticleManager()

    class Meta:
        ordering = ["-publish_at", "-created_at"]
        permissions = [("publish_article", "Can publish, schedule, return and withdraw")]
        indexes = [
            models.Index(fields=["status", "-publish_at"], name="article_live_idx"),
            models.Index(fields=["section", "status", "-publish_at"], name="article_section_idx"),
            models.Index(fields=["-modified_at"], name="article_modified_idx"),
            # The home page's lead story: found without walking every live story.
            models.Index(
                fields=["-publish_at"], condition=Q(is_lead=True), name="article_lead_idx"
            ),
            # The admin's story list in its own order (and its date drill-down's first and
            # last dates), whatever the status: read 50 rows, not sort them all.
            models.Index(
                fields=["-publish_at", "-created_at", "-id"], name="article_admin_order_idx"
            ),
            # The news sitemap: the stories first published in the last 48 hours (publish_at
            # in the index too, so scheduled ones are skipped without reading their rows). Not
            # partial: prepared statements' generic plans (settings) cannot use a partial one.
            models.Index(
                fields=["status", "-first_published_at", "publish_at"],
                name="article_first_published_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.headline

    def save(self, *args, **kwargs):
        self.body = sanitize_html(self.body)
        self.word_count = word_count(self.body)
        if not is_url_slug(self.slug):
            self.slug = unique_slug(
                Article, self.headline, instance=self, max_length=110, fallback="story"
            )
        old_url = self._public_url_in_database()
        update_fields = kwargs.get("update_fields")
        if self.pk and not update_fields:
            self.version += 1
        if update_fields:
            # Rendered fragments are keyed by modified_at: every save must move it.
            kwargs["update_fields"] = update_fields = {*update_fields, "modified_at"}
        super().save(*args, **kwargs)
        if update_fields is None or SEARCHED_FIELDS.intersection(update_fields):
            self.refresh_search_document()
        if old_url and old_url != self.get_absolute_url():
            ArticleRedirect.objects.update_or_create(old_path=old_url, defaults={"article": self})

    # --- Reading -----------------------------------------------------------------------

    def get_absolute_url(self) -> str:
        return story_path(self.section.slug, self.first_published_at or self.publish_at, self.slug)

    def clean(self):
        if self.kind == Kind.SPONSORED and not self.sponsor.strip():
            raise ValidationError({"sponsor": "Name who paid for this sponsored story."})
        if self.sponsor and self.kind != Kind.SPONSORED:
            raise ValidationError(
                {"sponsor": "Only sponsored stories have a sponsor: clear it or choose Sponsored."}
            )

    def _public_url_in_database(self) -> str | None:
        """The address readers know the story by, if it was ever published."""
        if not self.pk:
            return None
        stored = Article.objects.select_related("section").filter(pk=self.pk).first()
        return stored.get_absolute_url() if stored and stored.was_ever_published() else None

    def is_live(self) -> bool:
        return self.status == Status.PUBLISHED and self.publish_at <= timezone.now()

    def is_scheduled(self) -> bool:
        return self.status == Status.PUBLISHED and self.publish_at > timezone.now()

    def is_spiked(self) -> bool:
        return self.status == Status.SPIKED

    def was_ever_published(self) -> bool:
        return self.first_published_at is not None and self.first_published_at <= timezone.now()

    @property
    def is_sponsored(self) -> bool:
        return self.kind == Kind.SPONSORED

    @property
    def label(self) -> str:
        """The label readers see on anything that is not plain news (“Opinion”, “Sponsored”);
        a live blog is labelled “Live” only while its coverage runs."""
        if self.kind == Kind.NEWS or (self.kind == Kind.LIVE and not self.is_covering_live):
            return ""
        return self.get_kind_display()

    # --- Live blogs --------------------------------------------------------------------

    @property
    def is_live_blog(self) -> bool:
        return self.kind == Kind.LIVE

    @property
    def is_covering_live(self) -> bool:
        """A live blog whose coverage has not been ended: readers' pages poll for entries."""
        return self.kind == Kind.LIVE and self.coverage_ended_at is None

    @property
    def coverage_start(self) -> dt.datetime | None:
        return self.coverage_started_at or self.first_published_at or self.publish_at

    @cached_property
    def public_live_entries(self) -> list["LiveEntry"]:
        """The entries readers see, pinned first, then newest first (one query)."""
        if not self.is_live_blog or not self.pk:
            return []
        return list(self.live_entries.public().for_page())

    @property
    def public_key_events(self) -> list["LiveEntry"]:
        """The key events among them, newest first, for the page's jump list."""
        events = [entry for entry in self.public_live_entries if entry.is_key_event]
        return sorted(events, key=lambda entry: (entry.posted_at, entry.pk), reverse=True)

    @property
    def latest_live_update(self) -> dt.datetime | None:
        return max((entry.posted_at for entry in self.public_live_entries), default=None)

    def may_post_live(self, user) -> bool:
        """Who may add entries: anyone on the desk with the permission, while coverage runs;
        editors also after it ended (a closing note)."""
        if not self.is_live_blog or not user.has_perm("articles.add_liveentry"):
            return False
        return self.coverage_ended_at is None or user.has_perm(PUBLISH_PERMISSION)

    @transaction.atomic
    def end_coverage(self, user, note: str = "") -> "ArticleEvent":
        """Stop live coverage: the page becomes an archive (no polling, no “Live” label)."""
        if not (self.is_covering_live and user.has_perm(PUBLISH_PERMISSION)):
            raise PermissionDenied("Only editors end the coverage of a running live blog.")
        self.coverage_ended_at = timezone.now()
        self.modified_by = user
        self.save(update_fields=["coverage_ended_at", "modified_by"])
        return self.record_edit(user, f"Ended live coverage. {note}".strip())

    @transaction.atomic
    def resume_coverage(self, user) -> "ArticleEvent":
        if self.kind != Kind.LIVE or self.coverage_ended_at is None:
            raise PermissionDenied("The coverage of this story is not ended.")
        if not user.has_perm(PUBLISH_PERMISSION):
            raise PermissionDenied("Only editors resume live coverage.")
        self.coverage_ended_at = None
        self.modified_by = user
        self.save(update_fields=["coverage_ended_at", "modified_by"])
        return self.record_edit(user, "Resumed live coverage.")

    @property
    def state_label(self) -> str:
        return "Scheduled" if self.is_scheduled() else self.get_status_display()

    @property
    def last_modified(self) -> dt.datetime | None:
        """What readers and search engines see as “Updated”: only significant updates count."""
        return self.updated_at or self.first_published_at

    @property
    def reading_minutes(self) -> int:
        return reading_minutes(self.word_count)

    @cached_property
    def byline_list(self):
        return list(self.bylines.all())

    @property
    def authors(self):
        return [b.author for b in self.byline_list]

    # --- Who may do what -----------------------------------------------------------------

    def is_owned_by(self, user) -> bool:
        if self.created_by_id == user.pk:
            return True
        return self.bylines.filter(author__user=user).exists()

    def can_view(self, user) -> bool:
        """Editors see every story in the admin; journalists only the ones they own."""
        if not (user.has_perm("articles.view_article") or user.has_perm("articles.change_article")):
            return False
        return user.has_perm(PUBLISH_PERMISSION) or self.is_owned_by(user)

    def can_edit(self, user) -> bool:
        """Editors edit everything; journalists only their own drafts and returned stories."""
        if not user.has_perm("articles.change_article"):
            return False
        if user.has_perm(PUBLISH_PERMISSION):
            return True
        return self.status in EDITABLE_BY_AUTHORS and self.is_owned_by(user)

    def can_delete(self, user) -> bool:
        """Only a story that was never public is deleted for real, by anyone: one that was
        is spiked instead (Article.spike), superusers included, so its address keeps
        answering 410 and its history stays."""
        if self.was_ever_published() or self.is_spiked():
            return False
        if user.is_superuser:
            return True
        if not user.has_perm("articles.delete_article"):
            return False
        return user.has_perm(PUBLISH_PERMISSION) or self.can_edit(user)

    def available_transitions(self, user) -> list[str]:
        """Names of the workflow methods user may call now, for the admin's buttons."""
        allowed = []
        if self.status in EDITABLE_BY_AUTHORS and self.can_edit(user):
            allowed.append("submit")
        if not user.has_perm(PUBLISH_PERMISSION):
            return allowed
        if self.is_spiked():
            return [*allowed, "restore"]
        if self.is_scheduled():
            # Embargoed: going out early is its own deliberate step, never plain "publish".
            allowed += ["schedule", "lift_embargo", "unschedule"]
        elif self.status != Status.PUBLISHED:
            allowed += ["publish", "schedule"]
        if self.status == Status.IN_REVIEW:
            allowed.append("return_to_authors")
        if self.is_live():
            allowed.append("unpublish")
        if self.was_ever_published():
            allowed.append("spike")
        return allowed

    # --- Workflow ------------------------------------------------------------------------

    def _require(self, user, transition: str) -> None:
        if transition not in self.available_transitions(user):
            raise PermissionDenied(
                f"You may not {transition.replace('_', ' ')} a story that is "
                f"{self.state_label.lower()}."
            )

    @property
    def workflow_state(self) -> str:
        """The status value, or "scheduled" for a published story due later: the states the
        workflow moves between, as ArticleEvent.Action names the moves."""
        return "scheduled" if self.is_scheduled() else self.status

    def _move(self, user, to: str, note: str = "", **fields) -> "ArticleEvent":
        from_status, from_state = self.state_label, self.workflow_state
        for name, value in fields.items():
            setattr(self, name, value)
        self.status = to
        self.modified_by = user
        self.save()
        return ArticleEvent.objects.create(
            article=self,
            actor=user,
            action=ArticleEvent.Action.for_move(from_state, self.workflow_state),
            from_status=from_status,
            to_status=self.state_label,
            note=note,
        )

    def record_edit(self, user, note: str = "", created: bool = False) -> "ArticleEvent":
        """Note in the activity log that user added the story or saved changes to it
        (`note`: what changed). Workflow steps record themselves (_move); this is for saves
        of the story's text and settings."""
        state = self.state_label
        return ArticleEvent.objects.create(
            article=self,
            actor=user,
            action=ArticleEvent.Action.CREATED if created else ArticleEvent.Action.EDITED,
            from_status="" if created else state,
            to_status=state,
            note=note,
        )

    def check_transition(
        self, user, transition: str, note: str = "", at: dt.datetime | None = None
    ) -> None:
        """Raise PermissionDenied or ValidationError unless user may take this workflow step
        now with this note and time. Changes nothing: the change form asks before it saves."""
        self._require(user, transition)
        if transition == "return_to_authors" and not note.strip():
            raise ValidationError("Say what the authors should change.")
        if transition == "unpublish" and not note.strip():
            raise ValidationError(
                "Give the reason for withdrawing the story: it goes into the workflow history."
            )
        if transition == "schedule":
            if at is None:
                raise ValidationError("Choose when the story should go live.")
            if at <= timezone.now():
                raise ValidationError("Choose a time in the future to schedule a story.")

    @transaction.atomic
    def submit(self, user, note: str = "") -> "ArticleEvent":
        """Send the story to the editors' review queue."""
        self._require(user, "submit")
        return self._move(user, Status.IN_REVIEW, note)

    @transaction.atomic
    def return_to_authors(self, user, note: str) -> "ArticleEvent":
        """Send an in-review story back to its authors, saying what to change."""
        self.check_transition(user, "return_to_authors", note)
        return self._move(user, Status.RETURNED, note)

    @transaction.atomic
    def publish(self, user, at: dt.datetime | None = None, note: str = "") -> "ArticleEvent":
        """Publish now, or schedule for `at`: the story goes live at that minute by itself."""
        self._require(user, "schedule" if at else "publish")
        return self._go_live(user, at or timezone.now(), note)

    def _go_live(self, user, publish_at: dt.datetime, note: str) -> "ArticleEvent":
        first = self.first_published_at if self.was_ever_published() else publish_at
        event = self._move(
            user, Status.PUBLISHED, note, publish_at=publish_at, first_published_at=first
        )
        # Partners hear of a scheduled story when it goes live (the job waits till then).
        webhooks.announce(webhooks.PUBLISHED, self)
        return event

    @transaction.atomic
    def lift_embargo(self, user, note: str = "") -> "ArticleEvent":
        """Publish a scheduled story now, before its time: the event says the embargo was
        lifted and when the story was due."""
        self._require(user, "lift_embargo")
        due = formats.date_format(timezone.localtime(self.publish_at), "j F Y, H:i")
        lifted = f"Embargo lifted: published before its scheduled time ({due})."
        return self._go_live(user, timezone.now(), f"{lifted} {note}".strip())

    def schedule(self, user, at: dt.datetime | None, note: str = "") -> "ArticleEvent":
        """Publish at a future minute; who may is checked before what they asked for."""
        self.check_transition(user, "schedule", at=at)
        return self.publish(user, at=at, note=note)

    @transaction.atomic
    def unpublish(self, user, note: str = "", public_notice: bool = False) -> "ArticleEvent":
        """Take a live story down: readers get 410. The reason (required) goes into the
        event; with public_notice it is also published as the story's withdrawal notice,
        on the corrections page and the story's 410 page."""
        self.check_transition(user, "unpublish", note)
        event = self._move(user, Status.WITHDRAWN, note)
        webhooks.announce(webhooks.WITHDRAWN, self)
        if public_notice:
            Correction.objects.create(
                article=self, kind=Correction.Kind.WITHDRAWAL, text=note.strip(), created_by=user
            )
        return event

    @transaction.atomic
    def unschedule(self, user, note: str = "") -> "ArticleEvent":
        """Cancel a scheduled story's publication: it goes back to draft, never having been
        out (unless it was, before it was scheduled again)."""
        self._require(user, "unschedule")
        first = self.first_published_at if self.was_ever_published() else None
        return self._move(user, Status.DRAFT, note, publish_at=None, first_published_at=first)

    @transaction.atomic
    def spike(self, user, note: str = "") -> "ArticleEvent":
        """What deleting a story that was ever published does: it leaves every public
        surface (its addresses answer 410) but nothing of it is lost, and an editor can
        restore it."""
        self._require(user, "spike")
        was_live = self.is_live()
        event = self._move(user, Status.SPIKED, note)
        if was_live:  # gone from the site: for partners, as good as withdrawn
            webhooks.announce(webhooks.WITHDRAWN, self)
        return event

    @transaction.atomic
    def restore(self, user, note: str = "") -> "ArticleEvent":
        """Bring a spiked story back, as withdrawn: it was public once, so readers keep
        getting 410 until an editor publishes it again (a deliberate second step)."""
        self._require(user, "restore")
        return self._move(user, Status.WITHDRAWN, note)

    def refresh_search_document(self) -> None:
        """Recompute the full-text search vector from headline, standfirst, tags and body.

        Called on save and when the story's tags change (receivers in articles.search).
        """
        from articles.search import refresh_search_documents

        refresh_search_documents(Article.objects.filter(pk=self.pk))

    def mark_significant_update(self, when: dt.datetime | None = None) -> None:
        """Move the visible “Updated” time: only for changes readers should know about."""
        self.updated_at = when or timezone.now()

    def announce_significant_update(self) -> None:
        """Tell webhook partners, once the save commits, that a live story changed in a way
        readers should know about (the editor chose “significant update” in the form)."""
        webhooks.announce(webhooks.UPDATED, self)


# --- Stored HTML ------------------------------------------------------------------------------

# Every stored field that pages render unescaped (|safe, or a filter that marks it safe such
# as with_dateline): each is cleaned with the story body's policy when saved.
# tests/test_sanitize.py reads the templates and the code for such fields and fails for one
# that is not listed here, or listed but not cleaned.
RAW_HTML_FIELDS = frozenset(
    {"articles.Article.body", "articles.LiveEntry.body", "flatpages.FlatPage.content"}
)


def sanitize_html(html: str | None) -> str:
    """Editor HTML cleaned with the story body's policy (the nh3 allowlist django-prose-editor
    derives from the body's editor extensions): the one policy for all stored HTML. Scripts,
    <meta>, <iframe>, styles, event attributes and javascript: links are removed."""
    return Article._meta.get_field("body").sanitize(html or "")


@receiver(pre_save, sender=FlatPage)
def sanitize_standing_page(sender, instance: FlatPage, **kwargs) -> None:
    """A standing page's HTML is cleaned on every save (the admin's form, code, loaddata);
    pages saved before this rule are cleaned as they are rendered (articles.views.flatpage)."""
    instance.content = sanitize_html(instance.content)


@receiver(pre_save, sender=Tag)
def ascii_tag_slug(sender, instance: Tag, **kwargs) -> None:
    """A tag typed in any script gets a readable ASCII slug (“Gəncə” -> “gence”), and one
    made only of punctuation (“#”, “?!”) the word “tag” (“tag-2”, ...).

    taggit would keep “gəncə” or an empty slug, which /tags/<slug>/ cannot address, so every
    page linking to the tag would fail. A slug typed in the admin is checked the same way.
    """
    if not is_url_slug(instance.slug):
        instance.slug = unique_slug(Tag, instance.name, instance, max_length=100, fallback="tag")


def tag_url(tag) -> str:
    """A tag's page, or "" for an old row without a usable slug (never a 500)."""
    return slug_path("articles:tag", tag.slug)


class TaggedArticle(TaggedItemBase):
    """Tag links in a table of their own, so revisions can follow and restore them."""

    content_object = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="tagged_items"
    )

    class Meta:
        indexes = [
            # A tag's page walks the newest stories and asks each "has it this tag?"
            # (index only), or, for a rarely used tag, reads the tag's stories directly.
            models.Index(fields=["content_object", "tag"], name="taggedarticle_story_tag_idx"),
            models.Index(fields=["tag", "content_object"], name="taggedarticle_tag_story_idx"),
        ]


def _story_page(slug: str, at: dt.datetime) -> list[tuple]:
    """The rows of _story_page_sql() as plain tuples, in its column order.

    Through a cursor, not Article.objects.raw(): raw() makes a model instance of every row
    (up to 25) only for them to be read back as tuples, a third of a cached story page's
    time. The one conversion the ORM would make is the moments' time zone: SQLite hands
    them back naive (in UTC, as Django stores them), PostgreSQL already aware."""
    sql, params = _story_page_sql(slug, at)
    # On the database the router reads public pages from (a replica, when there is one).
    with connections[router.db_for_read(Article)].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [tuple(_aware(value) for value in row) for row in rows]


def _aware(value):
    if isinstance(value, dt.datetime) and timezone.is_naive(value):
        return value.replace(tzinfo=dt.UTC)
    return value


def _story_page_sql(slug: str, at: dt.datetime) -> tuple[str, list]:
    """StoryRow columns, the story's kind, an author's name and slug, and a rank: the live
    story at slug (0), the newest few live stories sharing a tag with it (1), the newest
    in its section (2), then the newest live journalism by its first byline's author (3,
    the only rows with the author's name and slug). Bounded however large the archive and
    however popular its tags and author: the tagged ones are chosen among the newest
    RELATED_CANDIDATES_PER_TAG stories tagged so (by id, from the (tag, story) index) for
    each of its tags, the author's among their newest MORE_CANDIDATES_PER_AUTHOR bylines
    (from the (author, story) index); the section's walk the newest stories only until
    they have enough.

    Raw SQL, run through a cursor (Django's documented API, see _story_page): the same query
    built with QuerySet methods took
    the ORM about 4 ms of Python to build and compile on every request, ten times what
    running it costs. Visibility is live_sql(), the SQL spelling of live_condition();
    tests/test_story_page.py holds the ORM version of this query and checks both give the
    same rows on SQLite and PostgreSQL.
    """
    live, live_params = live_sql("o", at)
    sql = f"""
        WITH lead_author AS (
            SELECT byline.author_id FROM articles_byline byline
            JOIN articles_article story ON story.id = byline.article_id
            WHERE story.slug = %s ORDER BY byline.position, byline.id LIMIT 1)
        SELECT a.id, a.modified_at, a.headline, a.slug, a.publish_at, a.first_published_at,
               a.section_id, s.slug AS section_slug, s.name AS section_name,
               a.standfirst, a.meta_title, a.meta_description, a.kind,
               au.name AS author_name, au.slug AS author_slug, picked.story_rank
        FROM (
            SELECT o.id, 0 AS story_rank FROM articles_article o WHERE o.slug = %s AND {live}
            UNION ALL
            SELECT * FROM (
                SELECT o.id, 1 AS story_rank FROM articles_article o
                WHERE {live} AND o.slug <> %s AND o.id IN (
                    SELECT shared.content_object_id FROM articles_taggedarticle own
                    JOIN articles_article story ON story.id = own.content_object_id
                    JOIN articles_taggedarticle shared ON shared.tag_id = own.tag_id
                    WHERE story.slug = %s AND shared.content_object_id >= COALESCE((
                        SELECT newest.content_object_id FROM articles_taggedarticle newest
                        WHERE newest.tag_id = own.tag_id
                        ORDER BY newest.content_object_id DESC LIMIT 1 OFFSET %s), 0))
                ORDER BY o.publish_at DESC, o.id DESC LIMIT %s) tagged
            UNION ALL
            SELECT * FROM (
                SELECT o.id, 2 AS story_rank FROM articles_article o
                WHERE {live} AND o.slug <> %s AND o.section_id = (
                    SELECT story.section_id FROM articles_article story WHERE story.slug = %s)
                ORDER BY o.publish_at DESC, o.id DESC LIMIT %s) in_section
            UNION ALL
            SELECT * FROM (
                SELECT o.id, 3 AS story_rank FROM articles_article o
                WHERE {live} AND o.slug <> %s AND o.kind <> %s AND o.id IN (
                    SELECT mine.article_id FROM articles_byline mine
                    WHERE mine.author_id = (SELECT author_id FROM lead_author)
                    ORDER BY mine.article_id DESC LIMIT %s)
                ORDER BY o.publish_at DESC, o.id DESC LIMIT %s) by_author
        ) picked
        JOIN articles_article a ON a.id = picked.id
        JOIN articles_section s ON s.id = a.section_id
        LEFT JOIN lead_author ON picked.story_rank = 3
        LEFT JOIN accounts_author au ON au.id = lead_author.author_id
        ORDER BY picked.story_rank, a.publish_at DESC, a.id DESC
    """  # only live_sql()'s fixed text is formatted in; every value is a parameter
    # Enough rows that the end of the page still has MORE_STORIES of each once what the
    # related stories (and the section's list) show is left out.
    params = [
        slug,
        slug, *live_params,
        *live_params, slug, slug, RELATED_CANDIDATES_PER_TAG - 1, RELATED_STORIES,
        *live_params, slug, slug, RELATED_STORIES + MORE_STORIES,
        *live_params, slug, Kind.SPONSORED.value, MORE_CANDIDATES_PER_AUTHOR,
        RELATED_STORIES + 2 * MORE_STORIES,
    ]  # fmt: skip
    return sql, params


class Byline(models.Model):
    class Role(models.TextChoices):
        WRITTEN_BY = "author", "Written by"
        ADDITIONAL_REPORTING = "reporting", "Additional reporting"
        PHOTOGRAPHS = "photos", "Photographs"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey("accounts.Author", on_delete=models.PROTECT, related_name="bylines")
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.WRITTEN_BY)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "author", "role"], name="byline_unique_author_role"
            )
        ]
        # An author's stories from the index alone: the author list's capped story counts,
        # and the author page and filter of an occasional contributor.
        indexes = [models.Index(fields=["author", "article"], name="byline_author_story_idx")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.author}"


def describe_changes(changed: list[str]) -> str:
    """“Changed headline, body and bylines.” from the names of what a save changed."""
    if not changed:
        return ""
    names = [name.lower() for name in changed]
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    return f"Changed {listed}."


class ArticleEventQuerySet(models.QuerySet):
    def for_activity_log(self):
        """What a row of the activity log shows, in one query: the event, its story's
        headline and who acted (not the story's body or search document)."""
        return self.select_related("article", "actor").only(
            "action", "from_status", "to_status", "note", "created_at", "article__headline",
            "actor__username", "actor__first_name", "actor__last_name",
        )  # fmt: skip


class ArticleEvent(models.Model):
    """One entry of a story's history, and of the desk's activity log: who did what to the
    story (added it, edited it, or moved it through the workflow), when, between which
    states, and why."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        EDITED = "edited", "Edited"
        SUBMITTED = "submitted", "Submitted"
        RETURNED = "returned", "Returned"
        SCHEDULED = "scheduled", "Scheduled"
        PUBLISHED = "published", "Published"
        UNSCHEDULED = "unscheduled", "Unscheduled"
        WITHDREW = "withdrew", "Withdrew"
        SPIKED = "spiked", "Spiked"
        RESTORED = "restored", "Restored"

        @classmethod
        def for_move(cls, from_state: str, to_state: str) -> "ArticleEvent.Action | str":
            """The action a workflow move is, from the states before and after it (status
            values, "scheduled" for a published story due later; see
            Article.workflow_state). "" for a move the desk has no name for."""
            # "spiked" is compared as a string: the status is added by the spike workflow.
            if to_state == "spiked":
                return cls.SPIKED
            if from_state == "spiked":
                return cls.RESTORED
            if from_state == "scheduled" and to_state == Status.DRAFT:
                return cls.UNSCHEDULED
            return {
                Status.IN_REVIEW: cls.SUBMITTED,
                Status.RETURNED: cls.RETURNED,
                "scheduled": cls.SCHEDULED,
                Status.PUBLISHED: cls.PUBLISHED,
                Status.WITHDRAWN: cls.WITHDREW,
            }.get(to_state, "")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Blank only for an old move the desk had no name for (migration 0017 named the rest).
    action = models.CharField(max_length=12, choices=Action.choices, blank=True, default="")
    from_status = models.CharField(max_length=24)
    to_status = models.CharField(max_length=24)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ArticleEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The activity log newest first, whole or filtered by action or by person: each
            # an index walk that stops at a page, however many millions of events. (A story's
            # own events are few: the article key's index finds them.)
            models.Index(fields=["-created_at", "-id"], name="event_recent_idx"),
            models.Index(fields=["action", "-created_at", "-id"], name="event_action_recent_idx"),
            models.Index(fields=["actor", "-created_at", "-id"], name="event_actor_recent_idx"),
        ]

    def __str__(self) -> str:
        if self.action in (self.Action.CREATED, self.Action.EDITED) or not self.from_status:
            return self.get_action_display()
        return f"{self.from_status} → {self.to_status}"


class Activity(ArticleEvent):
    """The events as the desk's activity log lists them (articles.admin_activity).

    A proxy, not a second admin for ArticleEvent itself: before deleting a story the admin
    asks the admin of each model it would delete along with it for permission, and the
    read-only log would refuse every story's events, so no story could be deleted."""

    class Meta:
        proxy = True
        verbose_name = "activity"
        verbose_name_plural = "activity log"


def correctable_articles() -> Q:
    """Corrections are notes on the public record: only live stories can carry one."""
    return live_condition()


class CorrectionQuerySet(models.QuerySet):
    def public(self, at: dt.datetime | None = None):
        """The notes readers see on the corrections page and feed: those of live stories,
        and the withdrawal notices of withdrawn ones (a spiked story shows nothing)."""
        at = at or timezone.now()
        withdrawal = Q(kind=Correction.Kind.WITHDRAWAL, article__status=Status.WITHDRAWN)
        return self.filter(live_condition(at, via="article") | withdrawal, published_at__lte=at)

    def withdrawal_notices(self):
        return self.filter(kind=Correction.Kind.WITHDRAWAL)


class Correction(models.Model):
    class Kind(models.TextChoices):
        CORRECTION = "correction", "Correction"
        CLARIFICATION = "clarification", "Clarification"
        EDITORS_NOTE = "note", "Editor's note"
        # Why a story was withdrawn, when the desk chose to say so (Article.unpublish).
        WITHDRAWAL = "withdrawal", "Withdrawal notice"

    article = models.ForeignKey(
        Article,
        on_delete=models.CASCADE,
        related_name="corrections",
        limit_choices_to=correctable_articles,
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.CORRECTION)
    text = models.TextField(
        help_text="e.g. “An earlier version of this story misstated the date of the vote.”"
    )
    published_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = CorrectionQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["-published_at"], name="correction_recent_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:60]}"

    @transaction.atomic
    def save(self, *args, **kwargs):
        """A new correction is news about the story: it moves the story's “Updated” time."""
        adding = self._state.adding
        # Moved to another story: the first one's page must lose it (see _story_rows_changed).
        moved_from = (
            None
            if adding
            else (
                Correction.objects.filter(pk=self.pk)
                .exclude(article_id=self.article_id)
                .values_list("article_id", flat=True)
                .first()
            )
        )
        super().save(*args, **kwargs)
        if adding:
            article = self.article
            article.mark_significant_update(self.published_at)
            article.save(update_fields=["updated_at", "modified_at"])
            if self.kind != Correction.Kind.WITHDRAWAL:  # that one is the "withdrawn" event's
                webhooks.announce(webhooks.CORRECTED, article, correction=self)
        if moved_from:
            Article.objects.filter(pk=moved_from).update(modified_at=timezone.now())


# --- Live blogs --------------------------------------------------------------------------------

# Sent once an entry is public (posted by a contributor who needs no review, or approved),
# after the transaction commits: the hook for webhooks and other announcements.
# Receivers get sender=LiveEntry and entry=<the LiveEntry>.
live_entry_published = Signal()
SUMMARY_WORDS = 12


def entry_time() -> dt.datetime:
    """Now, to the second: the admin's form shows seconds, so a correction that leaves the
    time alone does not read as a change of it."""
    return timezone.now().replace(microsecond=0)


class LiveReviewedContributor(models.Model):
    """A member of staff whose live-blog entries wait for an editor's approval before
    readers see them (a new stringer, a guest writer). Editors keep this list."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="live_review"
    )
    note = models.CharField(max_length=200, blank=True, help_text="Why, for the other editors.")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "live contributor needing review"
        verbose_name_plural = "live contributors needing review"

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


class LiveEntryQuerySet(models.QuerySet):
    def public(self):
        """Entries readers see: approved ones on a live story."""
        return self.filter(status=LiveEntry.Status.PUBLISHED).filter(live_condition(via="article"))

    def for_page(self):
        """Pinned first, then newest first, with what an entry shows, in one query."""
        return self.select_related("author", "photo").order_by("-is_pinned", "-posted_at", "-pk")


class LiveEntry(models.Model):
    """One timestamped update of a live blog (an Article of kind "live")."""

    class Status(models.TextChoices):
        PUBLISHED = "published", "Published"
        AWAITING_REVIEW = "review", "Awaiting review"

    article = models.ForeignKey(
        Article,
        on_delete=models.CASCADE,
        related_name="live_entries",
        limit_choices_to={"kind": Kind.LIVE},
    )
    author = models.ForeignKey(
        "accounts.Author", on_delete=models.PROTECT, related_name="live_entries"
    )
    headline = models.CharField(max_length=140, blank=True)
    body = body_field()
    photo = models.ForeignKey(
        Image, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    embed_url = models.URLField(
        "embed URL", blank=True, help_text="A post or video to point readers at (shown as a link)."
    )
    is_pinned = models.BooleanField("pinned", default=False, help_text="Kept at the top.")
    is_key_event = models.BooleanField(
        "key event", default=False, help_text="Listed under “Key events” at the top."
    )
    posted_at = models.DateTimeField(default=entry_time)
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.PUBLISHED, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    edited_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = LiveEntryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "live entries"
        ordering = ["-is_pinned", "-posted_at", "-pk"]
        indexes = [
            models.Index(
                fields=["article", "status", "-is_pinned", "-posted_at"], name="live_entry_page_idx"
            )
        ]

    def __str__(self) -> str:
        return self.headline or f"Entry {self.pk or ''}".strip()

    def save(self, *args, **kwargs):
        self.body = sanitize_html(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return f"{self.article.get_absolute_url()}#entry-{self.pk}"

    def permalink(self) -> str:
        """The entry's own address: it redirects to its anchor on the story page."""
        return f"{self.article.get_absolute_url()}entries/{self.pk}/"

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def summary(self) -> str:
        """The first words of the body, where a headline would be (jump list, feeds)."""
        words = html.unescape(plain_text(self.body)).split()
        return " ".join(words[:SUMMARY_WORDS]) + ("…" if len(words) > SUMMARY_WORDS else "")

    # --- Who may do what ---------------------------------------------------------------

    @staticmethod
    def needs_review(user) -> bool:
        """Entries by contributors the editors listed wait for approval; editors' never do."""
        if user.has_perm(PUBLISH_PERMISSION):
            return False
        return LiveReviewedContributor.objects.filter(user=user).exists()

    def can_edit(self, user) -> bool:
        """Editors correct every entry; other contributors their own."""
        if not user.has_perm("articles.change_liveentry"):
            return False
        return user.has_perm(PUBLISH_PERMISSION) or self.created_by_id == user.pk

    def can_delete(self, user) -> bool:
        if not user.has_perm("articles.delete_liveentry"):
            return False
        return user.has_perm(PUBLISH_PERMISSION) or self.created_by_id == user.pk

    # --- Changes, each logged in the story's history --------------------------------------

    def _log(self, user, what: str) -> "ArticleEvent":
        label = f"“{self.headline}”" if self.headline else f"#{self.pk}"
        return self.article.record_edit(user, f"Live entry {label} {what}.")

    def _revision(self, user, comment: str) -> None:
        import reversion

        with reversion.create_revision():
            reversion.set_user(user)
            reversion.set_comment(comment)
            reversion.add_to_revision(self)

    @transaction.atomic
    def post(self, user) -> "LiveEntry":
        """Add this new entry to its live blog as user: public at once, or waiting for an
        editor if user is on the review list. Announced (live_entry_published) if public."""
        if not self.article.may_post_live(user):
            raise PermissionDenied("You may not post entries to this story.")
        self.created_by = user
        self.status = (
            self.Status.AWAITING_REVIEW if self.needs_review(user) else self.Status.PUBLISHED
        )
        self.save()
        self._revision(user, "Posted")
        self._log(user, "posted" if self.is_public else "sent for review")
        if self.is_public:
            self._announce()
        return self

    CORRECTABLE: ClassVar = (
        "author", "headline", "body", "photo", "embed_url", "is_pinned", "is_key_event",
        "posted_at",
    )  # fmt: skip

    def changed_fields(self) -> list[str]:
        """The names (verbose) of what differs from the stored row, for the history."""
        stored = LiveEntry.objects.filter(pk=self.pk).first()
        if stored is None:
            return []
        changed = []
        for name in self.CORRECTABLE:
            field = self._meta.get_field(name)
            if field.value_from_object(self) != field.value_from_object(stored):
                changed.append(str(field.verbose_name))
        return changed

    @transaction.atomic
    def correct(self, user) -> "LiveEntry":
        """Save the edits made to this entry as user, noting what changed."""
        if not self.can_edit(user):
            raise PermissionDenied("You may not correct this entry.")
        self.body = sanitize_html(self.body)  # compared as it will be stored
        changed = self.changed_fields()
        self.edited_by, self.edited_at = user, timezone.now()
        self.save()
        detail = describe_changes(changed).rstrip(".")
        self._revision(user, detail or "Corrected")
        self._log(user, f"corrected ({detail.lower()})" if detail else "corrected")
        return self

    @transaction.atomic
    def approve(self, user) -> "LiveEntry":
        """An editor lets an entry waiting for review appear."""
        if not user.has_perm(PUBLISH_PERMISSION):
            raise PermissionDenied("Only editors approve entries.")
        if self.is_public:
            return self
        self.status = self.Status.PUBLISHED
        self.edited_by, self.edited_at = user, timezone.now()
        self.save()
        self._revision(user, "Approved")
        self._log(user, "approved")
        self._announce()
        return self

    @transaction.atomic
    def remove(self, user) -> None:
        if not self.can_delete(user):
            raise PermissionDenied("You may not delete this entry.")
        self._log(user, "deleted")
        self.delete()

    def _announce(self) -> None:
        transaction.on_commit(
            lambda: live_entry_published.send(sender=LiveEntry, entry=self), robust=True
        )


class ArticleRedirect(models.Model):
    """A public address a story used to have; it answers 301 to the current one."""

    old_path = models.CharField(max_length=300, unique=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="redirects")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.old_path


def default_share_expiry() -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=settings.SHARE_LINK_HOURS)


class ShareLinkQuerySet(models.QuerySet):
    def valid(self):
        """Links that still open their story: not revoked, not expired, and the story not
        withdrawn or spiked (a takedown for legal reasons must close every way in at once)."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now()).exclude(
            article__status__in=GONE
        )


class ShareLink(models.Model):
    """A secret, expiring, revocable preview link for a reviewer without an account."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="share_links")
    token = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=default_share_expiry)
    revoked_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=120, blank=True, help_text="Who it is for, e.g. “lawyer”.")

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Share link for “{self.article}”"

    def save(self, *args, **kwargs):
        if not self.token:
            self.token = secrets.token_urlsafe(32)
        super().save(*args, **kwargs)

    # Not get_absolute_url(): the address is the secret, and Django hands that method's
    # result to anyone with an admin login (the "view on site" shortcut, for one).
    def secret_path(self) -> str:
        return reverse("articles:share", args=[self.token])

    def is_valid(self) -> bool:
        return (
            self.revoked_at is None
            and self.expires_at > timezone.now()
            and self.article.status not in GONE
        )

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])

    def record_view(self, request) -> "ShareLinkView":
        """Note who opened the link: when, and from which address (as the proxy saw it)."""
        return self.views.create(
            address=request.META.get("REMOTE_ADDR") or None,
            forwarded_for=request.META.get("HTTP_X_FORWARDED_FOR", "")[:200],
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        )


class ShareLinkView(models.Model):
    """One opening of a share link, listed to the story's editors beside the link."""

    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="views")
    viewed_at = models.DateTimeField(auto_now_add=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    forwarded_for = models.CharField(
        max_length=200, blank=True, help_text="X-Forwarded-For as the proxy in front sent it."
    )
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-viewed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.link} opened {self.viewed_at:%Y-%m-%d %H:%M}"


class BreakingBannerQuerySet(models.QuerySet):
    def current(self):
        now = timezone.now()
        return self.filter(starts_at__lte=now, ends_at__gt=now)


class BreakingBanner(models.Model):
    """A site-wide strip for breaking news; it appears and disappears at its own times."""

    text = models.CharField(max_length=160)
    url = models.CharField(max_length=300, blank=True, help_text="A path on the site or a URL.")
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField()

    objects = BreakingBannerQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return self.text

    def clean(self):
        if self.ends_at and self.starts_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "The banner must end after it starts."})


# --- Front pages ------------------------------------------------------------------------------


class Front(models.Model):
    """A front page editors arrange: the home page (no section) or a section's front. Its
    placements name the stories of its slots; a slot nobody filled (or whose placement
    expired, or whose story is no longer live) takes the newest live story that fits."""

    section = models.OneToOneField(
        Section, null=True, blank=True, on_delete=models.CASCADE, related_name="front"
    )

    class Meta:
        ordering = [models.F("section").asc(nulls_first=True)]
        constraints = [
            # One home page: NULLs are distinct in a plain unique index.
            models.UniqueConstraint(Coalesce("section", Value(0)), name="one_front_per_page")
        ]

    def __str__(self) -> str:
        return f"{self.section} front" if self.section_id else "Home page"

    def get_absolute_url(self) -> str:
        return self.section.get_absolute_url() if self.section_id else reverse("articles:home")

    def clean(self):
        if self.section_id is None and Front.objects.filter(section=None).exclude(pk=self.pk):
            raise ValidationError("The home page already has its front; arrange that one.")


class PlacementQuerySet(models.QuerySet):
    def showing(self, at: dt.datetime | None = None):
        """Placements in force: not expired, of live stories (the one visibility rule)."""
        at = at or timezone.now()
        return self.filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=at), live_condition(at, via="article")
        )


class Placement(models.Model):
    """One story in a named slot of a front, in the order editors chose."""

    class Slot(models.TextChoices):
        LEAD = "lead", "Lead"
        TOP = "top", "Top stories"

    front = models.ForeignKey(Front, on_delete=models.CASCADE, related_name="placements")
    slot = models.CharField(max_length=8, choices=Slot.choices, default=Slot.TOP)
    position = models.PositiveSmallIntegerField(default=0)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="placements")
    expires_at = models.DateTimeField(
        "until",
        null=True,
        blank=True,
        help_text="Leave empty to keep the story here until it is replaced.",
    )

    objects = PlacementQuerySet.as_manager()

    class Meta:
        ordering = ["slot", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["front", "article"], name="placed_once_per_front")
        ]

    def __str__(self) -> str:
        return f"{self.get_slot_display()} {self.position}: {self.article}"

    def clean(self):
        if self.article_id and self.article.status != Status.PUBLISHED:
            raise ValidationError(
                {"article": "Only published (or scheduled) stories can be placed on a front."}
            )


class SitemapGroup(models.Model):
    """How many live stories one group of the sitemaps holds (a month of publication, a
    section, a tag, an author) and their latest significant update: the sitemap index and
    the section, tag and author sitemaps read these rows instead of the story table.

    Maintained by articles.sitemap_summary: filled set-based (migration 0010, the
    refresh_sitemaps command, bench/load_archive.py), refreshed for the groups a story
    change touches. `stories` and `lastmod` count the stories live at `refreshed_at`;
    `next_due` is the earliest scheduled story after it, which readers add themselves once
    it is due (no save marks that moment)."""

    class Kind(models.TextChoices):
        MONTH = "month"
        SECTION = "section"
        TAG = "tag"
        AUTHOR = "author"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    key = models.PositiveIntegerField(help_text="yyyymm for a month, else the pk.")
    stories = models.PositiveIntegerField(default=0)
    lastmod = models.DateTimeField(null=True)
    next_due = models.DateTimeField(null=True)
    refreshed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="sitemapgroup_kind_key")
        ]
        indexes = [
            # The index's newest lastmod of 40,000 tags, and the rows whose scheduled story
            # came due: each a short index range, not a scan of every tag's row.
            models.Index(
                fields=["kind", "lastmod"],
                condition=models.Q(stories__gt=0),
                name="sitemapgroup_live_idx",
            ),
            models.Index(
                fields=["kind", "next_due"],
                condition=models.Q(next_due__isnull=False),
                name="sitemapgroup_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}: {self.stories}"


# --- Changes made outside a story's own save -----------------------------------------------


@receiver([post_save, post_delete], sender=LiveEntry)
@receiver([post_save, post_delete], sender=Byline)
@receiver([post_save, post_delete], sender=TaggedArticle)
@receiver([post_save, post_delete], sender=Correction)
def _story_rows_changed(sender, instance, **kwargs) -> None:
    """Bylines, tags, corrections and live entries are part of a story's rendered fragments,
    which are keyed by the story's modified_at: changed on their own, they date the story too."""
    article_id = getattr(instance, "article_id", None) or instance.content_object_id
    Article.objects.filter(pk=article_id).update(modified_at=timezone.now())


# --- The desk's notifications ----------------------------------------------------------------


class NotificationQuerySet(models.QuerySet):
    def for_desk(self, user):
        """user's notifications for the desk home: unread first, then newest first."""
        return (
            self.filter(recipient=user)
            .select_related("article")
            .order_by(F("read_at").asc(nulls_first=True), "-created_at", "-pk")
        )

    def unread(self):
        return self.filter(read_at__isnull=True)

    def mark_read(self) -> int:
        return self.unread().update(read_at=timezone.now())


class Notification(models.Model):
    """A workflow step told to one person: on their desk home, and by e-mail (sent by the
    job queue's worker, articles.tasks). Made by articles.notifications."""

    class Event(models.TextChoices):
        SUBMITTED = "submitted", "Submitted for review"
        RETURNED = "returned", "Returned to authors"
        SCHEDULED = "scheduled", "Scheduled"
        PUBLISHED = "published", "Published"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="desk_notifications"
    )
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    workflow_event = models.ForeignKey(
        ArticleEvent, on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.CharField(max_length=12, choices=Event.choices)
    message = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient_idx")
        ]

    def __str__(self) -> str:
        return self.message[:80]

    def email_subject(self) -> str:
        return f"{self.get_event_display()}: {self.article.headline}"

    def email_body(self) -> str:
        change_url = reverse("admin:articles_article_change", args=[self.article_id])
        return f"{self.message}\n\nOpen the story: {settings.SITE_URL}{change_url}\n"


# The change form's autosaves and presence (not edits of the story): their own module.
from articles.desk_state import ArticleAutosave, ArticlePresence  # noqa: E402, F401
