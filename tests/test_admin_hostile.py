"""Hand-made admin requests never get a 500: every registered list, change view and
autocomplete answers bad dates, ids of the wrong type and unknown filters with 400/404 or
the admin's own "?e=1" redirect, with a message."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.db import models

from tests.factories import ArticleFactory, CorrectionFactory, ImageFactory

# Asked of every list, whatever its model.
COMMON = [
    "pk=abc",
    "id=abc",
    "id__exact=1.5",
    "id__in=a,b",
    "id=99999999999999999999999",
    "nonexistent=1",
    "nonexistent__year=2026",
    "o=abc",
    "o=999",
    "o=1.-2.x",
    "p=abc",
    "p=-1",
    "p=99999999999999999999",
    "q=%00",
    "q=" + "x" * 5000,
    "all=&e=1",
    "_changelist_filters=%00",
]


def hostile(model_admin) -> list[str]:
    """COMMON, and for each of the model's fields the values its type cannot take."""
    queries = list(COMMON)
    for field in model_admin.model._meta.get_fields():
        if not getattr(field, "concrete", False) or field.many_to_many:
            continue
        name = field.name
        if isinstance(field, (models.DateField, models.DateTimeField)):
            queries += [
                f"{name}__year=99999",
                f"{name}__year=-1",
                f"{name}__year=0",
                f"{name}__year=abc",
                f"{name}__year=2026&{name}__month=13",
                f"{name}__year=2026&{name}__month=2&{name}__day=31",
                f"{name}__year=9999&{name}__month=12&{name}__day=31",
                f"{name}__year=1&{name}__month=1&{name}__day=1",
                f"{name}__month=99",
                f"{name}__gte=not-a-date",
                f"{name}__range=1,2",
                f"{name}__date=2026-02-31",
                f"{name}__isnull=maybe",
            ]
        elif field.is_relation:
            queries += [
                f"{name}__id__exact=abc",
                f"{name}__exact=abc",
                f"{name}=99999999999999999999999",
                f"{name}__pk__in=1,x",
                f"{name}__isnull=maybe",
            ]
        elif isinstance(field, (models.IntegerField, models.BigAutoField, models.AutoField)):
            queries += [f"{name}=abc", f"{name}__gt=1e999", f"{name}=99999999999999999999999"]
        elif isinstance(field, models.BooleanField):
            queries += [f"{name}=maybe", f"{name}__exact=2"]
        elif isinstance(field, (models.CharField, models.TextField)):
            queries += [f"{name}__regex=(", f"{name}__iregex=[", f"{name}=%00"]
    return queries


VIEWS = ("change", "delete", "history")


def _registered() -> list[str]:
    return [
        f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        for model in admin.site._registry
    ]


def _admin_for(url: str):
    app_label, model_name = url.strip("/").split("/")[1:3]
    return next(
        model_admin
        for model, model_admin in admin.site._registry.items()
        if (model._meta.app_label, model._meta.model_name) == (app_label, model_name)
    )


@pytest.fixture
def boss(db, client):
    ArticleFactory(published=True, featured_image=ImageFactory())
    CorrectionFactory()
    user = User.objects.create_superuser("boss", "boss@example.com", "pw")
    client.force_login(user)
    client.raise_request_exception = False
    return user


@pytest.mark.parametrize("url", _registered())
def test_no_changelist_answers_500_to_hostile_parameters(client, boss, url):
    assert client.get(url).status_code == 200
    queries = hostile(_admin_for(url))
    answers = {query: client.get(f"{url}?{query}").status_code for query in queries}
    assert {q: s for q, s in answers.items() if s not in (200, 302, 400, 404)} == {}


@pytest.mark.parametrize("url", _registered())
@pytest.mark.parametrize("object_id", ["abc", "1.5", "99999999999999999999999", "%00", "-1"])
def test_change_views_with_a_bad_id_answer_404_or_a_redirect(client, rf, boss, url, object_id):
    answers = {view: client.get(f"{url}{object_id}/{view}/").status_code for view in VIEWS}
    # A list no one may delete from (the job queue's results, the activity log) refuses its
    # delete view, or first says there is no such row, as Django's own delete view does.
    request = rf.get(url)
    request.user = boss
    if not _admin_for(url).has_delete_permission(request):
        assert answers.pop("delete") in (302, 403, 404)
    assert {v: s for v, s in answers.items() if s not in (302, 404)} == {}


@pytest.mark.parametrize(
    "query",
    [
        "term=x",
        "app_label=articles&model_name=article&field_name=featured_image&term=x",
        "app_label=articles&model_name=article&field_name=featured_image&term=%00",
        "app_label=articles&model_name=article&field_name=nope&term=x",
        "app_label=articles&model_name=nope&field_name=featured_image&term=x",
        "app_label=nope&model_name=article&field_name=featured_image&term=x",
        "app_label=articles&model_name=correction&field_name=article&term=x&page=abc",
        "app_label=articles&model_name=correction&field_name=article&term=x&page=999999",
        "app_label=articles&model_name=article&field_name=section&term=x&page=-1",
    ],
)
def test_autocomplete_never_answers_500(client, boss, query):
    response = client.get(f"/admin/autocomplete/?{query}")
    assert response.status_code in (200, 400, 403, 404), (query, response.status_code)


def test_a_bad_filter_says_what_is_wrong(client, boss):
    for query in ("publish_at__year=99999", "pk=abc", "nonexistent=1"):
        response = client.get(f"/admin/articles/article/?{query}")
        assert response.status_code == 400, query
        assert "This list cannot be filtered like that" in response.content.decode()

    response = client.get("/admin/auth/user/?date_joined__year=99999")
    assert response.status_code == 400
    assert "year 99999 is out of range" in response.content.decode()

    response = client.get("/admin/articles/article/?headline__regex=(")
    assert response.status_code == 400
    assert "The lists offer no filter named “headline__regex”" in response.content.decode()


def test_a_change_view_with_a_non_numeric_id_says_it_does_not_exist(client, boss):
    response = client.get("/admin/articles/article/abc/change/", follow=True)
    assert response.redirect_chain[-1][0] == "/admin/"
    assert "doesn’t exist" in response.content.decode()
