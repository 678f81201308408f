"""Load N published stories (default 10,000) for the benchmark, fast, with bulk_create.

Sections with subsections, authors, tags and one or two bylines per story, spread over the last
two years with a few from today (so the home page and news sitemap look like a real outlet's).
Idempotent: stories it made earlier (slug prefix "bench-") are kept when there are enough.
Writes the article URLs wrk rotates over to --urls (a few hundred, picked at random).

    DATABASE_URL=postgres://... python bench/load_stories.py --stories 10000
"""

import argparse
import datetime as dt
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from taggit.models import Tag  # noqa: E402

from accounts.models import Author  # noqa: E402
from articles.models import Article, Byline, Kind, Section, Status, TaggedArticle  # noqa: E402
from articles.search import refresh_search_documents  # noqa: E402

SECTIONS = {
    "politics": ["Parliament", "Elections"],
    "business": ["Energy", "Markets"],
    "world": ["Europe", "Middle East"],
    "region": [],
    "culture": ["Books", "Film"],
    "sport": ["Football"],
    "science": [],
    "opinion": [],
}
WORDS = (
    "minister parliament pipeline gas oil caspian baku river harvest court election protest "
    "budget bank tariff treaty border village school hospital festival museum theatre novel "
    "football league stadium port railway drought rainfall satellite university reform vote "
    "council mayor farmers exporters inflation currency investment summit delegation talks"
).split()
BATCH = 1000
# A newsroom's mix of kinds besides news, by story id modulo 50 (the opinion section's stories
# are all opinion). Without it the planner's statistics say every story is news, and the plans
# of the front page's queries (kind <> 'sponsored') are chosen for a site no newsroom runs.
KIND_MIX = {Kind.SPONSORED: {0}, Kind.ANALYSIS: {1, 2, 3}, Kind.INTERVIEW: {4, 5}}


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def body(rng: random.Random) -> str:
    paragraphs = []
    for i in range(rng.randint(8, 14)):
        text = " ".join(sentence(rng, rng.randint(10, 22)) for _ in range(3))
        if i == 3:
            paragraphs.append(f"<blockquote><p>“{sentence(rng, 14)}”</p></blockquote>")
        paragraphs.append(f"<p>{text}</p>")
    return "\n".join(paragraphs)


def sections() -> list[Section]:
    made = []
    for position, (slug, children) in enumerate(SECTIONS.items()):
        parent, _ = Section.objects.get_or_create(
            slug=slug, defaults={"name": slug.title(), "position": position}
        )
        made.append(parent)
        for child in children:
            sub, _ = Section.objects.get_or_create(
                slug=child.lower().replace(" ", "-"), defaults={"name": child, "parent": parent}
            )
            made.append(sub)
    return made


def authors(rng: random.Random, count: int = 60) -> list[Author]:
    existing = list(Author.objects.filter(slug__startswith="bench-"))
    first = "Leyla Rashad Aysel Murad Nigar Elvin Sabina Tural Gunel Orkhan Aida Kamran".split()
    last = "Mammadova Aliyev Huseynova Guliyev Ismayilova Hasanov Karimova Rzayev".split()
    for n in range(len(existing), count):
        name = f"{rng.choice(first)} {rng.choice(last)}"
        existing.append(
            Author.objects.create(
                name=name,
                slug=f"bench-{n}",
                job_title="staff journalist",
                bio=sentence(rng, 20),
                twitter=f"bench_reporter{n}",
            )
        )
    return existing


def tags(count: int = 300) -> list[Tag]:
    names = [f"bench-topic-{n}" for n in range(count)]
    have = set(Tag.objects.filter(name__in=names).values_list("name", flat=True))
    Tag.objects.bulk_create([Tag(name=n, slug=n) for n in names if n not in have])
    return list(Tag.objects.filter(name__in=names))


@transaction.atomic
def load(total: int, seed: int) -> int:
    rng = random.Random(seed)
    have = Article.objects.filter(slug__startswith="bench-").count()
    if have >= total:
        return 0
    all_sections, all_authors, all_tags = sections(), authors(rng), tags()
    now = timezone.now()
    made = 0
    for start in range(have, total, BATCH):
        batch = []
        for n in range(start, min(start + BATCH, total)):
            # The newest ~50 are from the last day; the rest spread over two years.
            age = (
                dt.timedelta(minutes=n * 7)
                if n < 50
                else dt.timedelta(minutes=rng.randint(1440, 1_051_200))
            )
            when = now - age
            text = body(rng)
            batch.append(
                Article(
                    headline=sentence(rng, rng.randint(6, 11))[:-1][:110],
                    slug=f"bench-{n}",
                    standfirst=sentence(rng, 25),
                    body=text,
                    word_count=len(text.split()),
                    section=rng.choice(all_sections),
                    status=Status.PUBLISHED,
                    publish_at=when,
                    first_published_at=when,
                    is_lead=(n == 0),
                )
            )
        created = Article.objects.bulk_create(batch)
        Byline.objects.bulk_create(
            Byline(article=a, author=author, position=i)
            for a in created
            for i, author in enumerate(rng.sample(all_authors, rng.choice((1, 1, 1, 2))))
        )
        TaggedArticle.objects.bulk_create(
            TaggedArticle(content_object=a, tag=tag)
            for a in created
            for tag in rng.sample(all_tags, rng.randint(2, 5))
        )
        made += len(created)
    # bulk_create skips save(), so fill the search vectors in one UPDATE as the app would.
    refresh_search_documents(Article.objects.filter(slug__startswith="bench-"))
    return made


def assign_kinds() -> None:
    """Give the stories their kinds (KIND_MIX); idempotent, so older benchmark databases get
    them too. The lead story stays news, and the live blog the live scenario made stays one."""
    bench = Article.objects.filter(slug__startswith="bench-").exclude(kind=Kind.LIVE)
    bench.filter(section__slug="opinion").exclude(kind=Kind.OPINION).update(kind=Kind.OPINION)
    others = bench.exclude(section__slug="opinion").exclude(is_lead=True)
    ids = list(others.values_list("pk", flat=True))
    for kind, residues in KIND_MIX.items():
        chosen = [pk for pk in ids if pk % 50 in residues]
        sponsor = "Caspian Bank" if kind == Kind.SPONSORED else ""
        others.filter(pk__in=chosen).exclude(kind=kind).update(kind=kind, sponsor=sponsor)


def write_urls(path: Path, count: int, seed: int) -> int:
    rng = random.Random(seed)
    ids = list(
        Article.objects.live().filter(slug__startswith="bench-").values_list("pk", flat=True)
    )
    chosen = rng.sample(ids, min(count, len(ids)))
    stories = Article.objects.select_related("section").filter(pk__in=chosen)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{a.get_absolute_url()}\n" for a in stories))
    return len(chosen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=10_000)
    parser.add_argument("--urls", type=Path, default=Path("var/bench/urls.txt"))
    parser.add_argument("--url-count", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    made = load(args.stories, args.seed)
    assign_kinds()
    if connection.vendor == "postgresql":
        # Fresh planner statistics and visibility map, as autovacuum would have them on a live
        # site: without the statistics PostgreSQL plans for an empty table right after a bulk
        # load, and without the map every index-only scan (a tag's or an author's newest
        # stories, on each story page) also reads the table.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
    total = Article.objects.filter(slug__startswith="bench-").count()
    written = write_urls(args.urls, args.url_count, args.seed)
    print(f"stories: {made} new, {total} in total; {written} article URLs in {args.urls}")


if __name__ == "__main__":
    main()
