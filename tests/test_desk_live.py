"""The story change form's live parts, through their endpoints and the admin's real forms:
per-user autosave (never an edit of the story), presence, and the takeover after a stale save.
The browser side (desk_form.js): test_desk_live_browser.py."""

import datetime as dt
import json

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from articles.compare import word_diff
from articles.desk_state import ArticleAutosave, ArticlePresence
from articles.models import Article
from tests.admin_forms import change_url, form_data
from tests.factories import ArticleFactory, EditorFactory


def autosave_url(article) -> str:
    return f"/admin/articles/article/{article.pk}/autosave/"


def presence_url(article) -> str:
    return f"/admin/articles/article/{article.pk}/presence/"


def autosave(client, article, base_version=None, **data):
    payload = {"base_version": article.version if base_version is None else base_version}
    payload["data"] = data
    return client.post(autosave_url(article), json.dumps(payload), content_type="application/json")


def beat(client, article, **payload):
    return client.post(presence_url(article), json.dumps(payload), content_type="application/json")


@pytest.fixture
def second_editor(db):
    return EditorFactory(username="farid", first_name="Farid", last_name="Aliyev")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def own_story(journalist, **traits) -> Article:
    return ArticleFactory(created_by=journalist, authors=[journalist.author], **traits)


# --- Autosave ------------------------------------------------------------------------------


def test_an_autosave_keeps_the_typed_text_without_touching_the_story_or_its_page(
    client, editor, django_assert_max_num_queries
):
    article = ArticleFactory(published=True, headline="Ferries sail again", body="<p>At dawn.</p>")
    before = Article.objects.get(pk=article.pk)
    page_before = client.get(article.get_absolute_url()).content.decode()
    client.force_login(editor)

    with django_assert_max_num_queries(12):
        response = autosave(
            client, article, headline="Ferries sail again, typed", body="<p>Noon.</p>"
        )

    assert response.status_code == 200 and "at" in response.json()
    after = Article.objects.get(pk=article.pk)
    assert (after.headline, after.body, after.version, after.status, after.modified_at) == (
        before.headline,
        before.body,
        before.version,
        before.status,
        before.modified_at,
    )
    client.logout()
    assert client.get(article.get_absolute_url()).content.decode() == page_before
    kept = ArticleAutosave.objects.get(article=article, user=editor)
    assert kept.data == {"headline": "Ferries sail again, typed", "body": "<p>Noon.</p>"}
    assert kept.base_version == article.version


def test_the_change_form_carries_the_writers_own_autosave_for_the_restore_offer(
    client, editor, second_editor
):
    article = ArticleFactory()
    assert autosave(signed_in(second_editor), article, headline="Farid's draft").status_code == 200
    client.force_login(editor)
    assert autosave(client, article, headline="Eddie's draft").status_code == 200

    page = client.get(change_url(article))
    offered = json.loads(
        page.content.decode()
        .split('id="desk-autosave" type="application/json">')[1]
        .split("</script>")[0]
    )
    assert offered["data"] == {"headline": "Eddie's draft"}
    assert offered["stale"] is False
    assert "desk_form.js" in page.content.decode()


def test_two_writers_autosaves_never_overwrite_each_other(client, editor, second_editor):
    article = ArticleFactory()
    client.force_login(editor)
    farid = signed_in(second_editor)
    assert autosave(client, article, standfirst="Eddie's words").status_code == 200
    assert autosave(farid, article, standfirst="Farid's words").status_code == 200
    assert autosave(client, article, standfirst="Eddie's later words").status_code == 200

    kept = dict(
        ArticleAutosave.objects.filter(article=article).values_list("user__username", "data")
    )
    assert kept == {
        "eddie": {"standfirst": "Eddie's later words"},
        "farid": {"standfirst": "Farid's words"},
    }


def test_an_autosave_typed_on_an_older_version_is_refused(client, editor):
    article = ArticleFactory()
    client.force_login(editor)
    assert autosave(client, article, headline="First draft").status_code == 200
    Article.objects.get(pk=article.pk).save()  # someone saved the story meanwhile
    article.refresh_from_db()

    response = autosave(client, article, base_version=article.version - 1, headline="Stale")

    assert response.status_code == 409
    assert "kept only in your browser" in response.json()["error"]
    assert response.json()["version"] == article.version
    assert ArticleAutosave.objects.get(article=article, user=editor).data == {
        "headline": "First draft"
    }
    forged = autosave(client, article, base_version=article.version + 5, headline="Forged")
    assert forged.status_code == 409


def test_a_journalist_cannot_autosave_someone_elses_story(client, journalist, other_journalist):
    theirs = own_story(other_journalist)
    client.force_login(journalist)
    assert autosave(client, theirs, headline="Not mine").status_code == 403
    assert not ArticleAutosave.objects.exists()


def test_a_journalist_cannot_autosave_their_story_once_it_left_them(client, journalist):
    in_review = own_story(journalist, in_review=True)
    client.force_login(journalist)
    response = autosave(client, in_review, headline="Too late")
    assert response.status_code == 403
    assert "You may not edit this story now" in response.json()["error"]
    assert not ArticleAutosave.objects.exists()


