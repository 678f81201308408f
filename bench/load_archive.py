"""Load an archive of N realistic stories (up to 1,000,000) into PostgreSQL in minutes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_scale_1m \
        python bench/load_archive.py --stories 1000000

What it makes (all of it deterministic for a given --stories and --seed):
  - sections with subsections; a few hundred authors (some with photos), prolific ones
    bylined far more often; one or two bylines per story;
  - tags: N/25 distinct (1,000 to 40,000) with a long-tailed (Zipf-Mandelbrot) use, 3-6 per
    story, so a popular tag is on a few per cent of stories and most tags on a handful;
  - photos: a handful of real JPEGs saved once through the Image model (so their renditions
    exist on disk) and a few hundred Image rows pointing at them; three stories in four and
    two authors in three have one;
  - bodies from a pool of generated paragraphs over a Zipf vocabulary (about 200-450 words,
    "said" common, "state oil fund" a phrase that recurs), headlines, standfirsts, datelines;
  - dates over eight years, each year denser than the one before, the newest few today;
    created_at, modified_at and updated_at consistent with them;
  - at 200,000 stories and more, a peak month (an election): the last complete month holds
    50,000 live stories, so its sitemap file is at the protocol's limit;
  - corrections on ~1 % of live stories (moving their updated_at, as Correction.save does),
    and a few hundred each of scheduled, withdrawn, draft and in-review stories.

How: COPY (psycopg 3's cursor.copy) in chunks of CHUNK stories, each chunk one transaction
(stories, bylines, tag links, corrections), the secondary indexes dropped during the load
and rebuilt after it; foreign keys are not checked row by row during the COPY (the ids come
from the sequences this script reserves). Derived fields are the app's own: word_count is
articles.text.word_count (computed once per pool paragraph; the sum equals the body's
count because every paragraph is a block element, which a sample check at the end
verifies), and search_document is filled afterwards by articles.search.
refresh_search_documents (the same document_vector expression Article.save uses) in
pk-range batches, on two connections.

Idempotent: the stories it made are the ones created by the user "archive-loader"; with
that many there already it only checks them, rebuilds anything missing (indexes, search
documents, photo files) and rewrites the URL list; an interrupted load resumes at the last
committed chunk. Prints how long each phase took.
"""

import argparse
import bisect
import datetime as dt
import io
import itertools
import json
import math
import os
import random
import re
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ.setdefault("DB_STATEMENT_TIMEOUT_MS", "0")

import django

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.files.base import ContentFile  # noqa: E402
from django.core.files.storage import default_storage  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from PIL import Image as PILImage  # noqa: E402
from PIL import ImageDraw  # noqa: E402
from taggit.models import Tag  # noqa: E402

from accounts.models import Author  # noqa: E402
from articles.models import (  # noqa: E402
    Article,
    Byline,
    Correction,
    Image,
    Kind,
    Section,
    Status,
    TaggedArticle,
)
from articles.search import refresh_search_documents  # noqa: E402
from articles.sitemap_summary import month_key, month_range  # noqa: E402
from articles.sitemap_summary import rebuild as rebuild_sitemap_summary  # noqa: E402
from articles.text import word_count  # noqa: E402

LOADER = "archive-loader"
CHUNK = 20_000
SEARCH_BATCH = 10_000
YEARS = 8
GROWTH = 1.3  # density grows by e^GROWTH (about 3.7x) from the first year to the last
TABLES = ["articles_article", "articles_taggedarticle", "articles_byline", "articles_correction"]

