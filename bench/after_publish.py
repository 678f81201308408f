"""What a publish costs the edge: how many story pages stay cached, and how soon readers see it.

Run by bench/run.sh against the stack it started (Varnish in front of gunicorn):
  1. warm the edge with --count story pages (each requested until Varnish reports a HIT);
  2. publish a new story, as an editor would (Article.publish, whose purge goes to Varnish
     after the commit);
  3. poll the home page at the edge until the new headline shows: publish-to-visible latency;
  4. request the warm story pages again and count the HITs: the share still served from the edge.

    python bench/after_publish.py --edge http://127.0.0.1:8353 --urls var/bench/urls.txt
"""

import argparse
import os
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

import django

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402

from accounts.models import EDITORS  # noqa: E402
from articles.models import Article, Byline  # noqa: E402


def fetch(url: str) -> tuple[str, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.headers.get("X-Cache", ""), response.read()


def warm(edge: str, paths: list[str]) -> None:
    for path in paths:
        for _ in range(3):
            if fetch(edge + path)[0].startswith("HIT"):
                break


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--edge", required=True)
    parser.add_argument("--urls", required=True)
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args()
    paths = [p for p in Path(args.urls).read_text().split() if p][: args.count]

    warm(args.edge, [*paths, "/"])
    editor, _ = User.objects.get_or_create(username="bench-editor", defaults={"is_staff": True})
    editor.groups.add(Group.objects.get(name=EDITORS))
    model = Article.objects.live().newest_first().first()
    headline = f"Benchmark publish {time.time_ns()}"
    story = Article.objects.create(
        headline=headline,
        standfirst="A story published while the benchmark watches the edge.",
        body="<p>Published by bench/after_publish.py.</p>",
        section=model.section,
        created_by=editor,
    )
    story.tags.add(*model.tags.all()[:2])
    Byline.objects.create(article=story, author=model.bylines.first().author)

    started = time.perf_counter()
    story.publish(editor)
    visible = None
    while time.perf_counter() - started < 10:
        if headline.encode() in fetch(args.edge + "/")[1]:
            visible = time.perf_counter() - started
            break
        time.sleep(0.005)

    hits = sum(fetch(args.edge + path)[0].startswith("HIT") for path in paths)
    print(
        f"publish-to-visible at the edge (home page): {visible * 1000:.0f} ms"
        if visible
        else "publish-to-visible at the edge (home page): not visible after 10 s"
    )
    print(
        f"story pages still served from the edge after the publish: {hits}/{len(paths)} "
        f"({100 * hits / len(paths):.1f} %)"
    )


if __name__ == "__main__":
    main()