def test_a_journalist_autosaves_their_own_draft(client, journalist):
    draft = own_story(journalist)
    client.force_login(journalist)
    assert autosave(client, draft, headline="Mine").status_code == 200


@pytest.mark.parametrize(
    "body, message",
    [
        (b"not json", "not JSON"),
        (b"[1, 2]", "JSON object"),
        (b'{"data": {}}', "base_version"),
        (b'{"base_version": "1", "data": {}}', "base_version"),
        (b'{"base_version": 1, "data": "headline"}', "object of form fields"),
    ],
)
def test_a_malformed_autosave_gets_a_clear_message_and_changes_nothing(
    client, editor, body, message
):
    article = ArticleFactory()
    client.force_login(editor)
    response = client.post(autosave_url(article), body, content_type="application/json")
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not ArticleAutosave.objects.exists()


def test_an_autosave_keeps_only_story_fields_and_cleans_the_body(client, editor):
    article = ArticleFactory()
    client.force_login(editor)
    response = autosave(
        client,
        article,
        body='<p onclick="steal()">Text<script>alert(1)</script></p>',
        status="published",
        csrfmiddlewaretoken="x",
        **{"bylines-0-author": "3", "bylines-TOTAL_FORMS": "9", "is_lead": True},
        tags=["a", 1],
    )
    assert response.status_code == 200
    data = ArticleAutosave.objects.get().data
    assert data == {"body": "<p>Text</p>", "bylines-0-author": "3", "is_lead": True}


def test_autosave_needs_the_csrf_token_and_a_post(editor):
    article = ArticleFactory()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(editor)
    assert autosave(strict, article, headline="No token").status_code == 403
    assert not ArticleAutosave.objects.exists()
    client = signed_in(editor)
    assert client.get(autosave_url(article)).status_code == 405


def test_signed_out_autosave_goes_to_the_login_page(client, db):
    article = ArticleFactory()
    response = autosave(client, article, headline="Expired")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_a_real_save_clears_the_writers_autosave_only(client, editor, second_editor):
    article = ArticleFactory()
    client.force_login(editor)
    assert autosave(client, article, headline="Unsaved").status_code == 200
    assert autosave(signed_in(second_editor), article, headline="Farid's").status_code == 200

    data = form_data(client.get(change_url(article)), headline="Saved for real")
    assert client.post(change_url(article), data).status_code == 302

    assert list(ArticleAutosave.objects.values_list("user__username", flat=True)) == ["farid"]
    page = client.get(change_url(article)).content.decode()
    assert '<script id="desk-autosave" type="application/json">null</script>' in page


def test_discard_drops_the_writers_autosave(client, editor):
    article = ArticleFactory()
    client.force_login(editor)
    autosave(client, article, headline="Unwanted")
    assert client.delete(autosave_url(article)).status_code == 200
    assert not ArticleAutosave.objects.exists()


# --- Presence -------------------------------------------------------------------------------


def test_presence_lists_the_others_on_the_story_and_not_oneself(
    client, editor, second_editor, django_assert_max_num_queries
):
    article = ArticleFactory()
    client.force_login(editor)
    farid = signed_in(second_editor)
    assert beat(farid, article, typing=True).json()["others"] == []

    with django_assert_max_num_queries(10):
        answer = beat(client, article, base_version=article.version).json()

    assert answer == {"others": [{"name": "Farid Aliyev", "typing": True}], "version": 1}
    assert beat(farid, article, typing=False).json()["others"] == [
        {"name": editor.get_full_name(), "typing": False}
    ]


def test_presence_tells_a_form_behind_the_story_who_saved_it(client, editor, second_editor):
    article = ArticleFactory()
    client.force_login(editor)
    assert open_and_save(signed_in(second_editor), article, headline="Newer").status_code == 302

    answer = beat(client, article, base_version=article.version).json()

    assert answer["version"] == article.version + 1
    assert answer["changed_by"] == "Farid Aliyev"
    assert answer["others"] == []  # his form never polled, so he is not listed
    # A read-only view of the story has no form version to be behind.
    assert "changed_by" not in beat(client, article).json()


def test_presence_drops_people_after_the_window_or_when_they_leave(client, editor, second_editor):
    article = ArticleFactory()
    client.force_login(editor)
    farid = signed_in(second_editor)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        beat(farid, article, typing=True)
        traveller.shift(dt.timedelta(seconds=20))
        assert [o["name"] for o in beat(client, article).json()["others"]] == ["Farid Aliyev"]
        traveller.shift(dt.timedelta(seconds=11))
        assert beat(client, article).json()["others"] == []
        beat(farid, article)
        assert len(beat(client, article).json()["others"]) == 1
        assert beat(farid, article, leaving=True).json() == {"left": True}
        assert beat(client, article).json()["others"] == []


