"""Stored HTML that pages render unescaped is cleaned with the story body's policy (nh3):
the story body and the standing pages (flatpages), on save and, for the standing pages, as
they are rendered. A test reads every template and the code for fields rendered with |safe or
mark_safe and fails for one that is not in articles.models.RAW_HTML_FIELDS, or is listed there
and not cleaned."""

import ast
import inspect
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.models import Site
from taggit.models import Tag

from accounts.models import Author
from articles.models import (
    RAW_HTML_FIELDS,
    Article,
    BreakingBanner,
    Correction,
    Image,
    LiveEntry,
    Section,
    ShareLink,
)
from articles.templatetags import news
from tests.admin_forms import ARTICLE_ADD, change_url, form_data
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
HOSTILE = (
    "<p>Hello readers.</p>"
    "<script>alert('script')</script>"
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">'
    '<img src="x" onerror="alert(\'img\')">'
    "<a href=\"javascript:alert('link')\">click</a>"
    '<iframe src="https://evil.example/"></iframe>'
    '<p style="position:fixed" onclick="alert(\'p\')">styled</p>'
    "<style>body{display:none}</style>"
    '<form action="https://evil.example/"><input name="password"></form>'
    "<svg onload=\"alert('svg')\"></svg>"
    '<base href="https://evil.example/">'
)
FORBIDDEN = [
    "<script",
    "<meta",
    "http-equiv",
    "onerror",
    "onclick",
    "onload",
    "javascript:",
    "<iframe",
    "style=",
    "<style",
    "<form",
    "<input",
    "<svg",
    "<base",
    "alert(",
    "evil.example",
]


def assert_clean(html: str) -> None:
    found = [bad for bad in FORBIDDEN if bad in html]
    assert not found, f"{found} survived in {html!r}"


# --- Which fields are rendered raw: read from the templates and the code ---------------------

# The names templates give model instances. A template that renders another name raw must be
# added here, so its field is checked too.
TEMPLATE_NAMES = {
    "flatpage": FlatPage,
    "article": Article,
    "story": Article,
    "author": Author,
    "section": Section,
    "tag": Tag,
    "banner": BreakingBanner,
    "note": Correction,
    "image": Image,
    "link": ShareLink,
    "entry": LiveEntry,
}
# {% autoescape off %} is for templates that are not HTML.
UNESCAPED_TEMPLATES = {
    "robots.txt": "text/plain, settings and URLs only",
    # The plain-text parts of e-mails: no HTML anywhere, so nothing to escape.
    "newsletter/confirm_email.txt": "text/plain e-mail, settings and a signed URL",
    "newsletter/edition_email.txt": "text/plain e-mail alternative of the HTML part",
}
# mark_safe outside template filters, reviewed: none of them marks a stored field as it is.
REVIEWED_MARK_SAFE = {
    "articles/fragments.py:_cached": "cached output of autoescaped templates",
    "articles/fragments.py:story": "the same, rendered afresh for previews",
    "articles/fragments.py:chrome": "the same, for the masthead and footer",
    "articles/search.py:render_snippet": "search snippets: escaped, then markers become <mark>",
    "articles/templatetags/news.py:json_ld": "JSON with <, > and & escaped as \\u003C ...",
    "articles/templatetags/news.py:headline_list": "headlines and addresses html.escape()d",
    "articles/views.py:flatpage": "the standing page's content after sanitize_html()",
    "accounts/views.py:authenticator": "segno's SVG of the QR code: paths only, no text",
    "articles/compare.py:word_diff": "revision compare: each word escaped, then <ins>/<del>",
}


def raw_filters() -> set[str]:
    """Template filters that pass their input through unescaped: |safe and the project's own
    filters that call mark_safe (with_dateline)."""
    own = {
        name for name, f in news.register.filters.items() if "mark_safe(" in inspect.getsource(f)
    }
    return {"safe", "safeseq", *own}


