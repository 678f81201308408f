"""The story change form laid out for the job (issue 11, point 6) and the body's paste cleanup
on the server (point 7): the fieldsets in writing order, the folded ones, times in the
newsroom's zone on a 24-hour clock, typed and read back in that zone. The layout itself at
1366x768 and the paste cleanup in the editor: test_story_form_browser.py."""

import datetime as dt

import pytest

from articles.forms import WorkflowForm
from articles.models import Article, Status
from tests.admin_forms import change_url, form_data
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/articles/article/"
ZONE = "Asia/Baku, UTC+04:00"  # settings.TIME_ZONE in the tests, as in the demo


def in_review(journalist) -> Article:
    return ArticleFactory(created_by=journalist, authors=[journalist.author], in_review=True)


def fieldset_layout(response) -> list[tuple[str | None, list[str], str]]:
    layout = []
    for fieldset in response.context["adminform"]:
        # An editable field's BoundField, or a read-only field's dict.
        names = [
            field.field["name"] if isinstance(field.field, dict) else field.field.name
            for line in fieldset
            for field in line
        ]
        layout.append((fieldset.name, names, fieldset.classes))
    return layout


def test_fieldsets_follow_the_order_a_story_is_written_in(client, editor, journalist):
    client.force_login(editor)
    response = client.get(change_url(in_review(journalist)))

    layout = fieldset_layout(response)
    fields = [name for _, names, _ in layout for name in names]
    assert fields[:7] == [
        "headline",
        "section",
        "kind",
        "sponsor",  # paid content's sponsor beside its kind
        "dateline",
        "standfirst",
        "body",
    ]
    assert fields.index("featured_image") > fields.index("body")
    folded = {name: classes for name, _, classes in layout if "collapse" in classes}
    assert set(folded) == {"Placement", "Address and search engines"}
    placement = dict((name, names) for name, names, _ in layout)
    assert placement["Placement"] == ["is_lead", "is_breaking"]
    assert placement["Address and search engines"] == ["slug", "meta_title", "meta_description"]


def test_bylines_sit_beside_section_above_the_body_and_folded_fields_are_details(
    client, editor, journalist
):
    client.force_login(editor)
    page = client.get(change_url(in_review(journalist))).content.decode()

    assert page.index('id="id_headline"') < page.index('id="bylines-group"')
    assert page.index('id="id_section"') < page.index('id="bylines-group"')
    assert page.index('id="bylines-group"') < page.index('id="id_body"')
    assert page.count('id="bylines-group"') == 1
    # Django renders a collapsed fieldset as a closed <details>.
    assert page.count("<details") == 2
    assert page.index("<details") > page.index('id="id_body"')


def test_the_latest_note_is_at_the_top_of_the_form(client, editor, journalist):
    article = in_review(journalist)
    article.return_to_authors(editor, "Name the minister and source the figures.")
    client.force_login(journalist)
    page = client.get(change_url(article)).content.decode()

    note = page.index("Name the minister and source the figures.")
    assert page.index('id="workflow-title"') < note < page.index('id="id_headline"')
    assert "Latest note · Returned to authors" in page


def test_the_headline_counts_against_its_limit_and_the_server_keeps_it(client, journalist):
    article = ArticleFactory(created_by=journalist, authors=[journalist.author])
    client.force_login(journalist)
    page = client.get(change_url(article))
    html = page.content.decode()
    assert 'data-count-limit="110"' in html
    assert "headline_count.js" in html

    response = client.post(change_url(article), form_data(page, headline="H" * 111))

    assert response.status_code == 200
    assert "Ensure this value has at most 110 characters (it has 111)." in (
        response.content.decode()
    )
    article.refresh_from_db()
    assert article.headline != "H" * 111


def test_publish_at_is_a_24_hour_text_field_in_the_newsrooms_zone(client, editor, journalist):
    client.force_login(editor)
    page = client.get(change_url(in_review(journalist))).content.decode()

    field = page[page.index('name="workflow_at"') - 200 : page.index('name="workflow_at"') + 400]
    assert 'type="text"' in field and "datetime-local" not in field
    assert 'placeholder="YYYY-MM-DD HH:MM"' in field
    assert ZONE in page


def test_a_time_reads_back_in_the_newsrooms_zone_on_a_24_hour_clock():
    at = dt.datetime(2031, 5, 4, 17, 30, tzinfo=dt.UTC)  # 21:30 in Baku
    rendered = str(WorkflowForm(initial={"at": at})["at"])
    assert 'value="2031-05-04 21:30"' in rendered


@pytest.mark.parametrize("typed", ["2031-05-04 21:30", "2031-05-04T21:30"])
def test_a_typed_time_is_the_newsrooms(client, editor, journalist, typed):
    article = in_review(journalist)
    client.force_login(editor)
    data = form_data(client.get(change_url(article)), workflow_at=typed, _workflow="schedule")

    response = client.post(change_url(article), data)

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == Status.PUBLISHED
    assert article.publish_at == dt.datetime(2031, 5, 4, 17, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize("typed", ["05/04/2031 9:30 PM", "2031-05-04 25:00", "tomorrow"])
def test_a_badly_typed_time_is_refused_with_the_format_and_nothing_changes(
    client, editor, journalist, typed
):
    article = in_review(journalist)
    client.force_login(editor)
    data = form_data(
        client.get(change_url(article)),
        standfirst="Typed with the bad time.",
        workflow_at=typed,
        _workflow="schedule",
    )

    response = client.post(change_url(article), data)

    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "Enter the time as year-month-day and a 24-hour time, e.g. 2031-05-04 09:30 "
        f"({ZONE})." in page
    )
    article.refresh_from_db()
    assert article.status == Status.IN_REVIEW and article.publish_at is None
    assert article.standfirst != "Typed with the bad time."


def test_read_only_times_show_the_zone_on_a_24_hour_clock(client, editor):
    at = dt.datetime(2031, 5, 4, 17, 30, tzinfo=dt.UTC)
    article = ArticleFactory(scheduled=True, publish_at=at)
    client.force_login(editor)
    page = client.get(change_url(article)).content.decode()

    assert f"4 May 2031, 21:30 ({ZONE})" in page  # the Status fieldset and the workflow title
    assert f"Times are the newsroom's ({ZONE}), on a 24-hour clock." in page
    assert "9:30 p.m." not in page


def test_the_story_list_keeps_the_whole_headline_as_a_tooltip(client, editor):
    headline = "A long headline " * 6
    ArticleFactory(headline=headline.strip())
    client.force_login(editor)
    page = client.get(CHANGELIST).content.decode()
    assert f'<span class="desk-list-headline" title="{headline.strip()}">' in page


def test_empty_paragraphs_do_not_survive_a_save():
    article = ArticleFactory(
        body="<p>First.</p><p>&nbsp;</p><p></p><p><br></p><p> </p><p>Second.</p>"
    )
    article.refresh_from_db()
    assert article.body == "<p>First.</p><p>Second.</p>"


def test_the_paste_cleanup_adds_nothing_to_what_the_body_allows():
    body = '<p style="color:red" class="MsoNormal">Text</p><table><tr><td>a</td></tr></table>'
    article = ArticleFactory(body=body + '<img src="https://example.com/x.png">')
    article.refresh_from_db()
    assert article.body == "<p>Text</p>a"