def test_presence_is_per_story_and_one_row_per_person(client, editor, second_editor):
    story, other_story = ArticleFactory(), ArticleFactory()
    client.force_login(editor)
    farid = signed_in(second_editor)
    for _ in range(3):
        beat(farid, other_story)
    assert beat(client, story).json()["others"] == []
    assert ArticlePresence.objects.filter(user=second_editor).count() == 1


def test_presence_of_a_story_one_may_not_see_is_refused(client, journalist, other_journalist):
    theirs = own_story(other_journalist)
    client.force_login(journalist)
    assert beat(client, theirs).status_code == 403
    assert (
        client.post(presence_url(theirs), "x", content_type="application/json").status_code == 403
    )
    assert not ArticlePresence.objects.exists()


def test_presence_answers_bad_input_clearly(client, editor):
    article = ArticleFactory()
    client.force_login(editor)
    response = client.post(presence_url(article), b"{", content_type="application/json")
    assert response.status_code == 400 and "not JSON" in response.json()["error"]
    assert client.get(presence_url(article)).status_code == 405


# --- A stale save: the text stays, the other person's changes are shown --------------------


def open_and_save(client, article, **changes):
    return client.post(change_url(article), form_data(client.get(change_url(article)), **changes))


def test_a_stale_save_keeps_the_text_and_shows_what_the_other_person_changed(
    client, editor, second_editor, django_assert_max_num_queries
):
    article = ArticleFactory(
        headline="Ferries sail again", standfirst="After the storm.", body="<p>At dawn.</p>"
    )
    farid = signed_in(second_editor)
    assert open_and_save(farid, article, dateline="BAKU").status_code == 302  # a stored revision
    client.force_login(editor)
    eddie_form = form_data(client.get(change_url(article)))
    assert (
        open_and_save(
            farid,
            article,
            headline="Ferries sail again from Baku",
            body="<p>At dawn, 200 aboard.</p>",
        ).status_code
        == 302
    )

    eddie_form.update(standfirst="Eddie's new standfirst.", body="<p>Eddie's body text.</p>")
    # The refused form as the admin renders it, plus the story now and its revisions: not
    # one query per revision searched.
    with django_assert_max_num_queries(30):
        response = client.post(change_url(article), eddie_form)

    assert response.status_code == 200
    page = response.content.decode()
    assert "redo your edit" not in page
    assert "Your text is still in the form below" in page
    # The writer's own text is still in the form, the rich text included.
    assert "Eddie&#x27;s new standfirst." in page
    assert "&lt;p&gt;Eddie&#x27;s body text.&lt;/p&gt;" in page
    # Beside it, what Farid changed.
    assert "What Farid Aliyev changed after you opened the story" in page
    assert "Ferries sail again <ins>from Baku</ins>" in page
    assert "<del>dawn.</del> <ins>dawn, 200 aboard.</ins>" in page
    takeover = response.context["takeover"]
    assert [c["label"] for c in takeover["changes"]] == ["Headline", "Body"]
    # Re-applied: their headline (Eddie did not touch it); Eddie's standfirst; both changed
    # the body, so Eddie's stays and he is told to compare.
    assert takeover["apply"]["fields"]["headline"] == "Ferries sail again from Baku"
    assert takeover["apply"]["fields"] == {"headline": "Ferries sail again from Baku"}
    assert takeover["conflicts"] == ["Body"]
    article.refresh_from_db()
    assert (
        article.standfirst == "After the storm." and article.body == "<p>At dawn, 200 aboard.</p>"
    )

    # Taking the current version and re-applying (what the button does in the form) saves.
    eddie_form.update(takeover["apply"]["fields"], base_version=takeover["apply"]["base_version"])
    assert client.post(change_url(article), eddie_form).status_code == 302
    article.refresh_from_db()
    assert article.headline == "Ferries sail again from Baku"
    assert article.standfirst == "Eddie's new standfirst."
    assert article.body == "<p>Eddie's body text.</p>"


def test_a_stale_save_without_the_old_revision_compares_with_the_story_now(
    client, editor, second_editor
):
    article = ArticleFactory(headline="Original", body="<p>First text.</p>")  # no revision
    client.force_login(editor)
    eddie_form = form_data(client.get(change_url(article)), body="<p>Eddie's text.</p>")
    assert (
        open_and_save(signed_in(second_editor), article, body="<p>Farid's text.</p>").status_code
        == 302
    )

    response = client.post(change_url(article), eddie_form)

    page = response.content.decode()
    assert "How the saved story differs from your form" in page
    assert "<del>Eddie&#x27;s</del> <ins>Farid&#x27;s</ins> text." in page
    assert response.context["takeover"]["apply"]["fields"] == {}
    assert response.context["takeover"]["conflicts"] == ["Body"]


def test_the_diff_escapes_what_it_marks():
    diff = word_diff(["<b>old</b> text"], ['<script>alert("x")</script> text'])
    assert diff == (
        '<div class="readable-diff"><p><del>&lt;b&gt;old&lt;/b&gt;</del> '
        "<ins>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</ins> text</p></div>"
    )
