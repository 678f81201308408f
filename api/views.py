"""The read API (/api/v1/): live stories and what they are filed under, for partners and apps.

Each endpoint is a DRF generic view wrapped by `cached()` (api.urls), which gives it the
site's edge caching: Surrogate-Key, ETag/304 and public Cache-Control from
articles.public.public_page, so a publish or withdrawal purges API responses with the pages.
An endpoint names what it shows with `keys()`; lists also carry "api", which every public
story change purges (articles.invalidation.STORY_LISTS).

A new endpoint (e.g. a live blog's entries) is a serializer, a view subclassing ApiList or
ApiDetail with its queryset and keys, and one line in api.urls.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, pagination

from accounts.models import Author
from api import serializers
from articles.models import Article, Byline, Correction, Kind, LiveEntry, Section, public_tags
from articles.public import add_keys

API_LIST = "api"


class Cursor(pagination.CursorPagination):
    """Cursor pages: stable under inserts, no COUNT, a bounded query however deep."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = ("pk",)

    def get_page_size(self, request):
        """A page_size that is not a number from 1 to max_page_size is a 400, not ignored."""
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= self.max_page_size:
            raise exceptions.ValidationError(
                {"page_size": f"Give a whole number from 1 to {self.max_page_size}."}
            )
        return int(value)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters


class NewestFirst(Cursor):
    ordering = ("-publish_at", "-pk")


class ApiView(generics.GenericAPIView):
    def keys(self, objects) -> set[str]:
        """Surrogate keys of what the response shows (articles.invalidation names them)."""
        return set()

    def finalize_response(self, request, response, *args, **kwargs):
        if response.status_code == 200:
            add_keys(request._request, *self.shown)
        return super().finalize_response(request, response, *args, **kwargs)

    shown: set[str] = set()


class ApiList(ApiView, generics.ListAPIView):
    pagination_class = Cursor

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self.shown = {API_LIST, *self.keys(page or [])}
        return page


class ApiDetail(ApiView, generics.RetrieveAPIView):
    def get_object(self):
        obj = super().get_object()
        self.shown = self.keys([obj])
        return obj


def story_keys(stories) -> set[str]:
    keys = set()
    for story in stories:
        keys |= {f"story-{story.pk}", f"section-{story.section_id}"}
        keys |= {f"tag-{tag.pk}" for tag in story.tags.all()}
        keys |= {f"author-{byline.author_id}" for byline in story.bylines.all()}
        if story.featured_image_id:
            keys.add(f"image-{story.featured_image_id}")
    return keys


def live_stories():
    """Live stories (the site's one visibility rule) with everything the serializer shows."""
    now = timezone.now()
    return (
        Article.objects.live(now)
        .select_related("section", "featured_image")
        .prefetch_related(
            Prefetch("bylines", queryset=Byline.objects.select_related("author")),
            "tags",
            Prefetch(
                "corrections",
                queryset=Correction.objects.filter(published_at__lte=now).order_by("published_at"),
                to_attr="public_corrections",
            ),
        )
    )


@extend_schema(parameters=[serializers.StoryFilters])
class StoryList(ApiList):
    """Live stories, newest first. Sponsored stories say so (`sponsored`, `sponsor`)."""

    serializer_class = serializers.StorySerializer
    pagination_class = NewestFirst

    def get_queryset(self):
        stories = live_stories()
        filters = serializers.StoryFilters(data=self.request.query_params)
        filters.is_valid(raise_exception=True)  # a 400 naming the bad parameter
        params = filters.validated_data
        if section := params.get("section"):
            stories = stories.filter(Q(section__slug=section) | Q(section__parent__slug=section))
        if tag := params.get("tag"):
            stories = stories.filter(tags__slug=tag)
        if author := params.get("author"):
            stories = stories.filter(
                pk__in=Byline.objects.filter(author__slug=author).values("article_id")
            )
        if since := params.get("updated_since"):
            changed = Coalesce("updated_at", "first_published_at", "publish_at")
            stories = stories.alias(changed=changed).filter(changed__gte=since)
        return stories

    def keys(self, stories):
        return story_keys(stories)


@extend_schema(parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)])
class StoryDetail(ApiDetail):
    serializer_class = serializers.StorySerializer

    def get_queryset(self):
        return live_stories()

    def keys(self, stories):
        return story_keys(stories)


@extend_schema(parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)])
class LiveEntryList(ApiList):
    """A live blog's entries readers see, newest first (pinned ones are flagged, not moved):
    poll with the ETag for changes. 404 for a story that is not a live blog on the site."""

    serializer_class = serializers.LiveEntrySerializer

    class pagination_class(Cursor):
        ordering = ("-posted_at", "-pk")

    def get_queryset(self):
        story = self.kwargs["pk"]
        if not story.isascii() or not story.isdigit():
            raise exceptions.NotFound("No live blog with this id.")
        if not Article.objects.live().filter(pk=story, kind=Kind.LIVE).exists():
            raise exceptions.NotFound("No live blog with this id.")
        self.story = int(story)
        return (
            LiveEntry.objects.public()
            .filter(article_id=self.story)
            .select_related("article__section", "author", "photo")
        )

    def keys(self, entries):
        # An entry posted, corrected or deleted purges live-<pk> (articles.invalidation).
        return {f"story-{self.story}", f"live-{self.story}"}


class SectionList(ApiList):
    serializer_class = serializers.SectionSerializer
    queryset = Section.objects.all()

    def keys(self, sections):
        return {"chrome", *(f"section-{s.pk}" for s in sections)}


class TagList(ApiList):
    """Tags that at least one live story carries."""

    serializer_class = serializers.TagSerializer

    def get_queryset(self):
        return public_tags()

    def keys(self, tags):
        return {f"tag-{t.pk}" for t in tags}


class AuthorList(ApiList):
    """Authors with at least one live story."""

    serializer_class = serializers.AuthorSerializer

    def get_queryset(self):
        return Author.objects.with_live_articles()

    def keys(self, authors):
        return {f"author-{a.pk}" for a in authors}


class CorrectionList(ApiList):
    """Corrections and clarifications of live stories, and withdrawal notices, newest first."""

    serializer_class = serializers.CorrectionListSerializer

    class pagination_class(Cursor):
        ordering = ("-published_at", "-pk")

    def get_queryset(self):
        return Correction.objects.public().select_related("article__section")

    def keys(self, corrections):
        return {"corrections", *(f"story-{c.article_id}" for c in corrections)}
