"""Published stories are never deleted from the admin: deleting one spikes it.

A spiked story answers 410 at every address it had, leaves every public surface, and keeps
its events, revisions, bylines and old addresses; an editor lists and restores it. A story
that was never published is still deleted for real by whoever may.
"""

import pytest
import reversion
from django.contrib.auth.models import User
from reversion.models import Version

from articles.models import Article, ArticleRedirect, Correction, Status
from tests.admin_forms import change_url, form_data
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/articles/article/"
OLD_PATH = "/politics/2020/01/01/pipeline-deal/"


def delete_url(article) -> str:
    return f"/admin/articles/article/{article.pk}/delete/"


@pytest.fixture
def story(journalist, editor):
    """A live story with history: a revision, a byline, a tag, an event, an old address."""
    article = ArticleFactory(
        in_review=True,
        headline="Pipeline deal signed",
        created_by=journalist,
        authors=[journalist.author],
        tag_names=["oil"],
    )
    with reversion.create_revision():
        article.save()
    article.publish(editor)
    old = ArticleRedirect.objects.create(old_path=OLD_PATH, article=article)
    return Article.objects.get(pk=article.pk), old


def test_deleting_a_published_story_asks_why_then_spikes_it(client, editor, story):
    article, old = story
    url = article.get_absolute_url()
    client.force_login(editor)

    page = client.get(delete_url(article))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Spike “Pipeline deal signed”?" in text and 'name="reason"' in text

    refused = client.post(delete_url(article), {"reason": ""})
    assert "Give the reason" in refused.content.decode()
    assert Article.objects.get(pk=article.pk).is_live()

    response = client.post(delete_url(article), {"reason": "Duplicate of another story."})

    assert response.status_code == 302 and response.url == CHANGELIST
    article.refresh_from_db()
    assert article.status == Status.SPIKED
    assert [(e.from_status, e.to_status) for e in article.events.order_by("pk")] == [
        ("In review", "Published"),
        ("Published", "Spiked"),
    ]
    assert article.events.first().note == "Duplicate of another story."
    assert Version.objects.get_for_object(article).exists()
    assert [b.author for b in article.bylines.all()] == [article.created_by.author]
    assert ArticleRedirect.objects.filter(pk=old.pk).exists()
    client.logout()
    assert client.get(url).status_code == 410
    assert client.get(OLD_PATH).status_code == 410


def test_a_spiked_story_is_on_no_public_surface(client, editor, story):
    article, _ = story
    surfaces = ["/", "/politics/", "/tags/oil/", "/search/?q=pipeline", "/feeds/rss/"]
    surfaces += ["/sitemap.xml", "/sitemap-news.xml", "/corrections/"]
    assert "Pipeline deal signed" in client.get("/").content.decode()

    article.spike(editor, note="Legal.")

    for path in surfaces:
        response = client.get(path)
        assert "Pipeline deal signed" not in response.content.decode(), path
        assert article.get_absolute_url() not in response.content.decode(), path
    assert client.get(article.authors[0].get_absolute_url()).status_code == 404
    assert not Article.objects.live().filter(pk=article.pk).exists()


def test_spiking_purges_the_story_and_its_lists_at_the_edge(editor, story, purged):
    article, _ = story
    keys = purged.after(lambda: article.spike(editor, note="Legal."))
    assert {f"story-{article.pk}", "home", "feeds", "sitemaps", "search"} <= keys


def test_a_spiked_storys_withdrawal_notice_leaves_the_corrections_page(client, editor, story):
    article, _ = story
    article.unpublish(editor, note="The source retracted.", public_notice=True)
    assert "The source retracted." in client.get("/corrections/").content.decode()
    Article.objects.get(pk=article.pk).spike(editor, note="Legal.")
    assert "The source retracted." not in client.get("/corrections/").content.decode()
    gone = client.get(article.get_absolute_url())
    assert gone.status_code == 410 and "The source retracted." not in gone.content.decode()
    assert Correction.objects.filter(article=article).exists()  # kept, only not shown


