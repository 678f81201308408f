"""Live blogs: entries posted from the desk's compact page, reviewed when the contributor is
on the editors' list, corrected and deleted with every change logged; the reader page
(summary, pinned first, key events, anchors), its polled fragment, entry addresses, feed and
structured data; purges."""

import json
import re
import secrets

import pytest
import reversion
from django.contrib.auth.models import User
from django.utils import timezone
from reversion.models import Version

from articles.models import (
    ArticleEvent,
    Image,
    Kind,
    LiveEntry,
    LiveReviewedContributor,
    live_entry_published,
)
from tests.factories import ArticleFactory, AuthorFactory, ImageFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def blog(db):
    return ArticleFactory(
        published=True,
        kind=Kind.LIVE,
        headline="Election night: results as they come in",
        live_summary="Polls have closed.\nCounting is under way in all districts.",
        section=SectionFactory(name="Politics", slug="politics"),
    )


@pytest.fixture
def reporter(db):
    return AuthorFactory(name="Aysel Quliyeva")


def entry(blog, author, **fields) -> LiveEntry:
    fields.setdefault("body", f"<p>Update {secrets.token_hex(3)}</p>")
    return LiveEntry.objects.create(article=blog, author=author, **fields)


def desk(blog) -> str:
    return f"/admin/articles/liveentry/story/{blog.pk}/"


def json_ld(html: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(block) for block in blocks]


def live_posting(html: str) -> dict:
    return next(d for d in json_ld(html) if "LiveBlogPosting" in d.get("@type", []))


# --- The reader page -------------------------------------------------------------------------