SECTIONS = {
    "politics": ["Parliament", "Elections", "Diplomacy"],
    "business": ["Energy", "Markets", "Transport", "Agriculture"],
    "world": ["Europe", "Middle East", "Central Asia", "Russia"],
    "region": ["Karabakh", "Nakhchivan"],
    "society": ["Health", "Education"],
    "culture": ["Books", "Film", "Music"],
    "sport": ["Football", "Wrestling", "Chess"],
    "science": ["Technology"],
    "opinion": [],
}
COMMON = (
    "the of and to in a for on that with as by at from is was has it be are its an will not "
    "which have this but were also been more after their said said said who over than new"
).split()
NEWSY = (
    "minister parliament pipeline gas oil caspian baku river harvest court election protest "
    "budget bank tariff treaty border village school hospital festival museum theatre novel "
    "football league stadium port railway drought rainfall satellite university reform vote "
    "council mayor farmers exporters inflation currency investment summit delegation talks "
    "government president ministry economy growth prices energy export import agreement "
    "region city capital district officials police ceasefire peace security army defence "
    "company shares market investors revenue profit contract project construction road bridge "
    "airport flights tourism hotel visitors season weather snow flood water electricity grid "
    "solar wind renewable climate emissions conference delegates report survey data census "
    "students teachers exams children families pensions salaries workers union strike jobs "
    "unemployment loans mortgage housing rents property tax customs trade partners neighbours "
    "spokesman statement interview press journalists media broadcast television radio online "
    "cyber internet digital startup technology science research laboratory vaccine doctors "
    "patients clinic medicine cancer heart virus outbreak cases deaths injured accident fire "
    "rescue volunteers charity donation aid refugees migrants visa citizens residents voters "
    "candidates campaign opposition coalition deputies committee bill law amendment decree "
    "judge trial verdict appeal sentence prison lawyer prosecutor investigation corruption "
    "fraud arrest detained released hearing evidence witness carpet wine pomegranate tea "
    "cotton hazelnut silk mugham poet composer orchestra exhibition gallery painting film "
    "director actor award prize champion medal wrestler chess grandmaster tournament coach "
    "players goal match final qualifier transfer club fans referee olympic athletes record"
).split()
PHRASES = ["state oil fund", "central bank", "prime minister", "national team", "peace talks"]
FIRST = (
    "Leyla Rashad Aysel Murad Nigar Elvin Sabina Tural Gunel Orkhan Aida Kamran Farid Samira "
    "Javid Lala Ramin Narmin Emil Konul Vusal Sevinj Ilgar Aynur Rufat Zarina Teymur Gulnar "
    "Anar Fidan Nijat Sevda Elnur Ulviyya Shahin Parvana Babak Jamila Hikmet Nazrin"
).split()
LAST = (
    "Mammadova Aliyev Huseynova Guliyev Ismayilova Hasanov Karimova Rzayev Abbasova Jafarov "
    "Babayeva Mustafayev Nasirova Safarov Orujova Gasimov Ahmadova Valiyev Suleymanova Ibrahimov "
    "Hajiyeva Mirzayev Sadigova Zeynalov Alakbarova Bayramov Rahimova Huseynli Musayeva Talibov"
).split()
PLACES = (
    "Baku Ganja Sumgait Mingachevir Shaki Lankaran Shirvan Nakhchivan Shusha Quba Gabala "
    "Shamakhi Zagatala Lerik Astara Goychay Barda Aghdam Fuzuli Kalbajar Lachin Tbilisi Ankara "
    "Moscow Tehran Brussels Astana Tashkent Geneva Istanbul Aktau Batumi Yerevan Ashgabat"
).split()
TOPICS = (
    "Azerbaijan;oil;gas;economy;Caspian Sea;Karabakh;COP29;elections;football;energy;"
    "foreign policy;European Union;Russia;Turkey;Iran;Georgia;Central Asia;agriculture;"
    "tourism;culture;education;health;climate;renewables;transport;Middle Corridor;"
    "Southern Gas Corridor;BTC pipeline;inflation;manat;banking;trade;diplomacy;security;"
    "peace process;demining;reconstruction;Great Return;Formula 1;chess;wrestling;"
    "Olympics;film;music;mugham;carpets;literature;science;technology;space;cybersecurity"
).split(";")
NOUNS = (
    "festival,budget,elections,airport,railway,port,marathon,court case,floods,drought,"
    "harvest,hospital,university,museum,theatre,bridge,metro,schools,strike,protest,summit,"
    "football club,power plant,water supply,housing,tourism,wine,wrestlers,derby,exhibition"
).split(",")
DATELINES = ["BAKU"] * 12 + [p.upper() for p in PLACES[1:]]
KINDS = [Kind.NEWS] * 14 + [Kind.ANALYSIS] * 2 + [Kind.OPINION, Kind.INTERVIEW]
CORRECTION_TEXTS = [
    "An earlier version of this story misstated the date of the vote.",
    "An earlier version of this story gave the wrong title for the deputy minister.",
    "This story has been updated to correct the figure for exports, which was 1.2 billion.",
    "A photo caption in an earlier version misidentified the village.",
    "An earlier version of this story misspelled the name of the company.",
]


def log(message: str) -> None:
    print(message, flush=True)


