#!/usr/bin/env bash
# Start Varnish in the foreground in front of a backend on this machine, with the repo's VCL.
#   deploy/varnish/run.sh LISTEN BACKEND [WORKDIR]
#   deploy/varnish/run.sh 127.0.0.1:8080 127.0.0.1:8081
# LISTEN and BACKEND are host:port (loopback). WORKDIR (default: a new directory under
# ${TMPDIR:-/tmp}) is varnishd's -n directory; it gets a copy of default.vcl and the generated
# backends.vcl, so several instances (the tests, `make stack`) run side by side, and so the
# cache process, which drops root to the varnish user, can read everything it needs even when
# the checkout is in a private home directory. The caller removes WORKDIR afterwards.
# Refuses to start if LISTEN is taken. varnishd replaces this shell (exec), so the caller's
# pid is varnishd's: SIGTERM stops it.
# Used by `make stack` and tests/test_edge.py; never start varnishd by hand.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
LISTEN="${1:?usage: run.sh LISTEN BACKEND [WORKDIR]}"
BACKEND="${2:?usage: run.sh LISTEN BACKEND [WORKDIR]}"
LISTEN_HOST="${LISTEN%:*}" LISTEN_PORT="${LISTEN##*:}"
BACKEND_HOST="${BACKEND%:*}" BACKEND_PORT="${BACKEND##*:}"
WORKDIR="${3:-$(mktemp -d "${TMPDIR:-/tmp}/newsroom-varnish.XXXXXX")}"
VARNISHD="${VARNISHD:-/usr/sbin/varnishd}"

[ -x "$VARNISHD" ] || { echo "varnish: $VARNISHD is missing (apt-get install varnish varnish-modules)" >&2; exit 1; }
if (exec 3<>"/dev/tcp/$LISTEN_HOST/$LISTEN_PORT") 2>/dev/null; then
  echo "varnish: something already listens on $LISTEN; choose another port" >&2
  exit 1
fi

mkdir -p "$WORKDIR"
WORKDIR="$(cd "$WORKDIR" && pwd)"
cat >"$WORKDIR/backends.vcl" <<VCL
# Written by deploy/varnish/run.sh: the app on loopback, purges from loopback only.
backend web {
    .host = "$BACKEND_HOST";
    .port = "$BACKEND_PORT";
    .probe = healthz;
}

backend web_unprobed {
    .host = "$BACKEND_HOST";
    .port = "$BACKEND_PORT";
}

acl purge {
    "127.0.0.1";
    "::1";
}

sub newsroom_backend {
    set req.backend_hint = web;
}

sub newsroom_backend_unprobed {
    set req.backend_hint = web_unprobed;
}
VCL
cp "$HERE/default.vcl" "$WORKDIR/default.vcl"
chmod 755 "$WORKDIR"
chmod 644 "$WORKDIR/backends.vcl" "$WORKDIR/default.vcl"

echo "varnish: http://$LISTEN -> $BACKEND (working directory $WORKDIR)"
# -T none: no management port (nothing here needs varnishadm; it would be one more port to
# collide). Both VCL files come from WORKDIR.
exec "$VARNISHD" -F \
  -n "$WORKDIR" \
  -a "$LISTEN" \
  -T none \
  -f "$WORKDIR/default.vcl" \
  -p vcl_path="$WORKDIR" \
  -s malloc,"${VARNISH_SIZE:-256m}"
