"""The public reader pages. Every story they show comes from Article.objects.live().

Each page names what it shows with surrogate keys (articles.public.add_keys; the names are in
articles.invalidation): teasers and story parts add theirs as they are rendered
(articles.fragments), the views add the lists and objects around them.
"""

import datetime as dt
import html

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.contrib.flatpages.models import FlatPage
from django.contrib.flatpages.views import DEFAULT_TEMPLATE as DEFAULT_FLATPAGE_TEMPLATE
from django.contrib.flatpages.views import flatpage as flatpage_view
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from accounts.models import Author
from articles import fragments
from articles.feeds import feed_links
from articles.fragments import STUB_FIELDS, site_state
from articles.invalidation import archive_key
from articles.models import (
    Article,
    ArticleRedirect,
    Correction,
    Section,
    public_tags,
    sanitize_html,
)
from articles.paging import CappedPaginator
from articles.public import add_keys, public_page
from articles.search import (
    MAX_QUERY_LENGTH,
    clean_query,
    planned_per_query,
    search_articles,
    with_snippets,
)
from articles.text import plain_text

PAGE_SIZE = 20
TOP_STORIES = 6
PER_SECTION = 4
RECENT_FOR_SECTIONS = 400
ARCHIVE_FIRST_DAY = dt.date(1900, 1, 1)


def _page(request: HttpRequest, queryset: QuerySet, per_page: int = PAGE_SIZE) -> Page:
    """One page of a list; a missing, garbage or too-large ?page= gives the first/last page.

    At most LIST_MAX_PAGES pages, counted no further (articles.paging): what a list page
    costs stays the same however old the archive; older stories are found by search.
    """
    paginator = CappedPaginator(queryset, per_page, max_pages=settings.LIST_MAX_PAGES)
    return paginator.get_page(request.GET.get("page"))


# Lists pick their stories with light rows (STUB_FIELDS); the teasers come rendered from
# articles.fragments, which loads the full story only for a teaser it has not rendered yet.
def _stubs(queryset: QuerySet) -> QuerySet:
    return queryset.only(*STUB_FIELDS).newest_first()


def _list_page(request: HttpRequest, queryset: QuerySet) -> tuple[Page, list]:
    # Planned for this tag, author or section (not the site's generic plans): the newest
    # stories of a tag on every tenth story are found by walking the date index and
    # stopping at a page, those of a tag on ten stories through the tag's own index.
    with planned_per_query(using=queryset.db):
        page = _page(request, _stubs(queryset))
        page.object_list = list(page.object_list)
    return page, fragments.rendered(request, [(article, "list") for article in page])


@require_safe
@public_page
def home(request: HttpRequest) -> HttpResponse:
    """The lead (the newest story editors flagged as lead, else simply the newest), the next
    few, and the newest few per top-level section. The sections' stories come from the
    newest few hundred, grouped in Python rather than ranked per section in SQL: one light
    query, bounded however large the archive grows."""
    add_keys(request, "home")
    now = timezone.now()
    live = Article.objects.live(now).newest_first()
    recent = list(live.values_list("pk", "section_id", "is_lead")[:RECENT_FOR_SECTIONS])
    # The newest flagged story is among the newest few hundred, or older than all of them.
    lead = next((pk for pk, _, is_lead in recent if is_lead), None)
    if lead is None and len(recent) == RECENT_FOR_SECTIONS:
        lead = live.filter(is_lead=True).values_list("pk", flat=True).first()
    if lead is None and recent:
        lead = recent[0][0]
    rest = [(pk, section_id) for pk, section_id, _ in recent if pk != lead]
    top, rest = [pk for pk, _ in rest[:TOP_STORIES]], rest[TOP_STORIES:]
    state = site_state(request)
    by_section: dict[int, list[int]] = {item["pk"]: [] for item in state["nav"]}
    for pk, section_id in rest:
        stories = by_section.get(state["top_sections"].get(section_id))
        if stories is not None and len(stories) < PER_SECTION:
            stories.append(pk)
    shown = [pk for pks in ([lead] if lead else [], top, *by_section.values()) for pk in pks]
    # Teasers are keyed by modified_at: read for the few shown, not the few hundred.
    stubs = Article.objects.only(*STUB_FIELDS).in_bulk(shown)
    wanted = [(stubs[lead], "lead")] if lead else []
    wanted += [(stubs[pk], "top") for pk in top]
    wanted += [(stubs[pk], "in_section") for pks in by_section.values() for pk in pks]
    # Every teaser on the page in one cache round trip.
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
    add_keys(request, f"story-{story.pk}")
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
    """Withdrawn and spiked stories are gone (410); renamed ones moved (301); everything
    else 404."""
    gone = Article.objects.gone().filter(slug=slug).values_list("pk", flat=True).first()
    if gone:
        return _gone(request, gone)
    moved = ArticleRedirect.objects.filter(
        old_path=request.path, article__in=Article.objects.live()
    ).first()
    if moved:
        add_keys(request, f"story-{moved.article_id}")
        return redirect(moved.article.get_absolute_url(), permanent=True)
    gone = (
        ArticleRedirect.objects.filter(old_path=request.path)
        .filter(article__in=Article.objects.gone())
        .values_list("article_id", flat=True)
        .first()
    )
    if gone:
        return _gone(request, gone)
    raise Http404("No such story.")


