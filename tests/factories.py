import datetime as dt
import io

import factory
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image as PILImage

from accounts.models import EDITORS, JOURNALISTS, Author
from articles.models import Article, Byline, Correction, Image, Section, Status


def photo_upload(name="photo.jpg", size=(1600, 900), fmt="JPEG", color=(30, 90, 160), exif=None):
    buffer = io.BytesIO()
    image = PILImage.new("RGB", size, color)
    image.save(buffer, format=fmt, **({"exif": exif} if exif else {}))
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        _join_group(self, create, extracted)


def _join_group(user, create, group_name):
    if group_name:
        user.groups.add(Group.objects.get(name=group_name))
    if create:
        user.save()


class JournalistFactory(UserFactory):
    # A plain `role = JOURNALISTS` would replace the post-generation hook with a model field.
    role = factory.PostGeneration(
        lambda u, create, name, **kw: _join_group(u, create, name or JOURNALISTS)
    )


class EditorFactory(UserFactory):
    role = factory.PostGeneration(
        lambda u, create, name, **kw: _join_group(u, create, name or EDITORS)
    )


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Faker("name")
    job_title = "staff journalist"
    bio = factory.Faker("paragraph")
    twitter = factory.Sequence(lambda n: f"reporter{n}")


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Section {n}")
    slug = factory.Sequence(lambda n: f"section-{n}")


class ImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Image

    file = factory.LazyFunction(photo_upload)
    alt_text = "Protesters gather in front of parliament"
    caption = "The square at noon."
    credit = "Photo: Staff"


class ArticleFactory(factory.django.DjangoModelFactory):
    """A story; traits: draft (default), in_review, returned, published, scheduled, withdrawn."""

    class Meta:
        model = Article
        skip_postgeneration_save = True

    headline = factory.Sequence(lambda n: f"Parliament debates budget, part {n}")
    standfirst = "Lawmakers argued for six hours over the spending plan."
    body = (
        "<p>The debate began at noon.</p>"
        "<blockquote><p>“We need schools,” she said.</p></blockquote>"
    )
    section = factory.SubFactory(SectionFactory, name="Politics", slug="politics")
    status = Status.DRAFT

    class Params:
        in_review = factory.Trait(status=Status.IN_REVIEW)
        returned = factory.Trait(status=Status.RETURNED)
        published = factory.Trait(
            status=Status.PUBLISHED,
            publish_at=factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=1)),
            first_published_at=factory.SelfAttribute("publish_at"),
        )
        scheduled = factory.Trait(
            status=Status.PUBLISHED,
            publish_at=factory.LazyFunction(lambda: timezone.now() + dt.timedelta(hours=3)),
            first_published_at=factory.SelfAttribute("publish_at"),
        )
        withdrawn = factory.Trait(
            status=Status.WITHDRAWN,
            publish_at=factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1)),
            first_published_at=factory.SelfAttribute("publish_at"),
        )

    @factory.post_generation
    def authors(self, create, extracted, **kwargs):
        for position, author in enumerate(extracted or []):
            Byline.objects.create(article=self, author=author, position=position)

    @factory.post_generation
    def tag_names(self, create, extracted, **kwargs):
        if extracted:
            self.tags.add(*extracted)


class CorrectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Correction

    article = factory.SubFactory(ArticleFactory, published=True)
    text = "An earlier version of this story misstated the date of the vote."
