#!/usr/bin/env bash
# Benchmark the public pages through the shipped stack (not a test: it prints numbers).
#   bench/run.sh                       10,000 stories in PostgreSQL database newsroom_bench
#   BENCH_STORIES=2000 bench/run.sh    fewer stories
# In one run, so that this machine's drift cancels out of the ratios:
#   ceiling   nginx serving the very same pages as static files (what a web server does
#             with no application at all): every other figure is also given as a share of it;
#   edge      Varnish in front of gunicorn, pages cached at the edge (the reader's usual case);
#   origin    gunicorn itself, the edge bypassed: every request is a page-cache miss, with the
#             story fragments in Redis warm (the state right after a purge);
#   cold      gunicorn with no cache of any kind (bench/cold_settings.py): every fragment,
#             the navigation and the banner rendered afresh, as for a crawler walking the archive;
#   floor     the same gunicorn answering a fixed text through the site's middleware, then
#             after as many of the ORM's simplest lookups as a cold story page makes queries
#             (bench/floor_urls.py): the most a page making that many ORM queries can reach;
# then a publish (bench/after_publish.py): the share of 200 story pages still served from the
# edge right after it, and how long until the edge shows the new story on the home page;
# then a live blog's polled fragment at the edge while an entry is posted every second
# (bench/live_spike.py), and how many requests reached gunicorn meanwhile (one per entry is
# the design: each post purges the fragment, and Varnish coalesces the misses).
# Each scenario: wrk with BENCH_CONNECTIONS connections for BENCH_SECONDS after a 5 s warm-up,
# the article page rotating over a few hundred stories, and the home page.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
PY="$ROOT/.venv/bin/python"
OUT="$ROOT/var/bench"
ORIGIN_PORT="${BENCH_PORT:-8352}"
EDGE_PORT=$((ORIGIN_PORT + 1))
CEILING_PORT=$((ORIGIN_PORT + 2))
ORIGIN="http://127.0.0.1:$ORIGIN_PORT"
EDGE="http://127.0.0.1:$EDGE_PORT"
CEILING="http://127.0.0.1:$CEILING_PORT"
SECONDS_EACH="${BENCH_SECONDS:-20}"
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
CORES="$(nproc)"
WORKERS="${BENCH_WORKERS:-$((2 * CORES + 1))}"
REDIS="${BENCH_REDIS_URL:-redis://127.0.0.1:6379/15}"
mkdir -p "$OUT"

for tool in wrk nginx /usr/sbin/varnishd; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install wrk nginx-light varnish varnish-modules)"; exit 1; }
done
# One benchmark at a time: two would share the ports, the results file and the CPU.
exec 9>"$OUT/.lock"
flock -n 9 || { echo "bench: another benchmark is running (lock $OUT/.lock)"; exit 1; }

export DEBUG=0 \
  SECRET_KEY="bench-$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')" \
  DATABASE_URL="${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/newsroom_bench}" \
  ALLOWED_HOSTS=127.0.0.1,localhost \
  SITE_URL="$EDGE" \
  STATIC_ROOT="$OUT/static" \
  MEDIA_ROOT="$OUT/media" \
  REDIS_URL="$REDIS" \
  PURGE_BACKENDS=varnish \
  VARNISH_PURGE_URLS="$EDGE/" \
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
DB_STATEMENT_TIMEOUT_MS=0 "$PY" bench/load_stories.py --stories "${BENCH_STORIES:-10000}" --urls "$OUT/urls.txt"
"$PY" manage.py collectstatic --noinput -v 0

PIDS=()
stop_all() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  PIDS=()
}
trap stop_all EXIT

port_free() {
  ! "$PY" -c "import socket; socket.create_connection(('127.0.0.1', $1), timeout=1)" 2>/dev/null
}
wait_for() {  # $1: URL, $2: pid, $3: log
  for _ in $(seq 150); do
    "$PY" -c "import urllib.request as u; u.urlopen('$1', timeout=2)" 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || { cat "$3"; exit 1; }
    sleep 0.2
  done
  echo "bench: $1 did not answer"; exit 1
}

