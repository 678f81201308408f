import datetime as dt

from axes.models import AccessAttempt
from django.conf import settings
from django.db import models
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from articles.text import is_url_slug, unique_slug
from newsroom.addresses import slug_path

JOURNALISTS = "Journalists"
EDITORS = "Editors"


class AuthorQuerySet(models.QuerySet):
    def with_live_articles(self):
        """Authors with at least one live story: the ones whose page and feeds answer
        (articles.models.carried_by_live_story, the sitemaps' rule too)."""
        from articles.models import carried_by_live_story

        return self.filter(carried_by_live_story("author"))


class Author(models.Model):
    """A name that can appear in a byline: staff (linked to a login) or a guest/agency."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True, blank=True)
    job_title = models.CharField(
        max_length=120, blank=True, help_text="Shown in the author box, e.g. “staff journalist”."
    )
    bio = models.TextField(blank=True)
    is_organization = models.BooleanField(
        "agency or organisation",
        default=False,
        db_default=False,
        help_text="A news agency or other organisation, not a person: search engines are told so.",
    )
    photo = models.ForeignKey(
        "articles.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    twitter = models.CharField(
        "X/Twitter handle",
        max_length=40,
        blank=True,
        help_text="Without the @, e.g. “leyla_mammadova”.",
    )
    website = models.URLField(blank=True)
    linkedin = models.URLField("LinkedIn", blank=True)
    mastodon = models.URLField(blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author",
        help_text="Leave empty for guest contributors and agencies.",
    )

    objects = AuthorQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.twitter = self.twitter.strip().lstrip("@")
        if not is_url_slug(self.slug):
            self.slug = unique_slug(Author, self.name, instance=self, fallback="author")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        """The author's page, or "" for an old row without a usable slug (never a 500)."""
        return slug_path("articles:author", self.slug)

    @property
    def twitter_url(self) -> str:
        return f"https://x.com/{self.twitter}" if self.twitter else ""

    @property
    def social_urls(self) -> list[str]:
        """Every public profile, for JSON-LD sameAs and the author page."""
        return [u for u in (self.twitter_url, self.website, self.linkedin, self.mastodon) if u]


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def give_staff_an_author(sender, instance, **kwargs):
    """Staff users get a byline of their own the moment they can log in to the admin."""
    if instance.is_staff and not Author.objects.filter(user=instance).exists():
        Author.objects.create(user=instance, name=instance.get_full_name() or instance.username)


class SignInLockoutQuerySet(models.QuerySet):
    def locked(self):
        """Failures that still hold sign-in closed (settings.LOGIN_FAILURE_LIMIT reached
        within the last LOGIN_LOCKOUT_MINUTES)."""
        since = timezone.now() - dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
        return self.filter(
            failures_since_start__gte=settings.LOGIN_FAILURE_LIMIT, attempt_time__gte=since
        )

    def lift(self) -> int:
        """Let these usernames and addresses sign in again: a lockout counts every row with
        the username (from any address) and every row from the address (for any username),
        so all of those go. Returns how many rows went."""
        usernames = {u for u in self.values_list("username", flat=True) if u is not None}
        addresses = {a for a in self.values_list("ip_address", flat=True) if a is not None}
        rows = SignInLockout.objects.filter(
            models.Q(username__in=usernames) | models.Q(ip_address__in=addresses)
        )
        count, _ = rows.delete()
        return count


class SignInLockout(AccessAttempt):
    """django-axes' count of failed logins for one username from one address, as editors see
    it: deleting the row (lifting) lets that username and address sign in again at once."""

    objects = SignInLockoutQuerySet.as_manager()

    class Meta:
        proxy = True
        verbose_name = "sign-in lockout"
        ordering = ["-attempt_time"]

    def __str__(self) -> str:
        return f"{self.username or '(no username)'} from {self.ip_address or 'unknown address'}"

    def is_locked(self) -> bool:
        since = timezone.now() - dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
        return self.failures_since_start >= settings.LOGIN_FAILURE_LIMIT and (
            self.attempt_time >= since
        )
