"""Reader search: PostgreSQL full-text search, with a simpler fallback on SQLite.

`search_articles(queryset, query)` takes stories that are already public
(`Article.objects.live()`, perhaps narrowed further) and returns them ranked;
`with_snippets(page, query)` then gives the stories shown a `.snippet`: an HTML-safe excerpt
in which the matched words are wrapped in <mark> and everything else is escaped.

On PostgreSQL the query uses web-search syntax (`websearch_to_tsquery`: "quoted phrases",
-exclusions, `or`) against `Article.search_document`, a stored tsvector with a GIN index
(migration 0002). The document is kept current by `refresh_search_documents()`, called from
`Article.save()` and from the signal receivers at the bottom of this module when tags change.

Bounded work at any archive size: a search ranks only its candidates, the newest
`limit` matching stories (found through the GIN index for rare words, or by walking the
publication-date index for common ones: PostgreSQL picks), never every match, since "said"
matches nearly the whole archive. Within them the text rank is discounted by age
(`RECENCY_DAYS`), so of two equal matches the newer comes first.

Accents never matter: the text search configurations `newsroom_<language>` (migration 0009,
chosen by settings.SEARCH_LANGUAGE) pass words through `unaccent` ("Şamaxı" is indexed as
"samaxi"), and the SQL function `newsroom_fold` turns what unaccent leaves alone into Latin
letters on both sides: the Azerbaijani ə, and, except on a Russian-language site (whose stemmer
needs Cyrillic), Cyrillic ("Москва" is found as "moskva"). SQLite compares anyascii-transliterated,
lowercased text on both sides.
"""

from __future__ import annotations

import html
import re
import unicodedata
from contextlib import contextmanager

