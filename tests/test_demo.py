"""`manage.py load_demo`: a complete newsroom, loaded once, through the real workflow."""

import datetime as dt
import io
import re
from collections import Counter

from django.contrib.auth.models import User
from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.models import Site
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from taggit.models import Tag

from accounts.models import EDITORS, JOURNALISTS, Author
from articles.models import (
    Article,
    ArticleEvent,
    BreakingBanner,
    Byline,
    Correction,
    Image,
    Notification,
    Section,
    Status,
)

MODELS = [
    User,
    Author,
    Section,
    Image,
    Tag,
    Article,
    Byline,
    ArticleEvent,
    Correction,
    FlatPage,
    BreakingBanner,
]


def _load() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_load_demo_twice_changes_nothing_and_prints_random_passwords_once(db, client, settings):
    first = _load()
    counts = _counts()
    assert counts["Article"] >= 40
    assert "Demo newsroom ready" in first

    passwords = dict(re.findall(r"^\s+(journalist|editor|admin)\s+(\S+)$", first, re.M))
    assert set(passwords) == {"journalist", "editor", "admin"}
    assert len(set(passwords.values())) == 3  # generated, not a fixed demo password
    for username, password in passwords.items():
        user = User.objects.get(username=username)
        assert user.check_password(password)
        assert user.is_staff
    assert User.objects.get(username="journalist").groups.get().name == JOURNALISTS
    assert User.objects.get(username="editor").groups.get().name == EDITORS
    assert User.objects.get(username="admin").is_superuser

    second = _load()
    assert "nothing changed" in second
    assert not re.search(r"^\s+(journalist|editor|admin)\s+\S+$", second, re.M)
    assert _counts() == counts
    assert User.objects.get(username="editor").check_password(passwords["editor"])

    # Through the login form: the journalist with the password alone, the editor and the
    # administrator with a printed recovery code after it (it then works no more).
    response = client.post(
        "/admin/login/", {"username": "journalist", "password": passwords["journalist"]}
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    second_steps = dict(
        re.findall(r"^\s+(editor|admin): key [A-Z2-7 ]+; recovery codes: (.+)$", first, re.M)
    )
    assert set(second_steps) == {"editor", "admin"}
    for username in ("editor", "admin"):
        staff = Client()
        answer = staff.post(
            "/admin/login/", {"username": username, "password": passwords[username]}
        )
        assert answer.status_code == 302
        assert staff.get("/admin/")["Location"].startswith("/admin/2fa/verify/")
        recovery = second_steps[username].split()[0]
        assert staff.post("/admin/2fa/verify/", {"code": recovery}).status_code == 302
        assert staff.get("/admin/").status_code == 200
        again = Client()
        again.post("/admin/login/", {"username": username, "password": passwords[username]})
        assert again.post("/admin/2fa/verify/", {"code": recovery}).status_code == 200  # used

    site = Site.objects.get_current()
    assert site.name == settings.SITE_NAME
    assert site.domain in settings.SITE_URL


def test_demo_covers_every_status_and_the_public_site_shows_only_live_stories(db, client):
    _load()
    now = timezone.now()
    states = Counter(article.state_label for article in Article.objects.all())
    assert states["Published"] >= 25
    assert states["Scheduled"] == 2
    assert states["In review"] == 2
    assert states["Returned to authors"] == 2
    assert states["Draft"] == 3
    assert states["Withdrawn"] == 1

    live = Article.objects.live()
    assert live.filter(publish_at__gte=now - dt.timedelta(hours=48)).count() >= 5
    assert live.filter(is_lead=True).count() == 1
    assert live.filter(is_breaking=True).count() == 1
    assert set(live.values_list("kind", flat=True)) >= {
        "news",
        "analysis",
        "opinion",
        "interview",
        "sponsored",
    }
    assert Correction.objects.filter(article__in=live).count() == 2
    corrected = Article.objects.filter(corrections__isnull=False)
    assert all(a.updated_at and a.updated_at > a.first_published_at for a in corrected)
    for returned in Article.objects.filter(status=Status.RETURNED):
        assert returned.events.filter(to_status="Returned to authors").exclude(note="").exists()
    # Real workflow: every live story was submitted and then published by the editor.
    editor = User.objects.get(username="editor")
    for article in live:
        assert article.events.filter(to_status="Published", actor=editor).exists()
    roles = set(Byline.objects.values_list("role", flat=True))
    assert roles == set(Byline.Role.values)  # every role used, and nothing else
    assert Author.objects.filter(user__isnull=True).count() >= 3  # guests and agencies
    assert Image.objects.exclude(alt_text="").count() == Image.objects.count()

    home = client.get("/")
    assert home.status_code == 200
    html = home.content.decode()
    lead = live.get(is_lead=True)
    assert lead.headline in html
    for hidden in Article.objects.exclude(pk__in=live.values("pk")):
        assert hidden.headline not in html

    assert client.get(lead.get_absolute_url()).status_code == 200
    draft = Article.objects.filter(status=Status.DRAFT).first()
    assert client.get(draft.get_absolute_url()).status_code == 404
    withdrawn = Article.objects.get(status=Status.WITHDRAWN)
    assert client.get(withdrawn.get_absolute_url()).status_code == 410

    for url in ("/pages/about/", "/pages/editorial-standards/", "/pages/corrections-policy/"):
        assert client.get(url).status_code == 200, url
    assert client.get("/pages/contact/").status_code == 200


def test_the_demos_history_tells_no_one(db, django_capture_on_commit_callbacks, mailoutbox):
    """Its stories were submitted, returned and published as it loaded: no news for anyone,
    and `make run` prints the logins without two dozen mails after them."""
    with django_capture_on_commit_callbacks(execute=True):
        _load()
    assert not Notification.objects.exists()
    assert mailoutbox == []


def test_the_demo_has_a_running_live_blog_with_a_dozen_entries(db, client):
    from articles.models import Kind, LiveEntry

    _load()
    blog = Article.objects.live().get(kind=Kind.LIVE)
    entries = LiveEntry.objects.public().filter(article=blog)
    assert entries.count() == 12
    assert entries.filter(is_pinned=True).count() == 1
    assert entries.filter(is_key_event=True).count() == 1
    html = client.get(blog.get_absolute_url()).content.decode()
    assert html.count('<article class="live-entry') == 12 and 'id="key-events-heading"' in html
    assert "data-live-src" in html