def template_files() -> list[Path]:
    dirs = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
    dirs += [Path(app.path) / "templates" for app in apps.get_app_configs()]
    ours = [d for d in dirs if d.is_dir() and d.is_relative_to(ROOT)]
    ours = [d for d in ours if ".venv" not in d.relative_to(ROOT).parts]  # not Django's own
    return [path for d in ours for path in d.rglob("*") if path.is_file()]


def fields_rendered_raw() -> set[str]:
    """The "app.Model.field" of every variable a template renders through a raw filter."""
    filters, found = raw_filters(), set()
    for path in template_files():
        text = path.read_text()
        name = path.relative_to(next(p for p in path.parents if p.name == "templates"))
        if "autoescape off" in text:
            assert str(name) in UNESCAPED_TEMPLATES, f"{name} turns autoescaping off"
        for expression, chain in re.findall(r"\{\{\s*([\w.]+)\s*\|([^}]*)\}\}", text):
            names = {part.split(":")[0].strip() for part in chain.split("|")}
            if not names & filters:
                continue
            root, *attrs = expression.split(".")
            assert root in TEMPLATE_NAMES and attrs, (
                f"{name} renders {expression} unescaped: name its model in TEMPLATE_NAMES"
            )
            model = TEMPLATE_NAMES[root]
            found.add(f"{model._meta.label}.{model._meta.get_field(attrs[0]).name}")
    return found


def mark_safe_calls() -> set[str]:
    """The "file:function" of every mark_safe()/SafeString() call in the project's code."""
    calls = set()
    for package in ("accounts", "articles", "newsroom"):
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text())
            for function in ast.walk(tree):
                if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                for node in ast.walk(function):
                    if isinstance(node, ast.Call) and getattr(node.func, "id", "") in {
                        "mark_safe",
                        "SafeString",
                    }:
                        calls.add(f"{path.relative_to(ROOT)}:{function.name}")
    return calls


def test_every_field_rendered_unescaped_is_in_the_sanitized_list():
    assert fields_rendered_raw() == RAW_HTML_FIELDS


def test_every_mark_safe_in_the_code_is_a_reviewed_one_or_a_template_filter():
    filters = {f"articles/templatetags/news.py:{name}" for name in raw_filters()}
    unreviewed = mark_safe_calls() - set(REVIEWED_MARK_SAFE) - filters
    assert not unreviewed, f"mark_safe() of what? Review and list: {unreviewed}"


def test_the_checks_find_what_they_look_for():
    """The readers above see the known raw uses, so an empty result is not a blind test."""
    assert "with_dateline" in raw_filters()
    assert {"articles.Article.body", "flatpages.FlatPage.content"} <= fields_rendered_raw()
    assert "articles/fragments.py:_cached" in mark_safe_calls()


# How to save a row with HTML in the field, for each listed field: a new field rendered raw
# fails here until it is cleaned on save and given a line.
SAVE_WITH = {
    "articles.Article.body": lambda html: ArticleFactory(body=html),
    "articles.LiveEntry.body": lambda html: LiveEntry.objects.create(
        article=ArticleFactory(kind="live", published=True), author=AuthorFactory(), body=html
    ),
    "flatpages.FlatPage.content": lambda html: FlatPage.objects.create(
        url="/pages/hostile/", title="Hostile", content=html
    ),
}


@pytest.mark.parametrize("label", sorted(RAW_HTML_FIELDS))
def test_every_listed_field_is_cleaned_on_save(label):
    assert label in SAVE_WITH, f"{label}: say how to save one in SAVE_WITH"
    row = SAVE_WITH[label](HOSTILE)
    field = label.rsplit(".", 1)[1]
    stored = getattr(type(row).objects.get(pk=row.pk), field)
    assert_clean(stored)
    assert "<p>Hello readers.</p>" in stored


# --- Standing pages, through the admin and the site -----------------------------------------

FLATPAGE_ADD = "/admin/flatpages/flatpage/add/"


