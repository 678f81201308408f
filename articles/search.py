"""Reader search: PostgreSQL full-text search, with a simpler fallback on SQLite.

`search_articles(queryset, query)` takes stories that are already public
(`Article.objects.live()`, perhaps narrowed further) and returns them ranked;
`with_snippets(page, query)` then gives the stories shown a `.snippet`: an HTML-safe excerpt
in which the matched words are wrapped in <mark> and everything else is escaped.

On PostgreSQL the query uses web-search syntax (`websearch_to_tsquery`: "quoted phrases",
-exclusions, `or`) against `Article.search_document`, a stored tsvector with a GIN index
(migration 0002). The document is kept current by `refresh_search_documents()`, called from
`Article.save()` and from the signal receivers at the bottom of this module when tags change.
"""

from __future__ import annotations

import html
import re
import unicodedata

from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.db import connections, models
from django.db.models import (
    Case,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from articles.text import plain_text

# The text search configuration. Changing it means filling search_document again
# (`Article.objects.all().refresh_search_documents()`), or old rows won't match.
SEARCH_CONFIG = "english"
# Longer queries are cut: nobody types more, and it bounds the work a request can cause.
MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
SNIPPET_WORDS = 30

# Private-use characters mark the highlights while the excerpt is still raw text; they are
# turned into <mark> only after the rest has been escaped, so stored text can never inject HTML.
_START, _STOP = "\ue000", "\ue001"
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


# --- Reading a query -------------------------------------------------------------------


def clean_query(query: str | None) -> str:
    """The query as it will be searched: control characters (NUL…) removed, length capped.

    Returns "" for queries with nothing searchable in them, such as `"`, `-` or `&|!:*()`.
    """
    if not query:
        return ""
    text = "".join(
        " " if unicodedata.category(c).startswith("C") else c for c in str(query)
    ).strip()
    text = " ".join(text.split())[:MAX_QUERY_LENGTH]
    return text if re.search(r"\w", text) else ""


def parse_query(text: str) -> list[list[tuple[str, bool]]]:
    """Web-search syntax for the fallback: OR-groups of (phrase, excluded) pairs.

    `budget "state oil fund" -sport or parliament` gives
    [[("budget", False), ("state oil fund", False), ("sport", True)], [("parliament", False)]].
    """
    groups: list[list[tuple[str, bool]]] = [[]]
    for match in _TOKEN.finditer(text):
        minus, phrase, word = match.groups()
        if word is not None:
            if word.lower() == "or" and groups[-1]:
                groups.append([])
                continue
            minus = "-" if word.startswith("-") else ""
            phrase = word.lstrip("-")
        phrase = " ".join(re.findall(r"\w+(?:[-'’.]\w+)*", phrase))
        if phrase:
            groups[-1].append((phrase, bool(minus)))
    groups = [g[:MAX_TERMS] for g in groups if any(not excluded for _, excluded in g)]
    return groups[:MAX_TERMS]


# --- Searching --------------------------------------------------------------------------


def search_articles(queryset: models.QuerySet, query: str | None) -> models.QuerySet:
    """The stories of `queryset` that match `query`, best first (see `with_snippets`).

    Never raises for odd input: empty, overlong or garbage queries give an empty queryset.
    """
    text = clean_query(query)
    if not text:
        return queryset.none()
    if connections[queryset.db].vendor == "postgresql":
        return _postgres_search(queryset, text)
    groups = parse_query(text)
    if not groups:
        return queryset.none()
    return _fallback_search(queryset, groups)


def with_snippets(articles: list, query: str | None) -> list:
    """Give each of these stories (one page of results) its `.snippet`, in one query.

    Kept apart from the ranking on purpose: PostgreSQL computes the target list before it
    sorts, so a headline (ts_headline, the costliest part of a search) selected with the
    ranked rows would be built for every match, not for the twenty shown.
    """
    text = clean_query(query)
    if not articles or not text:
        return articles
    from articles.models import Article

    if connections[Article.objects.db].vendor == "postgresql":
        expression = _postgres_snippet(text)
    else:
        wanted = [
            phrase for group in parse_query(text) for phrase, excluded in group if not excluded
        ]
        expression = ExpressionWrapper(
            Concat("standfirst", Value(" "), "body", output_field=models.TextField()),
            output_field=SnippetField(highlight=wanted),
        )
    snippets = dict(
        Article.objects.filter(pk__in=[a.pk for a in articles])
        .order_by()
        .annotate(snippet=expression)
        .values_list("pk", "snippet")
    )
    for article in articles:
        article.snippet = snippets.get(article.pk, "")
    return articles


def _postgres_snippet(text: str) -> ExpressionWrapper:
    query = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
    excerpt = SearchHeadline(
        Concat("standfirst", Value(" "), "body", output_field=models.TextField()),
        query,
        config=SEARCH_CONFIG,
        start_sel=_START,
        stop_sel=_STOP,
        max_words=SNIPPET_WORDS,
        min_words=15,
        max_fragments=2,
        fragment_delimiter=" … ",
    )
    return ExpressionWrapper(excerpt, output_field=SnippetField())


def _postgres_search(queryset: models.QuerySet, text: str) -> models.QuerySet:
    query = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
    return (
        queryset.filter(search_document=query)
        .annotate(rank=SearchRank(F("search_document"), query))
        .order_by("-rank", "-publish_at", "-pk")
    )


def _fallback_search(queryset: models.QuerySet, groups) -> models.QuerySet:
    """SQLite: case-insensitive containment, ranked headline > standfirst/tags > body."""
    from articles.models import TaggedArticle

    def matches(phrase: str) -> Q:
        tagged = TaggedArticle.objects.filter(tag__name__icontains=phrase)
        return (
            Q(headline__icontains=phrase)
            | Q(standfirst__icontains=phrase)
            | Q(body__icontains=phrase)
            | Q(pk__in=tagged.values("content_object"))
        )

    condition = Q()
    wanted: list[str] = []
    for group in groups:
        group_q = Q()
        for phrase, excluded in group:
            group_q &= ~matches(phrase) if excluded else matches(phrase)
            if not excluded:
                wanted.append(phrase)
        condition |= group_q

    score = Value(0)
    for phrase in wanted:
        for field, weight in (("headline", 8), ("standfirst", 2), ("body", 1)):
            score = score + Case(
                When(**{f"{field}__icontains": phrase}, then=Value(weight)),
                default=Value(0),
            )
    return (
        queryset.filter(condition)
        .annotate(rank=ExpressionWrapper(score, output_field=IntegerField()))
        .order_by("-rank", "-publish_at", "-pk")
    )


# --- Snippets ---------------------------------------------------------------------------


class SnippetField(models.TextField):
    """Output type of the `snippet` annotation: turns the raw excerpt into safe HTML.

    On PostgreSQL the excerpt arrives with highlight markers from ts_headline; on SQLite
    it is the plain text, and the words of `highlight` are found and marked here.
    """

    def __init__(self, *args, highlight: list[str] | None = None, **kwargs):
        self.highlight = highlight
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection) -> SafeString:
        text = html.unescape(plain_text(value or ""))
        if self.highlight is not None:
            text = _mark_phrases(text, self.highlight)
        return render_snippet(text)


