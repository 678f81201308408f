"""Settings for the newsroom, read from the environment in this one module.

Local defaults need nothing but Python: SQLite under var/, local-memory cache, DEBUG on.
Production differs only by environment variables (see README.md, "Configuration").
"""

import datetime as dt
import os
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONCE
from django_prose_editor.config import add_allowed_classes, add_tags_and_attributes, html_tags
from js_asset import static_lazy

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")


def stop(message: str) -> None:
    """Stop startup with one line that says what to set, instead of a stack trace."""
    raise SystemExit(f"newsroom: configuration error: {message}")


# --- Core -------------------------------------------------------------------------------

try:
    DEBUG = env.bool("DEBUG", default=True)
except ValueError:
    stop("DEBUG must be a boolean such as 1, 0, true or false.")

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        stop("SECRET_KEY is not set. Set SECRET_KEY to a long random string when DEBUG is off.")
    SECRET_KEY = "django-insecure-local-development-only"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])

SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env.str("SITE_NAME", default="The Caspian Herald")
SITE_TWITTER = env.str("SITE_TWITTER", default="@caspianherald")
SITE_LANGUAGE = env.str("LANGUAGE_CODE", default="en").split("-")[0]

INSTALLED_APPS = [
    # Django's admin with the desk home as its index (newsroom.admin_site).
    "newsroom.apps.NewsroomAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.flatpages",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "taggit",
    "reversion",
    "reversion_compare",
    "imagekit",
    "django_prose_editor",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "django_tasks",
    "django_tasks_db",
    "accounts",
    "articles",
    "webhooks",
    "newsletter",
    "rest_framework",
    "drf_spectacular",
    "api",
    # Last, as its documentation asks: it watches the login signals the others send.
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "newsroom.middleware.AnonymousBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "newsroom.outage.DatabaseOutageMiddleware",
    "newsroom.replica.ReplicaMiddleware",
    "newsroom.middleware.OddInputMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SignInMiddleware",
    "newsroom.middleware.StaffStatementTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "newsroom.admin_guard.AdminBadRequestMiddleware",
    # Last: turns a login refused for a lockout into the login page saying so (429).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"
SITE_ID = 1

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "newsroom.context_processors.site",
            ],
        },
    },
]

# --- Data -------------------------------------------------------------------------------

VAR_DIR.mkdir(exist_ok=True)
try:
    DATABASES = {
        "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'newsroom.sqlite3'}")
    }
except (environ.ImproperlyConfigured, ValueError, KeyError) as exc:
    stop(f"DATABASE_URL is malformed ({exc}). Use e.g. postgres://user:pass@host:5432/name.")
if not DATABASES["default"].get("ENGINE") or not DATABASES["default"].get("NAME"):
    stop("DATABASE_URL is malformed. Use e.g. postgres://user:pass@host:5432/name.")
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# A health check costs every request a round trip (SELECT 1) before its first query. Off by
# default: a connection broken by a database restart fails one request per worker and is
# then replaced. CONN_HEALTH_CHECKS=1 trades that round trip for no failed request.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so a gunicorn started by the tests can read the test database.
    # One file per test process, so parallel runs on one machine never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
USES_POSTGRES = DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql")
if USES_POSTGRES and env.bool("DB_PREPARED_STATEMENTS", default=True):
    # Parameters bound by the server let psycopg prepare the statements every page repeats,
    # and generic plans have PostgreSQL plan them once per connection instead of once per
    # query: left to choose, it re-plans the related-stories query every time, which took
    # longer than running it. Turn off behind a transaction-pooling PgBouncer.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True,
        prepare_threshold=2,
        options="-c plan_cache_mode=force_generic_plan",
    )

# A query of a web request that runs longer than this is cancelled (and answers the 503 page):
# no request can keep a worker and a database core busy for long. Signed-in staff get
# DB_STAFF_STATEMENT_TIMEOUT_MS (newsroom.middleware). manage.py sets 0 (none) for management
# commands, migrations included, unless the environment says otherwise. 0 turns it off.
DB_STATEMENT_TIMEOUT_MS = env.int("DB_STATEMENT_TIMEOUT_MS", default=3000)
DB_STAFF_STATEMENT_TIMEOUT_MS = env.int("DB_STAFF_STATEMENT_TIMEOUT_MS", default=60000)
if USES_POSTGRES and DB_STATEMENT_TIMEOUT_MS > 0:
    db_options = DATABASES["default"].setdefault("OPTIONS", {})
    db_options["options"] = " ".join(
        filter(None, [db_options.get("options"), f"-c statement_timeout={DB_STATEMENT_TIMEOUT_MS}"])
    )