def _gone(request: HttpRequest, pk: int) -> HttpResponse:
    """The 410 page, with the withdrawal notice if the desk published one: the same rule as
    the corrections page (a spiked story's notice is shown nowhere)."""
    add_keys(request, f"story-{pk}")
    notice = (
        Correction.objects.public()
        .withdrawal_notices()
        .filter(article_id=pk)
        .select_related("article")
        .first()
    )
    return render(request, "410.html", {"notice": notice}, status=410)


@require_safe
@public_page
def section(request: HttpRequest, section: str) -> HttpResponse:
    section = get_object_or_404(Section.objects.select_related("parent"), slug=section)
    subsections = list(section.children.all())
    add_keys(request, f"section-{section.pk}", f"section-{section.pk}-list")
    add_keys(request, *(f"section-{child.pk}" for child in subsections))
    if section.parent_id:
        add_keys(request, f"section-{section.parent_id}")
    # A list of ids rather than in_section()'s join to the parent: PostgreSQL can then walk
    # the newest live stories (article_live_idx) and stop at a page.
    sections = [section.pk, *(child.pk for child in subsections)]
    page, teasers = _list_page(request, Article.objects.live().filter(section__in=sections))
    return render(
        request,
        "articles/section.html",
        {
            "section": section,
            "subsections": subsections,
            "page": page,
            "teasers": teasers,
            "feeds": feed_links(section),
        },
    )


@require_safe
@public_page
def tag(request: HttpRequest, slug: str) -> HttpResponse:
    tag = get_object_or_404(public_tags(), slug=slug)
    add_keys(request, f"tag-{tag.pk}", f"tag-{tag.pk}-list")
    page, teasers = _list_page(request, Article.objects.live().tagged(tag))
    context = {"tag": tag, "page": page, "teasers": teasers, "feeds": feed_links(tag)}
    return render(request, "articles/tag.html", context)


@require_safe
@public_page
def author(request: HttpRequest, slug: str) -> HttpResponse:
    author = get_object_or_404(
        Author.objects.with_live_articles().select_related("photo"), slug=slug
    )
    add_keys(request, f"author-{author.pk}", f"author-{author.pk}-list")
    if author.photo_id:
        add_keys(request, f"image-{author.photo_id}")
    page, teasers = _list_page(request, Article.objects.live().by(author))
    context = {"author": author, "page": page, "teasers": teasers, "feeds": feed_links(author)}
    return render(request, "articles/author.html", context)