def render_snippet(marked_text: str) -> SafeString:
    """Escape everything, then turn the private markers into <mark> elements."""
    out = escape(" ".join(marked_text.split()))
    out = re.sub(f"{_START}(.*?){_STOP}", r"<mark>\1</mark>", out, flags=re.S)
    return mark_safe(out.replace(_START, "").replace(_STOP, ""))


def _mark_phrases(text: str, phrases: list[str]) -> str:
    """A window of the plain text around the first match, with every match marked."""
    text = text.replace(_START, "").replace(_STOP, "")
    words = text.split()
    if not phrases or not words:
        return " ".join(words[:SNIPPET_WORDS])
    pattern = re.compile(
        "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True)), re.I
    )
    first = pattern.search(text)
    start_word = len(text[: first.start()].split()) if first else 0
    start_word = max(0, start_word - 8)
    window = " ".join(words[start_word : start_word + SNIPPET_WORDS])
    window = ("… " if start_word else "") + window
    if start_word + SNIPPET_WORDS < len(words):
        window += " …"
    return pattern.sub(lambda m: f"{_START}{m.group(0)}{_STOP}", window)


# --- Keeping search_document current ----------------------------------------------------


def document_vector(tagged_model) -> SearchVector:
    """The weighted tsvector of a story: headline A, standfirst and tags B, body C.

    The body is stored HTML; PostgreSQL's default parser skips tags and entities itself.
    Takes the through model so the data migration can pass its historical one.
    """
    tag_names = Subquery(
        tagged_model.objects.filter(content_object=OuterRef("pk"))
        .order_by()
        .values("content_object")
        .annotate(names=StringAgg("tag__name", " "))
        .values("names")
    )
    return (
        SearchVector("headline", weight="A", config=SEARCH_CONFIG)
        + SearchVector("standfirst", weight="B", config=SEARCH_CONFIG)
        + SearchVector(
            Coalesce(tag_names, Value(""), output_field=models.TextField()),
            weight="B",
            config=SEARCH_CONFIG,
        )
        + SearchVector("body", weight="C", config=SEARCH_CONFIG)
    )


def refresh_search_documents(queryset: models.QuerySet) -> int:
    """Recompute search_document for these stories in one UPDATE (PostgreSQL only)."""
    if connections[queryset.db].vendor != "postgresql":
        return 0
    from articles.models import TaggedArticle

    return queryset.order_by().update(search_document=document_vector(TaggedArticle))


def _refresh_for_tag_link(sender, instance, **kwargs) -> None:
    from articles.models import Article

    refresh_search_documents(Article.objects.filter(pk=instance.content_object_id))


def _refresh_for_tag(sender, instance, created: bool = False, **kwargs) -> None:
    """A renamed tag changes the text of every story that carries it."""
    from articles.models import Article

    if not created:
        refresh_search_documents(Article.objects.filter(tagged_items__tag=instance))


def connect_signals() -> None:
    """Called from ArticlesConfig.ready(): tag links added, removed or restored, tags renamed."""
    from django.db.models.signals import post_delete, post_save
    from taggit.models import Tag

    from articles.models import TaggedArticle

    post_save.connect(_refresh_for_tag_link, sender=TaggedArticle, dispatch_uid="search-tag-add")
    post_delete.connect(_refresh_for_tag_link, sender=TaggedArticle, dispatch_uid="search-tag-del")
    post_save.connect(_refresh_for_tag, sender=Tag, dispatch_uid="search-tag-rename")
