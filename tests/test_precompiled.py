"""Precompiled queries give exactly what evaluating their queryset gives, for any values."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article
from newsroom.precompiled import Precompiled
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db


def _newest_in(section: int, at: dt.datetime, slug: str):
    return (
        Article.objects.live(at)
        .filter(section_id=section)
        .exclude(slug=slug)
        .newest_first()
        .values_list("pk", "headline", "publish_at")[:3]
    )


def test_each_call_runs_one_query_with_its_own_values():
    politics, sport = SectionFactory(slug="politics"), SectionFactory(slug="sport")
    now = timezone.now()
    for hours in range(1, 6):
        for section in (politics, sport):
            ArticleFactory(
                published=True,
                section=section,
                publish_at=now - dt.timedelta(hours=hours),
                first_published_at=now - dt.timedelta(hours=hours),
            )
    ArticleFactory(scheduled=True, section=politics)
    newest_in = Precompiled(_newest_in, section=int, at=dt.datetime, slug=str)
    skipped = Article.objects.filter(section=politics).order_by("-publish_at")[1].slug

    cases = [
        (politics.pk, now, ""),
        (sport.pk, now, ""),
        (politics.pk, now - dt.timedelta(hours=3, minutes=30), ""),
        (politics.pk, now, skipped),
        (politics.pk, now + dt.timedelta(hours=4), ""),  # the scheduled story is due by then
        (-1, now, ""),
    ]
    answers = []
    for section, at, slug in cases:
        with CaptureQueriesContext(connection) as queries:
            rows = newest_in(section=section, at=at, slug=slug)
        assert len(queries) == 1
        assert rows == list(_newest_in(section, at, slug))
        answers.append(rows)
    assert all(answers[:-1]) and answers[-1] == []
    assert len({tuple(rows) for rows in answers}) == len(answers)


def test_rows_are_made_by_the_row_callable():
    story = ArticleFactory(published=True, headline="Budget passes")
    titles = Precompiled(
        lambda at: Article.objects.live(at).values_list("pk", "headline"),
        row=lambda pk, headline: f"{pk}: {headline}",
        at=dt.datetime,
    )
    assert titles(at=timezone.now()) == [f"{story.pk}: Budget passes"]
