"""Opinion, analysis and paid content are labelled wherever a reader or a machine meets them:
teasers, the story page, feeds, structured data; paid content stays out of automatic
front-page slots and the news sitemap, and its links to other sites are rel="sponsored"."""

import json
import re

import feedparser
import pytest
from django.urls import reverse

from articles.models import Article, Kind
from tests.admin_forms import ARTICLE_ADD, form_data
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db


def html_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def json_ld_article(html: str) -> dict:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(blocks[0])


@pytest.fixture
def paid():
    return ArticleFactory(
        published=True,
        headline="A weekend on the Absheron coast",
        kind=Kind.SPONSORED,
        sponsor="Absheron Tourism Board",
        section=SectionFactory(name="Culture", slug="culture"),
        body=(
            '<p>Book at <a href="https://tourism.example.org/book" rel="noopener">the board</a>'
            ' or read <a href="/culture/">our culture pages</a>.</p>'
        ),
    )


def test_paid_content_says_who_paid_on_the_story_page_and_in_teasers(client, paid):
    page = html_of(client, paid.get_absolute_url())
    assert '<span class="kind kind--sponsored">Sponsored</span>' in page
    assert "Paid content from <strong>Absheron Tourism Board</strong>." in page
    section = html_of(client, "/culture/")
    assert '<span class="kind kind--sponsored">Sponsored</span>' in section
    assert "Paid for by Absheron Tourism Board" in section


def test_links_out_of_paid_content_are_sponsored_and_the_sites_own_are_not(client, paid):
    page = html_of(client, paid.get_absolute_url())
    assert '<a href="https://tourism.example.org/book" rel="sponsored noopener">' in page
    assert '<a href="/culture/">our culture pages</a>' in page
    # The same link in a news story is an ordinary one.
    news = ArticleFactory(published=True, body=paid.body)
    assert 'rel="sponsored' not in html_of(client, news.get_absolute_url())


def test_paid_content_never_takes_an_automatic_slot_on_the_home_page(client, paid):
    news = ArticleFactory(published=True, headline="Parliament passes the budget")
    home = html_of(client, "/")
    assert news.headline in home
    assert paid.headline not in home


def test_paid_content_stays_out_of_the_news_sitemap(client, paid):
    news = ArticleFactory(published=True)
    sitemap = client.get("/sitemap-news.xml").content.decode()
    assert news.get_absolute_url() in sitemap
    assert paid.get_absolute_url() not in sitemap


@pytest.mark.parametrize("url", ["feeds:latest-rss", "feeds:latest-atom"])
def test_feed_readers_see_the_label_in_the_title_and_the_sponsor_in_the_summary(client, paid, url):
    ArticleFactory(published=True, headline="Why the budget fails", kind=Kind.OPINION)
    ArticleFactory(published=True, headline="Parliament passes the budget")
    entries = {e.title: e for e in feedparser.parse(client.get(reverse(url)).content).entries}
    assert set(entries) == {
        "Sponsored: A weekend on the Absheron coast",
        "Opinion: Why the budget fails",
        "Parliament passes the budget",
    }
    sponsored = entries["Sponsored: A weekend on the Absheron coast"]
    assert sponsored.summary.startswith("Paid content from Absheron Tourism Board.")
    assert "Sponsored" in [tag.term for tag in sponsored.tags]


@pytest.mark.parametrize(
    ("kind", "types"),
    [
        (Kind.NEWS, "NewsArticle"),
        (Kind.OPINION, ["NewsArticle", "OpinionNewsArticle"]),
        (Kind.ANALYSIS, ["NewsArticle", "AnalysisNewsArticle"]),
    ],
)
def test_search_engines_are_told_what_kind_of_story_it_is(client, kind, types):
    story = ArticleFactory(published=True, kind=kind)
    assert json_ld_article(html_of(client, story.get_absolute_url()))["@type"] == types


def test_paid_content_is_advertiser_content_with_the_sponsor_named(client, paid):
    data = json_ld_article(html_of(client, paid.get_absolute_url()))
    assert data["@type"] == "AdvertiserContentArticle"
    assert data["sponsor"] == {"@type": "Organization", "name": "Absheron Tourism Board"}


def test_a_label_that_names_the_section_is_shown_once(client):
    opinion = SectionFactory(name="Opinion", slug="opinion")
    story = ArticleFactory(published=True, kind=Kind.OPINION, section=opinion)
    page = html_of(client, "/opinion/")
    assert '<a class="kind kind--opinion" href="/opinion/">Opinion</a>' in page
    assert not re.search(r"Opinion</(a|span)>\s*<a[^>]*>Opinion</a>", page)
    # On the story page the breadcrumb names the section, and the label is not repeated.
    page = html_of(client, story.get_absolute_url())
    assert '<li><a href="/opinion/">Opinion</a></li></ol></nav>' in page
    assert "kind--opinion" not in page


def test_the_admin_insists_on_a_sponsor_for_paid_content_only(client, editor):
    client.force_login(editor)
    section = SectionFactory().pk
    base = {"headline": "Paid trip", "body": "<p>Text.</p>", "section": section}

    def add(**fields):
        return client.post(ARTICLE_ADD, form_data(client.get(ARTICLE_ADD), **base, **fields))

    refused = add(kind=Kind.SPONSORED, sponsor="")
    assert refused.status_code == 200
    assert "Name who paid for this sponsored story." in refused.content.decode()
    refused = add(kind=Kind.NEWS, sponsor="Absheron Tourism Board")
    assert "Only sponsored stories have a sponsor" in refused.content.decode()
    assert not Article.objects.exists()

    assert add(kind=Kind.SPONSORED, sponsor="Absheron Tourism Board").status_code == 302
    assert Article.objects.get().sponsor == "Absheron Tourism Board"
    assert not Article.objects.live().exists()
