"""Readers see live stories only, on every surface: pages, lists, search, related, counts."""

import pytest

from articles.models import ArticleRedirect
from tests.factories import ArticleFactory, AuthorFactory, CorrectionFactory, SectionFactory

pytestmark = pytest.mark.django_db

NOT_LIVE = ["draft", "in_review", "returned", "scheduled"]


@pytest.fixture
def author():
    return AuthorFactory(name="Leyla Mammadova")


@pytest.fixture
def live(author):
    return ArticleFactory(
        published=True,
        headline="Live story about the oil fund",
        authors=[author],
        tag_names=["oil"],
    )


def traits(state: str) -> dict:
    """Factory traits for a state; a draft is the factory's default."""
    return {} if state == "draft" else {state: True}


def hidden_story(state: str, author, live) -> object:
    article = ArticleFactory(
        **traits(state),
        headline=f"Hidden {state} story about the oil fund",
        section=live.section,
        authors=[author],
        tag_names=["oil"],
    )
    if state != "scheduled":
        # Give non-published stories a plausible public address to probe.
        article.publish_at = live.publish_at
    return article


@pytest.mark.parametrize("state", NOT_LIVE)
def test_unpublished_story_answers_404(client, state, author, live):
    article = hidden_story(state, author, live)
    assert client.get(article.get_absolute_url()).status_code == 404


def test_withdrawn_story_answers_410_in_the_site_design(client, author):
    article = ArticleFactory(withdrawn=True, authors=[author])
    response = client.get(article.get_absolute_url())
    assert response.status_code == 410
    assert "This story has been withdrawn" in response.content.decode()
    assert 'class="masthead"' in response.content.decode()


def test_old_address_redirects_permanently(client, live):
    old = live.get_absolute_url()
    live.slug = "a-new-slug"
    live.save()
    assert ArticleRedirect.objects.filter(old_path=old).exists()
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == live.get_absolute_url()


def test_old_address_of_withdrawn_story_is_gone(client, live, editor):
    old = live.get_absolute_url()
    live.slug = "renamed"
    live.save()
    live.unpublish(editor, note="Taken down.")
    assert client.get(old).status_code == 410


def test_wrong_section_or_date_redirects_to_the_real_address(client, live):
    other = SectionFactory(name="World", slug="world")
    wrong = live.get_absolute_url().replace(f"/{live.section.slug}/", f"/{other.slug}/")
    response = client.get(wrong)
    assert response.status_code == 301
    assert response["Location"] == live.get_absolute_url()


@pytest.mark.parametrize("state", [*NOT_LIVE, "withdrawn"])
def test_lists_search_and_related_show_only_live_stories(client, state, author, live):
    hidden = ArticleFactory(
        **traits(state),
        headline=f"Hidden {state} story about the oil fund",
        section=live.section,
        authors=[author],
        tag_names=["oil"],
    )
    pages = {
        "home": "/",
        "section": live.section.get_absolute_url(),
        "tag": "/tags/oil/",
        "author": author.get_absolute_url(),
        "search": "/search/?q=oil+fund",
        "article (related)": live.get_absolute_url(),
    }
    for name, path in pages.items():
        response = client.get(path)
        assert response.status_code == 200, name
        html = response.content.decode()
        assert hidden.headline not in html, name
        if name != "article (related)":
            assert live.headline in html, name
    # Counts only count live stories.
    assert "1 story matches" in client.get("/search/?q=oil+fund").content.decode()


def test_corrections_page_lists_only_corrections_on_live_stories(client, live, editor):
    shown = CorrectionFactory(article=live, text="A note on a live story.")
    gone = ArticleFactory(published=True, headline="Soon withdrawn")
    hidden = CorrectionFactory(article=gone, text="A note on a withdrawn story.")
    gone.unpublish(editor, note="Taken down.")
    html = client.get("/corrections/").content.decode()
    assert shown.text in html
    assert hidden.text not in html


def test_related_stories_are_live_and_exclude_the_story_itself(client, live, author):
    sibling = ArticleFactory(published=True, headline="Sibling story", tag_names=["oil"])
    draft = ArticleFactory(headline="Draft sibling", tag_names=["oil"])
    html = client.get(live.get_absolute_url()).content.decode()
    related = html[html.index("Related stories") :]
    assert sibling.headline in related
    assert draft.headline not in related
    assert live.headline not in related
