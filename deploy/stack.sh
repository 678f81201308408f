#!/usr/bin/env bash
# `make stack`: the demo newsroom served the production way on this machine.
#   Varnish    http://127.0.0.1:${STACK_PORT:-8080}          (deploy/varnish/run.sh)
#   gunicorn   http://127.0.0.1:${STACK_BACKEND_PORT:-8081}  DEBUG=0, collected static files
#   worker     manage.py db_worker: the job queue (the desk's notification mail, webhooks)
#   database   DATABASE_URL (unset: the SQLite file var/newsroom.sqlite3, as `make run`)
#   cache      REDIS_URL (unset: redis://127.0.0.1:6379/0 if a Redis answers there)
# Migrates, loads the demo newsroom (once; prints the logins) and stops everything it started
# on Ctrl-C or SIGTERM. Mail goes where EMAIL_URL says (unset: printed here, by the worker).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
PY="$ROOT/.venv/bin/python"
PORT="${STACK_PORT:-8080}"
BACKEND_PORT="${STACK_BACKEND_PORT:-8081}"
URL="http://127.0.0.1:$PORT"
STATE="$ROOT/var/stack"
mkdir -p "$STATE"

port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in "$PORT" "$BACKEND_PORT"; do
  if port_taken "$p"; then
    echo "stack: something already listens on 127.0.0.1:$p (set STACK_PORT / STACK_BACKEND_PORT)" >&2
    exit 1
  fi
done

if [ -z "${REDIS_URL:-}" ] && "$PY" -c "import redis; redis.Redis(socket_timeout=1).ping()" 2>/dev/null; then
  export REDIS_URL=redis://127.0.0.1:6379/0
fi
# A key kept under var/stack/, so logins survive a restart of the stack.
[ -s "$STATE/secret_key" ] || (umask 077; od -An -N32 -tx1 /dev/urandom | tr -d " \n" >"$STATE/secret_key")
export DEBUG=0 \
  SECRET_KEY="${SECRET_KEY:-$(cat "$STATE/secret_key")}" \
  ALLOWED_HOSTS="${ALLOWED_HOSTS:-127.0.0.1,localhost}" \
  SITE_URL="$URL" \
  PURGE_BACKENDS="${PURGE_BACKENDS:-varnish}" \
  VARNISH_PURGE_URLS="$URL/" \
  STATIC_ROOT="${STATIC_ROOT:-$STATE/static}" \
  SERVE_MEDIA=1 \
  ACCESS_LOG="${ACCESS_LOG:--}" \
  TRUSTED_PROXY_COUNT="${TRUSTED_PROXY_COUNT:-1}" \
  TASKS_BACKEND=database  # jobs wait in the database for the worker below
# Varnish adds the client to X-Forwarded-For (TRUSTED_PROXY_COUNT).
# Plain http on loopback: no TLS redirect, no HSTS. Media: Django serves /media/ here, through
# Varnish (docker compose has nginx for it).
export SECURE_SSL_REDIRECT=0 SECURE_HSTS_SECONDS=0

echo "== database: ${DATABASE_URL:-sqlite (var/newsroom.sqlite3)}; cache: ${REDIS_URL:-files in var/cache/}"
"$PY" manage.py migrate --noinput -v 0
"$PY" manage.py collectstatic --noinput -v 0
"$PY" manage.py load_demo

GUNICORN_PID="" VARNISH_PID="" WORKER_PID=""
VARNISH_DIR="$(mktemp -d "${TMPDIR:-/tmp}/newsroom-stack-varnish.XXXXXX")"
stop() {
  trap - INT TERM EXIT
  for pid in $VARNISH_PID $GUNICORN_PID $WORKER_PID; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in $VARNISH_PID $GUNICORN_PID $WORKER_PID; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$VARNISH_DIR"
  echo "stack: stopped"
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$PY" -m gunicorn -c gunicorn.conf.py --bind "127.0.0.1:$BACKEND_PORT" newsroom.wsgi &
GUNICORN_PID=$!
# The job queue's worker; on SIGTERM it finishes the job it is running, then stops.
"$PY" manage.py db_worker --no-reload &
WORKER_PID=$!
for _ in $(seq 150); do
  "$PY" -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$BACKEND_PORT/healthz', timeout=2)" \
    2>/dev/null && break
  kill -0 "$GUNICORN_PID" 2>/dev/null || { echo "stack: gunicorn did not start" >&2; exit 1; }
  sleep 0.2
done
deploy/varnish/run.sh "127.0.0.1:$PORT" "127.0.0.1:$BACKEND_PORT" "$VARNISH_DIR" &
VARNISH_PID=$!

echo
echo "== The newsroom through Varnish: $URL/   Admin: $URL/admin/"
echo "   gunicorn behind it: http://127.0.0.1:$BACKEND_PORT/   the job queue's worker beside it."
echo "   Ctrl-C stops all three."
# Whichever stops first, the others are stopped too (the EXIT trap). make does not pass a
# SIGTERM on to its recipe: when the parent (make) is gone, stop as if signalled.
PARENT=$PPID
while kill -0 "$GUNICORN_PID" 2>/dev/null && kill -0 "$VARNISH_PID" 2>/dev/null \
  && kill -0 "$WORKER_PID" 2>/dev/null; do
  [ "$(ps -o ppid= -p $$ | tr -d ' ')" = "$PARENT" ] || exit 143
  sleep 1 &
  wait $! || true
done