@require_safe
@public_page
def archive_day(request: HttpRequest, year: int, month: str, day: str) -> HttpResponse:
    """The stories published on one day (in the outlet's time zone), with links to the
    nearest earlier and later days that have any. Each is one walk of the publication-date
    index, however large the archive. A day with no live story (or not yet come) is a 404."""
    try:
        date = dt.date(year, int(month), int(day))
    except (ValueError, OverflowError):
        raise Http404("No such day.") from None
    # Nothing is live after today; and before 1900 there is no archive, only dates (year 1 or
    # 9999) the zone conversion cannot carry.
    if not ARCHIVE_FIRST_DAY <= date <= timezone.localdate():
        raise Http404("No stories were published on this day.")
    start = timezone.make_aware(dt.datetime.combine(date, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(date + dt.timedelta(days=1), dt.time.min))
    live = Article.objects.live()
    page, teasers = _list_page(request, live.filter(publish_at__gte=start, publish_at__lt=end))
    if not page.object_list:
        raise Http404("No stories were published on this day.")
    add_keys(request, archive_key(date))
    earlier = live.filter(publish_at__lt=start).newest_first().values_list("publish_at", flat=True)
    later = live.filter(publish_at__gte=end).order_by("publish_at").values_list("publish_at")
    return render(
        request,
        "articles/archive_day.html",
        {
            "date": date,
            "page": page,
            "teasers": teasers,
            "earlier": next((timezone.localdate(t) for t in earlier[:1]), None),
            "later": next((timezone.localdate(t) for (t,) in later[:1]), None),
        },
    )


@require_safe
@public_page
def search(request: HttpRequest) -> HttpResponse:
    add_keys(request, "search")
    raw = request.GET.get("q", "")
    query = clean_query(raw)
    page = None
    max_pages = settings.SEARCH_MAX_PAGES
    limited = beyond_last = False
    total = 0
    if query:
        # At most SEARCH_MAX_PAGES pages: deeper pages cost seconds and nobody reads them.
        # One query ranks the candidates and returns their ids, one more than the pages
        # hold: the count is bounded ("more than 1000") instead of counting every match.
        cap = max_pages * PAGE_SIZE
        stories = Article.objects.live()
        # On the database the ranking reads from: the replica, for readers, when there is one.
        with planned_per_query(using=stories.db):
            ranked = list(
                search_articles(stories, query, limit=cap + 1).values_list("pk", flat=True)
            )
        total, limited = len(ranked), len(ranked) > cap
        page = Paginator(ranked[:cap], PAGE_SIZE).get_page(request.GET.get("page"))
        shown = (
            Article.objects.filter(pk__in=page.object_list)
            .for_listing()
            .defer("body", "search_document")
            .in_bulk()
        )
        page.object_list = with_snippets(
            [shown[pk] for pk in page.object_list if pk in shown], query
        )
        add_keys(request, *(key for article in page for key in fragments.shown_in_teaser(article)))
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
            "total": total,
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
        Correction.objects.public()
        .select_related("article__section")
        .order_by("-published_at", "-pk")
    )
    page = _page(request, notes)
    add_keys(request, "corrections", *(f"story-{note.article_id}" for note in page))
    return render(request, "articles/corrections.html", {"page": page})


@require_safe
@public_page
def flatpage(request: HttpRequest, url: str) -> HttpResponse:
    """The standing pages editors keep in the admin (About, Editorial standards, ...).

    Their URL field holds the full path, e.g. “/pages/about/”.
    """
    url = f"/pages/{url}"
    page = FlatPage.objects.filter(url=url, sites=settings.SITE_ID).first()
    if page is None:
        return flatpage_view(request, url)  # a 404, or the address with its slash added
    add_keys(request, f"page-{page.pk}")
    if page.registration_required and not request.user.is_authenticated:
        return redirect_to_login(request.path)
    # Not contrib's render_flatpage: it marks the title safe too, and renders the stored
    # content as it is. Content is cleaned on save; cleaning it again here (nh3, a fraction of
    # a millisecond, and the edge caches the page) also covers rows saved before that rule or
    # restored from an old backup. The title stays plain text, escaped by the template.
    content = sanitize_html(page.content)
    page.content = mark_safe(content)
    # Editors may choose a layout among the standing-page templates only, not any template.
    names = [page.template_name] if page.template_name.startswith("flatpages/") else []
    context = {"flatpage": page, "description": html.unescape(plain_text(content)).strip()}
    return render(request, [*names, DEFAULT_FLATPAGE_TEMPLATE], context)