GUNICORN_PID=""
start_origin() {  # $1: label; the rest: VAR=value for this server only
  local label=$1; shift
  port_free "$ORIGIN_PORT" || { echo "bench: port $ORIGIN_PORT is taken (set BENCH_PORT)"; exit 1; }
  env "$@" "$PY" -m gunicorn -c gunicorn.conf.py --bind "127.0.0.1:$ORIGIN_PORT" \
    --workers "$WORKERS" newsroom.wsgi >"$OUT/gunicorn-$label.log" 2>&1 &
  GUNICORN_PID=$!
  PIDS+=("$GUNICORN_PID")
  wait_for "$ORIGIN/healthz" "$GUNICORN_PID" "$OUT/gunicorn-$label.log"
}
stop_origin() {
  kill -TERM "$GUNICORN_PID" 2>/dev/null || true
  wait "$GUNICORN_PID" 2>/dev/null || true
}

worker_memory() {  # "max RSS / max PSS" over the gunicorn workers, in MB
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
  echo "# $(date -u +%FT%TZ)  $CORES cores, $WORKERS gunicorn sync workers, $CONNECTIONS connections," \
    "${SECONDS_EACH}s each, $(wc -l <"$OUT/urls.txt") article URLs, $("$PY" manage.py shell -v 0 -c \
    'from articles.models import Article; print(Article.objects.live().count())') live stories;" \
    "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  printf '%-22s %10s %9s %9s %7s %9s  %s\n' scenario "req/s" "p50 ms" "p99 ms" non2xx "x ceiling" "worker memory (max)"
} >"$RESULTS"

declare -A CEILING_RPS
measure() {  # $1: label, $2: page kind (article|home), $3: base URL, $4: "memory" to report it
  local label=$1 kind=$2 base=$3 memory=""
  local args=(-t 2 -c "$CONNECTIONS" -s "$ROOT/bench/wrk.lua" "$base/")
  [ "$kind" = article ] && args+=(-- "$OUT/urls.txt")
  wrk -d 5s "${args[@]}" >/dev/null  # warm up: imports, connections, caches
  local line rps p50 p99 non2xx ratio
  line=$(wrk -d "${SECONDS_EACH}s" --timeout 5s "${args[@]}" | grep '^RESULT')
  rps=$(sed -E 's/.*rps=([0-9.]+).*/\1/' <<<"$line")
  p50=$(sed -E 's/.*p50_ms=([0-9.]+).*/\1/' <<<"$line")
  p99=$(sed -E 's/.*p99_ms=([0-9.]+).*/\1/' <<<"$line")
  non2xx=$(sed -E 's/.*non2xx=([0-9]+).*/\1/' <<<"$line")
  [ "${4:-}" = memory ] && memory=$(worker_memory)
  if [ -z "${CEILING_RPS[$kind]:-}" ]; then
    CEILING_RPS[$kind]=$rps
  fi
  ratio=$(awk -v a="$rps" -v b="${CEILING_RPS[$kind]}" 'BEGIN { printf "%.3f", a / b }')
  printf '%-22s %10s %9s %9s %7s %9s  %s\n' "$label" "$rps" "$p50" "$p99" "$non2xx" "$ratio" \
    "$memory" | tee -a "$RESULTS"
}

flush_redis() { "$PY" -c "import redis; redis.Redis.from_url('$REDIS').flushdb()"; }

echo "== origin (gunicorn) and the edge (Varnish) in front of it"
flush_redis
start_origin warm
port_free "$EDGE_PORT" || { echo "bench: port $EDGE_PORT is taken (set BENCH_PORT)"; exit 1; }
deploy/varnish/run.sh "127.0.0.1:$EDGE_PORT" "127.0.0.1:$ORIGIN_PORT" "$OUT/varnish" \
  >"$OUT/varnish.log" 2>&1 &
VARNISH_PID=$!
PIDS+=("$VARNISH_PID")
wait_for "$EDGE/" "$VARNISH_PID" "$OUT/varnish.log"