if USES_POSTGRES:
    # No parallel workers for one query: the site's queries are many and small, and starting
    # workers cost more than they saved (a popular tag's page count: 10 ms alone, 20 ms with
    # two workers at a million stories) while taking cores other requests were using.
    db_options = DATABASES["default"].setdefault("OPTIONS", {})
    db_options["options"] = " ".join(
        filter(None, [db_options.get("options"), "-c max_parallel_workers_per_gather=0"])
    )

# Public reads from a streaming replica (newsroom/replica.py): anonymous GETs of public pages
# read it while it is under REPLICA_MAX_LAG_SECONDS behind and has replayed the app's newest
# commit; staff, writes and everything else read the primary. Unset: the "replica" alias is the
# primary itself (and the test suite's mirror of it) and nothing is routed to it.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
REPLICA_MAX_LAG_SECONDS = env.float("REPLICA_MAX_LAG_SECONDS", default=5.0)
try:
    _replica = env.db_url_config(DATABASE_REPLICA_URL) if DATABASE_REPLICA_URL else {}
except (environ.ImproperlyConfigured, ValueError, KeyError) as exc:
    stop(f"DATABASE_REPLICA_URL is malformed ({exc}). Use e.g. postgres://user@host:5432/name.")
DATABASES["replica"] = {
    **DATABASES["default"],
    **{k: v for k, v in _replica.items() if k in ("HOST", "PORT", "NAME", "USER", "PASSWORD")},
    "OPTIONS": {**DATABASES["default"].get("OPTIONS", {})},  # the same timeout and statements
    "TEST": {"MIRROR": "default"},
}
if DATABASE_REPLICA_URL and USES_POSTGRES:
    # A replica that is down must cost a reader little: it is then skipped for a second.
    DATABASES["replica"]["OPTIONS"]["connect_timeout"] = 2
DATABASE_ROUTERS = ["newsroom.replica.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
# The cache fails open (newsroom/redis_cache.py): a Redis that is down or hung costs a cache
# call at most these timeouts, and then this process skips Redis for REDIS_BREAKER_SECONDS.
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=0.25)
REDIS_CONNECT_TIMEOUT = env.float("REDIS_CONNECT_TIMEOUT", default=0.25)
REDIS_BREAKER_SECONDS = env.float("REDIS_BREAKER_SECONDS", default=1.0)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "newsroom.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "newsroom",
            "OPTIONS": {
                "socket_timeout": REDIS_SOCKET_TIMEOUT,
                "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
            },
        }
    }
elif DEBUG:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    # Several gunicorn workers must share one cache, or a withdrawn story could linger in
    # another worker's memory; without Redis, a folder on this machine is what they share.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": env.str("CACHE_DIR", default=str(VAR_DIR / "cache")),
        }
    }

# Sessions live in the database, with or without Redis. Only staff have sessions, and their
# requests are never cached, so the primary-key read costs little; and a session cached in
# Redis (cached_db) could outlive its row: a logout or password change while Redis is
# unreachable deletes the row but not the cached copy, which would log the user back in once
# Redis answers again. A Redis restart or outage logs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- The edge cache: Varnish, a CDN (see articles.public, articles.invalidation) ----------

# Browsers keep public pages this long (seconds); the edge keeps them up to EDGE_TTL, less
# when the page changes by the clock (a scheduled story, a banner) before that.
CDN_MAX_AGE = env.int("CDN_MAX_AGE", default=60)
# Every change purges the pages it touches; EDGE_TTL bounds how long a lost purge is seen.
EDGE_TTL = env.int("EDGE_TTL", default=3600)
EDGE_STALE_SECONDS = env.int("EDGE_STALE_SECONDS", default=600)  # stale-while-revalidate
# Where purges go: comma-separated "varnish", "fastly" (or a dotted path); none: no purging.
# --- The read API (/api/v1/, see api/ and README › API) ----------------------------------

# Callers without an API key may read the API (at API_ANONYMOUS_RATE per address).
API_ANONYMOUS_ACCESS = env.bool("API_ANONYMOUS_ACCESS", default=True)
API_ANONYMOUS_RATE = env.str("API_ANONYMOUS_RATE", default="30/min")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.access.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.access.KeyOrAnonymous"],
    "DEFAULT_THROTTLE_CLASSES": ["api.access.ApiRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "api.schema.ApiSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": f"{SITE_NAME} read API",
    "VERSION": "1",
    "DESCRIPTION": "Live stories, sections, tags, authors and corrections. See README › API.",
    "SERVE_INCLUDE_SCHEMA": False,
    "ENUM_NAME_OVERRIDES": {
        "StoryKindEnum": "articles.models.Kind",
        "CorrectionKindEnum": "articles.models.Correction.Kind",
    },
}

