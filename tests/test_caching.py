"""Public pages are cached (server side and by CDNs) yet change the moment the news does."""

import datetime as dt
import os

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Byline
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CorrectionFactory,
    ImageFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def story():
    return ArticleFactory(published=True, headline="Cached story", tag_names=["oil"])


def test_public_pages_send_cdn_headers_and_an_etag(client, story):
    for path in ("/", story.get_absolute_url(), "/politics/", "/tags/oil/", "/search/?q=oil"):
        response = client.get(path)
        assert response["Cache-Control"] == (
            "public, max-age=60, s-maxage=300, stale-while-revalidate=600"
        ), path
        assert response["ETag"], path
        # Readers never cost a session lookup, so pages don't vary by cookie.
        assert "Cookie" not in response.get("Vary", ""), path


def test_conditional_get_answers_304_with_an_empty_body(client, story):
    first = client.get(story.get_absolute_url())
    again = client.get(story.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    other = client.get(story.get_absolute_url(), HTTP_IF_NONE_MATCH='"something-else"')
    assert other.status_code == 200


def test_cached_page_is_served_without_touching_the_database(
    client, story, django_assert_num_queries
):
    client.get(story.get_absolute_url())
    with django_assert_num_queries(0):
        response = client.get(story.get_absolute_url())
    assert response.status_code == 200
    assert b"Cached story" in response.content


def test_cache_key_ignores_unknown_query_parameters(client, story, django_assert_num_queries):
    client.get("/")
    with django_assert_num_queries(0):
        assert client.get("/?utm_source=newsletter").status_code == 200


def test_a_newly_published_story_appears_at_once(client, story, editor):
    assert b"Fresh news" not in client.get("/").content
    fresh = ArticleFactory(headline="Fresh news", section=story.section, tag_names=["oil"])
    assert b"Fresh news" not in client.get("/").content
    fresh.publish(editor)
    for path in ("/", story.section.get_absolute_url(), "/tags/oil/"):
        assert b"Fresh news" in client.get(path).content, path
    assert client.get(fresh.get_absolute_url()).status_code == 200


def test_a_new_correction_appears_at_once(client, story):
    assert b"misstated" not in client.get(story.get_absolute_url()).content
    CorrectionFactory(article=story)
    assert b"misstated the date" in client.get(story.get_absolute_url()).content
    assert b"misstated the date" in client.get("/corrections/").content


def test_a_withdrawn_story_disappears_at_once(client, story, editor):
    url = story.get_absolute_url()
    assert client.get(url).status_code == 200
    assert b"Cached story" in client.get("/").content
    story.unpublish(editor)
    assert client.get(url).status_code == 410
    assert b"Cached story" not in client.get("/").content


def test_a_scheduled_story_appears_when_its_time_comes_without_any_job(client, story):
    now = timezone.now()
    later = ArticleFactory(
        published=True,
        headline="Scheduled story",
        publish_at=now + dt.timedelta(minutes=2),
        first_published_at=now + dt.timedelta(minutes=2),
    )
    assert b"Scheduled story" not in client.get("/").content
    assert client.get(later.get_absolute_url()).status_code == 404
    # Three minutes on: well inside the page cache's lifetime, so only the schedule can
    # explain the change.
    with time_machine.travel(now + dt.timedelta(minutes=3)):
        assert b"Scheduled story" in client.get("/").content
        assert client.get(later.get_absolute_url()).status_code == 200


def test_staff_always_get_fresh_private_pages(client, story, editor):
    client.force_login(editor)
    response = client.get("/")
    assert "private" in response["Cache-Control"] and "no-cache" in response["Cache-Control"]
    story.headline = "Edited quietly"
    # A save that would not invalidate (update_fields) still shows up for staff.
    story.save(update_fields=["headline"])
    assert b"Edited quietly" in client.get("/").content


def _newsroom(n_stories: int = 30) -> dict:
    """Many stories with several tags, bylines, images and corrections."""
    image = ImageFactory()
    parent = SectionFactory(name="Nation", slug="nation")
    sections = [parent] + [SectionFactory(parent=parent) for _ in range(3)]
    authors = [AuthorFactory(photo=image) for _ in range(4)]
    stories = []
    for i in range(n_stories):
        article = ArticleFactory(
            published=True,
            section=sections[i % len(sections)],
            featured_image=image,
            authors=authors[: 1 + i % 3],
            tag_names=["oil", "baku", f"tag{i % 5}", f"t{i}"],
        )
        Byline.objects.create(
            article=article,
            author=authors[3],
            role=Byline.Role.PHOTOGRAPHS,
            position=9,
        )
        CorrectionFactory(article=article)
        stories.append(article)
    return {"stories": stories, "authors": authors, "section": parent}


def test_query_budget_article_page(client, django_assert_max_num_queries):
    data = _newsroom()
    for article in data["stories"][:3]:
        with django_assert_max_num_queries(6):
            response = client.get(article.get_absolute_url())
        assert response.status_code == 200


def test_query_budget_article_page_with_nothing_cached_and_no_story_sharing_a_tag(
    client, django_assert_max_num_queries
):
    data = _newsroom()
    loner = ArticleFactory(
        published=True,
        section=data["section"],
        tag_names=["only-here"],
        authors=data["authors"],
    )
    CorrectionFactory(article=loner)
    with django_assert_max_num_queries(6):
        response = client.get(loner.get_absolute_url())
    assert response.status_code == 200
    # Topped up from the section: its newest stories.
    in_section = [story for story in data["stories"] if story.section == data["section"]]
    html = response.content.decode()
    assert all(f">{story.headline}</a>" in html for story in in_section[-4:])


def test_query_budget_list_pages(client, django_assert_max_num_queries):
    data = _newsroom()
    paths = [
        "/",
        "/nation/",
        "/nation/?page=2",
        "/tags/oil/",
        data["authors"][0].get_absolute_url(),
        data["authors"][3].get_absolute_url(),
        "/search/?q=parliament",
        "/corrections/",
    ]
    for path in paths:
        with django_assert_max_num_queries(8):
            response = client.get(path)
        assert response.status_code == 200, path


def test_page_cache_can_be_switched_off(client, story, settings):
    settings.PAGE_CACHE_SECONDS = 0
    client.get(story.get_absolute_url())
    with CaptureQueriesContext(connection) as queries:
        response = client.get(story.get_absolute_url())
    # Rendered again (the page itself is queried), but the site chrome stays cached.
    assert 0 < len(queries) <= 6
    assert response.status_code == 200 and response["ETag"]


def test_edited_author_photo_caption_tag_and_standing_page_show_at_once(client, story):
    from django.contrib.flatpages.models import FlatPage
    from django.contrib.sites.models import Site
    from taggit.models import Tag

    author = AuthorFactory(name="Leyla Mammadova", bio="Old bio.")
    Byline.objects.create(article=story, author=author)
    story.save()
    page = FlatPage.objects.create(url="/pages/about/", title="About", content="<p>Old.</p>")
    page.sites.add(Site.objects.get_current())
    for path in (story.get_absolute_url(), author.get_absolute_url(), "/pages/about/"):
        client.get(path)
    author.bio = "New bio."
    author.save()
    tag = Tag.objects.get(name="oil")
    tag.name = "Oil and gas"
    tag.save()
    page.content = "<p>New.</p>"
    page.save()
    assert b"New bio." in client.get(author.get_absolute_url()).content
    html = client.get(story.get_absolute_url()).content
    assert b"New bio." in html and b"Oil and gas" in html
    assert b"<p>New.</p>" in client.get("/pages/about/").content


def test_cached_pages_still_refuse_unknown_hosts_and_send_http_readers_to_https(client, settings):
    ArticleFactory(published=True)
    assert client.get("/").status_code == 200  # now in the page cache
    assert client.get("/", HTTP_HOST="evil.example").status_code == 400
    settings.SECURE_SSL_REDIRECT = True
    response = Client().get("/")  # a new client loads SecurityMiddleware with the new setting
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


@pytest.fixture
def redis_cache(settings):
    """The production cache backend, on the Redis CI starts, in a database of its own."""
    import redis

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
    try:
        redis.Redis.from_url(url).ping()
    except redis.ConnectionError:
        pytest.skip(f"no Redis at {url}")
    settings.CACHES = {
        "default": {
            "BACKEND": "newsroom.redis_cache.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": f"test-{os.getpid()}",
        }
    }
    cache.clear()
    yield cache
    cache.clear()


def test_pages_cached_in_redis_are_served_without_queries_and_dropped_on_publish(
    client, redis_cache, django_assert_num_queries
):
    ArticleFactory(published=True, headline="First story in Redis")
    assert b"First story in Redis" in client.get("/").content
    with django_assert_num_queries(0):
        assert b"First story in Redis" in client.get("/").content
    ArticleFactory(published=True, headline="Second story in Redis")
    assert b"Second story in Redis" in client.get("/").content
    client_a, client_b = redis_cache._cache.get_client(), redis_cache._cache.get_client()
    assert client_a is client_b


def _wsgi_get(path, **extra):
    """A request through the WSGI entry point gunicorn serves (as built in newsroom.wsgi),
    made anew so middleware reads the settings as they are now."""
    from django.core.wsgi import get_wsgi_application
    from django.test import RequestFactory

    from articles.cache import CachedPagesFirst

    application = CachedPagesFirst(get_wsgi_application())
    environ = RequestFactory().get(path, **extra).environ
    answer = {}

    def start_response(status, headers):
        answer["status"], answer["headers"] = status, dict(headers)

    body = b"".join(application(environ, start_response))
    return int(answer["status"].split()[0]), answer["headers"], body


def test_the_wsgi_entry_answers_cached_pages_itself_and_hands_everything_else_to_django(
    story, settings, django_assert_num_queries
):
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from articles.cache import CachedPagesFirst
    from newsroom.wsgi import application

    assert isinstance(application, CachedPagesFirst)  # what gunicorn serves

    started = []

    def count(sender, **kwargs):
        started.append(sender)

    request_started.connect(count, dispatch_uid="count-django-requests")
    # As Django's test client does: the test's transaction must outlive each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        status, _, first = _wsgi_get("/")  # a miss: Django renders and stores it
        assert status == 200 and b"Cached story" in first and len(started) == 1
        with django_assert_num_queries(0):
            status, headers, again = _wsgi_get("/")
        assert (status, again) == (200, first) and len(started) == 1  # Django never ran
        assert headers["ETag"] and "Content-Security-Policy" in headers
        status, _, body = _wsgi_get("/", HTTP_IF_NONE_MATCH=headers["ETag"])
        assert (status, body) == (304, b"") and len(started) == 1
        # Refused hosts and http readers get Django's own answers, never a cached page.
        assert _wsgi_get("/", HTTP_HOST="evil.example")[0] == 400
        settings.SECURE_SSL_REDIRECT = True
        status, headers, _ = _wsgi_get("/")
        assert status == 301 and headers["Location"].startswith("https://")
    finally:
        request_started.disconnect(dispatch_uid="count-django-requests")
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
