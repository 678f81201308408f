"""Search at scale: generate stories in SQL, fill their search documents, time the search view.

Not the benchmark's realistic loader (bench/load_stories.py): a quick generator for measuring
search alone. Words follow Zipf's law (a word's frequency falls with its rank, as in real
text: "said" is in nearly every story, most words in a few), over a vocabulary of real news
words followed by made-up ones; a few multi-word entries ("prime minister", "state oil fund")
make phrases occur as they do in news copy. Stories are appended in publication order, so
running it with --stories 10000, then 100000, then 1000000 grows one archive.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_search \
        python bench/search_bench.py --stories 100000 --runs 40

The search documents are filled the way the app fills them (articles.search
.refresh_search_documents), in batches of pk ranges. Timings are in-process, through the
search view (Django's test client, page cache bypassed): p50 and p95 over --runs requests.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("DB_STATEMENT_TIMEOUT_MS", "0")  # the generator runs long statements

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from articles.models import Article, Section  # noqa: E402
from articles.search import refresh_search_documents  # noqa: E402

COMMON = (
    "the of and to in a is that for on said with was as it by at from his he be has have "
    "are an will its not which were but this been who they had also their more after would "
    "year government president minister new people two first over last million about than "
    "prime_minister country percent state one baku national up when all can against could "
    "azerbaijan other into some police officials week three told party years security "
    "world economic foreign military while city news there minister's since billion before "
    "oil gas under time between budget parliament bank energy region talks court election "
    "development international during support company visit per meeting according cooperation "
    "caspian pipeline report day east west south north public agreement minister_said many "
    "state_oil_fund members countries minute children cent ministry health water high long "
    "president_said share price prices market trade exports imports growth reform law vote "
    "şamaxı azərbaycan gəncə lənkəran qəbələ naxçıvan ganja shusha sumgait mingachevir"
).split()
SYLLABLES = "ka ri mo la te sa ven dor pal ush ter bin go ral mes tik zu nor fen qa".split()
VOCABULARY = 30_000
SENTENCES = 40_000  # the pool stories are made of
PER_STORY = 25  # sentences per story: ~350 words, a news story's length
BATCH = 5_000

QUERIES = {
    "said": "said",
    "minister budget": "minister budget",
    '"prime minister"': '"prime minister"',
    '"state oil fund"': '"state oil fund"',
    "rare word": None,  # filled in: a made-up word of rank 25,000 (~15 stories per 10k)
    "rarest word": None,  # rank 29,990: in a sentence or two of the pool, or in none
    "samaxi": "samaxi",
}


def made_up(rank: int) -> str:
    word, n = "", rank
    while True:
        word += SYLLABLES[n % len(SYLLABLES)]
        n //= len(SYLLABLES)
        if not n:
            return word + "x"


def setup_pool() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('search_bench_sentence')")
        if cursor.fetchone()[0]:
            return
        words = [w.replace("_", " ") for w in COMMON]
        words += [made_up(r) for r in range(len(words), VOCABULARY)]
        cursor.execute("CREATE TABLE search_bench_word (rank int PRIMARY KEY, word text)")
        cursor.execute(
            "INSERT INTO search_bench_word SELECT ordinality, word "
            "FROM unnest(%s::text[]) WITH ORDINALITY AS w(word)",
            [words],
        )
        # P(rank) ~ 1/rank: the rank is exp(uniform * ln V), floored.
        cursor.execute(
            """
            CREATE TABLE search_bench_sentence AS
            SELECT s AS id, upper(left(string_agg(w.word, ' ' ORDER BY t), 1))
                   || substr(string_agg(w.word, ' ' ORDER BY t), 2) || '.' AS text
            FROM generate_series(1, %s::int) s
            CROSS JOIN LATERAL (
                SELECT t, least(%s, floor(exp(random() * ln(%s)))::int + (s * 0)) AS rank
                FROM generate_series(1, 8 + (s %% 12)) t
            ) picks
            JOIN search_bench_word w ON w.rank = picks.rank
            GROUP BY s
            """,
            [SENTENCES, VOCABULARY, VOCABULARY + 1],
        )
        cursor.execute("ALTER TABLE search_bench_sentence ADD PRIMARY KEY (id)")


def grow(total: int) -> None:
    have = Article.objects.count()
    if have >= total:
        if Article.objects.filter(search_document__isnull=True).exists():
            fill_documents()
        return
    section, _ = Section.objects.get_or_create(slug="bench-search", defaults={"name": "News"})
    started = time.monotonic()
    for start in range(have, total, 50_000):
        stop = min(start + 50_000, total)
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO articles_article (headline, slug, standfirst, body, dateline, kind,
                    status, publish_at, first_published_at, is_lead, is_breaking, meta_title,
                    meta_description, word_count, created_at, modified_at, version, section_id)
                SELECT left(h.text, 100), 'sb-' || n, sf.text, b.body, '', 'news', 'published',
                    at, at, false, false, '', '', 300, at, at, 1, %s
                FROM generate_series(%s::int, %s::int) n
                CROSS JOIN LATERAL (SELECT timestamptz '2015-01-01' + n * interval '5 minutes'
                                    + (n %% 7) * interval '1 second' AS at) t
                JOIN search_bench_sentence h ON h.id = 1 + (n::bigint * 7919) %% %s
                JOIN search_bench_sentence sf ON sf.id = 1 + (n::bigint * 104729) %% %s
                CROSS JOIN LATERAL (
                    SELECT string_agg('<p>' || s.text || '</p>', '' ORDER BY k) AS body
                    FROM (SELECT k, 1 + floor(random() * %s + n * 0)::int AS sid
                          FROM generate_series(1, %s::int) k) p
                    JOIN search_bench_sentence s ON s.id = p.sid
                ) b
                """,
                [section.pk, start + 1, stop, SENTENCES, SENTENCES, SENTENCES, PER_STORY],
            )
        print(f"  inserted {stop:,} stories ({time.monotonic() - started:.0f} s)", flush=True)
    # A big batch fills faster without the GIN index, built again once (as an operator would).
    rebuild = total - have > 200_000
    if rebuild:
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX IF EXISTS article_search_gin")
    fill_documents()
    with connection.cursor() as cursor:
        if rebuild:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            cursor.execute(
                "CREATE INDEX article_search_gin ON articles_article USING gin (search_document)"
            )
        cursor.execute("VACUUM ANALYZE articles_article")
    print(f"  grown to {total:,} in {time.monotonic() - started:.0f} s", flush=True)