PURGE_BACKENDS = env.list("PURGE_BACKENDS", default=[])
PURGE_TIMEOUT = env.float("PURGE_TIMEOUT", default=0.5)
VARNISH_PURGE_URLS = env.list("VARNISH_PURGE_URLS", default=["http://127.0.0.1:8080/"])
FASTLY_API_URL = env.str("FASTLY_API_URL", default="https://api.fastly.com")
FASTLY_SERVICE_ID = env.str("FASTLY_SERVICE_ID", default="")
FASTLY_API_TOKEN = env.str("FASTLY_API_TOKEN", default="")
FASTLY_SOFT_PURGE = env.bool("FASTLY_SOFT_PURGE", default=False)
_unknown = set(PURGE_BACKENDS) - {"varnish", "fastly"} - {b for b in PURGE_BACKENDS if "." in b}
if _unknown:
    stop(f"PURGE_BACKENDS names unknown backends {sorted(_unknown)}: use varnish, fastly.")
if "fastly" in PURGE_BACKENDS and not (FASTLY_SERVICE_ID and FASTLY_API_TOKEN):
    stop("PURGE_BACKENDS has fastly: set FASTLY_SERVICE_ID and FASTLY_API_TOKEN too.")

# --- Time and language ------------------------------------------------------------------

LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Baku")
USE_I18N = True
USE_TZ = True
# The 24-hour clock and day-month order wherever no format is named (the admin's lists).
FORMAT_MODULE_PATH = ["newsroom.formats"]

# --- Static and media -------------------------------------------------------------------

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=True)

# Uploads: photos only, checked by content (articles.images).
IMAGE_MAX_BYTES = env.int("IMAGE_MAX_BYTES", default=15 * 1024 * 1024)
IMAGE_MAX_PIXELS = env.int("IMAGE_MAX_PIXELS", default=40_000_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Larger uploads are spooled here, a folder of the app's own that can be watched and cleaned.
FILE_UPLOAD_TEMP_DIR = env.path("FILE_UPLOAD_TEMP_DIR", default=VAR_DIR / "uploads")
Path(FILE_UPLOAD_TEMP_DIR).mkdir(parents=True, exist_ok=True)
# Visitors who are not signed in may send at most this many bytes in a request body (413
# otherwise, refused before it is read); the login form and the public site need far less.
ANONYMOUS_MAX_BODY_BYTES = env.int("ANONYMOUS_MAX_BODY_BYTES", default=1024 * 1024)

SHARE_LINK_HOURS = env.int("SHARE_LINK_HOURS", default=48)
# How long the signed address of a photo that is not public yet (shown in previews and the
# admin) keeps working; the page showing it is never cached, so a few hours is plenty.
PHOTO_PREVIEW_HOURS = env.int("PHOTO_PREVIEW_HOURS", default=12)

# Search shows at most this many pages of 20 results: deeper pages cost seconds, nobody reads them.
SEARCH_MAX_PAGES = env.int("SEARCH_MAX_PAGES", default=50)
# Section, tag, author and corrections lists offer this many pages of 20 (and count no
# further); the admin's lists this many pages of theirs, with an estimated total beyond.
LIST_MAX_PAGES = env.int("LIST_MAX_PAGES", default=50)
ADMIN_LIST_MAX_PAGES = env.int("ADMIN_LIST_MAX_PAGES", default=100)
ADMIN_EXACT_COUNT_UP_TO = env.int("ADMIN_EXACT_COUNT_UP_TO", default=1000)
# The language search stems words in: english, russian, azerbaijani (no stemmer: whole words)
# or simple. Accents never matter ("samaxi" finds "Şamaxı"). Changing it on a site with
# stories means `manage.py refresh_search` afterwards (old documents were stemmed otherwise).
SEARCH_LANGUAGE = env.str("SEARCH_LANGUAGE", default="english")


# --- Security ---------------------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
HTTPS = SITE_URL.startswith("https://")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
# An https SITE_URL means the site is served over TLS: redirect plain http there, except the
# health check, which load balancers and container healthchecks call over plain http.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
# X-Forwarded-Proto is trusted only when the proxy in front (a TLS terminator, a load
# balancer, a CDN) says so by overwriting it on every request: otherwise anyone can send
# "https" and have pages built, and cached, for the wrong scheme. Varnish also keys its
# cache on the header (deploy/varnish/default.vcl), so an http copy never answers https.
PROXY_SETS_FORWARDED_PROTO = env.bool("PROXY_SETS_FORWARDED_PROTO", default=False)
if PROXY_SETS_FORWARDED_PROTO:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# /.well-known/security.txt (RFC 9116): where to report a vulnerability. Each value a
# mailto:/https: address (a bare e-mail address gets mailto:); none: the file answers 404.
SECURITY_CONTACT = env.list("SECURITY_CONTACT", default=[])
SECURITY_POLICY_URL = env.str("SECURITY_POLICY_URL", default="")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])
SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS", default=[])


