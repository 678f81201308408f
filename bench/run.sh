#!/usr/bin/env bash
# Benchmark the public pages under gunicorn with wrk (not a test: it prints numbers).
#   bench/run.sh                       10,000 stories in PostgreSQL database newsroom_bench
#   BENCH_STORIES=2000 bench/run.sh    fewer stories
# Scenarios (32 connections, BENCH_SECONDS each after a warm-up): the article page rotating over
# a few hundred stories and the home page, first with the server-side page cache off
# (PAGE_CACHE_SECONDS=0), then with it on; Redis (BENCH_REDIS_URL, database 15) is the cache
# in both, as in production. Reports requests/s, p50/p99 latency and the
# memory of each gunicorn worker (RSS, and PSS, which counts pages shared after the preload once).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
PY="$ROOT/.venv/bin/python"
OUT="$ROOT/var/bench"
PORT="${BENCH_PORT:-8352}"
BASE_URL="http://127.0.0.1:$PORT"
SECONDS_EACH="${BENCH_SECONDS:-20}"
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
CORES="$(nproc)"
WORKERS="${BENCH_WORKERS:-$((2 * CORES + 1))}"
REDIS="${BENCH_REDIS_URL:-redis://127.0.0.1:6379/15}"
mkdir -p "$OUT"

command -v wrk >/dev/null || { echo "bench: wrk is missing (apt-get install wrk)"; exit 1; }
# One benchmark at a time: two would share the port, the results file and the CPU.
exec 9>"$OUT/.lock"
flock -n 9 || { echo "bench: another benchmark is running (lock $OUT/.lock)"; exit 1; }

export DEBUG=0 \
  SECRET_KEY="bench-$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')" \
  DATABASE_URL="${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/newsroom_bench}" \
  ALLOWED_HOSTS=127.0.0.1,localhost \
  SITE_URL="$BASE_URL" \
  STATIC_ROOT="$OUT/static" \
  MEDIA_ROOT="$OUT/media" \
  LOG_LEVEL=ERROR
unset SECURE_SSL_REDIRECT SECURE_HSTS_SECONDS

echo "== database ${DATABASE_URL##*/} with ${BENCH_STORIES:-10000} stories"
"$PY" - <<'PYCODE'
# Create the benchmark database if it does not exist yet (PostgreSQL only).
import os

import environ
import psycopg

db = environ.Env.db_url_config(os.environ["DATABASE_URL"])
if db["ENGINE"].endswith("postgresql"):
    params = dict(host=db["HOST"] or None, port=db["PORT"] or None, user=db["USER"] or None,
                  password=db["PASSWORD"] or None, dbname="postgres", autocommit=True)
    with psycopg.connect(**params) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone():
            conn.execute(f'CREATE DATABASE "{db["NAME"]}"')
PYCODE
"$PY" manage.py migrate --noinput -v 0
"$PY" bench/load_stories.py --stories "${BENCH_STORIES:-10000}" --urls "$OUT/urls.txt"
"$PY" manage.py collectstatic --noinput -v 0

GUNICORN_PID=""
stop_server() {
  if [ -n "$GUNICORN_PID" ] && kill -0 "$GUNICORN_PID" 2>/dev/null; then
    kill -TERM "$GUNICORN_PID"
    wait "$GUNICORN_PID" 2>/dev/null || true
  fi
  GUNICORN_PID=""
}
trap stop_server EXIT

start_server() {  # $1: label; the rest: VAR=value for this server only
  local label=$1; shift
  if "$PY" -c "import socket; socket.create_connection(('127.0.0.1', $PORT), timeout=1)" 2>/dev/null; then
    echo "bench: something already listens on port $PORT (set BENCH_PORT)"; exit 1
  fi
  env "$@" "$PY" -m gunicorn -c gunicorn.conf.py --bind "127.0.0.1:$PORT" \
    --workers "$WORKERS" newsroom.wsgi >"$OUT/gunicorn-$label.log" 2>&1 &
  GUNICORN_PID=$!
  for _ in $(seq 150); do
    "$PY" -c "import urllib.request as u; u.urlopen('$BASE_URL/healthz', timeout=2)" \
      2>/dev/null && return 0
    kill -0 "$GUNICORN_PID" 2>/dev/null || { cat "$OUT/gunicorn-$label.log"; exit 1; }
    sleep 0.2
  done
  echo "bench: gunicorn did not answer"; exit 1
}

worker_memory() {  # "max RSS / max PSS" over the workers, in MB
  local rss=0 pss=0 pid r p
  for pid in $(ps -o pid= --ppid "$GUNICORN_PID"); do
    r=$(awk '/^VmRSS:/ {print int($2 / 1024)}' "/proc/$pid/status")
    p=$(awk '/^Pss:/ {print int($2 / 1024)}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)
    [ "$r" -gt "$rss" ] && rss=$r
    [ "$p" -gt "$pss" ] && pss=$p
  done
  echo "${rss} MB RSS / ${pss} MB PSS"
}

RESULTS="$OUT/results.txt"
{
  echo "# $(date -u +%FT%TZ)  $CORES cores, $WORKERS sync workers, $CONNECTIONS connections," \
    "${SECONDS_EACH}s each, $(wc -l <"$OUT/urls.txt") article URLs;" \
    "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  printf '%-26s %10s %9s %9s %7s  %s\n' scenario "req/s" "p50 ms" "p99 ms" non2xx "worker memory (max)"
} >"$RESULTS"

measure() {  # $1: label, $2: URL, $3: optional URL list for rotation
  local label=$1 url=$2 list=${3:-}
  local args=(-t 2 -c "$CONNECTIONS" -s "$ROOT/bench/wrk.lua" "$url")
  [ -n "$list" ] && args+=(-- "$list")
  wrk -d 5s "${args[@]}" >/dev/null  # warm up: imports, connections, caches
  local line
  line=$(wrk -d "${SECONDS_EACH}s" --timeout 5s "${args[@]}" | grep '^RESULT')
  local rps p50 p99 non2xx
  rps=$(sed -E 's/.*rps=([0-9.]+).*/\1/' <<<"$line")
  p50=$(sed -E 's/.*p50_ms=([0-9.]+).*/\1/' <<<"$line")
  p99=$(sed -E 's/.*p99_ms=([0-9.]+).*/\1/' <<<"$line")
  non2xx=$(sed -E 's/.*non2xx=([0-9]+).*/\1/' <<<"$line")
  printf '%-26s %10s %9s %9s %7s  %s\n' "$label" "$rps" "$p50" "$p99" "$non2xx" \
    "$(worker_memory)" | tee -a "$RESULTS"
}

# Both runs use Redis, as production does; "uncached" only switches the page cache off.
flush_redis() { "$PY" -c "import redis; redis.Redis.from_url('$REDIS').flushdb()"; }

echo "== uncached (PAGE_CACHE_SECONDS=0)"
flush_redis
start_server uncached PAGE_CACHE_SECONDS=0 REDIS_URL="$REDIS"
measure "article, uncached" "$BASE_URL/" "$OUT/urls.txt"
measure "home, uncached" "$BASE_URL/"
stop_server

echo "== cached (page cache in Redis)"
flush_redis
start_server cached PAGE_CACHE_SECONDS=300 REDIS_URL="$REDIS"
measure "article, cached" "$BASE_URL/" "$OUT/urls.txt"
measure "home, cached" "$BASE_URL/"
stop_server

echo
cat "$RESULTS"
