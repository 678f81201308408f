# docker compose: mounted as /etc/varnish/backends.vcl next to default.vcl (the official
# varnish image reads /etc/varnish/default.vcl, and /etc/varnish is on its vcl_path).
#
# `docker compose up --scale web=3` gives the service name `web` one address per replica.
# A static backend must resolve to exactly one address, so Varnish would refuse to load; the
# official image ships vmod dynamic (and varnish-modules, for xkey), whose director resolves
# the name again every `ttl` and keeps one backend, with the /healthz probe, per address:
# replicas that come and go are picked up within seconds, sick ones are skipped.
import dynamic;

backend default none;

sub vcl_init {
    new web_pool = dynamic.director(port = "8000", probe = healthz, ttl = 5s);
    new web_unprobed = dynamic.director(port = "8000", ttl = 5s);
    new media_pool = dynamic.director(port = "80", ttl = 30s);
}

# Purges come from the app: the compose network `backend` (docker-compose.yml fixes its
# subnet to 10.253.17.0/24; keep both in step). Its .1 is the bridge's gateway, which is
# what a client on the host can appear as, so it is left out.
acl purge {
    "127.0.0.1";
    "::1";
    "10.253.17.0"/24;
    ! "10.253.17.1";
}

sub newsroom_backend {
    if (req.url ~ "^/media/") {
        # Photos and renditions: nginx serves the media volume (read-only); Django never does.
        set req.backend_hint = media_pool.backend("media");
    } else {
        set req.backend_hint = web_pool.backend("web");
    }
}

sub newsroom_backend_unprobed {
    if (req.url ~ "^/media/") {
        set req.backend_hint = media_pool.backend("media");
    } else {
        set req.backend_hint = web_unprobed.backend("web");
    }
}
