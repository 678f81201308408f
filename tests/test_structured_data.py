"""What search engines and social networks read: JSON-LD, Open Graph, Twitter cards, canonical."""

import json
import re

import pytest
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
SITE = "http://127.0.0.1:8000"


def json_ld(html: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(b) for b in blocks]


def meta(html: str, key: str) -> list[str]:
    return re.findall(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">', html)


@pytest.fixture
def story():
    nation = SectionFactory(name="Nation", slug="nation")
    politics = SectionFactory(name="Politics", slug="politics", parent=nation)
    article = ArticleFactory(
        published=True,
        headline="Parliament passes the budget",
        section=politics,
        featured_image=ImageFactory(),
        authors=[AuthorFactory(name="Leyla Mammadova"), AuthorFactory(name="Rauf Aliyev")],
        tag_names=["Azerbaijan"],
    )
    Byline.objects.create(
        article=article,
        author=AuthorFactory(name="Photo Desk"),
        role=Byline.Role.PHOTOGRAPHS,
        position=5,
    )
    return article


def test_news_article_json_ld_is_complete(client, story):
    html = client.get(story.get_absolute_url()).content.decode()
    article, breadcrumbs = json_ld(html)
    url = SITE + story.get_absolute_url()
    assert article["@type"] == "NewsArticle"
    assert article["headline"] == "Parliament passes the budget"
    assert article["mainEntityOfPage"] == url
    assert article["datePublished"] == timezone.localtime(story.first_published_at).isoformat(
        timespec="seconds"
    )
    assert article["dateModified"] == article["datePublished"]
    assert article["image"][0].startswith(SITE + "/media/renditions/")
    assert [(a["@type"], a["name"], a["url"]) for a in article["author"]] == [
        ("Person", "Leyla Mammadova", SITE + "/authors/leyla-mammadova/"),
        ("Person", "Rauf Aliyev", SITE + "/authors/rauf-aliyev/"),
        ("Person", "Photo Desk", SITE + "/authors/photo-desk/"),
    ]
    publisher = article["publisher"]
    assert publisher["@type"] == "NewsMediaOrganization"
    assert publisher["name"] == "The Caspian Herald"
    assert publisher["url"] == SITE + "/"
    assert publisher["logo"]["url"] == SITE + "/static/img/logo.png"
    assert publisher["logo"]["width"] >= 112
    assert publisher["publishingPrinciples"] == SITE + "/pages/editorial-standards/"
    assert publisher["correctionsPolicy"] == SITE + "/pages/corrections-policy/"
    # Home > Nation > Politics > story: the sections are the middle items.
    items = breadcrumbs["itemListElement"]
    assert breadcrumbs["@type"] == "BreadcrumbList"
    assert [i["item"] for i in items] == [
        SITE + "/",
        SITE + "/nation/",
        SITE + "/politics/",
        url,
    ]


def test_logo_is_a_png_large_enough(client):
    from django.contrib.staticfiles import finders
    from PIL import Image

    with Image.open(finders.find("img/logo.png")) as logo:
        assert logo.format == "PNG" and min(logo.size) >= 112


def test_date_modified_follows_significant_updates_only(client, story):
    CorrectionFactory(article=story)
    story.refresh_from_db()
    html = client.get(story.get_absolute_url()).content.decode()
    article = json_ld(html)[0]
    assert article["dateModified"] == timezone.localtime(story.last_modified).isoformat(
        timespec="seconds"
    )
    assert article["dateModified"] > article["datePublished"]


def test_headline_cannot_break_out_of_the_json_ld_script(client):
    evil = 'Budget </script><script>alert("x")</script> & <!-- more'
    article = ArticleFactory(published=True, headline=evil, standfirst="</SCRIPT> too")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<script>alert" not in html
    assert "</SCRIPT> too" not in html.split("<body>")[0].split("ld+json")[1]
    data = json_ld(html)[0]
    assert data["headline"] == evil
    assert data["description"] == "</SCRIPT> too"


def test_open_graph_and_twitter_cards(client, story):
    html = client.get(story.get_absolute_url()).content.decode()
    url = SITE + story.get_absolute_url()
    assert meta(html, "og:type") == ["article"]
    assert meta(html, "og:title") == ["Parliament passes the budget"]
    assert meta(html, "og:url") == [url]
    assert meta(html, "og:image")[0].startswith(SITE + "/media/")
    published = meta(html, "article:published_time")[0]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+04:00", published)
    assert meta(html, "twitter:card") == ["summary_large_image"]
    assert meta(html, "twitter:site") == ["@caspianherald"]
    assert meta(html, "robots") == ["index, follow, max-image-preview:large"]
    assert re.findall(r'<link rel="canonical" href="([^"]+)">', html) == [url]


def test_story_without_image_gets_a_summary_card_and_no_image_claims(client):
    article = ArticleFactory(published=True)
    html = client.get(article.get_absolute_url()).content.decode()
    assert meta(html, "twitter:card") == ["summary"]
    assert "image" not in json_ld(html)[0]
    assert "<img" not in html.split("<article")[1].split("</article>")[0]


def test_home_describes_the_outlet(client):
    html = client.get("/").content.decode()
    org = json_ld(html)[0]
    assert org["@type"] == "NewsMediaOrganization"
    assert org["sameAs"] == ["https://x.com/caspianherald"]
    assert re.findall(r'<link rel="canonical" href="([^"]+)">', html) == [SITE + "/"]


def test_author_page_is_a_profile_page(client):
    author = AuthorFactory(name="Leyla Mammadova", twitter="leyla_m", job_title="reporter")
    ArticleFactory(published=True, authors=[author])  # an author's page opens with a live story
    data = json_ld(client.get(author.get_absolute_url()).content.decode())[0]
    assert data["@type"] == "ProfilePage"
    person = data["mainEntity"]
    assert person["name"] == "Leyla Mammadova"
    assert person["url"] == SITE + "/authors/leyla-mammadova/"
    assert person["jobTitle"] == "reporter"
    assert person["sameAs"] == ["https://x.com/leyla_m"]


def test_an_agency_byline_is_an_organization_for_search_engines(client):
    agency = AuthorFactory(name="Caspian News Agency", is_organization=True, job_title="agency")
    reporter = AuthorFactory(name="Leyla Mammadova")
    story = ArticleFactory(published=True, authors=[reporter, agency])

    article = json_ld(client.get(story.get_absolute_url()).content.decode())[0]
    assert [(a["@type"], a["name"]) for a in article["author"]] == [("Person", "Leyla Mammadova")]
    [source] = article["sourceOrganization"]
    assert (source["@type"], source["name"]) == ("Organization", "Caspian News Agency")
    wire = ArticleFactory(published=True, authors=[agency])  # agency copy, no one else
    article = json_ld(client.get(wire.get_absolute_url()).content.decode())[0]
    assert [(a["@type"], a["name"]) for a in article["author"]] == [
        ("Organization", "Caspian News Agency")
    ]
    assert "sourceOrganization" not in article
    profile = json_ld(client.get(agency.get_absolute_url()).content.decode())[0]["mainEntity"]
    assert profile["@type"] == "Organization"
    assert "jobTitle" not in profile and "worksFor" not in profile  # a Person's properties


def test_the_editor_marks_an_author_as_an_agency_in_the_admin(client, editor):
    from accounts.models import Author
    from tests.admin_forms import form_data

    agency = AuthorFactory(name="Caspian News Agency")
    client.force_login(editor)
    url = f"/admin/accounts/author/{agency.pk}/change/"
    response = client.post(url, form_data(client.get(url), is_organization="on"))
    assert response.status_code == 302, response.content[:2000]
    assert Author.objects.get(pk=agency.pk).is_organization