def fill_documents() -> None:
    """As the app does it, a pk range at a time, each batch its own short transaction."""
    started = time.monotonic()
    empty = Article.objects.filter(search_document__isnull=True)
    low, high = empty.order_by("pk").values_list("pk", flat=True)[:1][0], empty.latest("pk").pk
    for start in range(low, high + 1, BATCH):
        refresh_search_documents(Article.objects.filter(pk__gte=start, pk__lt=start + BATCH))
        if (start - low) % (20 * BATCH) == 0:
            print(f"  documents to pk {start + BATCH:,} ({time.monotonic() - started:.0f} s)")


def rare_word() -> str:
    return made_up(25_000)


def measure(runs: int) -> dict[str, tuple[float, float, int, int]]:
    setup_test_environment()  # for response.context
    client = Client()
    results = {}
    QUERIES["rare word"] = rare_word()
    QUERIES["rarest word"] = made_up(29_990)
    for label, query in QUERIES.items():
        timings = []
        response = client.get("/search/", {"q": query})  # warm
        assert response.status_code == 200, response.status_code
        for run in range(runs):
            page = "1" if run % 4 else "3"
            started = time.perf_counter()
            response = client.get("/search/", {"q": query, "page": page})
            timings.append((time.perf_counter() - started) * 1000)
        ordered = sorted(timings)
        p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
        shown = len(response.context["page"].object_list) if response.context["page"] else 0
        results[label] = (statistics.median(timings), p95, response.context.get("total"), shown)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    setup_pool()
    grow(args.stories)
    count = Article.objects.count()
    print(f"{count:,} stories; search view, in-process, {args.runs} requests per query")
    print(f"{'query':<22}{'p50 ms':>9}{'p95 ms':>9}  results")
    for label, (p50, p95, total, shown) in measure(args.runs).items():
        print(f"{label:<22}{p50:>9.1f}{p95:>9.1f}  {total} ({shown} shown)")


if __name__ == "__main__":
    main()