class Phases:
    """Times each phase and prints it as it ends."""

    def __init__(self):
        self.started = time.perf_counter()
        self.times: list[tuple[str, float]] = []

    def __call__(self, name: str):
        phases = self

        class Phase:
            def __enter__(self):
                self.t = time.perf_counter()
                log(f"-- {name} ...")

            def __exit__(self, *exc):
                if exc[0] is None:
                    seconds = time.perf_counter() - self.t
                    phases.times.append((name, seconds))
                    log(f"   {name}: {seconds:.1f} s")

        return Phase()

    def summary(self) -> None:
        total = time.perf_counter() - self.started
        log("phase times: " + ", ".join(f"{n} {s:.1f} s" for n, s in self.times))
        log(f"total: {total:.1f} s ({total / 60:.1f} min)")


# --- COPY helpers ---------------------------------------------------------------------------


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value).translate(_COPY_ESCAPES)


class CopyTable:
    """COPY rows of a model given as dicts of attnames; every other concrete column gets the
    field's default, so a column another branch adds (with a default) needs no change here."""

    def __init__(self, model):
        self.model = model
        self.columns = [f.column for f in model._meta.concrete_fields]
        self.attnames = [f.attname for f in model._meta.concrete_fields]
        self.constants = {
            f.attname: text(f.get_default())
            for f in model._meta.concrete_fields
            if f.attname != "id"
        }

    def copy(self, cursor, rows) -> int:
        table = self.model._meta.db_table
        columns = ", ".join(f'"{c}"' for c in self.columns)
        count = 0
        with cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
            buffer = []
            for row in rows:
                buffer.append(
                    "\t".join(row[a] if a in row else self.constants[a] for a in self.attnames)
                )
                count += 1
                if len(buffer) >= 2000:
                    copy.write("\n".join(buffer) + "\n")
                    buffer.clear()
            if buffer:
                copy.write("\n".join(buffer) + "\n")
        return count


def reserve_ids(cursor, table: str, count: int) -> list[int]:
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s::text, 'id')) FROM generate_series(1, %s::int)",
        [table, count],
    )
    return [r[0] for r in cursor.fetchall()]


def raw_cursor():
    connection.ensure_connection()
    return connection.connection.cursor()


# --- Indexes: dropped for the load, rebuilt after it ------------------------------------------


def index_file() -> Path:
    name = connection.settings_dict["NAME"]
    return Path("var/bench") / f"{name}.indexes.json"