# A running live blog, its polled fragment measured beside the pages (bench/live_spike.py).
LIVE_PATH=$(DB_STATEMENT_TIMEOUT_MS=0 "$PY" bench/live_spike.py setup)

echo "== the same pages as static files, served by nginx (the ceiling)"
rm -rf "$OUT/ceiling" && mkdir -p "$OUT/ceiling/site" "$OUT/ceiling/logs"
"$PY" - "$ORIGIN" "$OUT/urls.txt" "$OUT/ceiling/site" "$LIVE_PATH/" <<'PYCODE'
import sys
import urllib.request
from pathlib import Path

origin, urls, site, live = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
for path in ["/", live, *urls.read_text().split()]:
    target = site / path.strip("/") / "index.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(urllib.request.urlopen(origin + path, timeout=10).read())
PYCODE
cat >"$OUT/ceiling/nginx.conf" <<NGINX
worker_processes $CORES;
pid $OUT/ceiling/nginx.pid;
error_log $OUT/ceiling/logs/error.log;
daemon off;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $OUT/ceiling/logs;
    proxy_temp_path $OUT/ceiling/logs;
    fastcgi_temp_path $OUT/ceiling/logs;
    uwsgi_temp_path $OUT/ceiling/logs;
    scgi_temp_path $OUT/ceiling/logs;
    default_type text/html;
    server {
        listen 127.0.0.1:$CEILING_PORT;
        root $OUT/ceiling/site;
        location / { try_files \$uri \$uri/index.html =404; }
    }
}
NGINX
port_free "$CEILING_PORT" || { echo "bench: port $CEILING_PORT is taken (set BENCH_PORT)"; exit 1; }
nginx -c "$OUT/ceiling/nginx.conf" -p "$OUT/ceiling" >"$OUT/ceiling/logs/stdout.log" 2>&1 &
NGINX_PID=$!
PIDS+=("$NGINX_PID")
wait_for "$CEILING/" "$NGINX_PID" "$OUT/ceiling/logs/error.log"

measure "article, ceiling" article "$CEILING"
measure "home, ceiling" home "$CEILING"
measure "live, ceiling" live "$CEILING$LIVE_PATH"
kill -TERM "$NGINX_PID"; wait "$NGINX_PID" 2>/dev/null || true

measure "article, edge" article "$EDGE" memory
measure "home, edge" home "$EDGE" memory
measure "article, origin" article "$ORIGIN" memory
measure "home, origin" home "$ORIGIN" memory

echo "== a publish, watched at the edge"
DB_STATEMENT_TIMEOUT_MS=0 "$PY" bench/after_publish.py --edge "$EDGE" --urls "$OUT/urls.txt" --count 200 | tee -a "$RESULTS"

echo "== a live blog's polled fragment at the edge while an entry is posted every second"
backend_requests() { varnishstat -n "$OUT/varnish" -1 -f MAIN.backend_req | awk '{print $2}'; }
before=$(backend_requests)
DB_STATEMENT_TIMEOUT_MS=0 "$PY" bench/live_spike.py post --seconds "$((SECONDS_EACH + 5))" \
  --every 1 >"$OUT/live-posted.txt" &
POSTER_PID=$!
measure "live, edge (polled)" live "$EDGE$LIVE_PATH"
wait "$POSTER_PID"
echo "requests that reached gunicorn during the spike: $(($(backend_requests) - before))" \
  "for $(cat "$OUT/live-posted.txt") entries posted" | tee -a "$RESULTS"

echo "== origin with no cache of any kind"
stop_origin
start_origin cold DJANGO_SETTINGS_MODULE=bench.cold_settings
measure "article, cold" article "$ORIGIN" memory
measure "home, cold" home "$ORIGIN" memory

echo "== the framework floor: Django and the site's middleware, with and without queries"
stop_origin
start_origin floor DJANGO_SETTINGS_MODULE=bench.floor_settings
measure "floor, no query" home "$ORIGIN/floor/empty"
measure "floor, 9 ORM queries" home "$ORIGIN/floor/queries"
stop_all

echo
cat "$RESULTS"
