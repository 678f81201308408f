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
from articles import fragments, fronts
from articles.feeds import feed_links
from articles.fragments import STUB_FIELDS, site_state
from articles.invalidation import archive_key
from articles.models import (
    Article,
    ArticleRedirect,
    Correction,
    Kind,
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
# The front page: how many stories each part shows, and how many of the newest stories its
# automatic slots choose from.
TOP_STORIES = 6
LATEST_STORIES = 10
PER_SECTION = 3
OPINION_STORIES = 4
RECENT_STORIES = 400
SECTION_TOP_STORIES = 4
RECENT_SECTION_STORIES = 100
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
    """The front page: the lead and top stories editors placed (articles.models.Front), a
    “Latest” river, a block per top-level section (its own lead, then headlines) and the
    newest opinion. Slots nobody filled take the newest live stories that fit, chosen from
    the newest few hundred in one light query, so the page is never empty or stale and its
    cost stays bounded however large the archive grows. Paid content goes only where an
    editor places it."""
    add_keys(request, "home")
    now = timezone.now()
    state = site_state(request)
    live = Article.objects.live(now).editorial().newest_first()
    recent = list(live.values_list(*fronts.ROW_FIELDS)[:RECENT_STORIES])
    front = state["placed"]
    lead = front.lead(None)
    if lead is None and len(recent) == RECENT_STORIES and not any(row[4] for row in recent):
        # A story flagged as lead may be older than all the newest: looked up on its own.
        lead = live.filter(is_lead=True).values_list("pk", flat=True).first()
    # The home page shows its own placements and each section front's lead.
    reserved = front.stories(None) | {front.lead(item["pk"]) for item in state["nav"]} - {None}
    choose = fronts.Chooser(recent, state["top_sections"], reserved)
    # Opinion has its own block: the automatic lead and top stories are reporting.
    lead = choose.lead(lead, not_kind=Kind.OPINION)
    top = choose.top(front.top(None), TOP_STORIES, not_kind=Kind.OPINION)
    latest = [row[0] for row in recent[:LATEST_STORIES]]  # the newest, whatever else shows them
    opinion = choose.newest(OPINION_STORIES, kind=Kind.OPINION)
    blocks = []
    for item in state["nav"]:
        section_lead = choose.lead(front.lead(item["pk"]), section=item["pk"])
        headlines = choose.newest(PER_SECTION, section=item["pk"])
        if section_lead or headlines:
            blocks.append((item, section_lead, headlines))

    teasers = [(lead, "lead")] if lead else []
    teasers += [(pk, "top") for pk in top]
    teasers += [(pk, "section_lead") for _, pk, _ in blocks if pk]
    teasers += [(pk, "opinion") for pk in opinion]
    headlines = [*latest, *(pk for _, _, pks in blocks for pk in pks)]
    # One query of plain rows for everything shown: the headline lists print them, the
    # teasers' fragments are keyed by them (and loaded in full only when not cached).
    rows = fronts.story_rows([*(pk for pk, _ in teasers), *headlines])
    pairs = [(rows[pk], kind) for pk, kind in teasers]
    html = dict(zip(teasers, fragments.rendered(request, pairs), strict=True))
    add_keys(request, *(key for pk in headlines for key in fronts.row_keys(rows[pk])))
    return render(
        request,
        "articles/home.html",
        {
            "lead": html.get((lead, "lead")),
            "top_stories": [html[pk, "top"] for pk in top],
            "latest": [rows[pk] for pk in latest],
            "sections": [
                {
                    "section": item,
                    "lead": html.get((pk, "section_lead")),
                    "headlines": [rows[pk] for pk in pks],
                }
                for item, pk, pks in blocks
            ],
            "opinion": [html[pk, "opinion"] for pk in opinion],
        },
    )


@require_safe
@public_page
def article_detail(
    request: HttpRequest, section: str, year: int, month: str, day: str, slug: str
) -> HttpResponse:
    listed = Article.objects.live_story_with_related(slug)
    story = listed.story
    if story is None:
        return _not_live(request, slug)
    add_keys(request, f"story-{story.pk}")
    if request.path != story.get_absolute_url():
        # Same story under an older section or date: send readers to where it lives now.
        return redirect(story.get_absolute_url(), permanent=True)
    # The story's parts and the items of every list on its page in one cache round trip.
    lists = {
        "related": (listed.related, "related"),
        "more_in_section": (listed.more_in_section, "more"),
        "more_by_author": (listed.more_by_author, "more"),
    }
    wanted = [(story, "story-head"), (story, "story-body")]
    wanted += [(other, kind) for rows, kind in lists.values() for other in rows]
    head, body, *items = fragments.rendered(request, wanted)
    context = {"article": story, "story": {"head": head, "body": body}, "listed": listed}
    for name, (rows, _) in lists.items():
        context[name], items = items[: len(rows)], items[len(rows) :]
    return render(request, "articles/article_detail.html", context)


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
    stories = Article.objects.live().filter(section__in=sections)
    # The section's front (its lead and top stories, placed or the newest), then the rest of
    # its stories as a list: every page leaves out what the front shows, so none repeats.
    editorial = stories.editorial().newest_first()
    recent = list(editorial.values_list(*fronts.ROW_FIELDS, "modified_at")[:RECENT_SECTION_STORIES])
    placed = site_state(request)["placed"]
    choose = fronts.Chooser(recent, {}, placed.stories(section.pk))
    lead = choose.lead(placed.lead(section.pk), flagged=False)
    top = choose.top(placed.top(section.pk), SECTION_TOP_STORIES)
    shown = [pk for pk in (lead, *top) if pk]
    page, teasers = _list_page(request, stories.exclude(pk__in=shown))
    front = []
    if page.number == 1 and shown:
        stubs = fronts.stubs(recent, shown)
        wanted = [(stubs[lead], "lead")] if lead else []
        front = fragments.rendered(request, wanted + [(stubs[pk], "top") for pk in top])
    return render(
        request,
        "articles/section.html",
        {
            "section": section,
            "subsections": subsections,
            "front": front,
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
def archive_day(
    request: HttpRequest, year: int, month: str, day: str, section: str | None = None
) -> HttpResponse:
    """The stories published on one day (in the outlet's time zone), site-wide or in one
    section and its subsections, with links to the nearest earlier and later days that have
    any. Each is one walk of the publication-date index, however large the archive. A day
    with no live story (or not yet come) is a 404."""
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
    if section is not None:
        section = get_object_or_404(Section.objects.select_related("parent"), slug=section)
        children = list(section.children.values_list("pk", flat=True))
        live = live.filter(section__in=[section.pk, *children])
        add_keys(request, f"section-{section.pk}", f"section-{section.pk}-list")
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
            "section": section,
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