def _body_elements_allowlist(extension_config, shared_config):
    """What nh3 lets through for the body elements (articles.body): <figure> with its two
    data attributes, <aside> with one of two classes; articles.body.clean_elements checks
    the values."""
    from articles.body import ELEMENT_ATTRIBUTES, ELEMENT_CLASSES, ELEMENT_TAGS

    add_tags_and_attributes(shared_config, ELEMENT_TAGS, ELEMENT_ATTRIBUTES)
    add_allowed_classes(shared_config, ELEMENT_CLASSES)


# The story body's own editor extensions: paste cleanup (static/newsroom_admin/paste_cleanup.js)
# adds no tag to what the body allows (an empty html_tags); the body elements
# (static/newsroom_admin/body_elements.js) add figures and asides.
DJANGO_PROSE_EDITOR_EXTENSIONS = [
    {
        "js": [static_lazy("newsroom_admin/paste_cleanup.js")],
        "extensions": {"DeskPasteCleanup": html_tags([])},
    },
    {
        "js": [static_lazy("newsroom_admin/body_elements.js")],
        "extensions": {"BodyElements": _body_elements_allowlist},
    },
]

# The hosts a story embed's frame may come from (articles.body makes frames only from these).
EMBED_FRAME_HOSTS = (
    "https://www.youtube-nocookie.com",
    "https://platform.twitter.com",
    "https://www.facebook.com",
    "https://www.instagram.com",
    "https://www.tiktok.com",
    "https://t.me",
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'", "'unsafe-inline'"],
        # NONCE: pages that need an inline script (the rich text editor's import map in the
        # admin) mark it with the request's nonce; django-csp sends one only when it is used.
        "script-src": ["'self'", NONCE],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        # Embeds in story bodies: a frame is made only when the reader asks for it.
        "frame-src": list(EMBED_FRAME_HOSTS),
    }
}

# --- Staff sign-in (accounts.signin, accounts.twofactor; README "Signing in") ----------

LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"
# Axes checks every login for a lockout before the password is looked at.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# This many failed logins for one username (from anywhere), or from one address (for any
# username), pause sign-in for it for LOGIN_LOCKOUT_MINUTES; each further try restarts the
# pause. Editors can lift a lockout sooner (admin: Authors and roles > Sign-in lockouts).
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=15)
if LOGIN_FAILURE_LIMIT < 1 or LOGIN_LOCKOUT_MINUTES < 1:
    stop("LOGIN_FAILURE_LIMIT and LOGIN_LOCKOUT_MINUTES must be at least 1.")
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = dt.timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "accounts.signin.lockout_response"
AXES_CLIENT_IP_CALLABLE = "accounts.signin.client_ip"
AXES_USERNAME_CALLABLE = "accounts.signin.attempted_username"
AXES_ENABLE_ADMIN = False  # accounts.admin has the list editors lift lockouts from
AXES_VERBOSE = False
# How many proxies in front of gunicorn append to X-Forwarded-For (Varnish: 1, Varnish behind
# a CDN or load balancer: 2). 0: the address is the connection's own (REMOTE_ADDR), and a
# forwarded header, which anyone can send, is ignored; otherwise the address is the one the
# outermost trusted proxy saw. Lockouts by address depend on this being right.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Who must use a second factor (TOTP or a passkey) after the password: any of "editors",
# "journalists", "superusers", "staff" (everyone with admin access). The others may enrol.
STAFF_2FA_REQUIRED = env.list("STAFF_2FA_REQUIRED", default=["editors", "superusers"])
if set(STAFF_2FA_REQUIRED) - {"editors", "journalists", "superusers", "staff"}:
    stop("STAFF_2FA_REQUIRED takes editors, journalists, superusers and staff, comma-separated.")
OTP_TOTP_ISSUER = SITE_NAME
# Passkeys work only on https or on http://localhost (browsers refuse them on a bare address
# such as 127.0.0.1): a plain-http SITE_URL offers them on the same port at localhost.
_site = urlsplit(SITE_URL)
if _site.scheme == "https" or _site.hostname == "localhost":
    _passkey_origin = SITE_URL
else:
    _passkey_origin = f"http://localhost{f':{_site.port}' if _site.port else ''}"
