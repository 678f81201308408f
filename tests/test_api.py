"""The read API (/api/v1/): what it shows, filters, cursor pages, caching, keys and limits."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from api.models import ApiKey
from articles.models import Kind
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CorrectionFactory,
    ImageFactory,
    SectionFactory,
)
from tests.purges import surrogate_keys

pytestmark = pytest.mark.django_db


@pytest.fixture
def politics():
    return SectionFactory(name="Politics", slug="politics")


@pytest.fixture
def story(politics):
    author = AuthorFactory(name="Leyla Mammadova", slug="leyla")
    return ArticleFactory(
        published=True,
        section=politics,
        headline="Budget passes",
        authors=[author],
        tag_names=["Budget"],
        featured_image=ImageFactory(),
    )


@pytest.fixture
def partner():
    return ApiKey.issue("Partner", requests_per_minute=5)


def ids(response) -> list[int]:
    return [item["id"] for item in response.json()["results"]]


# --- What the endpoints show ------------------------------------------------------------


def test_stories_list_shows_live_stories_with_their_fields(client, story, settings):
    response = client.get("/api/v1/stories/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    (item,) = response.json()["results"]
    assert item["id"] == story.pk
    assert item["url"] == settings.SITE_URL + story.get_absolute_url()
    assert item["headline"] == "Budget passes"
    assert "<p>The debate began at noon.</p>" in item["body"]
    assert item["section"]["slug"] == "politics"
    assert [t["name"] for t in item["tags"]] == ["Budget"]
    assert [a["slug"] for a in item["authors"]] == ["leyla"]
    assert item["sponsored"] is False
    assert set(item["featured_photo"]["urls"]) == {"480", "800", "1200"}
    assert item["featured_photo"]["urls"]["800"].startswith(settings.SITE_URL)
    assert item["published_at"] and item["corrections"] == []


def test_drafts_scheduled_and_withdrawn_never_appear(client, story, politics):
    hidden = [
        ArticleFactory(section=politics),
        ArticleFactory(in_review=True, section=politics),
        ArticleFactory(scheduled=True, section=politics),
        ArticleFactory(withdrawn=True, section=politics),
    ]
    assert ids(client.get("/api/v1/stories/")) == [story.pk]
    for article in hidden:
        response = client.get(f"/api/v1/stories/{article.pk}/")
        assert response.status_code == 404
        assert "detail" in response.json()


def test_story_detail(client, story):
    CorrectionFactory(article=story, text="The vote was on Tuesday.")
    response = client.get(f"/api/v1/stories/{story.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["headline"] == "Budget passes"
    assert [c["text"] for c in body["corrections"]] == ["The vote was on Tuesday."]
    assert {f"story-{story.pk}", f"section-{story.section_id}", "all"} <= surrogate_keys(response)


def test_sponsored_stories_say_so(client, politics):
    ArticleFactory(
        published=True,
        section=politics,
        kind=Kind.SPONSORED,
        sponsor="Acme Bank",
        body='<p><a href="https://acme.example/">Acme</a></p>',
    )
    (item,) = client.get("/api/v1/stories/").json()["results"]
    assert item["sponsored"] is True and item["sponsor"] == "Acme Bank"
    assert 'rel="sponsored noopener"' in item["body"]


def test_sections_tags_authors_corrections(client, story, politics):
    ArticleFactory(section=politics, tag_names=["Secret plan"])  # a draft's tag: not public
    CorrectionFactory(article=story, text="Fixed the date.")
    sections = client.get("/api/v1/sections/").json()["results"]
    assert [s["slug"] for s in sections] == ["politics"]
    tags = client.get("/api/v1/tags/").json()["results"]
    assert [t["name"] for t in tags] == ["Budget"]
    authors = client.get("/api/v1/authors/").json()["results"]
    assert [a["slug"] for a in authors] == ["leyla"]
    corrections = client.get("/api/v1/corrections/").json()["results"]
    assert [(c["text"], c["story"]) for c in corrections] == [("Fixed the date.", story.pk)]


# --- Filters and pages ------------------------------------------------------------------


def test_filters(client, story, politics):
    economy = SectionFactory(name="Economy", slug="economy")
    other = ArticleFactory(published=True, section=economy, tag_names=["Oil"])
    assert ids(client.get("/api/v1/stories/?section=politics")) == [story.pk]
    assert ids(client.get("/api/v1/stories/?section=economy")) == [other.pk]
    assert ids(client.get("/api/v1/stories/?tag=oil")) == [other.pk]
    assert ids(client.get("/api/v1/stories/?author=leyla")) == [story.pk]
    assert ids(client.get("/api/v1/stories/?section=nowhere")) == []


def test_updated_since(client, story, politics):
    old = ArticleFactory(published=True, section=politics)
    type(old).objects.filter(pk=old.pk).update(
        publish_at=timezone.now() - dt.timedelta(days=10),
        first_published_at=timezone.now() - dt.timedelta(days=10),
    )
    since = (timezone.now() - dt.timedelta(days=2)).isoformat()
    response = client.get("/api/v1/stories/", {"updated_since": since})
    assert ids(response) == [story.pk]


@pytest.mark.parametrize("value", ["yesterday", "2025-13-45T99:00", "2025-02-30T10:00:00Z", ""])
def test_malformed_updated_since_is_a_400_that_says_why(client, story, value):
    response = client.get("/api/v1/stories/", {"updated_since": value})
    assert response.status_code == 400
    assert "ISO 8601" in str(response.json()["updated_since"])


@pytest.mark.parametrize(
    "query", ["tag=a%00b", "section=no%20spaces", "author=%C3%A9t%C3%A9", "page_size=0"]
)
def test_malformed_filters_are_a_400_that_says_which(client, story, query):
    response = client.get(f"/api/v1/stories/?{query}")
    assert response.status_code == 400
    assert query.partition("=")[0] in response.json()


def test_cursor_pages_walk_every_story_once(client, politics):
    stories = ArticleFactory.create_batch(5, published=True, section=politics)
    seen, url = [], "/api/v1/stories/?page_size=2"
    while url:
        body = client.get(url).json()
        assert "count" not in body
        seen += [item["id"] for item in body["results"]]
        url = body["next"]
    assert sorted(seen) == sorted(s.pk for s in stories) and len(seen) == 5


def test_bad_cursor_and_page_size_are_4xx_json(client, story):
    response = client.get("/api/v1/stories/?cursor=garbage")
    assert response.status_code == 404 and "cursor" in response.json()["detail"].lower()
    for size in ("abc", "-1", "101", "²"):
        response = client.get(f"/api/v1/stories/?page_size={size}")
        assert response.status_code == 400 and "1 to 100" in str(response.json()["page_size"])
    assert client.get("/api/v1/stories/?page_size=100").status_code == 200
    for pk in ("0", "-1", "99999999999999999999", "abc", "%C2%84"):
        response = client.get(f"/api/v1/stories/{pk}/")
        assert response.status_code == 404 and response["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    "path", ["/api/v1/stories/", "/api/v1/tags/", "/api/v1/authors/", "/api/v1/corrections/"]
)
def test_list_queries_are_bounded(client, politics, path, django_assert_max_num_queries):
    for n in range(12):
        story = ArticleFactory(
            published=True,
            section=politics,
            authors=[AuthorFactory()],
            tag_names=[f"Tag {n}"],
            featured_image=ImageFactory(),
        )
        CorrectionFactory(article=story)
    with django_assert_max_num_queries(8):
        assert client.get(path).status_code == 200


# --- Caching ----------------------------------------------------------------------------


def test_etag_and_304_with_surrogate_keys(client, story):
    response = client.get("/api/v1/stories/")
    assert "public" in response["Cache-Control"] and "s-maxage" in response["Cache-Control"]
    assert {"all", "api", f"story-{story.pk}"} <= surrogate_keys(response)
    assert "X-Api-Key" in response["Vary"]
    again = client.get("/api/v1/stories/", headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304
    assert surrogate_keys(again) == surrogate_keys(response)


def test_withdrawal_purges_the_api_and_the_story_is_gone_at_once(client, story, editor, purged):
    assert client.get(f"/api/v1/stories/{story.pk}/").status_code == 200
    sent = purged.after(lambda: story.unpublish(editor, note="Legal asked us to."))
    assert {f"story-{story.pk}", "api"} <= sent
    assert client.get(f"/api/v1/stories/{story.pk}/").status_code == 404
    assert ids(client.get("/api/v1/stories/")) == []


def test_keyed_responses_are_private_but_revalidate(client, story, partner):
    _, raw = partner
    headers = {"authorization": f"Api-Key {raw}"}
    response = client.get("/api/v1/stories/", headers=headers)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]
    again = client.get("/api/v1/stories/", headers={**headers, "if-none-match": response["ETag"]})
    assert again.status_code == 304


# --- Keys and limits --------------------------------------------------------------------


def test_key_is_stored_only_as_a_hash(partner):
    key, raw = partner
    key.refresh_from_db()
    assert raw not in (key.hashed_key, key.prefix) and ApiKey.objects.matching(raw) == key


def test_unknown_and_revoked_keys_get_401_json(client, story, partner):
    key, raw = partner
    response = client.get("/api/v1/stories/", headers={"x-api-key": "nope"})
    assert response.status_code == 401 and response.json()["detail"] == "Unknown API key."
    key.revoke()
    response = client.get("/api/v1/stories/", headers={"x-api-key": raw})
    assert response.status_code == 401
    assert response.json()["detail"] == "This API key has been revoked."


def test_key_rate_limit_gives_429(client, story, partner):
    _, raw = partner  # 5 a minute
    codes = [
        client.get("/api/v1/sections/", headers={"x-api-key": raw}).status_code for _ in range(6)
    ]
    assert codes == [200] * 5 + [429]
    response = client.get("/api/v1/sections/", headers={"x-api-key": raw})
    assert "throttled" in response.json()["detail"].lower()
    # Another key has its own allowance.
    _, other = ApiKey.issue("Other")
    assert client.get("/api/v1/sections/", headers={"x-api-key": other}).status_code == 200


def test_anonymous_rate_and_switch(client, story, settings):
    settings.API_ANONYMOUS_RATE = "2/min"
    # A forged X-Forwarded-For does not buy a fresh allowance (TRUSTED_PROXY_COUNT is 0).
    codes = [
        client.get("/api/v1/sections/", headers={"x-forwarded-for": f"10.0.0.{n}"}).status_code
        for n in range(3)
    ]
    assert codes == [200, 200, 429]
    assert "Retry-After" in client.get("/api/v1/sections/")
    settings.API_ANONYMOUS_ACCESS = False
    response = client.get("/api/v1/tags/")
    assert response.status_code == 401 and "API key is required" in response.json()["detail"]
    _, raw = ApiKey.issue("Partner")
    assert client.get("/api/v1/tags/", headers={"x-api-key": raw}).status_code == 200


# --- The admin --------------------------------------------------------------------------


def test_editor_issues_a_key_shown_once_and_revokes_it(client, editor):
    client.force_login(editor)
    response = client.post(
        "/admin/api/apikey/add/", {"name": "Radio partner", "requests_per_minute": 60}, follow=True
    )
    assert response.status_code == 200
    raw = re.search(r"is ([\w-]{40,}) — copy it now", response.content.decode()).group(1)
    key = ApiKey.objects.get(name="Radio partner")
    assert ApiKey.objects.matching(raw) == key and key.created_by == editor
    assert raw not in client.get("/admin/api/apikey/").content.decode()
    change = client.get(f"/admin/api/apikey/{key.pk}/change/")
    assert change.status_code == 200 and raw not in change.content.decode()
    client.post(
        "/admin/api/apikey/",
        {"action": "revoke", "_selected_action": [key.pk]},
    )
    key.refresh_from_db()
    assert key.is_revoked


def test_journalists_cannot_manage_keys(client, journalist):
    client.force_login(journalist)
    assert client.get("/admin/api/apikey/").status_code == 403
    assert client.get("/admin/api/apikey/add/").status_code == 403
    form = {"name": "x", "requests_per_minute": 1}
    assert client.post("/admin/api/apikey/add/", form).status_code == 403
    assert not ApiKey.objects.exists()


# --- The schema -------------------------------------------------------------------------


def test_openapi_schema_is_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/stories/", "/api/v1/stories/{id}/", "/api/v1/corrections/"} <= set(
        schema["paths"]
    )


# --- A live blog's entries ----------------------------------------------------------------


def test_a_live_blogs_entries_are_listed_newest_first_only_those_readers_see(
    client, politics, purged, django_assert_max_num_queries
):
    from articles.models import LiveEntry

    blog = ArticleFactory(published=True, kind=Kind.LIVE, section=politics)
    reporter = AuthorFactory(name="Aysel Quliyeva")
    now = timezone.now()
    older = LiveEntry.objects.create(
        article=blog,
        author=reporter,
        body="<p>Polls open.</p>",
        posted_at=now - dt.timedelta(hours=2),
    )
    newer = LiveEntry.objects.create(
        article=blog, author=reporter, headline="Polls close", body="<p>Counting.</p>",
        posted_at=now - dt.timedelta(minutes=5), is_key_event=True,
    )  # fmt: skip
    LiveEntry.objects.create(
        article=blog, author=reporter, body="<p>Unchecked.</p>",
        status=LiveEntry.Status.AWAITING_REVIEW,
    )  # fmt: skip
    path = f"/api/v1/stories/{blog.pk}/entries/"
    with django_assert_max_num_queries(6):
        response = client.get(path)
    assert response.status_code == 200
    assert ids(response) == [newer.pk, older.pk]
    first = response.json()["results"][0]
    assert first["headline"] == "Polls close" and first["is_key_event"] is True
    assert first["author"]["name"] == "Aysel Quliyeva"
    assert first["url"].endswith(f"{blog.get_absolute_url()}#entry-{newer.pk}")
    # Posting an entry purges what this response is filed under.
    assert f"live-{blog.pk}" in surrogate_keys(response)
    post = purged.after(
        lambda: LiveEntry.objects.create(article=blog, author=reporter, body="<p>x</p>")
    )
    assert f"live-{blog.pk}" in post


@pytest.mark.parametrize("which", ["news", "draft", "junk"])
def test_entries_of_anything_but_a_live_blog_on_the_site_are_a_json_404(client, politics, which):
    if which == "junk":
        path = "/api/v1/stories/abc/entries/"
    else:
        story = ArticleFactory(
            published=which == "news", kind=Kind.NEWS if which == "news" else Kind.LIVE
        )
        path = f"/api/v1/stories/{story.pk}/entries/"
    response = client.get(path)
    assert response.status_code == 404
    assert (
        response["Content-Type"] == "application/json" and "live blog" in response.json()["detail"]
    )