def drop_secondary_indexes() -> None:
    """Drop the non-constraint indexes of the loaded tables, remembering their definitions
    (in var/bench/<db>.indexes.json, so an interrupted load still rebuilds them)."""
    path = index_file()
    saved = json.loads(path.read_text()) if path.exists() else {}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, t.relname, pg_get_indexdef(i.indexrelid)
            FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
            JOIN pg_class t ON t.oid = i.indrelid
            WHERE t.relname = ANY(%s) AND NOT i.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
            """,
            [TABLES],
        )
        found = cursor.fetchall()
        for name, table, definition in found:
            saved[name] = [table, definition]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(saved, indent=1))
        for name, _, _ in found:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')


def rebuild_indexes(tables: list[str]) -> None:
    """Create the saved indexes of these tables that are missing, two at a time."""
    path = index_file()
    if not path.exists():
        return
    saved = json.loads(path.read_text())
    wanted = [(n, d) for n, (t, d) in saved.items() if t in tables]
    work = list(wanted)
    lock = threading.Lock()

    def worker():
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("SET maintenance_work_mem = '512MB'")
                while True:
                    with lock:
                        if not work:
                            return
                        _name, definition = work.pop(0)
                    definition = re.sub(
                        r"^CREATE (UNIQUE )?INDEX ", r"CREATE \1INDEX IF NOT EXISTS ", definition
                    )
                    cursor.execute(definition)
        finally:
            connections["default"].close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for name, _ in wanted:
        del saved[name]
    if saved:
        path.write_text(json.dumps(saved, indent=1))
    else:
        path.unlink()


# --- Reference data -------------------------------------------------------------------------


def zipf_cumulative(count: int, q: float = 10.0, s: float = 1.0) -> list[float]:
    return list(itertools.accumulate(1 / (rank + q) ** s for rank in range(1, count + 1)))


def draw(rng: random.Random, items: list, cumulative: list[float]):
    return items[bisect.bisect(cumulative, rng.random() * cumulative[-1])]


def make_sections() -> list[Section]:
    made = []
    for position, (slug, children) in enumerate(SECTIONS.items()):
        parent, _ = Section.objects.get_or_create(
            slug=slug, defaults={"name": slug.title(), "position": position}
        )
        made.append(parent)
        for n, child in enumerate(children):
            sub, _ = Section.objects.get_or_create(
                slug=child.lower().replace(" ", "-"),
                defaults={"name": child, "parent": parent, "position": n},
            )
            made.append(sub)
    return made


def photo_bytes(n: int) -> bytes:
    """A 1600x1000 JPEG that looks like something (a sky, hills, a sun), different per n."""
    rng = random.Random(n)
    image = PILImage.new("RGB", (1600, 1000))
    draw_ = ImageDraw.Draw(image)
    top = tuple(rng.randint(60, 200) for _ in range(3))
    for y in range(1000):
        shade = tuple(int(c * (1 - y / 1400)) for c in top)
        draw_.line([(0, y), (1600, y)], fill=shade)
    x = rng.randint(100, 1300)
    draw_.ellipse([x, 120, x + 180, 300], fill=(250, 220, 120))
    for layer in range(3):
        points = [(0, 1000)] + [
            (i * 200, 600 + layer * 120 + rng.randint(-80, 80)) for i in range(9)
        ]
        colour = (30 + layer * 30, 90 + layer * 30, 40 + layer * 10)
        draw_.polygon([*points, (1600, 1000)], fill=colour)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def make_photos(loader: User, count: int = 300, files: int = 6) -> list[Image]:
    """`files` real photos saved through Image.save (which writes their renditions), and
    `count` library rows sharing those files. Files missing from MEDIA_ROOT are rewritten."""
    masters = list(Image.objects.filter(uploaded_by=loader, credit="Photo: archive").order_by("pk"))
    for n in range(len(masters), files):
        image = Image(
            file=ContentFile(photo_bytes(n), name=f"archive-{n}.jpg"),
            alt_text=f"Hills under an evening sky, view {n + 1}",
            caption="The view from the road.",
            credit="Photo: archive",
            uploaded_by=loader,
        )
        image.save()
        masters.append(image)
    for n, image in enumerate(masters):
        if not default_storage.exists(image.file.name):
            default_storage.save(image.file.name, ContentFile(photo_bytes(n)))
            image.make_renditions()
    have = Image.objects.filter(uploaded_by=loader).count()
    rng = random.Random(7)
    Image.objects.bulk_create(
        Image(
            file=masters[n % files].file.name,
            width=masters[n % files].width,
            height=masters[n % files].height,
            alt_text=f"{rng.choice(PLACES)}: {rng.choice(NOUNS)}",
            caption=f"{rng.choice(PLACES)}, {rng.choice(NOUNS)}.",
            credit=rng.choice(["Photo: AzerNews", "Photo: Reuters", "Photo: AFP", "Photo: AP"]),
            uploaded_by=loader,
        )
        for n in range(have, count + files)
    )
    # The archive's stories are bulk-created, past articles.photo_access's receivers, and
    # nearly all live: mark their photos public as a publish would have.
    Image.objects.filter(uploaded_by=loader, public_at__isnull=True).update(
        public_at=timezone.now() - dt.timedelta(days=3650)
    )
    return list(Image.objects.filter(uploaded_by=loader).order_by("pk"))


def make_authors(rng: random.Random, photos: list[Image], count: int = 300) -> list[Author]:
    have = Author.objects.filter(slug__startswith="archive-").count()
    new = []
    for n in range(have, count):
        name = f"{FIRST[n % len(FIRST)]} {LAST[(n * 7 + n // len(FIRST)) % len(LAST)]}"
        new.append(
            Author(
                name=name,
                slug=f"archive-{n}-{name.lower().replace(' ', '-')}",
                job_title=rng.choice(["staff journalist", "correspondent", "editor", "reporter"]),
                bio=f"{name} covers {rng.choice(TOPICS)} for the paper.",
                twitter=f"{name.split()[0].lower()}_{n}",
                photo=rng.choice(photos) if n % 3 else None,
            )
        )
    Author.objects.bulk_create(new)
    return list(Author.objects.filter(slug__startswith="archive-").order_by("pk"))


def tag_names(count: int) -> list[str]:
    """Deterministic, unique tag names: real topics first (the most used), then people,
    places and place-topic pairs, in a shuffled long tail."""
    rng = random.Random(11)
    tail = [f"{f} {s}" for f in FIRST for s in LAST]
    tail += [p for p in PLACES if p not in TOPICS]
    tail += [f"{p} {noun}" for p in PLACES for noun in NOUNS]
    tail += [f"{t} {year}" for t in TOPICS for year in range(2015, 2027)]
    syllables = "ka ra ba li su gan za me dy sha ar tu ne vi lo gu bey ul ov ay ra da"
    syllables = syllables.split()
    seen = set(TOPICS) | set(tail)
    while len(seen) < count + 100:
        word = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))).title()
        for name in (word, f"{word} {rng.choice(NOUNS)}"):
            if name not in seen:
                seen.add(name)
                tail.append(name)
    rng.shuffle(tail)
    unique, slugs = [], set()
    for name in dict.fromkeys(TOPICS + tail):
        if slug_of(name) not in slugs:
            slugs.add(slug_of(name))
            unique.append(name)
    return unique[:count]


def slug_of(text_: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text_.lower()).strip("-")


def make_tags(count: int) -> list[int]:
    names = tag_names(count)
    have = set(Tag.objects.filter(name__in=names).values_list("name", flat=True))
    Tag.objects.bulk_create(
        [Tag(name=n, slug=slug_of(n)) for n in names if n not in have], batch_size=5000
    )
    ids = dict(Tag.objects.filter(name__in=names).values_list("name", "pk"))
    return [ids[n] for n in names]  # by rank: most used first


# --- Text -----------------------------------------------------------------------------------


class Writer:
    """Headlines, standfirsts and bodies from pools made once, so a million bodies cost
    little: a body is 5-10 pooled paragraphs, whose word counts are known."""

    def __init__(self, seed: int):
        rng = random.Random(seed)
        extra = sorted(
            {
                "".join(rng.choice("aeiouklmnrstvzgbdh") for _ in range(rng.randint(4, 9)))
                for _ in range(4000)
            }
        )
        self.vocabulary = COMMON + NEWSY + [p.lower() for p in PLACES] + extra
        self.cumulative = zipf_cumulative(len(self.vocabulary), q=2.7, s=1.07)
        self.content = NEWSY + [p.lower() for p in PLACES]
        sentences = [self._sentence(rng) for _ in range(12_000)]
        self.paragraphs = []
        for _ in range(5000):
            html = "<p>" + " ".join(rng.sample(sentences, rng.randint(2, 4))) + "</p>"
            self.paragraphs.append((text(html), word_count(html)))
        self.quotes = []
        for _ in range(500):
            html = f"<blockquote><p>“{self._sentence(rng)}”</p></blockquote>"
            self.quotes.append((text(html), word_count(html)))

    def _sentence(self, rng: random.Random) -> str:
        words = [draw(rng, self.vocabulary, self.cumulative) for _ in range(rng.randint(9, 22))]
        if rng.random() < 0.25:
            words[rng.randrange(len(words))] = rng.choice(self.content)
        if rng.random() < 0.04:
            at = rng.randrange(len(words))
            words[at : at + 1] = rng.choice(PHRASES).split()
        sentence = " ".join(words)
        return sentence[0].upper() + sentence[1:] + "."

    def headline(self, rng: random.Random) -> str:
        words = rng.sample(self.content, rng.randint(5, 10))
        if rng.random() < 0.3:
            words.insert(rng.randrange(len(words)), rng.choice(PLACES))
        if rng.random() < 0.05:
            words[0:0] = rng.choice(PHRASES).split()
        line = " ".join(words)
        return (line[0].upper() + line[1:])[:110]

    def standfirst(self, rng: random.Random) -> str:
        words = [rng.choice(self.content) for _ in range(rng.randint(18, 34))]
        line = " ".join(words)
        return line[0].upper() + line[1:] + "."

    def body(self, rng: random.Random) -> tuple[str, int]:
        parts = rng.choices(self.paragraphs, k=rng.randint(5, 10))
        if rng.random() < 0.4:
            parts.insert(min(3, len(parts)), rng.choice(self.quotes))
        # "\n" between the paragraphs, written as COPY's escape for it.
        return "\\n".join(p for p, _ in parts), sum(w for _, w in parts)


# --- Stories ----------------------------------------------------------------------------------


def special_stories(total: int, seed: int) -> dict[int, str]:
    """Which story numbers are scheduled, withdrawn, drafts or in review (a few hundred each
    at a million stories, fewer for small archives)."""
    rng = random.Random(seed * 31)
    each = min(300, max(10, total // 400))
    chosen = rng.sample(range(total - 50), min(4 * each, total - 50))
    kinds = ["scheduled", Status.WITHDRAWN, Status.DRAFT, Status.IN_REVIEW]
    return {n: kinds[i // each] for i, n in enumerate(chosen)}


def story_time(n: int, total: int, now: dt.datetime, span: dt.timedelta) -> dt.datetime:
    """Story n of total, oldest first: denser every year; the newest 20 over the last hours."""
    newest = max(0, total - n)
    if newest <= 20:
        return now - dt.timedelta(minutes=newest * 23 + 3)
    f = (n + 0.5) / total
    position = math.log1p(f * math.expm1(GROWTH)) / GROWTH
    return now - span * (1 - position) - dt.timedelta(hours=8)


def load_stories(total: int, have: int, seed: int, loader: User, refs: dict) -> None:
    now = timezone.now().replace(microsecond=0)
    span = dt.timedelta(days=365 * YEARS)
    writer = Writer(seed)
    specials = special_stories(total, seed)
    authors, author_cum = refs["authors"], zipf_cumulative(len(refs["authors"]), q=5)
    tags, tag_cum = refs["tags"], zipf_cumulative(len(refs["tags"]), q=10)
    photos, sections = refs["photos"], refs["sections"]
    section_weights = list(itertools.accumulate(3 if s.parent_id is None else 2 for s in sections))
    articles = CopyTable(Article)
    bylines = CopyTable(Byline)
    tagged = CopyTable(TaggedArticle)
    corrections = CopyTable(Correction)
    loader_id = str(loader.pk)
    started = time.perf_counter()
    for start in range(have, total, CHUNK):
        end = min(start + CHUNK, total)
        rng = random.Random(f"{seed}-{start}")
        rows, byline_rows, tag_rows, correction_rows = [], [], [], []
        with transaction.atomic():
            cursor = raw_cursor()
            cursor.execute("SET LOCAL session_replication_role = replica")  # no FK triggers
            cursor.execute("SET LOCAL synchronous_commit = off")
            ids = reserve_ids(cursor, "articles_article", end - start)
            for n, pk in zip(range(start, end), ids, strict=True):
                kind = specials.get(n)
                when = story_time(n, total, now, span)
                when += (
                    dt.timedelta(seconds=rng.randint(0, 3600)) if total - n > 20 else dt.timedelta()
                )
                headline = writer.headline(rng)
                body, words = writer.body(rng)
                status, publish_at, first = Status.PUBLISHED, when, when
                created = when - dt.timedelta(minutes=rng.randint(20, 600))
                if kind == "scheduled":
                    publish_at = first = now + dt.timedelta(minutes=rng.randint(60, 14 * 1440))
                    created = now - dt.timedelta(hours=rng.randint(1, 72))
                elif kind in (Status.DRAFT, Status.IN_REVIEW):
                    status, publish_at, first = kind, None, None
                    created = now - dt.timedelta(hours=rng.randint(1, 24 * 30))
                elif kind == Status.WITHDRAWN:
                    status = Status.WITHDRAWN
                updated = None
                if kind is None and now - when > dt.timedelta(hours=3):
                    roll = rng.random()
                    if roll < 0.04:
                        updated = min(now, when + dt.timedelta(minutes=rng.randint(10, 4320)))
                    if roll < 0.01:
                        correction_rows.append(
                            {
                                "kind": rng.choice(["correction"] * 4 + ["clarification", "note"]),
                                "text": text(rng.choice(CORRECTION_TEXTS)),
                                "published_at": text(updated),
                                "article_id": str(pk),
                                "created_by_id": loader_id,
                            }
                        )
                modified = (
                    max(t for t in (created, publish_at, updated) if t)
                    if kind != "scheduled"
                    else created
                )
                if kind == Status.WITHDRAWN:
                    modified = min(now, when + dt.timedelta(days=rng.randint(1, 60)))
                slug = f"{slug_of(headline)[:100]}-{n}"
                photo = rng.choice(photos).pk if rng.random() < 0.75 else None
                rows.append(
                    {
                        "id": str(pk),
                        "headline": text(headline),
                        "slug": slug,
                        "standfirst": text(writer.standfirst(rng)),
                        "body": body,
                        "section_id": str(
                            sections[
                                bisect.bisect(section_weights, rng.random() * section_weights[-1])
                            ].pk
                        ),
                        "featured_image_id": text(photo),
                        "dateline": rng.choice(DATELINES),
                        "kind": rng.choice(KINDS),
                        "status": status,
                        "publish_at": text(publish_at),
                        "first_published_at": text(first),
                        "updated_at": text(updated),
                        "is_lead": "t" if n == total - 1 else "f",
                        "word_count": str(words),
                        "search_document": "\\N",
                        "created_by_id": loader_id,
                        "modified_by_id": loader_id,
                        "created_at": text(created),
                        "modified_at": text(modified),
                    }
                )
                people = {draw(rng, authors, author_cum)}
                if rng.random() < 0.25:
                    people.add(draw(rng, authors, author_cum))
                for position, author in enumerate(sorted(people)):
                    role = "reporting" if position and rng.random() < 0.3 else "author"
                    byline_rows.append(
                        {
                            "article_id": str(pk),
                            "author_id": str(author),
                            "role": role,
                            "position": str(position),
                        }
                    )
                want, chosen = rng.randint(3, 6), set()
                while len(chosen) < want:
                    chosen.add(draw(rng, tags, tag_cum))
                tag_rows.extend({"content_object_id": str(pk), "tag_id": str(t)} for t in chosen)
            for table, rows_ in (
                (articles, rows),
                (bylines, byline_rows),
                (tagged, tag_rows),
                (corrections, correction_rows),
            ):
                name = table.model._meta.db_table
                if table is not articles:
                    new_ids = reserve_ids(cursor, name, len(rows_))
                    for row, pk in zip(rows_, new_ids, strict=True):
                        row["id"] = str(pk)
                table.copy(cursor, rows_)
        done = end - have
        rate = done / (time.perf_counter() - started)
        log(f"   {end:,} stories ({rate:,.0f}/s, ~{(total - end) / rate:.0f} s to go)")


PEAK_STORIES = 50_000  # the sitemap protocol's limit of URLs per file
PEAK_FROM = 200_000  # smaller archives have no month that busy


def fill_peak_month(mine) -> int:
    """Move old live stories (without corrections, whose dates would then disagree) into the
    last complete month until it holds PEAK_STORIES, spread evenly over it: one set-based
    UPDATE. Returns how many moved (none once the month is full)."""
    this_month = month_key(timezone.now())
    year, month = divmod(this_month, 100)
    start, end = month_range(year * 100 + month - 1 if month > 1 else (year - 1) * 100 + 12)
    need = PEAK_STORIES - mine.live().filter(publish_at__gte=start, publish_at__lt=end).count()
    if need <= 0:
        return 0
    step = (end - start).total_seconds() / need
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 0")
        cursor.execute(
            """
            UPDATE articles_article a
               SET publish_at = %(start)s + old.n * %(step)s * interval '1 second',
                   first_published_at = %(start)s + old.n * %(step)s * interval '1 second',
                   created_at = %(start)s + (old.n * %(step)s - 3600) * interval '1 second',
                   modified_at = %(start)s + old.n * %(step)s * interval '1 second',
                   updated_at = NULL
              FROM (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n
                      FROM articles_article s
                     WHERE s.created_by_id = %(loader)s AND s.status = 'published'
                       AND s.publish_at < %(start)s - interval '2 years'
                       AND NOT EXISTS (SELECT 1 FROM articles_correction c
                                        WHERE c.article_id = s.id)
                     ORDER BY id LIMIT %(need)s) old
             WHERE a.id = old.id
            """,
            {
                "start": start,
                "step": step,
                "need": need,
                "loader": mine.values_list("created_by_id", flat=True).first(),
            },
        )
        return cursor.rowcount


def fill_search_documents(mine) -> int:
    """search_document for every story that lacks one, through refresh_search_documents (the
    expression Article.save uses), in pk-range batches shared by two connections."""
    bounds = mine.filter(search_document__isnull=True).order_by().values_list("pk", flat=True)
    low, high = bounds.order_by("pk").first(), bounds.order_by("-pk").first()
    if low is None:
        return 0
    ranges = [(lo, lo + SEARCH_BATCH) for lo in range(low, high + 1, SEARCH_BATCH)]
    lock, done = threading.Lock(), [0]
    started = time.perf_counter()

    def worker():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit = off")
            while True:
                with lock:
                    if not ranges:
                        return
                    lo, hi = ranges.pop(0)
                count = refresh_search_documents(
                    mine.filter(pk__gte=lo, pk__lt=hi, search_document__isnull=True)
                )
                with lock:
                    done[0] += count
                    if len(ranges) % 10 == 0:
                        rate = done[0] / (time.perf_counter() - started)
                        log(f"   {done[0]:,} search documents ({rate:,.0f}/s)")
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done[0]


def check(mine, sample: int = 300) -> None:
    """The derived fields are the app's: word_count as articles.text.word_count counts the
    stored body, and no story lacks its search document."""
    rng = random.Random()
    low = mine.order_by("pk").values_list("pk", flat=True).first()
    high = mine.order_by("-pk").values_list("pk", flat=True).first()
    picks = [rng.randint(low, high) for _ in range(sample)]
    rows = list(mine.filter(pk__in=picks).values_list("body", "word_count"))
    wrong = sum(word_count(body) != words for body, words in rows)
    missing = mine.filter(search_document__isnull=True).count()
    if wrong or missing:
        raise SystemExit(
            f"check failed: {wrong} word counts wrong, {missing} search documents missing"
        )
    log(
        f"   checked: word_count right on {len(rows)} sampled stories; every search document filled"
    )


def write_urls(mine, path: Path, count: int, seed: int) -> int:
    rng = random.Random(seed)
    low = mine.order_by("pk").values_list("pk", flat=True).first()
    high = mine.order_by("-pk").values_list("pk", flat=True).first()
    if low is None:
        return 0
    picks = {rng.randint(low, high) for _ in range(count * 2)}
    stories = list(
        mine.live().select_related("section").filter(pk__in=picks).order_by("pk")[:count]
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{a.get_absolute_url()}\n" for a in stories))
    return len(stories)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--urls", type=Path, default=None, help="write story URLs here")
    parser.add_argument("--url-count", type=int, default=300)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("load_archive.py needs PostgreSQL (COPY); set DATABASE_URL.")
    phases = Phases()
    total = args.stories
    with connection.cursor() as cursor:  # one loader per database at a time; others wait
        cursor.execute("SELECT pg_advisory_lock(hashtext('bench/load_archive.py'))")
    with phases("reference data (sections, photos, authors, tags)"):
        loader, _ = User.objects.get_or_create(username=LOADER, defaults={"is_active": False})
        rng = random.Random(args.seed)
        photos = make_photos(loader)
        refs = {
            "sections": make_sections(),
            "photos": photos,
            "authors": [a.pk for a in make_authors(rng, photos)],
            "tags": make_tags(min(40_000, max(1_000, total // 25))),
        }
    mine = Article.objects.filter(created_by=loader)
    have = mine.count()
    log(f"   {have:,} stories already loaded, {total:,} wanted")
    if have < total:
        with phases(f"stories, bylines, tags, corrections (COPY, {total - have:,} stories)"):
            drop_secondary_indexes()
            load_stories(total, have, args.seed, loader, refs)
    elif have > total:
        log(f"   note: {have:,} stories here, more than {total:,}; use another database")
    if total >= PEAK_FROM:
        with phases("peak month (the last complete month filled to 50,000 stories)"):
            log(f"   {fill_peak_month(mine):,} stories moved in")
    with phases("indexes of bylines, tag links, corrections"):
        rebuild_indexes(TABLES[1:])
    with phases("search documents (refresh_search_documents, pk-range batches)"):
        log(f"   {fill_search_documents(mine):,} filled")
    with phases("indexes of stories"):
        rebuild_indexes(TABLES[:1])
    with phases("sitemap summary (articles.sitemap_summary.rebuild: GROUP BY, not per story)"):
        log(f"   {rebuild_sitemap_summary():,} rows")  # COPY bypassed save() and its refresh
    with phases("VACUUM ANALYZE"), connection.cursor() as cursor:
        for table in [
            *TABLES,
            "taggit_tag",
            "accounts_author",
            "articles_image",
            "articles_sitemapgroup",
        ]:
            cursor.execute(f'VACUUM (ANALYZE) "{table}"')
    with phases("checks"):
        check(mine)
    if args.urls:
        written = write_urls(mine, args.urls, args.url_count, args.seed)
        log(f"   {written} story URLs in {args.urls}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
    live = mine.live().count()
    log(f"stories: {mine.count():,} loaded by {LOADER}; {live:,} live; database {size}")
    phases.summary()


if __name__ == "__main__":
    main()