from anyascii import anyascii
from django.conf import settings
from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.db import connections, models, transaction
from django.db.models import (
    Case,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat, Extract, Now
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from articles.text import plain_text

# settings.SEARCH_LANGUAGE picks one of these text search configurations (migration 0009).
# Changing it means filling search_document again (`manage.py refresh_search`).
LANGUAGES = ("english", "russian", "azerbaijani", "simple")
# Candidates ranked per search: the newest this many matching stories (the view asks for
# one page more than it shows, to know whether to say "more than").
MAX_CANDIDATES = 1000
# A story this many days old needs twice the text rank of today's to rank beside it.
RECENCY_DAYS = 365
# Longer queries are cut: nobody types more, and it bounds the work a request can cause.
MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
SNIPPET_WORDS = 30

# Private-use characters mark the highlights while the excerpt is still raw text; they are
# turned into <mark> only after the rest has been escaped, so stored text can never inject HTML.
_START, _STOP = "\ue000", "\ue001"
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


# --- Language and folding ---------------------------------------------------------------


def search_language() -> str:
    language = getattr(settings, "SEARCH_LANGUAGE", "english")
    if language not in LANGUAGES:
        raise ValueError(f"SEARCH_LANGUAGE must be one of {', '.join(LANGUAGES)}: {language!r}")
    return language


def search_config() -> str:
    """The PostgreSQL text search configuration of this site (made by migration 0009)."""
    return f"newsroom_{search_language()}"


# What unaccent leaves alone, spelled in Latin letters: the Azerbaijani schwa, and Cyrillic.
# Frozen here (not taken from anyascii at run time): migration 0009 builds the SQL functions
# from these, and the query side must fold exactly as the stored documents were folded.
SCHWA = {"ə": "e", "Ə": "E"}
CYRILLIC = dict(
    zip(
        "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        "A B V G D E E Zh Z I Y K L M N O P R S T U F Kh Ts Ch Sh Shch - Y - E Yu Ya "
        "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch - y - e yu ya".split(),
        strict=True,
    )
)
CYRILLIC = {k: "" if v == "-" else v for k, v in CYRILLIC.items()}


def fold_function(language: str | None = None) -> str:
    """The SQL function that folds a site's text: newsroom_translit, or newsroom_fold (Russian)."""
    return "newsroom_fold" if (language or search_language()) == "russian" else "newsroom_translit"


def fold(text: str, language: str | None = None) -> str:
    """The query folded as newsroom_fold / newsroom_translit fold the documents."""
    table = dict(SCHWA)
    if fold_function(language) == "newsroom_translit":
        table.update(CYRILLIC)
    return text.translate(str.maketrans(table))


def fold_sql(function: str) -> str:
    """CREATE FUNCTION for one of the two folding functions (used by migration 0009).

    Cyrillic is spelled out only in texts that have some: the long chain of replacements
    would cost more than building the tsvector itself on every English story.
    """
    schwa = f"translate($1, '{''.join(SCHWA)}', '{''.join(SCHWA.values())}')"
    expression = schwa
    if function == "newsroom_translit":
        single = {k: v for k, v in CYRILLIC.items() if len(v) == 1}
        spelled = schwa
        for letter, latin in CYRILLIC.items():
            if len(latin) != 1:  # multi-letter spellings, and letters dropped (ъ, ь)
                spelled = f"replace({spelled}, '{letter}', '{latin}')"
        spelled = f"translate({spelled}, '{''.join(single)}', '{''.join(single.values())}')"
        expression = f"CASE WHEN $1 ~ '[А-яЁё]' THEN {spelled} ELSE {schwa} END"
    return (
        f"CREATE OR REPLACE FUNCTION {function}(text) RETURNS text "
        f"LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT {expression} $$"
    )


def ascii_fold(text: str | None) -> str:
    """SQLite: both sides of every comparison as lowercase ASCII ("Şamaxı" -> "samaxi")."""
    return anyascii(text or "").lower()


def register_sqlite_fold(sender, connection, **kwargs) -> None:
    """connection_created receiver: gives SQLite the newsroom_ascii() function."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("newsroom_ascii", 1, ascii_fold, deterministic=True)


def _folded(expression) -> Func:
    return Func(expression, function=fold_function(), output_field=models.TextField())


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


def search_articles(
    queryset: models.QuerySet, query: str | None, limit: int = MAX_CANDIDATES
) -> models.QuerySet:
    """The stories of `queryset` that match `query`, best first (see `with_snippets`).

    Only the newest `limit` matches are candidates: they are ranked by how well they match,
    discounted by age, and anything older is left out, so the work is bounded however many
    stories match. Never raises for odd input: empty, overlong or garbage queries give an
    empty queryset.
    """
    text = clean_query(query)
    if not text:
        return queryset.none()
    if connections[queryset.db].vendor == "postgresql":
        return _postgres_search(queryset, text, limit)
    groups = parse_query(text)
    if not groups:
        return queryset.none()
    return _fallback_search(queryset, groups, limit)


def matching(queryset: models.QuerySet, query: str | None) -> models.QuerySet:
    """PostgreSQL: the stories of `queryset` whose search document matches `query`
    (web-search syntax, folded as the documents are), unranked, in the queryset's own
    order: the admin's search, which lists matches newest first."""
    text = clean_query(query)
    if not text:
        return queryset.none()
    query = SearchQuery(fold(text), search_type="websearch", config=search_config())
    return queryset.filter(search_document=query)


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
    # The excerpt shows the stored text as written: a word matched only through folding
    # ("azerbaycan" for "Azərbaycan") is found but not marked.
    query = SearchQuery(fold(text), search_type="websearch", config=search_config())
    excerpt = SearchHeadline(
        Concat("standfirst", Value(" "), "body", output_field=models.TextField()),
        query,
        config=search_config(),
        start_sel=_START,
        stop_sel=_STOP,
        max_words=SNIPPET_WORDS,
        min_words=15,
        max_fragments=2,
        fragment_delimiter=" … ",
    )
    return ExpressionWrapper(excerpt, output_field=SnippetField())


@contextmanager
def planned_per_query(using: str = "default"):
    """Run the ranking query inside this block so PostgreSQL plans it for its own words.

    The site has PostgreSQL reuse generic plans (settings: plan_cache_mode), but no plan
    suits every search: "said" is found fastest by walking the newest stories, a rare word
    through the GIN index, and a generic plan must pick one for both (a rare word walking a
    million stories). SET LOCAL changes it for this transaction only.
    """
    if connections[using].vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=using):
        with connections[using].cursor() as cursor:
            cursor.execute("SET LOCAL plan_cache_mode = force_custom_plan")
        yield


def _candidates(queryset: models.QuerySet, condition, limit: int) -> models.QuerySet:
    """The newest `limit` matching stories' pks, as a subquery: what gets ranked."""
    return queryset.filter(condition).order_by("-publish_at", "-pk").values("pk")[:limit]


def _age_in_days() -> ExpressionWrapper:
    return ExpressionWrapper(
        (Extract(Now(), "epoch") - Extract("publish_at", "epoch")) / 86400.0,
        output_field=FloatField(),
    )


def _postgres_search(queryset: models.QuerySet, text: str, limit: int) -> models.QuerySet:
    query = SearchQuery(fold(text), search_type="websearch", config=search_config())
    # The candidates come from a subquery with its own LIMIT, so ts_rank runs on at most
    # `limit` rows (PostgreSQL evaluates a select list before it sorts: ranking in the same
    # query as the match would rank every match).
    candidates = _candidates(queryset, Q(search_document=query), limit)
    score = ExpressionWrapper(
        SearchRank(F("search_document"), query) / (1.0 + _age_in_days() / RECENCY_DAYS),
        output_field=FloatField(),
    )
    return (
        queryset.filter(pk__in=candidates)
        .annotate(rank=score)
        .order_by("-rank", "-publish_at", "-pk")
    )