def test_an_editors_standing_page_is_cleaned_on_save_and_its_title_escaped(client, editor):
    client.force_login(editor)
    data = form_data(client.get(FLATPAGE_ADD))
    data.update(
        url="/pages/about/",
        title="<script>alert('title')</script>About us",
        content=HOSTILE,
        sites=[Site.objects.get_current().pk],
    )
    assert client.post(FLATPAGE_ADD, data).status_code == 302
    page = FlatPage.objects.get()
    assert_clean(page.content)
    response = client.get("/pages/about/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;About us" in html
    body = html.split('class="story__body">', 1)[1].split("</div>", 1)[0]
    assert "<p>Hello readers.</p>" in body
    assert_clean(body)
    assert 'http-equiv="refresh"' not in html


def test_a_standing_page_saved_before_the_rule_is_cleaned_as_it_is_rendered(client):
    page = FlatPage.objects.create(url="/pages/about/", title="About", content="<p>Us.</p>")
    page.sites.add(Site.objects.get_current())
    FlatPage.objects.filter(pk=page.pk).update(content=HOSTILE)  # as an old row holds it
    response = client.get("/pages/about/")
    assert response.status_code == 200
    body = response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]
    assert "<p>Hello readers.</p>" in body
    assert_clean(body)
    assert 'http-equiv="refresh"' not in response.content.decode()


def test_a_standing_pages_description_cannot_break_out_of_its_attribute(client):
    page = FlatPage.objects.create(
        url="/pages/about/", title="About", content='<p>We "report" &amp; <b>check</b>.</p>'
    )
    page.sites.add(Site.objects.get_current())
    FlatPage.objects.filter(pk=page.pk).update(content='<p>x" onmouseover="alert(1)</p>')
    html = client.get("/pages/about/").content.decode()
    assert '<meta name="description" content="x&quot; onmouseover=&quot;alert(1)">' in html


def test_a_standing_page_may_use_only_standing_page_templates(client):
    page = FlatPage.objects.create(
        url="/pages/about/", title="About", content="<p>Us.</p>", template_name="admin/login.html"
    )
    page.sites.add(Site.objects.get_current())
    response = client.get("/pages/about/")
    assert response.status_code == 200
    assert response.templates[0].name == "flatpages/default.html"


def test_a_standing_page_for_logged_in_staff_sends_others_to_the_login(client):
    page = FlatPage.objects.create(
        url="/pages/desk/", title="Desk", content="<p>Us.</p>", registration_required=True
    )
    page.sites.add(Site.objects.get_current())
    response = client.get("/pages/desk/")
    assert response.status_code == 302
    assert "/pages/desk/" in response["Location"]


def test_journalists_cannot_edit_standing_pages(client, journalist):
    client.force_login(journalist)
    assert client.get(FLATPAGE_ADD).status_code == 403


# --- The story body, through the story form --------------------------------------------------


def test_a_story_body_posted_with_scripts_is_stored_and_shown_clean(client, journalist, editor):
    client.force_login(journalist)
    data = form_data(client.get(ARTICLE_ADD))
    data.update(
        headline="Budget passes",
        body=HOSTILE,
        section=SectionFactory(name="Politics", slug="politics").pk,
        kind="news",
    )
    assert client.post(ARTICLE_ADD, data).status_code == 302
    story = Article.objects.get()
    assert_clean(story.body)
    preview = client.get(f"/preview/{story.pk}/").content.decode()
    assert "<p>Hello readers.</p>" in preview
    data = form_data(client.get(change_url(story)), body=HOSTILE + "<p>Again.</p>")
    assert client.post(change_url(story), data).status_code == 302
    story.refresh_from_db()
    assert_clean(story.body)
    story.publish(editor)
    page = client.get(story.get_absolute_url()).content.decode()
    body = page.split('class="story__body', 1)[1].split("</div>", 1)[0]
    assert "<p>Again.</p>" in body
    assert_clean(body)
