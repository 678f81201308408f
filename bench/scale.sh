#!/usr/bin/env bash
# The archive benchmark (issue 14): the same pages at 10,000, 100,000 and 1,000,000 stories,
# in one session, so the ratios are this machine's at this moment.
#   bench/scale.sh                      all three (make benchmark-scale)
#   SCALE_SIZES="10k 100k" bench/scale.sh
#   SCALE_ONLY=search bench/scale.sh    only the figures whose name contains "search"
# For each size: creates PostgreSQL database newsroom_scale_<size> if needed, migrates it,
# loads the archive with bench/load_archive.py (or reuses it: the loader is idempotent), then
# times every page in-process with Django's test client (bench/scale_measure.py): no page
# cache (the edge is bypassed), the story fragments in Redis (database SCALE_REDIS_DB,
# flushed before each size) warmed by one untimed request, DEBUG=0. Median (and p95 for
# search and story pages) of SCALE_REQUESTS (20) requests; a figure stops early after
# SCALE_BUDGET seconds (a page whose first request took a quarter of that is timed once); a
# query cancelled by the statement timeout (SCALE_TIMEOUT_MS, for staff too) or a page
# slower than SCALE_REQUEST_LIMIT seconds (120) shows as a timeout. Table: var/bench/scale.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
PY="$ROOT/.venv/bin/python"
OUT="$ROOT/var/bench"
SIZES="${SCALE_SIZES:-10k 100k 1m}"
PG="${SCALE_PG:-postgres://postgres@127.0.0.1:5432}"
mkdir -p "$OUT"
exec 9>"$OUT/.scale-lock"
flock -n 9 || { echo "scale: another scale benchmark is running ($OUT/.scale-lock)"; exit 1; }

export DEBUG=0 \
  SECRET_KEY="scale-$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')" \
  ALLOWED_HOSTS=testserver,127.0.0.1,localhost \
  STATIC_ROOT="$OUT/static" \
  MEDIA_ROOT="$OUT/media" \
  REDIS_URL="redis://127.0.0.1:6379/${SCALE_REDIS_DB:-11}" \
  PURGE_BACKENDS= \
  LOG_LEVEL=ERROR
unset SECURE_SSL_REDIRECT SECURE_HSTS_SECONDS
TIMEOUT_MS="${SCALE_TIMEOUT_MS:-30000}"

stories_for() {
  case "$1" in
    *m) echo $(( ${1%m} * 1000000 )) ;;
    *k) echo $(( ${1%k} * 1000 )) ;;
    *) echo "$1" ;;
  esac
}

"$PY" manage.py collectstatic --noinput -v 0
JSONS=()
for size in $SIZES; do
  db="newsroom_scale_$size"
  export DATABASE_URL="$PG/$db"
  echo "== $db: $(stories_for "$size") stories"
  psql "$PG/postgres" -Atqc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1 \
    || createdb -d "$PG/postgres" "$db" 2>/dev/null || psql "$PG/postgres" -qc "CREATE DATABASE $db"
  "$PY" manage.py migrate --noinput -v 0
  "$PY" bench/load_archive.py --stories "$(stories_for "$size")" --urls "$OUT/scale-$size-urls.txt"
  DB_STATEMENT_TIMEOUT_MS="$TIMEOUT_MS" DB_STAFF_STATEMENT_TIMEOUT_MS="$TIMEOUT_MS" \
    "$PY" bench/scale_measure.py --label "$size" --urls "$OUT/scale-$size-urls.txt" \
    --out "$OUT/scale-$size.json" --requests "${SCALE_REQUESTS:-20}" \
    --budget "${SCALE_BUDGET:-60}" --limit "${SCALE_REQUEST_LIMIT:-120}" --only "${SCALE_ONLY:-}"
  JSONS+=("$OUT/scale-$size.json")
done

{
  echo "# $(date -u +%FT%TZ)  $(nproc) cores; in-process (Django test client), no page cache," \
    "fragments in Redis warm; ms; load average $(cut -d' ' -f1-3 /proc/loadavg)"
  "$PY" bench/scale_table.py "${JSONS[@]}"
  echo "(figures measured at $(date -u +%FT%TZ); SCALE_SIZES=\"$SIZES\")"
} >"$OUT/scale.txt"
echo
cat "$OUT/scale.txt"
