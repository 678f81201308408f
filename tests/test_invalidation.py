"""Every model a public page shows is watched by articles.invalidation, and deleting one of
each purges the keys of the pages that showed it."""

import re

import pytest
from django.apps import apps
from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.models import Site
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from taggit.models import Tag

from articles.invalidation import WATCHED
from articles.models import (
    ArticleRedirect,
    BreakingBanner,
    Byline,
    Front,
    LiveEntry,
    Placement,
    SitemapGroup,
    TaggedArticle,
)
from articles.sitemap_summary import month_key
from articles.sitemaps import month_url
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CorrectionFactory,
    ImageFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db

# Tables public pages read that hold nothing a change to could show on a page.
NOT_SHOWN = {
    "django_site": "the current site's id only; the domain comes from SITE_URL",
    "django_flatpage_sites": "a standing page's sites: watched as FlatPage.sites (m2m)",
}


@pytest.fixture
def newsroom(editor):
    """One of everything a page can show, and a story with an old address."""
    photo = ImageFactory()
    author = AuthorFactory(name="Leyla Mammadova", photo=photo)
    parent = SectionFactory(name="Nation", slug="nation")
    section = SectionFactory(name="Regions", slug="regions", parent=parent)
    story = ArticleFactory(
        published=True,
        headline="Pipeline deal signed",
        section=section,
        featured_image=photo,
        authors=[author],
        tag_names=["oil"],
    )
    CorrectionFactory(article=story)
    gone = ArticleFactory(published=True, headline="Gone story", section=section)
    gone.unpublish(editor, note="Taken down.")
    old_url = story.get_absolute_url()
    story.slug = "pipeline-deal-signed-at-last"
    story.save()
    ArticleFactory(published=True, headline="Related story", section=section, tag_names=["oil"])
    BreakingBanner.objects.create(
        text="Polls close at eight", ends_at=story.publish_at.replace(year=2999)
    )
    page = FlatPage.objects.create(url="/pages/about/", title="About", content="<p>Us.</p>")
    page.sites.add(Site.objects.get_current())
    live = ArticleFactory(published=True, kind="live", headline="Live blog", section=section)
    guest = AuthorFactory(name="Guest contributor", photo=ImageFactory())
    entry = LiveEntry.objects.create(
        article=live, author=guest, body="<p>Update.</p>", photo=ImageFactory()
    )
    return {
        "story": story,
        "author": author,
        "live_entry": entry,
        "paths": [
            live.get_absolute_url(),
            f"{live.get_absolute_url()}live/",
            f"{live.get_absolute_url()}feed/",
            f"{live.get_absolute_url()}entries/{entry.pk}/",
            "/",
            story.get_absolute_url(),
            old_url,
            gone.get_absolute_url(),
            "/nation/",
            "/regions/",
            "/tags/oil/",
            author.get_absolute_url(),
            "/search/?q=pipeline",
            "/corrections/",
            f"/archive/{timezone.localtime(story.publish_at):%Y/%m/%d}/",
            "/pages/about/",
            "/feeds/rss/",
            "/feeds/sections/regions/atom/",
            "/feeds/tags/oil/rss/",
            f"/feeds/authors/{author.slug}/rss/",
            "/feeds/corrections/rss/",
            "/sitemap.xml",
            *(f"/sitemap-{name}.xml" for name in ("sections", "tags", "authors")),
            month_url(month_key(story.publish_at)),
            "/sitemap-news.xml",
            "/robots.txt",
        ],
    }


def test_every_model_public_pages_read_is_watched(client, newsroom):
    tables = set()
    with CaptureQueriesContext(connection) as queries:
        for path in newsroom["paths"]:
            assert client.get(path).status_code in (200, 301, 410), path
    for query in queries.captured_queries:
        tables |= set(re.findall(r'(?:FROM|JOIN) "(\w+)"', query["sql"]))
    by_table = {model._meta.db_table: model for model in apps.get_models()}
    watched = {apps.get_model(entry.model) for entry in WATCHED}
    unwatched = {
        f"{by_table[table]._meta.label} ({table})"
        for table in tables - set(NOT_SHOWN)
        if table in by_table and by_table[table] not in watched
    }
    assert not unwatched, f"shown on public pages but not in invalidation.WATCHED: {unwatched}"
    # The check sees what it should: the story's parts were rendered, not taken from a cache.
    assert {"articles_byline", "taggit_tag", "articles_correction", "accounts_author"} <= tables


