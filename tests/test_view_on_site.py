"""The admin's "View on site" shortcut reveals no secret: no share-link token, no draft address.

Django's own shortcut (/admin/r/<content type>/<id>/) redirected any staff login to any
object's get_absolute_url(): a journalist counting ids collected every share link's token
(the editors' embargoed drafts included) and every unpublished story's headline slug.
"""

import pytest
from django.contrib.contenttypes.models import ContentType

from articles.models import Article, ShareLink
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db


def walk_the_shortcut(client, ids) -> list[str]:
    """Every address the shortcut gives away for every content type and these ids."""
    found = []
    for content_type in ContentType.objects.all():
        for object_id in ids:
            response = client.get(f"/admin/r/{content_type.pk}/{object_id}/")
            assert response.status_code in (302, 404), (content_type, object_id)
            if response.status_code == 302:
                found.append(response["Location"])
    return found


def test_a_journalist_walking_ids_finds_no_token_and_no_draft(
    client, journalist, other_journalist, editor
):
    embargoed = ArticleFactory(headline="Embargoed merger talks", created_by=editor)
    theirs = ArticleFactory(
        headline="Omar exclusive interview",
        created_by=other_journalist,
        authors=[other_journalist.author],
    )
    mine = ArticleFactory(
        headline="My own draft", created_by=journalist, authors=[journalist.author]
    )
    live = ArticleFactory(
        published=True,
        headline="Parliament passes the budget",
        created_by=journalist,
        authors=[journalist.author],
    )
    links = [
        ShareLink.objects.create(article=embargoed, created_by=editor),
        ShareLink.objects.create(article=theirs, created_by=other_journalist),
        ShareLink.objects.create(article=mine, created_by=journalist),
    ]
    client.force_login(journalist)

    # Every id the secrets could sit under (PostgreSQL does not reuse ids between tests).
    pks = [obj.pk for obj in (embargoed, theirs, mine, live, *links)]
    # Around each of them, not every id between: ids run high after tests that bulk-insert.
    ids = sorted({i for pk in pks for i in range(max(1, pk - 2), pk + 3)})
    found = walk_the_shortcut(client, ids)

    given_away = " ".join(found)
    for link in links:
        assert link.token not in given_away
    for draft in (embargoed, theirs, mine):
        assert draft.slug not in given_away
    # Their own live story still opens from the admin.
    assert live.get_absolute_url() in found


def test_the_shortcut_is_only_for_staff_and_for_real_objects(client, editor):
    live = ArticleFactory(published=True)
    story_type = ContentType.objects.get_for_model(Article)
    address = f"/admin/r/{story_type.pk}/{live.pk}/"
    assert client.get(address)["Location"].startswith("/admin/login/")
    client.force_login(editor)
    assert client.get(address)["Location"] == live.get_absolute_url()
    assert client.get(f"/admin/r/{story_type.pk}/not-a-number/").status_code == 404
    assert client.get(f"/admin/r/99999/{live.pk}/").status_code == 404


def test_public_objects_without_a_story_gate_still_open(client, editor):
    section, author = SectionFactory(slug="economy", name="Economy"), AuthorFactory()
    client.force_login(editor)
    for obj in (section, author):
        kind = ContentType.objects.get_for_model(obj)
        response = client.get(f"/admin/r/{kind.pk}/{obj.pk}/")
        assert response["Location"] == obj.get_absolute_url()


def test_share_links_have_no_public_address_method():
    # Django hands get_absolute_url() to any admin login in several places.
    assert not hasattr(ShareLink, "get_absolute_url")
