"""A live blog under a polling spike: readers' polls go to the edge, entries keep coming.

Run by bench/run.sh against the stack it started (Varnish in front of gunicorn):
  setup   make (once) a running live blog with a dozen entries; print its polled fragment's
          path (<story>/live/), so the ceiling and wrk can fetch it;
  post    post an entry every --every seconds for --seconds, as a reporter would
          (LiveEntry.post, whose purge goes to Varnish after the commit), and print how many.

    python bench/live_spike.py setup
    python bench/live_spike.py post --seconds 10 --every 1
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

import django

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402

from accounts.models import EDITORS  # noqa: E402
from articles.models import Article, Byline, Kind, LiveEntry  # noqa: E402

HEADLINE = "Benchmark election night, live"


def editor() -> User:
    user, _ = User.objects.get_or_create(username="bench-editor", defaults={"is_staff": True})
    user.groups.add(Group.objects.get(name=EDITORS))
    return user


def blog() -> Article:
    story = Article.objects.filter(headline=HEADLINE, kind=Kind.LIVE).first()
    if story is not None:
        return story
    model = Article.objects.live().newest_first().first()
    story = Article.objects.create(
        headline=HEADLINE,
        kind=Kind.LIVE,
        live_summary="Counting is under way.",
        body="<p>Results as they come in.</p>",
        section=model.section,
        created_by=editor(),
    )
    Byline.objects.create(article=story, author=model.bylines.first().author)
    story.publish(editor())
    for i in range(12):
        post(story, i)
    return story


def post(story: Article, number: int) -> None:
    author = story.bylines.first().author
    entry = LiveEntry(article=story, author=author, body=f"<p>Update {number}: more results.</p>")
    entry.post(editor())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("action", choices=["setup", "post"])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--every", type=float, default=1)
    args = parser.parse_args()
    story = blog()
    if args.action == "setup":
        print(f"{story.get_absolute_url()}live")  # run.sh and wrk add the final slash
        return
    posted, started = 0, time.monotonic()
    while time.monotonic() - started < args.seconds:
        post(story, 100 + posted)
        posted += 1
        time.sleep(args.every)
    print(posted)


if __name__ == "__main__":
    main()
