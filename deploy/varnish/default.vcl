vcl 4.1;
# The newsroom's edge: Varnish as the buffering proxy in front of gunicorn's sync workers and
# the shared page cache. One file for `make stack`, the tests, CI and docker compose.
#
# What differs between those places (where the app lives, who may purge) is in `backends.vcl`,
# included below and found through varnishd's vcl_path:
#   - locally (make stack, tests, CI) deploy/varnish/run.sh writes it into its own working
#     directory: one static backend on loopback, purges from loopback;
#   - in docker compose deploy/varnish/compose-backends.vcl is mounted as
#     /etc/varnish/backends.vcl: vmod dynamic resolves the `web` service name to every
#     replica (a static backend refuses a host name with several addresses), nginx serves
#     /media/, and the app's network may purge.
# An include beats a text substitution: this file is the same byte for byte everywhere, and
# the local variant is compiled by the test suite against the real varnishd.
#
# backends.vcl must define: `acl purge`, `sub newsroom_backend` (sets req.backend_hint to
# the app behind its /healthz probe) and `sub newsroom_backend_unprobed` (the same app
# without the probe: the last try of a page that has no stale copy, so that while the
# database is down, and /healthz with it, readers get the app's own 503 page).
#
# Contract with the app (see README, "Production"):
#   - the app marks cacheable responses with an explicit `Cache-Control: public, ...,
#     s-maxage=N`; nothing else is ever stored (404s and 500s carry no such header);
#   - `Surrogate-Key: k1 k2` names what a response shows; it becomes xkey and is never sent on;
#   - `PURGE /` with `xkey-purge: k1 k2` from the purge ACL hard-purges those keys.
#
# Limits (documented in README):
#   - request bodies: 1 MB without a session cookie (login and search forms are tiny),
#     20 MB with one (a photo upload is at most IMAGE_MAX_BYTES, 15 MB, plus the form around
#     it); bodies are read whole by Varnish before the backend sees them, so a slow uploader
#     never holds a gunicorn worker;
#   - backend: connect 1 s, first byte 30 s (gunicorn's WEB_TIMEOUT), 30 s between bytes;
#   - grace: objects are kept 24 h past their TTL. While the /healthz probe says the backend
#     is healthy a stale copy is served for at most 10 min past its TTL (the app's
#     stale-while-revalidate) while one background fetch revalidates it; while the probe says
#     sick, or when the backend answers 5xx or cannot be reached, any copy up to 24 h old is
#     served instead of an error.

import std;
import xkey;

probe healthz {
    # A fixed Host: the probe goes to an address, which ALLOWED_HOSTS need not list.
    .request =
        "GET /healthz HTTP/1.1"
        "Host: localhost"
        "User-Agent: varnish-probe"
        "Connection: close";
    .interval = 2s;
    .timeout = 2s;
    .window = 3;
    .threshold = 2;
    .initial = 2;
}

include "backends.vcl";

sub vcl_recv {
    if (req.http.x-stale-if-error) {
        call newsroom_backend_unprobed;
    } else {
        call newsroom_backend;
    }
    unset req.http.x-cache;
    if (req.restarts == 0) {
        unset req.http.x-stale-if-error;
        unset req.http.x-newsroom-session;
    }

    if (req.method == "PURGE") {
        if (client.ip !~ purge) {
            return (synth(405, "Not allowed"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "xkey-purge header missing"));
        }
        set req.http.x-purged = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged " + req.http.x-purged));
    }
    if (req.method == "BAN") {
        return (synth(405, "Not allowed"));
    }

    # The session or CSRF cookie marks staff (or someone logging in): never cached, never
    # stored, and allowed the larger request body.
    if (req.http.Cookie ~ "(^|;\s*)(sessionid|csrftoken)=") {
        set req.http.x-newsroom-session = "1";
    }

    # Request bodies: refuse what is too large before reading it, then read the rest whole.
    if (req.method != "GET" && req.method != "HEAD") {
        if (req.http.x-newsroom-session) {
            if (std.integer(req.http.Content-Length, 0) > 20971520
                || !std.cache_req_body(20MB)) {
                return (synth(413, "Request body too large"));
            }
        } else if (std.integer(req.http.Content-Length, 0) > 1048576
                   || !std.cache_req_body(1MB)) {
            return (synth(413, "Request body too large"));
        }
    }

    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Originals and the renditions of photos not public yet (articles/images.py): never
    # served by anyone; nginx and Django refuse the prefix too, after normalising the path.
    if (req.url ~ "(?i)^/+media/+(\./+)*private(/|%2f|$)") {
        return (synth(404, "Not found"));
    }
    if (req.url ~ "^/(admin|preview|share)(/|$)" || req.url ~ "^/healthz") {
        return (pass);
    }
    if (req.http.x-newsroom-session) {
        return (pass);
    }
    # API keys (Authorization: Api-Key, X-Api-Key): each request is counted and checked by
    # the app (rate limit, revocation), so it is never answered from the cache.
    if (req.http.Authorization || req.http.X-Api-Key) {
        return (pass);
    }

    # An anonymous reader of a public page: the page is the same for everyone.
    unset req.http.Cookie;

    if (std.healthy(req.backend_hint) && !req.http.x-stale-if-error) {
        set req.grace = 10m;
    } else {
        set req.grace = 24h;
    }
    return (hash);
}