def _deletions(newsroom):
    """For each watched model: make one, and the keys its delete must purge."""
    story, author = newsroom["story"], newsroom["author"]
    tag = story.tags.get()
    byline = Byline.objects.get(article=story)
    link = TaggedArticle.objects.get(content_object=story)
    story_key = f"story-{story.pk}"
    lone_section = SectionFactory(name="Weather", slug="weather")
    lone_author = AuthorFactory(name="Guest Writer")
    lone_image = ImageFactory()
    front = Front.objects.create(section=story.section)
    placement = Placement.objects.create(front=front, article=story, slot=Placement.Slot.LEAD)
    section_front = {"home", f"section-{story.section_id}-list"}
    entry = newsroom["live_entry"]
    return {
        "articles.LiveEntry": (entry, {f"story-{entry.article_id}", f"live-{entry.article_id}"}),
        "articles.Placement": (placement, section_front),
        "articles.Front": (front, section_front),
        "articles.Byline": (byline, {story_key, f"author-{author.pk}-list"}),
        "articles.TaggedArticle": (link, {story_key, f"tag-{tag.pk}-list"}),
        "articles.Correction": (story.corrections.get(), {story_key, "corrections"}),
        "articles.ArticleRedirect": (ArticleRedirect.objects.get(article=story), {story_key}),
        "taggit.Tag": (Tag.objects.create(name="unused"), None),  # made below
        "articles.Section": (lone_section, {f"section-{lone_section.pk}", "chrome"}),
        "accounts.Author": (lone_author, {f"author-{lone_author.pk}"}),
        "articles.Image": (lone_image, {f"image-{lone_image.pk}"}),
        "articles.BreakingBanner": (BreakingBanner.objects.get(), {"chrome"}),
        "flatpages.FlatPage": (FlatPage.objects.get(), {f"page-{FlatPage.objects.get().pk}"}),
        "articles.SitemapGroup": (SitemapGroup.objects.first(), {"sitemaps"}),
        "articles.Article": (story, {story_key, "home", f"section-{story.section_id}-list"}),
    }


def test_deleting_one_of_each_watched_model_purges_its_keys(client, newsroom, purged):
    deletions = _deletions(newsroom)
    assert set(deletions) == {entry.model for entry in WATCHED}, "a watched model has no case"
    tag = newsroom["story"].tags.get()
    deletions["taggit.Tag"] = (tag, {f"tag-{tag.pk}", f"tag-{tag.pk}-list"})
    # Parts first: deleting the story would take them with it.
    for name, (instance, expected) in deletions.items():
        sent = purged.after(instance.delete)
        assert expected <= sent, (name, expected - sent)


def test_a_deleted_banner_and_section_leave_the_pages_at_once(client, newsroom, purged):
    assert b"Polls close" in client.get("/").content
    purged.after(BreakingBanner.objects.get().delete)
    assert b"Polls close" not in client.get("/").content
    weather = SectionFactory(name="Weather", slug="weather")
    assert b">Weather<" in client.get("/").content
    purged.after(weather.delete)
    assert b">Weather<" not in client.get("/").content


def test_nothing_is_purged_before_the_transaction_commits(newsroom, settings):
    from django.db import transaction

    from tests.purges import RecordingPurge

    settings.PURGE_BACKENDS = ["tests.purges.RecordingPurge"]
    RecordingPurge.sent.clear()
    story = newsroom["story"]
    with transaction.atomic():
        story.headline = "Changed"
        story.save()
    # The test's own transaction has not committed: no purge has been sent.
    assert RecordingPurge.sent == []
