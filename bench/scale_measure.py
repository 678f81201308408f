"""Time the archive's pages in-process (Django's test client, no page cache) on one database.

Run by bench/scale.sh once per database (newsroom_scale_10k, _100k, _1m); writes JSON that
bench/scale_table.py turns into the table. Every figure: one untimed request first (imports,
connection, the story fragments in Redis: the state of the site right after a purge, with
the edge bypassed), then up to --requests timed ones; a figure that has used --budget
seconds stops early and says how many it took. A request cancelled by the statement timeout
(DB_STATEMENT_TIMEOUT_MS, staff included) is reported as a timeout, not as a time.

    DATABASE_URL=... python bench/scale_measure.py --label 10k --urls var/bench/x.txt --out x.json
"""

import argparse
import json
import math
import os
import random
import signal
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

import django

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import EDITORS, Author  # noqa: E402
from articles.models import Article, Byline, Section, TaggedArticle  # noqa: E402
from articles.sitemap_summary import Kind, live_groups  # noqa: E402
from articles.sitemaps import month_url  # noqa: E402
from tests.signin import force_login_with_second_step  # noqa: E402

SEARCHES = {
    "search, common word (said)": "said",
    "search, two words (minister budget)": "minister budget",
    'search, phrase ("state oil fund")': '"state oil fund"',
}


class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout


def fetch(client: Client, url: str, limit: int) -> float:
    """Seconds to get url (200 and a body), or Timeout: the statement timeout cancelled a
    query, or the whole request took longer than `limit` seconds (then it is interrupted,
    psycopg cancels the query it waits on, and the connection is dropped)."""
    started = time.perf_counter()
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(limit)
    try:
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
    except Exception as exc:  # the statement timeout, as the test client re-raises it
        if isinstance(exc, Timeout) or "canceling statement" in str(exc):
            connection.close()
            raise Timeout from exc
        raise
    finally:
        signal.alarm(0)
    seconds = time.perf_counter() - started
    if response.status_code == 503:
        raise Timeout
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    if not body:
        raise RuntimeError(f"{url} answered an empty body")
    return seconds


def percentile(times: list[float], share: float) -> float:
    ordered = sorted(times)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def measure(client: Client, urls: list[str], requests: int, budget: float, limit: int) -> dict:
    """urls: one (repeated) or several (taken in turn); each warmed once untimed, except
    that a page whose first request took more than a quarter of the budget is not asked
    again: that request is its one sample (n=1)."""
    timeout_s = int(os.environ.get("DB_STATEMENT_TIMEOUT_MS", "0")) / 1000
    try:
        times: list[float] = []
        for url in urls[: min(len(urls), requests)]:
            first = fetch(client, url, limit)
            if first > budget / 4:
                return {"n": 1, "p50": first, "p95": first}
        spent = 0.0
        for n in range(requests):
            seconds = fetch(client, urls[n % len(urls)], limit)
            times.append(seconds)
            spent += seconds
            if spent > budget:
                break
    except Timeout:
        return {"timeout": True, "timeout_s": timeout_s, "limit_s": limit}
    except RuntimeError as exc:
        return {"error": str(exc)}
    return {
        "n": len(times),
        "p50": statistics.median(times),
        "p95": percentile(times, 0.95),
    }