sub vcl_hash {
    # The scheme is part of the key: a page built for http (its links, its redirects) must
    # never answer an https request, nor the reverse. Falls through to the built-in hash
    # (URL and Host).
    hash_data(req.http.X-Forwarded-Proto);
}

sub vcl_hit {
    if (obj.ttl >= 0s) {
        set req.http.x-cache = "HIT";
    } else {
        set req.http.x-cache = "HIT-STALE";
    }
}

sub vcl_miss {
    set req.http.x-cache = "MISS";
}

sub vcl_pass {
    set req.http.x-cache = "PASS";
}

sub vcl_backend_fetch {
    set bereq.connect_timeout = 1s;
    set bereq.first_byte_timeout = 30s;
    set bereq.between_bytes_timeout = 30s;
    unset bereq.http.x-cache;
    unset bereq.http.x-newsroom-session;
}

sub vcl_backend_response {
    if (bereq.uncacheable) {
        # pass: staff, admin, forms. Hand the response on untouched and store nothing.
        return (deliver);
    }

    if (beresp.status >= 500) {
        if (bereq.is_bgfetch) {
            # Revalidation failed: keep serving the stale copy.
            return (abandon);
        }
        if (!bereq.http.x-stale-if-error) {
            # vcl_synth restarts the request once, looking for a stale copy to serve.
            return (abandon);
        }
        # No stale copy: the reader gets the app's own error page (503 with Retry-After).
        set beresp.uncacheable = true;
        set beresp.ttl = 0s;
        return (deliver);
    }

    set beresp.http.xkey = beresp.http.Surrogate-Key;
    unset beresp.http.Surrogate-Key;

    if (beresp.http.Set-Cookie
        || beresp.http.Cache-Control !~ "(^|,)\s*public\s*(,|$)"
        || beresp.http.Cache-Control ~ "(private|no-store|no-cache)") {
        # Not marked public by the app (404s, 500s, anything with a cookie): never stored.
        # A short hit-for-miss, not hit-for-pass: the first cacheable answer replaces it.
        set beresp.uncacheable = true;
        set beresp.ttl = 5s;
        set beresp.grace = 0s;
        return (deliver);
    }

    # The TTL is the app's s-maxage (or max-age): Varnish's built-in rule, left alone.
    set beresp.grace = 24h;
    return (deliver);
}

sub vcl_backend_error {
    if (bereq.is_bgfetch) {
        return (abandon);
    }
    if (!bereq.uncacheable && !bereq.http.x-stale-if-error) {
        return (abandon);
    }
    set beresp.ttl = 0s;
    set beresp.http.Content-Type = "text/plain; charset=utf-8";
    set beresp.http.Retry-After = "30";
    set beresp.body = "The site is temporarily unavailable. Please try again shortly.";
    return (deliver);
}

sub vcl_deliver {
    if (req.http.x-cache) {
        set resp.http.X-Cache = req.http.x-cache;
    } else {
        set resp.http.X-Cache = "PASS";
    }
    unset resp.http.xkey;
    # Readers never see the keys. With a CDN in front that purges by the same keys (Fastly
    # reads Surrogate-Key and strips it itself), remove this line; see README, "Production".
    unset resp.http.Surrogate-Key;
    unset resp.http.Via;
    unset resp.http.X-Varnish;
}

sub vcl_synth {
    if (resp.status == 503 && req.restarts == 0 && (req.method == "GET" || req.method == "HEAD")
        && req.http.x-cache == "MISS") {
        # The backend failed a fetch for a cacheable page: look again, accepting any copy
        # up to 24 h old; without one the second fetch delivers the app's own error page.
        set req.http.x-stale-if-error = "1";
        return (restart);
    }
    if (req.http.x-cache) {
        set resp.http.X-Cache = req.http.x-cache;
    } else {
        set resp.http.X-Cache = "SYNTH";
    }
    if (resp.status == 405) {
        set resp.http.Allow = "GET, HEAD, POST";
    }
    if (resp.status == 503) {
        set resp.http.Retry-After = "30";
    }
    set resp.http.Content-Type = "text/plain; charset=utf-8";
    set resp.body = resp.reason + {"
"};
    return (deliver);
}
