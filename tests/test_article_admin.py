"""The story editor in the admin, driven through its real forms."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Author
from articles.models import Article, Byline, Status
from tests.admin_forms import (
    ARTICLE_ADD,
    change_url,
    form_data,
    set_bylines,
)
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    ImageFactory,
    SectionFactory,
    UserFactory,
)

CHANGELIST = "/admin/articles/article/"


def new_story(client, **fields):
    """Fill and send the add form as a browser would; returns the response."""
    data = form_data(client.get(ARTICLE_ADD))
    data.update(
        {
            "headline": "Parliament passes the budget",
            "standfirst": "After six hours of debate.",
            "body": "<p>The vote was 70 to 30.</p>",
            "section": SectionFactory(name="Politics", slug="politics").pk,
            "kind": "news",
            **fields,
        }
    )
    return client.post(ARTICLE_ADD, data)


# --- Adding a story -------------------------------------------------------------------


def test_journalist_adds_a_story_and_becomes_its_author(client, journalist):
    client.force_login(journalist)
    response = new_story(client, tags="Azerbaijan, Parliament")
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.status == Status.DRAFT
    assert article.created_by == journalist
    assert article.modified_by == journalist
    assert [b.author.user for b in article.bylines.all()] == [journalist]
    assert sorted(t.name for t in article.tags.all()) == ["Azerbaijan", "Parliament"]


def test_non_latin_headline_gets_a_readable_ascii_slug(client, journalist):
    client.force_login(journalist)
    new_story(client, headline="Azərbaycan seçkiləri", slug="")
    assert Article.objects.get().slug == "azerbaycan-seckileri"


def test_a_typed_non_ascii_slug_is_made_ascii(client, journalist):
    client.force_login(journalist)
    new_story(client, slug="Azərbaycan")
    assert Article.objects.get().slug == "azerbaycan"


def test_russian_headline_slug_is_transliterated(client, journalist):
    client.force_login(journalist)
    new_story(client, headline="Москва и Баку", slug="")
    assert Article.objects.get().slug == "moskva-i-baku"


def test_bylines_are_ordered_rows_with_roles(client, editor):
    writer, reporter, photographer = (AuthorFactory(name=n) for n in ("Leyla", "Rauf", "Aysel"))
    client.force_login(editor)
    data = form_data(client.get(ARTICLE_ADD))
    data.update(
        headline="Flood in Lankaran",
        section=SectionFactory().pk,
        kind="news",
        body="<p>Rain.</p>",
    )
    set_bylines(
        data,
        (writer, Byline.Role.WRITTEN_BY),
        (reporter, Byline.Role.ADDITIONAL_REPORTING),
        (photographer, Byline.Role.PHOTOGRAPHS),
    )
    assert client.post(ARTICLE_ADD, data).status_code == 302
    article = Article.objects.get()
    assert [(b.author.name, b.role) for b in article.bylines.all()] == [
        ("Leyla", "author"),
        ("Rauf", "reporting"),
        ("Aysel", "photos"),
    ]
    # An editor writing for a guest does not add their own byline.
    assert not article.bylines.filter(author__user=editor).exists()


def test_editor_story_without_bylines_gets_the_editors_byline(client, editor):
    client.force_login(editor)
    new_story(client)
    assert [b.author.user for b in Article.objects.get().bylines.all()] == [editor]


def test_tags_can_be_changed_on_the_change_form(client, journalist):
    article = ArticleFactory(created_by=journalist, tag_names=["Baku"])
    client.force_login(journalist)
    data = form_data(client.get(change_url(article)), tags="Ganja, OSCE")
    assert client.post(change_url(article), data).status_code == 302
    assert sorted(t.name for t in article.tags.all()) == ["Ganja", "OSCE"]


def test_change_form_offers_autocomplete_for_authors_images_and_tags(client, editor):
    article = ArticleFactory()
    client.force_login(editor)
    page = client.get(change_url(article)).content.decode()
    assert 'data-model-name="author"' in page or "admin-autocomplete" in page
    assert 'name="featured_image"' in page
    assert "tag-autocomplete" in page
    assert "newsroom_admin/tag_autocomplete.js" in page


def test_tag_autocomplete_endpoint_suggests_existing_tags(client, journalist):
    ArticleFactory(published=True, tag_names=["Azerbaijan", "Armenia", "Georgia"])
    client.force_login(journalist)
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "articles", "model_name": "article", "field_name": "tags", "term": "ar"},
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["Armenia"]


def test_featured_image_autocomplete_finds_photos(client, journalist):
    ImageFactory(alt_text="Flood waters in Lankaran")
    client.force_login(journalist)
    response = client.get(
        "/admin/autocomplete/",
        {
            "app_label": "articles",
            "model_name": "article",
            "field_name": "featured_image",
            "term": "flood",
        },
    )
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1


def test_status_cannot_be_posted_through_the_form(client, journalist):
    article = ArticleFactory(created_by=journalist)
    client.force_login(journalist)
    data = form_data(client.get(change_url(article)), status="published", publish_at="2020-01-01")
    client.post(change_url(article), data)
    article.refresh_from_db()
    assert article.status == Status.DRAFT
    assert article.publish_at is None


# --- The changelist -------------------------------------------------------------------


def test_changelist_columns(client, editor):
    author = AuthorFactory(name="Leyla Mammadova")
    ArticleFactory(headline="Budget vote", scheduled=True, authors=[author])
    client.force_login(editor)
    page = client.get(CHANGELIST).content.decode()
    for text in ("Budget vote", "Scheduled", "Politics", "Leyla Mammadova"):
        assert text in page
    for column in ("column-publish_at", "column-modified_at"):
        assert column in page


def test_changelist_times_are_on_the_24_hour_clock_in_the_newsrooms_zone(client, editor):
    # 21:30 in Baku (UTC+4): Django's English default would print "9:30 p.m.".
    at = dt.datetime(2031, 5, 4, 17, 30, tzinfo=dt.UTC)
    ArticleFactory(headline="Evening session", published=True, publish_at=at)
    client.force_login(editor)
    page = client.get(CHANGELIST).content.decode()
    assert "4 May 2031, 21:30" in page
    assert "p.m." not in page and "a.m." not in page


def test_queues_are_one_click_away(client, editor):
    client.force_login(editor)
    page = client.get(CHANGELIST).content.decode()
    assert 'href="?status=review"' in page and "Awaiting review" in page
    assert 'href="?status=scheduled"' in page
    assert 'href="?status=draft&amp;mine=yes"' in page and "My drafts" in page


def test_scheduled_filter_lists_only_future_published_stories(client, editor):
    ArticleFactory(headline="Later today", scheduled=True)
    ArticleFactory(headline="Already out", published=True)
    ArticleFactory(headline="Still a draft")
    client.force_login(editor)
    page = client.get(CHANGELIST, {"status": "scheduled"}).content.decode()
    assert "Later today" in page
    assert "Already out" not in page and "Still a draft" not in page


def test_awaiting_review_and_my_drafts(client, editor, journalist):
    ArticleFactory(headline="Please check", in_review=True)
    ArticleFactory(headline="Editor's own piece", created_by=editor)
    ArticleFactory(headline="Someone else's draft", created_by=journalist)
    client.force_login(editor)
    review = client.get(CHANGELIST, {"status": "review"}).content.decode()
    assert "Please check" in review and "own piece" not in review
    mine = client.get(CHANGELIST, {"status": "draft", "mine": "yes"}).content.decode()
    assert "own piece" in mine and "Someone else" not in mine


def test_filter_by_author_and_search(client, editor):
    leyla = AuthorFactory(name="Leyla")
    ArticleFactory(headline="Gas pipeline opens", authors=[leyla])
    ArticleFactory(headline="Football final", authors=[AuthorFactory(name="Rauf")])
    client.force_login(editor)
    by_author = client.get(CHANGELIST, {"bylines__author__id__exact": leyla.pk})
    assert "Gas pipeline" in by_author.content.decode()
    assert "Football" not in by_author.content.decode()
    found = client.get(CHANGELIST, {"q": "pipeline"}).content.decode()
    assert "Gas pipeline" in found and "Football" not in found


def test_journalist_sees_only_their_own_stories(client, journalist, other_journalist):
    ArticleFactory(headline="Started by me", created_by=journalist)
    ArticleFactory(headline="Bylined to me", authors=[journalist.author])
    theirs = ArticleFactory(headline="Omar's scoop", created_by=other_journalist)
    client.force_login(journalist)
    page = client.get(CHANGELIST).content.decode()
    assert "Started by me" in page and "Bylined to me" in page
    assert "Omar's scoop" not in page
    # Opening it by address does not work either.
    response = client.get(change_url(theirs))
    assert response.status_code == 302 and b"Omar" not in client.get(response.url).content


@pytest.mark.parametrize("role", ["editor", "journalist"])
def test_changelist_runs_a_bounded_number_of_queries(
    request, db, client, role, django_assert_max_num_queries
):
    user = request.getfixturevalue(role)
    authors = AuthorFactory.create_batch(10)
    for i in range(30):
        ArticleFactory(
            authors=[authors[i % 10], authors[(i + 1) % 10], user.author],
            tag_names=[f"tag{i}", "common"],
            published=i % 2 == 0,
        )
    client.force_login(user)
    # Session, user, permissions, counts, the page, its bylines, filters: not one per story.
    # On PostgreSQL also the transaction the list is planned in (SET LOCAL, savepoints).
    with django_assert_max_num_queries(19):
        response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert response.content.decode().count('<th class="field-story_headline">') == 30


def test_change_form_runs_a_bounded_number_of_queries(
    client, editor, django_assert_max_num_queries
):
    AuthorFactory.create_batch(40)
    ArticleFactory.create_batch(30, tag_names=["common"])
    authors = AuthorFactory.create_batch(3)
    article = ArticleFactory(authors=authors, tag_names=[f"t{i}" for i in range(20)])
    client.force_login(editor)
    # One query per byline row (its author widget); none per article, author or tag in the DB.
    # One for the user's autosave of the story (the restore offer).
    with django_assert_max_num_queries(21):
        response = client.get(change_url(article))
    assert response.status_code == 200


# --- Deleting -------------------------------------------------------------------------


def test_journalist_deletes_own_draft(client, journalist):
    article = ArticleFactory(created_by=journalist)
    client.force_login(journalist)
    response = client.post(f"/admin/articles/article/{article.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Article.objects.filter(pk=article.pk).exists()


def test_deleting_an_ever_published_story_without_a_reason_changes_nothing(client, editor):
    article = ArticleFactory(withdrawn=True)
    client.force_login(editor)
    response = client.post(f"/admin/articles/article/{article.pk}/delete/", {"post": "yes"})
    assert response.status_code == 200
    assert "Give the reason" in response.content.decode()
    response = client.post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": [article.pk], "post": "yes"}
    )
    article.refresh_from_db()
    assert article.status == Status.WITHDRAWN and not article.events.exists()


def test_a_superusers_delete_of_a_published_story_spikes_it(client, db):
    """Nobody deletes a published story for real (tests/test_spiking.py has the rest)."""
    admin_user = UserFactory(is_superuser=True, role=None)
    article = ArticleFactory(published=True)
    client.force_login(admin_user)
    client.post(f"/admin/articles/article/{article.pk}/delete/", {"reason": "Duplicate."})
    article.refresh_from_db()
    assert article.status == Status.SPIKED
    assert article.events.get().note == "Duplicate."


# --- No lost updates ------------------------------------------------------------------


@pytest.fixture
def second_editor(db):
    from tests.factories import EditorFactory

    return EditorFactory(username="farid", first_name="Farid", last_name="Aliyev")


def test_stale_form_is_refused_naming_who_changed_it(client, editor, second_editor):
    article = ArticleFactory(headline="Original", body="<p>First text.</p>")
    client.force_login(editor)
    eddie_form = form_data(client.get(change_url(article)))

    from django.test import Client

    farid = Client()
    farid.force_login(second_editor)
    farid_form = form_data(farid.get(change_url(article)), body="<p>Farid's text.</p>")
    assert farid.post(change_url(article), farid_form).status_code == 302

    eddie_form["body"] = "<p>Eddie's text.</p>"
    response = client.post(change_url(article), eddie_form)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Farid Aliyev changed this story at" in page
    article.refresh_from_db()
    when = timezone.localtime(article.modified_at)
    assert f"{when:%H:%M}" in page or f"{when.hour}:{when:%M}" in page
    assert article.body == "<p>Farid's text.</p>"


def test_fresh_form_saves(client, editor):
    article = ArticleFactory()
    client.force_login(editor)
    data = form_data(client.get(change_url(article)), headline="Better headline")
    assert client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert article.headline == "Better headline"
    assert article.modified_by == editor


# --- Significant updates --------------------------------------------------------------


def test_editing_a_live_story_requires_the_minor_or_significant_choice(client, editor):
    article = ArticleFactory(published=True)
    client.force_login(editor)
    data = form_data(client.get(change_url(article)), headline="Fixed typo")
    response = client.post(change_url(article), data)
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    article.refresh_from_db()
    assert article.headline != "Fixed typo"


def test_minor_fix_keeps_the_updated_time(client, editor):
    article = ArticleFactory(published=True)
    client.force_login(editor)
    data = form_data(client.get(change_url(article)), headline="Fixed", update_kind="minor")
    assert client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert article.headline == "Fixed"
    assert article.updated_at is None
    assert article.last_modified == article.first_published_at


def test_significant_update_moves_the_updated_time(client, editor):
    article = ArticleFactory(published=True)
    client.force_login(editor)
    data = form_data(
        client.get(change_url(article)), headline="Death toll rises", update_kind="significant"
    )
    before = timezone.now()
    assert client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert article.updated_at >= before
    assert article.last_modified == article.updated_at


def test_draft_form_has_no_update_choice(client, editor):
    article = ArticleFactory()
    client.force_login(editor)
    assert "update_kind" not in client.get(change_url(article)).content.decode()


def test_workflow_history_is_shown_on_the_change_form(client, editor, journalist):
    article = ArticleFactory(created_by=journalist)
    article.submit(journalist, note="Ready when you are")
    article.return_to_authors(editor, note="Check the quote in paragraph two")
    client.force_login(journalist)
    page = client.get(change_url(article)).content.decode()
    assert "Workflow history" in page
    assert "Check the quote in paragraph two" in page
    assert "Ready when you are" in page
    assert "Returned to authors" in page and "In review" in page


def test_author_for_new_staff_exists(journalist):
    # The byline a journalist gets comes from the Author staff users receive automatically.
    assert Author.objects.filter(user=journalist).exists()


def test_publish_time_column_shows_local_time(client, editor):
    at = timezone.now() + dt.timedelta(days=1)
    ArticleFactory(scheduled=True, publish_at=at)
    client.force_login(editor)
    page = client.get(CHANGELIST).content.decode()
    assert f"{timezone.localtime(at):%Y}" in page


def test_rich_text_editor_import_map_is_allowed_by_the_csp_nonce(client, journalist):
    article = ArticleFactory(created_by=journalist)
    client.force_login(journalist)
    response = client.get(change_url(article))
    policy = response["Content-Security-Policy"]
    nonce = policy.split("'nonce-", 1)[1].split("'", 1)[0]
    assert f'<script type="importmap" nonce="{nonce}">' in response.content.decode()


def test_view_on_site_only_for_live_stories(client, editor):
    draft, live = ArticleFactory(), ArticleFactory(published=True)
    client.force_login(editor)
    assert b"View on site" not in client.get(change_url(draft)).content
    assert b"View on site" in client.get(change_url(live)).content


def test_a_change_without_the_version_it_started_from_is_refused(client, editor):
    article = ArticleFactory(headline="Original")
    client.force_login(editor)
    data = form_data(client.get(change_url(article)), headline="Blind overwrite")
    del data["base_version"]
    assert client.post(change_url(article), data).status_code == 200
    article.refresh_from_db()
    assert article.headline == "Original"


def test_byline_author_autocomplete_finds_guest_contributors(client, journalist):
    AuthorFactory(name="Agence France-Presse")
    client.force_login(journalist)
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "articles", "model_name": "byline", "field_name": "author", "term": "agence"},
    )
    assert response.status_code == 200
    # (not "franc": the journalist's own random name may be Mary Francis)
    assert [r["text"] for r in response.json()["results"]] == ["Agence France-Presse"]


def test_date_hierarchy_narrows_by_publish_date(client, editor):
    ArticleFactory(
        headline="Old story", published=True, publish_at=dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
    )
    ArticleFactory(headline="New story", published=True)
    client.force_login(editor)
    page = client.get(CHANGELIST, {"publish_at__year": 2024}).content.decode()
    assert "Old story" in page and "New story" not in page


@pytest.mark.parametrize("forged", [1, 1_000_000])
def test_a_base_version_other_than_the_current_one_is_refused(client, editor, forged):
    """A hand-made base_version larger than the saved one must not pass the stale check."""
    article = ArticleFactory(headline="Original")
    article.headline = "Saved by someone else"
    article.save()  # version 2
    client.force_login(editor)
    data = form_data(client.get(change_url(article)), headline="Blind overwrite")
    assert int(data["base_version"]) == 2
    data["base_version"] = str(2 + forged)
    response = client.post(change_url(article), data)
    assert response.status_code == 200
    assert "does not match any saved version" in response.content.decode()
    article.refresh_from_db()
    assert (article.headline, article.version) == ("Saved by someone else", 2)


# --- Placement is the desk's ------------------------------------------------------------


def test_a_journalist_cannot_post_the_lead_or_breaking_flags(client, journalist):
    article = ArticleFactory(created_by=journalist)
    client.force_login(journalist)
    page = client.get(change_url(article))
    assert 'name="is_lead"' not in page.content.decode()  # shown read-only
    data = form_data(page, headline="Edited by Jane", is_lead="on", is_breaking="on")
    assert client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert article.headline == "Edited by Jane"
    assert (article.is_lead, article.is_breaking) == (False, False)


def test_a_journalist_adding_a_story_cannot_make_it_the_lead(client, journalist):
    client.force_login(journalist)
    assert new_story(client, is_lead="on", is_breaking="on").status_code == 302
    article = Article.objects.get()
    assert (article.is_lead, article.is_breaking) == (False, False)


def test_a_journalists_save_keeps_the_placement_an_editor_chose(client, journalist, editor):
    article = ArticleFactory(created_by=journalist)
    client.force_login(editor)
    data = form_data(client.get(change_url(article)), is_lead="on", is_breaking="on")
    assert client.post(change_url(article), data).status_code == 302
    client.force_login(journalist)
    data = form_data(client.get(change_url(article)), headline="Jane's edit")
    data.pop("is_lead", None), data.pop("is_breaking", None)  # unticked, as a browser sends it
    assert client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert article.headline == "Jane's edit"
    assert (article.is_lead, article.is_breaking) == (True, True)


def test_a_journalist_restoring_an_old_version_keeps_the_placement(client, journalist, editor):
    from reversion.models import Version

    client.force_login(journalist)
    assert new_story(client).status_code == 302
    article = Article.objects.get()
    client.force_login(editor)
    data = form_data(client.get(change_url(article)), is_lead="on")
    assert client.post(change_url(article), data).status_code == 302
    first = Version.objects.get_for_object(article).order_by("pk").first()
    assert first.field_dict["is_lead"] is False
    client.force_login(journalist)
    url = f"/admin/articles/article/{article.pk}/history/{first.pk}/"
    assert client.post(url, form_data(client.get(url))).status_code == 302
    article.refresh_from_db()
    assert article.is_lead is True