def test_editors_list_spiked_stories_and_restore_one_as_withdrawn(client, editor, story):
    article, _ = story
    article.spike(editor, note="Duplicate.")
    client.force_login(editor)

    assert "Pipeline deal signed" not in client.get(CHANGELIST).content.decode()
    assert "Pipeline deal signed" in client.get(f"{CHANGELIST}?status=spiked").content.decode()
    page = client.get(change_url(article))
    assert 'name="_workflow" value="restore"' in page.content.decode()

    data = form_data(page, workflow_note="Not a duplicate after all.")
    assert client.post(change_url(article), {**data, "_workflow": "restore"}).status_code == 302

    article.refresh_from_db()
    assert article.status == Status.WITHDRAWN
    event = article.events.first()
    assert (event.from_status, event.to_status) == ("Spiked", "Withdrawn")
    assert event.note == "Not a duplicate after all."
    client.logout()
    assert client.get(article.get_absolute_url()).status_code == 410  # until republished


def test_a_journalist_can_neither_spike_nor_restore(client, journalist, editor, story):
    article, _ = story
    client.force_login(journalist)
    assert client.get(delete_url(article)).status_code == 403
    assert client.post(delete_url(article), {"reason": "Mine."}).status_code == 403
    client.post(
        CHANGELIST,
        {
            "action": "delete_or_spike_selected",
            "_selected_action": [article.pk],
            "reason": "Mine.",
            "_confirmed": "Yes",
        },
    )
    article.refresh_from_db()
    assert article.is_live()

    article.spike(editor, note="Duplicate.")
    response = client.post(f"/admin/articles/article/{article.pk}/workflow/restore/")
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.status == Status.SPIKED
    with pytest.raises(Exception, match="may not restore"):
        article.restore(journalist)


def test_a_superuser_delete_spikes_too_and_never_erases_the_events(client, story):
    article, _ = story
    boss = UserFactory(username="boss", is_superuser=True, role=None)
    client.force_login(boss)

    client.post(delete_url(article), {"reason": "Legal."})

    article.refresh_from_db()
    assert article.status == Status.SPIKED and article.events.count() == 2
    assert client.get(delete_url(article)).status_code == 403  # already spiked: nothing more


def test_the_bulk_delete_spikes_the_published_and_deletes_the_drafts(
    client, editor, story, django_assert_max_num_queries
):
    article, _ = story
    draft = ArticleFactory(headline="Never went out")
    client.force_login(editor)
    choose = {"action": "delete_or_spike_selected", "_selected_action": [article.pk, draft.pk]}
    page = client.get(CHANGELIST).content.decode()
    assert 'value="delete_or_spike_selected"' in page and 'value="delete_selected"' not in page

    with django_assert_max_num_queries(25):
        confirm = client.post(CHANGELIST, choose)
    text = confirm.content.decode()
    assert "Pipeline deal signed" in text and "spiked" in text
    assert "Never went out" in text and "deleted for good" in text
    refused = client.post(CHANGELIST, {**choose, "_confirmed": "Yes"})
    assert "Give the reason" in refused.content.decode()
    assert Article.objects.filter(pk=draft.pk).exists()

    client.post(CHANGELIST, {**choose, "_confirmed": "Yes", "reason": "Cleanup."})

    article.refresh_from_db()
    assert article.status == Status.SPIKED and article.events.first().note == "Cleanup."
    assert not Article.objects.filter(pk=draft.pk).exists()


def test_a_never_published_draft_is_still_deleted_by_its_author(client, journalist):
    draft = ArticleFactory(created_by=journalist, authors=[journalist.author])
    client.force_login(journalist)
    assert client.post(delete_url(draft), {"post": "yes"}).status_code == 302
    assert not Article.objects.filter(pk=draft.pk).exists()


def test_delete_model_spikes_whatever_calls_it(editor, story, rf):
    """The admin's own delete hooks never erase an ever-published story either."""
    from django.contrib.admin.sites import site

    article, _ = story
    request = rf.post("/")
    request.user = User.objects.get(pk=editor.pk)
    model_admin = site._registry[Article]
    model_admin.delete_queryset(request, Article.objects.filter(pk=article.pk))
    article.refresh_from_db()
    assert article.status == Status.SPIKED
