"""What the API shows of each model. Fields are read only; the URL fields are absolute."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from taggit.models import Tag

from accounts.models import Author
from articles.models import Article, Correction, Image, LiveEntry, Section, tag_url
from articles.templatetags.news import sponsored_links, typographic_html
from newsroom.addresses import absolute_url

PHOTO_WIDTHS = (480, 800, 1200)


class SectionSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Section
        fields = ["id", "name", "slug", "parent", "url"]

    def get_url(self, section: Section) -> str:
        return absolute_url(section.get_absolute_url())


class TagSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Tag
        fields = ["id", "name", "slug", "url"]

    def get_url(self, tag: Tag) -> str:
        return absolute_url(tag_url(tag))


class AuthorSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Author
        fields = ["id", "name", "slug", "job_title", "is_organization", "url"]

    def get_url(self, author: Author) -> str:
        return absolute_url(author.get_absolute_url())


class PhotoSerializer(serializers.ModelSerializer):
    urls = serializers.SerializerMethodField()

    class Meta:
        model = Image
        fields = ["id", "alt_text", "caption", "credit", "width", "height", "urls"]

    @extend_schema_field({"type": "object", "additionalProperties": {"type": "string"}})
    def get_urls(self, image: Image) -> dict[str, str]:
        """Renditions by width, e.g. {"800": "https://…"}."""
        return {str(w): absolute_url(image.rendition_url(w)) for w in PHOTO_WIDTHS}


class CorrectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Correction
        fields = ["id", "kind", "text", "published_at"]


class CorrectionListSerializer(CorrectionSerializer):
    story = serializers.IntegerField(source="article_id")
    story_url = serializers.SerializerMethodField()

    class Meta(CorrectionSerializer.Meta):
        fields = [*CorrectionSerializer.Meta.fields, "story", "story_url"]

    def get_story_url(self, correction: Correction) -> str:
        return absolute_url(correction.article.get_absolute_url())


class StorySerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    sponsored = serializers.BooleanField(source="is_sponsored")
    section = SectionSerializer()
    tags = TagSerializer(many=True, source="tags.all")
    authors = serializers.SerializerMethodField()
    published_at = serializers.SerializerMethodField()
    featured_photo = PhotoSerializer(source="featured_image", allow_null=True)
    corrections = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = [
            "id",
            "url",
            "headline",
            "standfirst",
            "body",
            "kind",
            "sponsored",
            "sponsor",
            "section",
            "tags",
            "authors",
            "published_at",
            "updated_at",
            "featured_photo",
            "corrections",
        ]

    def get_url(self, story: Article) -> str:
        return absolute_url(story.get_absolute_url())

    def get_body(self, story: Article) -> str:
        """The body HTML as the story page shows it (typography; rel=sponsored on paid links)."""
        body = typographic_html(story.body)
        return sponsored_links(body) if story.is_sponsored else body

    @extend_schema_field(AuthorSerializer(many=True))
    def get_authors(self, story: Article):
        return AuthorSerializer([b.author for b in story.bylines.all()], many=True).data

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_published_at(self, story: Article):
        return serializers.DateTimeField().to_representation(
            story.first_published_at or story.publish_at
        )

    @extend_schema_field(CorrectionSerializer(many=True))
    def get_corrections(self, story: Article):
        return CorrectionSerializer(story.public_corrections, many=True).data


class StrictDateTimeField(serializers.DateTimeField):
    def get_value(self, dictionary):
        # DRF takes a blank query parameter for a missing one; a blank time is malformed.
        return dictionary.get(self.field_name, serializers.empty)


class StoryFilters(serializers.Serializer):
    """The stories list's query parameters, checked before any query runs."""

    section = serializers.SlugField(
        required=False, allow_blank=True, help_text="Section slug (its subsections' stories too)."
    )
    tag = serializers.SlugField(required=False, allow_blank=True, help_text="Tag slug.")
    author = serializers.SlugField(required=False, allow_blank=True, help_text="Author slug.")
    updated_since = StrictDateTimeField(
        required=False,
        help_text="Only stories published or last updated at or after this ISO 8601 time.",
        error_messages={"invalid": "Give an ISO 8601 date and time, e.g. 2025-03-14T09:30:00Z."},
    )


class LiveEntrySerializer(serializers.ModelSerializer):
    """A live blog's entry as readers see it; `url` is its anchor on the story page."""

    url = serializers.SerializerMethodField()
    author = AuthorSerializer()
    body = serializers.SerializerMethodField()
    photo = PhotoSerializer(allow_null=True)

    class Meta:
        model = LiveEntry
        fields = [
            "id",
            "url",
            "headline",
            "body",
            "author",
            "photo",
            "embed_url",
            "is_pinned",
            "is_key_event",
            "posted_at",
            "edited_at",
        ]

    def get_url(self, entry: LiveEntry) -> str:
        return absolute_url(entry.get_absolute_url())

    def get_body(self, entry: LiveEntry) -> str:
        return typographic_html(entry.body)
