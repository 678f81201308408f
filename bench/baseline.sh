#!/usr/bin/env bash
# The benchmark of an earlier commit on this machine, to compare with bench/run.sh side by
# side: this machine's speed drifts by a factor of two between days, so a target set as
# "today's figures" is only checked against that code measured here, minutes apart.
#   bench/baseline.sh            main as issue 9 was filed (14d750c): its own bench/run.sh,
#                                page cache off ("uncached") and on
#   bench/baseline.sh COMMIT     any other commit
# It runs in a worktree under var/bench/ with its own virtualenv, PostgreSQL database
# (newsroom_bench_baseline) and Redis database (13), and prints that commit's numbers.
set -euo pipefail
cd "$(dirname "$0")/.."
COMMIT="${1:-14d750c}"
DIR="$PWD/var/bench/baseline-$COMMIT"
[ -d "$DIR" ] || git worktree add --detach "$DIR" "$COMMIT"
cd "$DIR"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
  .venv/bin/pip install -q -e ".[dev]"
fi
export BENCH_PORT="${BENCH_BASELINE_PORT:-8452}" \
  BENCH_REDIS_URL="${BENCH_BASELINE_REDIS_URL:-redis://127.0.0.1:6379/13}" \
  BENCH_DATABASE_URL="${BENCH_BASELINE_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/newsroom_bench_baseline}"
exec bench/run.sh
