"""The public reader pages. Every story they show comes from Article.objects.live()."""

import dataclasses
import datetime as dt

from django.conf import settings
from django.contrib.flatpages.views import flatpage as flatpage_view
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet, TextField
from django.db.models.functions import Cast
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.functional import cached_property
from django.views.decorators.http import require_safe
from taggit.models import Tag

from accounts.models import Author
from articles import fragments
from articles.cache import page_state, public_page
from articles.feeds import feed_links
from articles.fragments import STUB_FIELDS
from articles.models import Article, ArticleRedirect, Correction, Section
from articles.search import MAX_QUERY_LENGTH, clean_query, search_articles, with_snippets
from newsroom.precompiled import Precompiled

PAGE_SIZE = 20
TOP_STORIES = 6
PER_SECTION = 4
RECENT_FOR_SECTIONS = 400


def _page(request: HttpRequest, queryset: QuerySet, per_page: int = PAGE_SIZE) -> Page:
    """One page of a list; a missing, garbage or too-large ?page= gives the first/last page."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


# Lists pick their stories with light rows (STUB_FIELDS); the teasers come rendered from
# articles.fragments, which loads the full story only for a teaser it has not rendered yet.
def _stubs(queryset: QuerySet) -> QuerySet:
    return queryset.only(*STUB_FIELDS).newest_first()


def _list_page(request: HttpRequest, queryset: QuerySet) -> tuple[Page, list]:
    page = _page(request, _stubs(queryset))
    return page, fragments.rendered(request, [(article, "list") for article in page])


@dataclasses.dataclass(frozen=True)
class HomeStory:
    """One of the newest stories, as the home page groups them.

    The time of its last change (for its teasers' cache keys) arrives as text and is parsed
    only for the few stories the page shows: Django's loader for PostgreSQL timestamps is pure
    Python, and parsing 400 of them took four times as long as the rest of the query.
    """

    pk: int
    modified_text: str
    section_id: int

    @cached_property
    def modified_at(self) -> dt.datetime:
        moment = parse_datetime(self.modified_text)
        return moment if timezone.is_aware(moment) else timezone.make_aware(moment, dt.UTC)


def _newest(at: dt.datetime, lead: bool, count: int) -> QuerySet:
    stories = Article.objects.live(at).newest_first()
    if lead:
        stories = stories.filter(is_lead=True)
    stories = stories.annotate(modified_text=Cast("modified_at", TextField()))
    return stories.values_list("pk", "modified_text", "section_id")[:count]


# The lead is the newest story editors flagged as lead, else simply the newest. The rest of
# the page comes from the newest few hundred stories, grouped in Python rather than ranked per
# section in SQL: one light query, bounded however large the archive grows.
_LEAD = Precompiled(lambda at: _newest(at, lead=True, count=1), row=HomeStory, at=dt.datetime)
_RECENT = Precompiled(
    lambda at: _newest(at, lead=False, count=RECENT_FOR_SECTIONS), row=HomeStory, at=dt.datetime
)


@require_safe
@public_page
def home(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    recent = _RECENT(at=now)
    lead = next(iter(_LEAD(at=now)), None) or (recent[0] if recent else None)
    rest = [story for story in recent if story.pk != getattr(lead, "pk", None)]
    top, rest = rest[:TOP_STORIES], rest[TOP_STORIES:]
    state = page_state(request)
    by_section: dict[int, list] = {item["pk"]: [] for item in state["nav"]}
    for story in rest:
        stories = by_section.get(state["top_sections"].get(story.section_id))
        if stories is not None and len(stories) < PER_SECTION:
            stories.append(story)
    # Every teaser on the page in one cache round trip.
    wanted = [(lead, "lead")] if lead else []
    wanted += [(story, "top") for story in top]
    wanted += [(story, "in_section") for stories in by_section.values() for story in stories]
    html = iter(fragments.rendered(request, wanted))
    lead_html = next(html) if lead else None
    top_html = [next(html) for _ in top]
    groups = [
        {"section": item, "teasers": [next(html) for _ in by_section[item["pk"]]]}
        for item in state["nav"]
        if by_section[item["pk"]]
    ]
    return render(
        request,
        "articles/home.html",
        {"lead": lead_html, "top_stories": top_html, "sections": groups},
    )


@require_safe
@public_page
def article_detail(
    request: HttpRequest, section: str, year: int, month: str, day: str, slug: str
) -> HttpResponse:
    story, related = Article.objects.live_story_with_related(slug)
    if story is None:
        return _not_live(request, slug)
    if request.path != story.get_absolute_url():
        # Same story under an older section or date: send readers to where it lives now.
        return redirect(story.get_absolute_url(), permanent=True)
    # The story's parts and its related stories' items in one cache round trip.
    wanted = [(story, "story-head"), (story, "story-body")]
    wanted += [(other, "related") for other in related]
    head, body, *related_html = fragments.rendered(request, wanted)
    return render(
        request,
        "articles/article_detail.html",
        {"article": story, "story": {"head": head, "body": body}, "related": related_html},
    )


def _not_live(request: HttpRequest, slug: str) -> HttpResponse:
    """Withdrawn stories are gone (410); renamed ones moved (301); everything else 404."""
    if Article.objects.withdrawn().filter(slug=slug).exists():
        return render(request, "410.html", status=410)
    moved = ArticleRedirect.objects.filter(
        old_path=request.path, article__in=Article.objects.live()
    ).first()
    if moved:
        return redirect(moved.article.get_absolute_url(), permanent=True)
    if ArticleRedirect.objects.filter(
        old_path=request.path, article__in=Article.objects.withdrawn()
    ).exists():
        return render(request, "410.html", status=410)
    raise Http404("No such story.")


@require_safe
@public_page
def section(request: HttpRequest, section: str) -> HttpResponse:
    section = get_object_or_404(Section.objects.select_related("parent"), slug=section)
    page, teasers = _list_page(request, Article.objects.live().in_section(section))
    return render(
        request,
        "articles/section.html",
        {
            "section": section,
            "subsections": section.children.all(),
            "page": page,
            "teasers": teasers,
            "feeds": feed_links(section),
        },
    )


@require_safe
@public_page
def tag(request: HttpRequest, slug: str) -> HttpResponse:
    tag = get_object_or_404(Tag, slug=slug)
    page, teasers = _list_page(request, Article.objects.live().tagged(tag))
    context = {"tag": tag, "page": page, "teasers": teasers, "feeds": feed_links(tag)}
    return render(request, "articles/tag.html", context)


@require_safe
@public_page
def author(request: HttpRequest, slug: str) -> HttpResponse:
    author = get_object_or_404(Author.objects.select_related("photo"), slug=slug)
    page, teasers = _list_page(request, Article.objects.live().by(author).distinct())
    context = {"author": author, "page": page, "teasers": teasers, "feeds": feed_links(author)}
    return render(request, "articles/author.html", context)


@require_safe
@public_page
def search(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("q", "")
    query = clean_query(raw)
    page = None
    max_pages = settings.SEARCH_MAX_PAGES
    limited = beyond_last = False
    if query:
        # At most SEARCH_MAX_PAGES pages: deeper pages cost seconds and nobody reads them.
        results = search_articles(
            Article.objects.live().for_listing().defer("body", "search_document"), query
        )[: max_pages * PAGE_SIZE]
        page = _page(request, results)
        page.object_list = with_snippets(list(page.object_list), query)
        limited = page.paginator.count >= max_pages * PAGE_SIZE
        requested = request.GET.get("page", "")
        beyond_last = requested.isdigit() and int(requested) > page.paginator.num_pages
    return render(
        request,
        "articles/search.html",
        {
            "raw_query": raw.strip(),
            "query": query,
            "page": page,
            "limited": limited,
            "beyond_last": beyond_last,
            "max_pages": max_pages,
            "truncated": len(raw.strip()) > MAX_QUERY_LENGTH,
            "max_length": MAX_QUERY_LENGTH,
        },
    )


@require_safe
@public_page
def corrections(request: HttpRequest) -> HttpResponse:
    notes = (
        Correction.objects.filter(article__in=Article.objects.live())
        .select_related("article__section")
        .order_by("-published_at", "-pk")
    )
    return render(request, "articles/corrections.html", {"page": _page(request, notes)})


@require_safe
@public_page
def flatpage(request: HttpRequest, url: str) -> HttpResponse:
    """The standing pages editors keep in the admin (About, Editorial standards, ...).

    Their URL field holds the full path, e.g. “/pages/about/”.
    """
    return flatpage_view(request, f"/pages/{url}")