def targets(story_urls: list[str], rng: random.Random) -> list[tuple[str, list[str], bool]]:
    """(figure, URLs, whether p95 is reported) for every page the benchmark measures."""
    live = Article.objects.live()
    parents = {s.pk: s.parent_id or s.pk for s in Section.objects.all()}
    per_section: dict[int, int] = {}
    for section_id, count in (
        live.values_list("section_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("section_id", "n")
    ):
        per_section[parents[section_id]] = per_section.get(parents[section_id], 0) + count
    section = Section.objects.get(pk=max(per_section, key=per_section.get))
    tag_id = (
        TaggedArticle.objects.values("tag_id").annotate(n=Count("pk")).order_by("-n")[0]["tag_id"]
    )
    tag = TaggedArticle.objects.filter(tag_id=tag_id).select_related("tag").first().tag
    author_id = (
        Byline.objects.values("author_id").annotate(n=Count("pk")).order_by("-n")[0]["author_id"]
    )
    author = Author.objects.get(pk=author_id)
    months = live_groups(Kind.MONTH)[Kind.MONTH]
    biggest = max(months, key=lambda key: months[key][0])  # its first file: the fullest
    biggest_file = month_url(biggest)
    sample = rng.sample(story_urls, min(20, len(story_urls)))
    # A day the archive is busy on: the newest stories' (yesterday's, at most).
    newest = live.newest_first().values_list("publish_at", flat=True)[50:51]
    recent_day = timezone.localdate(next(iter(newest), timezone.now()))
    found = [
        ("/sitemap.xml (index)", ["/sitemap.xml"], False),
        (
            "/sitemap-articles-YYYY-MM.xml (biggest month's file)",
            [biggest_file],
            False,
        ),
        ("/sitemap-tags.xml", ["/sitemap-tags.xml"], False),
        ("/sitemap-news.xml", ["/sitemap-news.xml"], False),
        ("RSS feed /feeds/rss/", ["/feeds/rss/"], False),
    ]
    found += [(name, [f"/search/?q={q}"], True) for name, q in SEARCHES.items()]
    found += [
        ("story page (20 different stories)", sample, True),
        ("home page", ["/"], False),
        ("section page (the biggest section)", [section.get_absolute_url()], False),
        ("tag page (the most used tag)", [f"/tags/{tag.slug}/"], False),
        ("author page (most bylines)", [author.get_absolute_url()], False),
        ("/corrections/", ["/corrections/"], False),
        ("day archive (a recent day)", [f"/archive/{recent_day:%Y/%m/%d}/"], False),
        ("section feed (the biggest section)", [f"/feeds/sections/{section.slug}/rss/"], False),
        ("tag feed (the most used tag)", [f"/feeds/tags/{tag.slug}/rss/"], False),
        ("author feed (most bylines)", [f"/feeds/authors/{author.slug}/rss/"], False),
        ("corrections feed", ["/feeds/corrections/rss/"], False),
        ("admin changelist, filter live + section", [
            f"/admin/articles/article/?status=live&section__id__exact={section.pk}"
        ], False),
        ("admin changelist, search 'minister' + filter live", [
            "/admin/articles/article/?status=live&q=minister"
        ], False),
        ("admin changelist, all stories", ["/admin/articles/article/"], False),
        ("admin changelist, filter author (most bylines)", [
            f"/admin/articles/article/?bylines__author__id__exact={author.pk}"
        ], False),
        ("admin changelist, page 100", ["/admin/articles/article/?p=100"], False),
        ("admin photo library", ["/admin/articles/image/"], False),
        ("admin tags", ["/admin/taggit/tag/"], False),
        ("admin authors", ["/admin/accounts/author/"], False),
    ]  # fmt: skip
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", required=True)
    parser.add_argument("--urls", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--budget", type=float, default=60.0, help="seconds per figure at most")
    parser.add_argument("--limit", type=int, default=120, help="seconds per request at most")
    parser.add_argument(
        "--only", default="", help="measure only figures containing this (a|b: either)"
    )
    args = parser.parse_args()
    cache.clear()  # this run's own Redis database: no fragment survives from another archive
    rng = random.Random(1)
    editor, _ = User.objects.get_or_create(username="scale-editor", defaults={"is_staff": True})
    editor.groups.add(Group.objects.get(name=EDITORS))
    public, staff = Client(), Client()
    # Editors must pass the second step: a session with the password and a verified
    # authenticator app, made as the test suite makes one.
    force_login_with_second_step(staff, editor)
    results = {
        "label": args.label,
        "database": connection.settings_dict["NAME"],
        "stories": Article.objects.count(),
        "live": Article.objects.live().count(),
        "figures": {},
    }
    if args.out.exists():  # a figure measured again replaces its old value only
        old = json.loads(args.out.read_text())
        if old.get("stories") == results["stories"]:
            results["figures"] = old["figures"]
    wanted = targets(args.urls.read_text().split(), rng)
    results["figures"] = {  # only figures this version measures, in its order
        name: results["figures"][name] for name, _, _ in wanted if name in results["figures"]
    }
    for name, urls, with_p95 in wanted:
        if args.only and not any(part in name for part in args.only.split("|")):
            continue
        client = staff if name.startswith("admin") else public
        result = measure(client, urls, args.requests, args.budget, args.limit)
        result["p95_wanted"] = with_p95
        results["figures"][name] = result
        if "p50" in result:
            shown = f"p50 {result['p50'] * 1000:.0f} ms, p95 {result['p95'] * 1000:.0f} ms"
            shown += f" (n={result['n']})"
        else:
            shown = "timeout" if result.get("timeout") else result["error"]
        print(f"   {args.label:>5}  {name}: {shown}", flush=True)
        args.out.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
