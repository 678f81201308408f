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

from accounts.models import EDITORS, Author  # noqa: E402
from articles.models import Article, Byline, Section, TaggedArticle  # noqa: E402
from articles.sitemaps import ArticleSitemap  # noqa: E402

SEARCHES = {
    "search, common word (said)": "said",
    "search, two words (minister budget)": "minister budget",
    'search, phrase ("state oil fund")': '"state oil fund"',
}


class Timeout(Exception):
    pass


def fetch(client: Client, url: str) -> float:
    started = time.perf_counter()
    try:
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
    except Exception as exc:  # the statement timeout, as the test client re-raises it
        if "statement timeout" in str(exc) or "canceling statement" in str(exc):
            raise Timeout from exc
        raise
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


def measure(client: Client, urls: list[str], requests: int, budget: float) -> dict:
    """urls: one (repeated) or several (taken in turn); each warmed once untimed."""
    timeout_s = int(os.environ.get("DB_STATEMENT_TIMEOUT_MS", "0")) / 1000
    try:
        for url in urls[: min(len(urls), requests)]:
            fetch(client, url)
        times: list[float] = []
        spent = 0.0
        for n in range(requests):
            seconds = fetch(client, urls[n % len(urls)])
            times.append(seconds)
            spent += seconds
            if spent > budget:
                break
    except Timeout:
        return {"timeout": True, "timeout_s": timeout_s}
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
    limit = ArticleSitemap.limit
    last_full = max(1, live.count() // limit)
    deep = "/sitemap-articles.xml" if last_full == 1 else f"/sitemap-articles-{last_full}.xml"
    sample = rng.sample(story_urls, min(20, len(story_urls)))
    found = [
        ("/sitemap.xml (index)", ["/sitemap.xml"], False),
        (f"/sitemap-articles.xml (first {limit:,} URLs)", ["/sitemap-articles.xml"], False),
        ("/sitemap-articles-N.xml (last full file)", [deep], False),
        ("/sitemap-news.xml", ["/sitemap-news.xml"], False),
        ("RSS feed /feeds/rss/", ["/feeds/rss/"], False),
    ]
    found += [(name, [f"/search/?q={q}"], True) for name, q in SEARCHES.items()]
    found += [
        ("story page (20 different stories)", sample, True),
        ("home page", ["/"], False),
        (f"section page /{section.slug}/", [section.get_absolute_url()], False),
        (f"tag page (most used tag, {tag.name})", [f"/tags/{tag.slug}/"], False),
        ("author page (most bylines)", [author.get_absolute_url()], False),
        ("/corrections/", ["/corrections/"], False),
        ("admin changelist, filter live + section", [
            f"/admin/articles/article/?status=live&section__id__exact={section.pk}"
        ], False),
        ("admin changelist, search 'minister' + filter live", [
            "/admin/articles/article/?status=live&q=minister"
        ], False),
    ]  # fmt: skip
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", required=True)
    parser.add_argument("--urls", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--budget", type=float, default=60.0, help="seconds per figure at most")
    parser.add_argument("--only", default="", help="measure only figures containing this")
    args = parser.parse_args()
    cache.clear()  # this run's own Redis database: no fragment survives from another archive
    rng = random.Random(1)
    editor, _ = User.objects.get_or_create(username="scale-editor", defaults={"is_staff": True})
    editor.groups.add(Group.objects.get(name=EDITORS))
    public, staff = Client(), Client()
    staff.force_login(editor)
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
        if args.only and args.only not in name:
            continue
        client = staff if name.startswith("admin") else public
        result = measure(client, urls, args.requests, args.budget)
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