OTP_WEBAUTHN_ALLOWED_ORIGINS = env.list("WEBAUTHN_ORIGINS", default=[_passkey_origin])
OTP_WEBAUTHN_RP_ID = env.str("WEBAUTHN_RP_ID", default=urlsplit(_passkey_origin).hostname)
OTP_WEBAUTHN_RP_NAME = SITE_NAME
# Passkeys are the second step only: the password (and its lockout) always comes first.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False

# A staff session ends after SESSION_IDLE_MINUTES without a request (a request moves the
# deadline on, saving the session at most once a minute) and, active or not,
# SESSION_MAX_HOURS after the login (both in accounts.middleware), and with the browser.
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=30)
SESSION_MAX_HOURS = env.int("SESSION_MAX_HOURS", default=12)
if SESSION_IDLE_MINUTES < 2 or SESSION_MAX_HOURS < 1:
    stop("SESSION_IDLE_MINUTES must be at least 2 and SESSION_MAX_HOURS at least 1.")
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Mail (password resets, the desk's notifications): EMAIL_URL such as
# smtp+tls://user:password@mail.example.com:587; unset, mail is printed to the console.
try:
    _email = env.email_url("EMAIL_URL", default="consolemail://")
except (environ.ImproperlyConfigured, ValueError, KeyError) as exc:
    stop(f"EMAIL_URL is malformed ({exc}). Use e.g. smtp+tls://user:pass@host:587.")
# Only what the URL names; Django's defaults stand for the rest.
globals().update({key: value for key, value in _email.items() if value not in (None, "")})
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default=f"newsroom@{_site.hostname}")
# A reset link works once, for this long.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_MINUTES", default=60) * 60

# The job queue (django-tasks, Django 6's tasks framework): work that must not hold up a
# request, such as the desk's notification mail. "database": jobs are rows that
# `manage.py db_worker` runs (production, `make stack`, docker compose); "immediate": each job
# runs right away in the process that queued it, after the commit (`make run`: no worker).
TASKS_BACKEND = env.str("TASKS_BACKEND", default="immediate" if DEBUG else "database")
_task_backends = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
if TASKS_BACKEND not in _task_backends:
    stop("TASKS_BACKEND is database (a worker runs the jobs) or immediate (no worker).")
TASKS = {"default": {"BACKEND": _task_backends[TASKS_BACKEND]}}

# Webhooks (the webhooks app, README › Webhooks): each attempt waits this many seconds at
# most for the receiver; a failed one is retried after WEBHOOK_RETRY_SECONDS, then twice as
# long each time, up to WEBHOOK_MAX_ATTEMPTS attempts; an endpoint whose attempts fail
# WEBHOOK_PAUSE_AFTER times in a row is paused until an editor resumes it.
WEBHOOK_TIMEOUT = env.float("WEBHOOK_TIMEOUT", default=5.0)
WEBHOOK_RETRY_SECONDS = env.int("WEBHOOK_RETRY_SECONDS", default=60)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=5)
WEBHOOK_PAUSE_AFTER = env.int("WEBHOOK_PAUSE_AFTER", default=10)
# The daily newsletter (newsletter/, README "Newsletter").
# A confirmation link works this long; the same address gets at most one per RESEND_MINUTES.
NEWSLETTER_CONFIRM_HOURS = env.int("NEWSLETTER_CONFIRM_HOURS", default=48)
NEWSLETTER_RESEND_MINUTES = env.int("NEWSLETTER_RESEND_MINUTES", default=10)
# Sign-ups accepted from one client address an hour (the form is CSRF-exempt: see the views).
NEWSLETTER_SIGNUPS_PER_HOUR = env.int("NEWSLETTER_SIGNUPS_PER_HOUR", default=10)
# Messages sent over one SMTP connection, and how many stories a drafted edition takes.
NEWSLETTER_BATCH_SIZE = env.int("NEWSLETTER_BATCH_SIZE", default=100)
NEWSLETTER_STORIES = env.int("NEWSLETTER_STORIES", default=10)
# The mailto: half of List-Unsubscribe (something must read that mailbox).
NEWSLETTER_UNSUBSCRIBE_MAILTO = env.str(
    "NEWSLETTER_UNSUBSCRIBE_MAILTO", default=f"unsubscribe@{_site.hostname}"
)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Libraries --------------------------------------------------------------------------

TAGGIT_CASE_INSENSITIVE = True
# Revision compare tells a changed section or photo by its key: without this, every
# foreign key of the story is listed as changed whenever anything else in it changed.
REVERSION_COMPARE_FOREIGN_OBJECTS_AS_ID = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