def test_the_live_page_shows_summary_pinned_first_then_newest_with_anchors(
    client, blog, reporter, django_assert_max_num_queries
):
    import datetime as dt

    now = timezone.now()
    old = entry(blog, reporter, headline="Turnout at noon", posted_at=now - dt.timedelta(hours=3))
    pinned = entry(
        blog, reporter, headline="How to read the results", is_pinned=True,
        posted_at=now - dt.timedelta(hours=5),
    )  # fmt: skip
    key = entry(
        blog, reporter, headline="First results: ruling party ahead", is_key_event=True,
        posted_at=now - dt.timedelta(hours=1), embed_url="https://example.org/post/1",
    )  # fmt: skip
    waiting = entry(blog, reporter, headline="Unchecked rumour", status="review")
    with django_assert_max_num_queries(12):
        response = client.get(blog.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Counting is under way" in html and 'id="live-summary-heading"' in html
    positions = [html.index(f'id="entry-{e.pk}"') for e in (pinned, key, old)]
    assert positions == sorted(positions)  # pinned first, then newest first
    assert "Unchecked rumour" not in html and f"entry-{waiting.pk}" not in html
    keys = html.split('id="key-events-heading"')[1].split("</nav>")[0]
    assert f'href="#entry-{key.pk}"' in keys and "Turnout" not in keys
    assert f'href="{blog.get_absolute_url()}entries/{old.pk}/"' in html
    assert 'href="https://example.org/post/1"' in html
    assert reporter.name in html
    # Live: the label, the polled fragment's address, the script and the live feed.
    assert 'class="kind kind--live">Live<' in html
    assert f'data-live-src="{blog.get_absolute_url()}live/"' in html
    assert "/static/js/live.js" in html and "<script>" not in html
    assert f'rel="alternate" type="application/rss+xml" title="{blog.headline}: live' in html
    # A second reader costs the story page's one query (its parts are cached).
    with django_assert_max_num_queries(3):
        assert client.get(blog.get_absolute_url()).status_code == 200


def test_a_new_entry_shows_on_the_next_page_view(client, blog, reporter):
    assert client.get(blog.get_absolute_url()).status_code == 200  # its parts cached
    fresh = entry(blog, reporter, headline="Opposition concedes")
    assert f'id="entry-{fresh.pk}"' in client.get(blog.get_absolute_url()).content.decode()


def test_every_entry_has_a_heading_a_screen_reader_can_jump_to(client, blog, reporter):
    entry(blog, reporter, headline="Polls close")
    entry(blog, reporter, body="<p>No headline of its own.</p>")
    html = client.get(blog.get_absolute_url()).content.decode()
    entries = re.findall(r'<article class="live-entry.*?</article>', html, re.S)
    assert len(entries) == 2
    assert all(re.search(r"<h3[ >]", one) for one in entries)
    assert '<h3 class="visually-hidden">Update, ' in html


def test_structured_data_is_a_live_blog_posting_with_its_updates(client, blog, reporter):
    entry(blog, reporter, headline="Polls close")
    entry(blog, reporter, body="<p>No headline, just news &amp; more.</p>")
    data = live_posting(client.get(blog.get_absolute_url()).content.decode())
    assert data["@type"] == ["NewsArticle", "LiveBlogPosting"]  # still a NewsArticle: sitecheck
    assert data["headline"] == blog.headline and data["coverageStartTime"]
    assert "coverageEndTime" not in data
    updates = data["liveBlogUpdate"]
    assert [u["headline"] for u in updates] == ["No headline, just news & more.", "Polls close"]
    assert all(u["@type"] == "BlogPosting" and "#entry-" in u["url"] for u in updates)
    assert updates[0]["author"] == {"@type": "Person", "name": reporter.name}


def test_ending_the_coverage_makes_an_archive_page(client, blog, reporter, editor):
    first = entry(blog, reporter, headline="Polls close")
    blog.end_coverage(editor)
    html = client.get(blog.get_absolute_url()).content.decode()
    assert f'id="entry-{first.pk}"' in html  # still lists the entries
    assert "data-live-src" not in html and "live.js" not in html
    assert "kind--live" not in html and "Live coverage ended" in html
    assert live_posting(html)["coverageEndTime"]
    ended = ArticleEvent.objects.filter(article=blog, note__startswith="Ended live coverage")
    assert ended.exists()


def test_only_editors_end_coverage(blog, journalist):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        blog.end_coverage(journalist)


def test_the_fragment_is_public_cacheable_and_keyed_by_the_live_blog(
    client, blog, reporter, django_assert_max_num_queries
):
    shown = entry(blog, reporter, headline="Polls close", photo=ImageFactory())
    with django_assert_max_num_queries(3):
        response = client.get(f"{blog.get_absolute_url()}live/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="entry-{shown.pk}"' in html and "<html" not in html
    keys = set(response["Surrogate-Key"].split())
    assert {f"live-{blog.pk}", f"story-{blog.pk}", f"image-{shown.photo_id}"} <= keys
    assert "chrome" not in keys  # no navigation in it: purged only by its own story
    assert "public" in response["Cache-Control"] and "s-maxage" in response["Cache-Control"]
    # The photo of a live blog's entry is public, as a featured photo is.
    assert Image.objects.get(pk=shown.photo_id).is_public()
    assert "/media/renditions/" in html


def test_fragment_feed_and_entry_address_of_something_else_are_404(client, blog, reporter):
    news = ArticleFactory(published=True, section=blog.section)
    for suffix in ("live/", "feed/", "entries/1/"):
        assert client.get(f"{news.get_absolute_url()}{suffix}").status_code == 404
    draft = ArticleFactory(kind=Kind.LIVE, section=blog.section)
    waiting = entry(draft, reporter)
    assert client.get(f"/politics/2020/01/01/{draft.slug}/live/").status_code == 404
    assert client.get(f"{blog.get_absolute_url()}entries/{waiting.pk}/").status_code == 404
    assert client.get(f"{blog.get_absolute_url()}entries/99999999/").status_code == 404


def test_an_entrys_address_redirects_to_its_anchor(client, blog, reporter):
    shown = entry(blog, reporter)
    response = client.get(f"{blog.get_absolute_url()}entries/{shown.pk}/")
    assert response.status_code == 301
    assert response["Location"] == f"{blog.get_absolute_url()}#entry-{shown.pk}"
    hidden = entry(blog, reporter, status="review")
    assert client.get(f"{blog.get_absolute_url()}entries/{hidden.pk}/").status_code == 404


def test_the_live_blogs_feed_lists_its_entries(
    client, blog, reporter, django_assert_max_num_queries
):
    entry(blog, reporter, headline="Polls close")
    entry(blog, reporter, body="<p>Turnout was 61 per cent, officials say, up from last time.</p>")
    entry(blog, reporter, headline="Rumour", status="review")
    with django_assert_max_num_queries(4):
        response = client.get(f"{blog.get_absolute_url()}feed/")
    assert response.status_code == 200 and "rss" in response["Content-Type"]
    xml = response.content.decode()
    assert xml.count("<item>") == 2 and "Rumour" not in xml
    assert "<title>Polls close</title>" in xml and "Turnout was 61 per cent" in xml
    assert "#entry-" in xml and f"live-{blog.pk}" in response["Surrogate-Key"]


# --- Purges and the webhook hook ---------------------------------------------------------


def test_posting_editing_and_deleting_an_entry_purge_the_story_and_live_keys(
    purged, blog, reporter, editor
):
    wanted = {f"story-{blog.pk}", f"live-{blog.pk}"}
    new = LiveEntry(article=blog, author=reporter, body="<p>Polls close.</p>")
    assert wanted <= purged.after(lambda: new.post(editor))
    new.headline = "Polls close"
    assert wanted <= purged.after(lambda: new.correct(editor))
    assert wanted <= purged.after(lambda: new.remove(editor))


def test_an_entry_is_announced_once_it_is_public(
    blog, reporter, journalist, editor, django_capture_on_commit_callbacks
):
    heard = []

    def listener(sender, entry, **kwargs):
        heard.append(entry.pk)

    live_entry_published.connect(listener)
    try:
        LiveReviewedContributor.objects.create(user=journalist)
        waiting = LiveEntry(article=blog, author=reporter, body="<p>Unchecked.</p>")
        with django_capture_on_commit_callbacks(execute=True):
            waiting.post(journalist)
        assert heard == [] and waiting.status == LiveEntry.Status.AWAITING_REVIEW
        with django_capture_on_commit_callbacks(execute=True):
            waiting.approve(editor)
        assert heard == [waiting.pk]
    finally:
        live_entry_published.disconnect(listener)


# --- The desk --------------------------------------------------------------------------------


def post_entry(client, blog, **fields):
    data = {"desk_action": "post", "body": "<p>Polls have closed.</p>", **fields}
    return client.post(desk(blog), data)


def test_a_journalist_posts_from_the_compact_form_and_it_is_logged(
    client, blog, reporter, journalist
):
    client.force_login(journalist)
    page = client.get(desk(blog))
    assert page.status_code == 200 and b"Post an entry" in page.content
    response = post_entry(
        client, blog, author=reporter.pk, headline="Polls close", is_key_event="on"
    )
    assert response.status_code == 302 and response["Location"] == desk(blog)
    posted = LiveEntry.objects.get()
    assert posted.is_public and posted.is_key_event and posted.created_by == journalist
    event = ArticleEvent.objects.filter(article=blog).first()
    assert event.actor == journalist and "“Polls close” posted" in event.note
    assert Version.objects.get_for_object(posted).count() == 1
    assert b"Polls close" in client.get(blog.get_absolute_url()).content


def test_bad_input_is_a_clear_message_not_a_500(client, blog, journalist):
    client.force_login(journalist)
    response = post_entry(client, blog, body="", author="", embed_url="not a url")
    assert response.status_code == 200
    assert b"This field is required" in response.content
    assert b"Enter a valid URL" in response.content
    assert not LiveEntry.objects.exists()
    assert client.post(desk(blog), {"desk_action": "approve", "entry": "x"}).status_code == 302
    assert client.post(desk(blog), {"desk_action": "nonsense"}).status_code == 302
    assert client.get("/admin/articles/liveentry/story/99999999/").status_code == 404


def test_a_contributor_on_the_review_list_waits_for_an_editor(
    client, blog, reporter, journalist, editor
):
    LiveReviewedContributor.objects.create(user=journalist, note="New stringer")
    client.force_login(journalist)
    post_entry(client, blog, author=reporter.pk, headline="Unverified claim")
    waiting = LiveEntry.objects.get()
    assert waiting.status == LiveEntry.Status.AWAITING_REVIEW
    assert b"Unverified claim" not in client.get(blog.get_absolute_url()).content
    # The journalist cannot approve it, whatever they post.
    approve = {"desk_action": "approve", "entry": waiting.pk}
    assert client.post(desk(blog), approve).status_code == 403
    client.force_login(editor)
    assert b"Approve" in client.get(desk(blog)).content
    assert client.post(desk(blog), approve).status_code == 302
    waiting.refresh_from_db()
    assert waiting.is_public
    assert ArticleEvent.objects.filter(article=blog, note__contains="approved").exists()
    client.logout()
    assert b"Unverified claim" in client.get(blog.get_absolute_url()).content


def test_entries_are_corrected_and_deleted_through_the_admin_each_logged(
    client, blog, reporter, journalist, other_journalist
):
    mine = LiveEntry(article=blog, author=reporter, headline="Polls close", body="<p>At 8.</p>")
    mine.post(journalist)
    theirs = LiveEntry(article=blog, author=reporter, headline="Theirs", body="<p>x</p>")
    theirs.post(other_journalist)
    client.force_login(journalist)
    url = f"/admin/articles/liveentry/{mine.pk}/change/"
    page = client.get(url)
    data = {
        name: ("on" if value is True else value)
        for name, value in page.context["adminform"].form.initial.items()
        if value not in (None, False)
    }
    data.update(headline="Polls closed at 8", posted_at_0="", posted_at_1="")
    shown = timezone.localtime(page.context["adminform"].form["posted_at"].value())
    data["posted_at_0"], data["posted_at_1"] = shown.strftime("%Y-%m-%d %H:%M:%S").split()
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    mine.refresh_from_db()
    assert mine.headline == "Polls closed at 8" and mine.edited_by == journalist
    notes = list(ArticleEvent.objects.values_list("note", flat=True))
    assert "Live entry “Polls closed at 8” corrected (changed headline)." in notes, notes
    assert Version.objects.get_for_object(mine).count() == 2
    # Another contributor's entry: read-only for a journalist, a crafted post refused.
    other = f"/admin/articles/liveentry/{theirs.pk}/change/"
    assert client.post(other, {**data, "headline": "Hijacked"}).status_code == 403
    refused = client.post(f"/admin/articles/liveentry/{theirs.pk}/delete/", {"post": "yes"})
    assert refused.status_code == 403
    response = client.post(f"/admin/articles/liveentry/{mine.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and response["Location"] == desk(blog)
    assert not LiveEntry.objects.filter(pk=mine.pk).exists()
    assert ArticleEvent.objects.filter(note__contains="deleted").exists()
    LiveEntry.objects.get(pk=theirs.pk)


def test_people_without_the_permission_and_ended_coverage_cannot_post(
    client, blog, reporter, journalist, editor
):
    nobody = User.objects.create_user("visitor", password="pw", is_staff=True)
    client.force_login(nobody)
    assert client.get(desk(blog)).status_code == 403
    assert post_entry(client, blog, author=reporter.pk).status_code == 403
    blog.end_coverage(editor)
    client.force_login(journalist)
    assert post_entry(client, blog, author=reporter.pk).status_code == 403
    assert not LiveEntry.objects.exists()
    client.force_login(editor)  # an editor may still add a closing note
    assert post_entry(client, blog, author=reporter.pk).status_code == 302


def test_the_story_form_links_to_the_live_entries_page(client, blog, editor):
    client.force_login(editor)
    page = client.get(f"/admin/articles/article/{blog.pk}/change/")
    assert desk(blog).encode() in page.content
    listing = client.get("/admin/articles/liveentry/")
    assert listing.status_code == 200 and desk(blog).encode() in listing.content


def test_reversion_knows_live_entries():
    assert reversion.is_registered(LiveEntry)


def test_a_draft_live_blog_desk_page_is_for_its_own_people(client, journalist, other_journalist):
    draft = ArticleFactory(kind=Kind.LIVE, created_by=journalist)
    client.force_login(other_journalist)
    assert client.get(desk(draft)).status_code == 403
    client.force_login(journalist)
    assert client.get(desk(draft)).status_code == 200


def test_only_editors_keep_the_review_list(client, journalist, editor):
    url = "/admin/articles/livereviewedcontributor/"
    client.force_login(journalist)
    assert client.get(url).status_code == 403
    client.force_login(editor)
    response = client.post(f"{url}add/", {"user": journalist.pk, "note": "New stringer"})
    assert response.status_code == 302
    listed = LiveReviewedContributor.objects.get()
    assert listed.user == journalist and listed.added_by == editor
    assert LiveEntry.needs_review(journalist) and not LiveEntry.needs_review(editor)
