"""Every public page carries the security headers, and no page runs inline script."""

import re

import pytest
from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.models import Site

from tests.factories import ArticleFactory, AuthorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages():
    author = AuthorFactory(name="Leyla Mammadova")
    story = ArticleFactory(published=True, authors=[author], tag_names=["oil"])
    withdrawn = ArticleFactory(withdrawn=True)
    about = FlatPage.objects.create(url="/pages/about/", title="About", content="<p>Us.</p>")
    about.sites.add(Site.objects.get_current())
    return [
        "/",
        story.get_absolute_url(),
        story.section.get_absolute_url(),
        "/tags/oil/",
        author.get_absolute_url(),
        "/search/?q=oil",
        "/corrections/",
        "/pages/about/",
        "/no-such-page/",
        withdrawn.get_absolute_url(),
    ]


def csp_directives(header: str) -> dict[str, list[str]]:
    parts = (p.strip().split() for p in header.split(";") if p.strip())
    return {p[0]: p[1:] for p in parts}


def test_every_page_sends_the_security_headers(client, pages):
    for path in pages:
        response = client.get(path)
        assert response.status_code in (200, 404, 410), path
        csp = csp_directives(response["Content-Security-Policy"])
        assert csp["script-src"] == ["'self'"], path
        assert csp["object-src"] == ["'none'"], path
        assert csp["frame-ancestors"] == ["'none'"], path
        assert response["X-Content-Type-Options"] == "nosniff", path
        assert response["Referrer-Policy"] == "strict-origin-when-cross-origin", path
        assert response["X-Frame-Options"] == "DENY", path
        assert "X-Powered-By" not in response, path


def test_headers_are_sent_on_cached_pages_and_304s_too(client, pages):
    first = client.get("/")
    for response in (client.get("/"), client.get("/", HTTP_IF_NONE_MATCH=first["ETag"])):
        assert "Content-Security-Policy" in response
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"


def test_no_page_has_inline_script_only_json_ld_data(client, pages):
    for path in pages:
        html = client.get(path).content.decode()
        for attrs in re.findall(r"<script\b([^>]*)>", html, re.I):
            assert 'type="application/ld+json"' in attrs or "src=" in attrs, (path, attrs)
        assert not re.search(r"\son[a-z]+=", html), path  # no inline event handlers
