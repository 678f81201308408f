"""Published addresses are permanent: slug, section or date changes answer 301, not 404."""

import datetime as dt

from django.urls import reverse, set_script_prefix
from django.utils import timezone

from articles.models import ArticleRedirect
from tests.admin_forms import change_url, form_data
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory


def edit(client, article, **changes):
    data = form_data(client.get(change_url(article)), **changes)
    if article.is_live() and not data.get("update_kind"):
        data["update_kind"] = "minor"
    response = client.post(change_url(article), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    article.refresh_from_db()


def assert_moved(client, old_url: str, new_url: str) -> None:
    response = client.get(old_url)
    assert response.status_code == 301
    assert response["Location"] == new_url
    assert client.get(new_url).status_code == 200


def test_changing_the_slug_of_a_live_story_redirects_the_old_address(client, editor):
    article = ArticleFactory(published=True, slug="budget-vote")
    old_url = article.get_absolute_url()
    client.force_login(editor)
    edit(client, article, slug="budget-passes")
    client.logout()
    assert article.get_absolute_url() != old_url
    assert_moved(client, old_url, article.get_absolute_url())


def test_moving_a_live_story_to_another_section_redirects(client, editor):
    article = ArticleFactory(published=True)
    old_url = article.get_absolute_url()
    economy = SectionFactory(name="Economy", slug="economy")
    client.force_login(editor)
    edit(client, article, section=economy.pk)
    client.logout()
    assert "/economy/" in article.get_absolute_url()
    assert_moved(client, old_url, article.get_absolute_url())


def test_changing_the_date_of_a_live_story_redirects(client, db):
    article = ArticleFactory(published=True)
    old_url = article.get_absolute_url()
    article.first_published_at -= dt.timedelta(days=3)
    article.publish_at = article.first_published_at
    article.save()
    assert article.get_absolute_url() != old_url
    assert_moved(client, old_url, article.get_absolute_url())


def test_every_earlier_address_leads_to_the_current_one(client, editor):
    article = ArticleFactory(published=True, slug="first-name")
    first_url = article.get_absolute_url()
    client.force_login(editor)
    edit(client, article, slug="second-name")
    second_url = article.get_absolute_url()
    edit(client, article, slug="third-name")
    client.logout()
    for old in (first_url, second_url):
        assert_moved(client, old, article.get_absolute_url())


def test_drafts_leave_no_redirects_behind(client, editor):
    article = ArticleFactory(slug="working-title")
    client.force_login(editor)
    edit(client, article, slug="final-title")
    assert not ArticleRedirect.objects.exists()


def test_old_address_of_a_withdrawn_story_does_not_redirect_to_it(client, editor):
    article = ArticleFactory(published=True, slug="old-slug")
    old_url = article.get_absolute_url()
    client.force_login(editor)
    edit(client, article, slug="new-slug")
    article.unpublish(editor, note="Taken down.")
    client.logout()
    assert client.get(old_url).status_code in (404, 410)
    assert client.get(article.get_absolute_url()).status_code == 410


def test_slug_typed_in_the_admin_for_a_live_story_is_made_ascii(client, editor):
    article = ArticleFactory(published=True)
    old_url = article.get_absolute_url()
    client.force_login(editor)
    edit(client, article, slug="Gəncə seçkiləri")
    assert article.slug == "gence-seckileri"
    client.logout()
    assert_moved(client, old_url, article.get_absolute_url())


def test_a_story_address_is_the_one_its_url_pattern_reverses(client, db):
    # Story addresses are filled into a format string made once from the URL pattern (a
    # front page links dozens); a change to the pattern must change them all alike.
    article = ArticleFactory(
        published=True, slug="late-vote", publish_at=dt.datetime(2026, 3, 4, 23, 30, tzinfo=dt.UTC)
    )
    day = timezone.localtime(article.first_published_at)
    reversed_path = reverse(
        "articles:detail",
        kwargs={
            "section": article.section.slug,
            "year": day.year,
            "month": f"{day.month:02d}",
            "day": f"{day.day:02d}",
            "slug": "late-vote",
        },
    )
    assert article.get_absolute_url() == reversed_path
    assert client.get(reversed_path).status_code == 200


def test_addresses_follow_the_script_prefix_the_site_is_served_under(db):
    article = ArticleFactory(published=True, slug="late-vote")
    author = AuthorFactory(slug="ann-writer")
    set_script_prefix("/news/")
    try:
        assert article.get_absolute_url().startswith("/news/")
        assert article.get_absolute_url().endswith("/late-vote/")
        assert article.section.get_absolute_url() == f"/news/{article.section.slug}/"
        assert author.get_absolute_url() == "/news/authors/ann-writer/"
    finally:
        set_script_prefix("/")
    assert article.section.get_absolute_url() == f"/{article.section.slug}/"
