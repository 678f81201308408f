"""How long a story save waits while the articles migrations run (on YOUR copy of an archive).

    createdb -h 127.0.0.1 -U postgres -T newsroom_scale_100k newsroom_me_100k
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_me_100k \
        python bench/migration_locks.py [--code DIR]

Migrates the articles app back to 0003, then forward one migration at a time with
`manage.py migrate` (run from --code, default this checkout: point it at an export of an older
commit to measure the "before"). Before each data migration it makes the rows it will change
recognisable (search_document NULL before 0004 and 0009, word_count 0 before 0006), and while a
migration runs a second connection saves, every 20 ms, by turns a random story and the
lowest-pk story not yet done (the one a batched migration holds or is about to: the worst case
a save can meet). Prints per migration its duration and the longest and median wait.
Rewrites every story: never run it on a shared database.
"""

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg

STEPS = [
    (
        "0004_fill_search_documents",
        "UPDATE articles_article SET search_document = NULL",
        "search_document IS NULL",
    ),
    ("0005_article_lead_index", None, None),
    ("0006_recount_words", "UPDATE articles_article SET word_count = 0", "word_count = 0"),
    ("0007_share_link_views", None, None),
    (
        "0009_search_languages",
        "UPDATE articles_article SET search_document = NULL",
        "search_document IS NULL",
    ),
]


def migrate(code: Path, target: str) -> None:
    env = dict(os.environ, DB_STATEMENT_TIMEOUT_MS="0")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "articles", target, "-v0"],
        cwd=code,
        env=env,
        check=True,
    )


RANDOM_STORY = (
    "(SELECT id FROM articles_article WHERE id >= (SELECT min(id) + floor(random() * "
    "(max(id) - min(id))) FROM articles_article) ORDER BY id LIMIT 1)"
)


def saves_during(url: str, running: threading.Event, pending: str | None, waits: list) -> None:
    """Seconds each save waited (a no-op UPDATE of one story, as Article.save takes its lock):
    by turns the lowest-pk story not yet done and a random one (one UPDATE of every story
    visits them in the table's physical order, not by pk)."""
    targets = [RANDOM_STORY]
    if pending:
        targets.append(f"(SELECT min(id) FROM articles_article WHERE {pending})")
    with psycopg.connect(url, autocommit=True) as db:
        while running.is_set():
            began = time.monotonic()
            target = targets[len(waits) % len(targets)]
            db.execute(f"UPDATE articles_article SET version = version WHERE id = {target}")
            waits.append(time.monotonic() - began)
            time.sleep(0.02)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--code", type=Path, default=Path(__file__).resolve().parent.parent)
    args = parser.parse_args()
    url = os.environ["DATABASE_URL"]
    with psycopg.connect(url, autocommit=True) as db:
        stories = db.execute("SELECT count(*) FROM articles_article").fetchone()[0]
    print(f"{stories:,} stories; code: {args.code}; load average {os.getloadavg()[0]:.2f}")
    migrate(args.code, "0003")
    for name, prepare, pending in STEPS:
        if prepare:
            with psycopg.connect(url, autocommit=True) as db:
                db.execute(prepare)
                db.execute("VACUUM ANALYZE articles_article")
        running, waits = threading.Event(), []
        running.set()
        writer = threading.Thread(target=saves_during, args=(url, running, pending, waits))
        writer.start()
        began = time.monotonic()
        migrate(args.code, name)
        took = time.monotonic() - began
        running.clear()
        writer.join()
        print(
            f"{name:30} {took:6.1f} s   saves {len(waits):4}   longest wait {max(waits):6.2f} s"
            f"   median {statistics.median(waits) * 1000:5.1f} ms"
            f"   (load {os.getloadavg()[0]:.2f})"
        )


if __name__ == "__main__":
    main()