def _fallback_search(queryset: models.QuerySet, groups, limit: int) -> models.QuerySet:
    """SQLite: containment of ASCII-folded, lowercased text, ranked headline > standfirst/tags
    > body, discounted by age like PostgreSQL's rank."""
    from articles.models import TaggedArticle

    def folded(field: str) -> Func:
        return Func(F(field), function="newsroom_ascii", output_field=models.TextField())

    folded_tags = TaggedArticle.objects.annotate(folded_name=folded("tag__name"))
    searched = queryset.annotate(
        folded_headline=folded("headline"),
        folded_standfirst=folded("standfirst"),
        folded_body=folded("body"),
    )

    def matches(phrase: str) -> Q:
        tagged = folded_tags.filter(folded_name__contains=phrase)
        return (
            Q(folded_headline__contains=phrase)
            | Q(folded_standfirst__contains=phrase)
            | Q(folded_body__contains=phrase)
            | Q(pk__in=tagged.values("content_object"))
        )

    condition = Q()
    wanted: list[str] = []
    for group in groups:
        group_q = Q()
        for phrase, excluded in group:
            phrase = ascii_fold(phrase)
            group_q &= ~matches(phrase) if excluded else matches(phrase)
            if not excluded:
                wanted.append(phrase)
        condition |= group_q

    score = Value(0)
    for phrase in wanted:
        for field, weight in (("headline", 8), ("standfirst", 2), ("body", 1)):
            score = score + Case(
                When(**{f"folded_{field}__contains": phrase}, then=Value(weight)),
                default=Value(0),
            )
    # julianday() is SQLite's; the age discount is the same as on PostgreSQL.
    age = Func(Now(), function="julianday", output_field=FloatField()) - Func(
        F("publish_at"), function="julianday", output_field=FloatField()
    )
    rank = ExpressionWrapper(
        ExpressionWrapper(score, output_field=IntegerField()) / (1.0 + age / RECENCY_DAYS),
        output_field=FloatField(),
    )
    return (
        searched.filter(pk__in=_candidates(searched, condition, limit))
        .annotate(rank=rank)
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


def document_vector(
    tagged_model, language: str | None = None, *, plain_config: str | None = None
) -> SearchVector:
    """The weighted tsvector of a story: headline A, standfirst and tags B, body C.

    The body is stored HTML; PostgreSQL's default parser skips tags and entities itself.
    Takes the through model so the data migration can pass its historical one. Each text
    goes through the site's folding function, then its text search configuration.
    `plain_config` (e.g. "english", for migrations older than 0009, which made the
    configurations) uses a built-in configuration without folding.
    """
    language = language or search_language()
    config = plain_config or f"newsroom_{language}"
    function = fold_function(language)

    def folded(expression) -> Func:
        if plain_config:
            return expression
        return Func(expression, function=function, output_field=models.TextField())

    tag_names = Subquery(
        tagged_model.objects.filter(content_object=OuterRef("pk"))
        .order_by()
        .values("content_object")
        .annotate(names=StringAgg("tag__name", " "))
        .values("names")
    )
    return (
        SearchVector(folded(F("headline")), weight="A", config=config)
        + SearchVector(folded(F("standfirst")), weight="B", config=config)
        + SearchVector(
            folded(Coalesce(tag_names, Value(""), output_field=models.TextField())),
            weight="B",
            config=config,
        )
        + SearchVector(folded(F("body")), weight="C", config=config)
    )


def refresh_search_documents(queryset: models.QuerySet) -> int:
    """Recompute search_document for these stories in one UPDATE (PostgreSQL only)."""
    if connections[queryset.db].vendor != "postgresql":
        return 0
    from articles.models import TaggedArticle

    return queryset.order_by().update(search_document=document_vector(TaggedArticle))


def refresh_all_search_documents(
    article_model,
    tagged_model,
    using: str = "default",
    batch: int = 2000,
    language=None,
    progress=None,
) -> int:
    """Refill every story's search_document a pk range (at most `batch` stories) at a time,
    each range its own short transaction (newsroom.online_schema.run_in_batches), so no story
    is locked for more than a moment on a large archive (editors keep saving while it runs).
    Used by migration 0009 and `manage.py refresh_search`."""
    from newsroom.online_schema import run_in_batches

    if connections[using].vendor != "postgresql":
        return 0
    vector = document_vector(tagged_model, language)
    return run_in_batches(
        article_model._base_manager.using(using),
        lambda stories: stories.update(search_document=vector),
        size=batch,
        progress=progress,
    )


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
