"""Settings, read from the environment; the defaults run a checkout with no setup."""

import importlib.util
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

from studio.lib.env import envbool, envfloat, envint, envlist, envstr
from studio.lib.media_storage import s3_backend, s3_origin
from studio.multimodal.catalog import API_BASE_PATH, parse_rate_limits

BASE_DIR = Path(__file__).resolve().parent.parent

# django-ninja's API docs page (its template and Swagger UI files), without "ninja" in
# INSTALLED_APPS: the app registry would import it, and with it pydantic, into every
# process (38 MiB a worker does not need: make bench, film).
NINJA_FILES = Path(importlib.util.find_spec("ninja").submodule_search_locations[0])

DEBUG = envbool("DEBUG", False)
SECRET_KEY = envstr("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and envbool("STUDIO_REQUIRE_SECRET_KEY", False):
        raise ValueError("SECRET_KEY must be set in production")
    # A fixed development key keeps sessions and encrypted tokens valid across restarts.
    SECRET_KEY = "studio-development-key-not-for-production"
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "studio.teams",
    "studio.events",
    "studio.generations",
    "studio.finishing",
    "studio.review",
    "studio.storyboards",
    "studio.api",
    "studio.credits",
    "studio.sandbox",
    "studio.multimodal",
    "django_q",
]

MIDDLEWARE = [
    "studio.lib.logs.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "studio.api.middleware.ApiAnswers",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "studio.teams.middleware.CurrentTeamMiddleware",
]

ROOT_URLCONF = "studio.urls"
WSGI_APPLICATION = "studio.wsgi.application"
ASGI_APPLICATION = "studio.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates", NINJA_FILES / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "studio.teams.context_processors.current_team",
                "studio.credits.context_processors.fresh_balance",
                "studio.review.context_processors.bell",
                "studio.review.board_context.boards_of_member",
                "studio.lib.ui.theme",
            ],
            "builtins": ["studio.lib.ui", "django.contrib.humanize.templatetags.humanize"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"), conn_max_age=60
    )
}
STUDIO_DB_POOL = envint("STUDIO_DB_POOL", 0)  # studio/asgi.py turns it on for the web
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and STUDIO_DB_POOL:
    # The web process is ASGI: each request runs in a thread of its own, where a
    # persistent connection would be left open; a pool per process lends them instead.
    # Never in the worker: its forked processes must not share a parent's pool.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1, "max_size": STUDIO_DB_POOL, "timeout": 10}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Measured with a web process and two workers: IMMEDIATE transactions stop the lock
    # upgrade deadlock between the web process and workers; WAL makes it faster.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = envstr("REDIS_URL", "")
# Every web worker must see the same counts (failed logins): Redis, or else a table
# in the database (made by teams' migration 0003), never a per-process memory cache.
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL}}
else:
    # Past MAX_ENTRIES the table culls a third of its rows; the default 300 would
    # let a flood of made-up usernames wipe the counts that matter.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                          "LOCATION": "studio_cache", "OPTIONS": {"MAX_ENTRIES": 100_000}}}
# Drawn gallery cards, per process: keyed by everything they show, never stale.
CACHES["cards"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                   "LOCATION": "cards", "TIMEOUT": 24 * 3600,
                   "OPTIONS": {"MAX_ENTRIES": 20_000}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(envstr("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static", NINJA_FILES / "static"]
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media/"  # never served directly: media goes through a members-only view
# Media on an S3-compatible store when a bucket is named (a PaaS disk is ephemeral).
AWS_STORAGE_BUCKET_NAME = envstr("AWS_STORAGE_BUCKET_NAME", "")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
S3_MEDIA_ORIGIN = ""  # where the browser fetches media from; the CSP allows it
if AWS_STORAGE_BUCKET_NAME:
    # A private bucket: members get short-lived presigned URLs (studio/lib/media_storage).
    STORAGES["default"] = s3_backend(
        AWS_STORAGE_BUCKET_NAME,
        endpoint_url=envstr("AWS_S3_ENDPOINT_URL", ""),  # MinIO, R2, ...; empty: AWS
        region=envstr("AWS_S3_REGION_NAME", ""),
        access_key=envstr("AWS_ACCESS_KEY_ID", ""),
        secret_key=envstr("AWS_SECRET_ACCESS_KEY", ""),
        url_max_age=envint("AWS_QUERYSTRING_EXPIRE", 3600),
    )
    S3_MEDIA_ORIGIN = s3_origin(STORAGES["default"]["OPTIONS"])
if DEBUG:
    STORAGES["staticfiles"] = {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
    }

# The Multimodal API. Unset means the built-in sandbox, mounted under /sandbox/.
STUDIO_PUBLIC_URL = envstr("STUDIO_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
MULTIMODAL_API_URL = envstr("MULTIMODAL_API_URL", "").rstrip("/").removesuffix(API_BASE_PATH)
SANDBOX_ENABLED = envbool("STUDIO_SANDBOX", not MULTIMODAL_API_URL)
SANDBOX_URL = f"{STUDIO_PUBLIC_URL}/sandbox"
DEFAULT_API_URL = MULTIMODAL_API_URL or SANDBOX_URL
MULTIMODAL_TIMEOUT = envfloat("MULTIMODAL_TIMEOUT", 180.0)

STUDIO_RATE_LIMITS = parse_rate_limits(envstr("STUDIO_RATE_LIMITS", ""))
STUDIO_RETRY_DELAY = envfloat("STUDIO_RETRY_DELAY", 30.0)
STUDIO_MAX_ATTEMPTS = envint("STUDIO_MAX_ATTEMPTS", 4)
# Comma-separated Fernet keys; the first encrypts, all decrypt (rotation).
# Empty means one derived from SECRET_KEY.
STUDIO_ENCRYPTION_KEYS = envlist("STUDIO_ENCRYPTION_KEYS", "")
SANDBOX_STARTING_CREDITS = envint("SANDBOX_STARTING_CREDITS", 100_000)

# Notifications by e-mail (studio.review): SMTP when EMAIL_HOST is set, else the
# console (the worker's output). Django 6.1's MAILERS, read from the usual names.
EMAIL_HOST = envstr("EMAIL_HOST", "")
MAILERS = {"default": {
    "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "OPTIONS": {"host": EMAIL_HOST, "port": envint("EMAIL_PORT", 587),
                "username": envstr("EMAIL_HOST_USER", ""),
                "password": envstr("EMAIL_HOST_PASSWORD", ""),
                "use_tls": envbool("EMAIL_USE_TLS", True),
                "timeout": envint("EMAIL_TIMEOUT", 10)},
} if EMAIL_HOST else {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
del EMAIL_HOST  # a deprecated setting of its own
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "Studio <studio@localhost>")

Q_CLUSTER = {
    "name": "studio",
    "workers": envint("STUDIO_WORKERS", 4),
    # A call may take minutes at the live API (video); `retry` must exceed the
    # longest task or the broker hands it out twice, which would charge twice.
    "timeout": int(MULTIMODAL_TIMEOUT) + 120,
    "retry": int(MULTIMODAL_TIMEOUT) + 240,
    "max_attempts": 1,
    "catch_up": False,
    "poll": envfloat("STUDIO_QUEUE_POLL", 0.1),
    "label": "Task queue",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "studio.lib.logs.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {
        # One line per request comes from studio.requests; these would repeat it.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},
    },
}

# Without a collectstatic run (tests, a fresh checkout) fall back to plain names.
WHITENOISE_MANIFEST_STRICT = False

# Dispatch (studio/generations/dispatch.py) and follow-ups.
# Our window stamp precedes the API's by the request's travel time; the margin (1%
# of the window, at least this) keeps ours closing after the API's.
STUDIO_RATE_MARGIN_MIN = envfloat("STUDIO_RATE_MARGIN_MIN", 0.5)
STUDIO_PROVIDER_POLL = envfloat("STUDIO_PROVIDER_POLL", 5.0)
STUDIO_RECOVERY_DELAY = envfloat("STUDIO_RECOVERY_DELAY", 5.0)
STUDIO_RECOVERY_SCAN = envint("STUDIO_RECOVERY_SCAN", 500)
STUDIO_FOLLOW_UP_LIMIT = envfloat("STUDIO_FOLLOW_UP_LIMIT", 3600.0)
STUDIO_MAX_MEDIA_BYTES = envint("STUDIO_MAX_MEDIA_BYTES", 500 * 1024 * 1024)
# Media limits, checked from headers before anything decodes (studio/lib/media_limits.py
# says why these): pixels of an image and of a video frame, seconds of sound or video.
STUDIO_MAX_IMAGE_PIXELS = envint("STUDIO_MAX_IMAGE_PIXELS", 4096 * 3072)
STUDIO_MAX_FRAME_PIXELS = envint("STUDIO_MAX_FRAME_PIXELS", 1920 * 1088)
STUDIO_MAX_MEDIA_SECONDS = envfloat("STUDIO_MAX_MEDIA_SECONDS", 600.0)
# Local work (mixes, joins, exports): how long one may take before it fails as out of
# time (under django-q2's timeout, which kills the task), and how many times a worker
# may start a mix or a join whose worker died before it is failed for good.
STUDIO_MAKE_SECONDS = envfloat("STUDIO_MAKE_SECONDS", Q_CLUSTER["timeout"] - 30)
STUDIO_MAKE_ATTEMPTS = envint("STUDIO_MAKE_ATTEMPTS", 2)
STUDIO_DISPATCHER = envbool("STUDIO_DISPATCHER", True)
# A worker writes a heartbeat this often; after three silent beats its leases lapse
# and the dispatcher moves on whatever it was doing (states.py).
STUDIO_HEARTBEAT_SECONDS = envfloat("STUDIO_HEARTBEAT_SECONDS", 10.0)

# The sandbox's video answers: "url" (video_url), "base64" (video_base64) or
# "pending" (a usage_id to poll, completing after SANDBOX_VIDEO_LATENCY seconds).
SANDBOX_VIDEO_SHAPE = envstr("SANDBOX_VIDEO_SHAPE", "url")
if SANDBOX_VIDEO_SHAPE not in ("url", "base64", "pending"):
    raise ValueError("SANDBOX_VIDEO_SHAPE must be url, base64 or pending")
SANDBOX_VIDEO_LATENCY = envfloat("SANDBOX_VIDEO_LATENCY", 3.0)
SANDBOX_MAX_SOURCE_BYTES = envint("SANDBOX_MAX_SOURCE_BYTES", 20 * 1024 * 1024)

# I2V sources: how long a signed image link lives (it must outlast the queue wait),
# and what an upload may be.
STUDIO_SIGNED_URL_MAX_AGE = envint("STUDIO_SIGNED_URL_MAX_AGE", 6 * 3600)
STUDIO_MAX_UPLOAD_BYTES = envint("STUDIO_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
# Typed image URLs are checked by fetching them; private addresses only in development.
STUDIO_ALLOW_PRIVATE_URLS = envbool("STUDIO_ALLOW_PRIVATE_URLS", SANDBOX_ENABLED)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Credits: refresh the shown balance from the API when older than this (seconds;
# empty disables), and reconcile the ledger with the API's usage every N minutes.
STUDIO_BALANCE_MAX_AGE = envint("STUDIO_BALANCE_MAX_AGE", 300) or None
STUDIO_RECONCILE_MINUTES = envint("STUDIO_RECONCILE_MINUTES", 15)

# Live pages (studio/events): events are kept this long for streams that reconnect;
# without Redis the web process reads new ones this often; a stream tells the browser
# to reconnect after this many ms, and sends a comment this often so a router's idle
# timeout (55 s on Heroku) never cuts it.
STUDIO_EVENT_KEEP_HOURS = envint("STUDIO_EVENT_KEEP_HOURS", 24)
STUDIO_EVENTS_POLL = envfloat("STUDIO_EVENTS_POLL", 0.25)
STUDIO_EVENTS_RETRY_MS = envint("STUDIO_EVENTS_RETRY_MS", 2000)
STUDIO_EVENTS_HEARTBEAT = envfloat("STUDIO_EVENTS_HEARTBEAT", 20.0)

# Deleted generations stay restorable this long; then the daily purge removes them.
STUDIO_TRASH_DAYS = envint("STUDIO_TRASH_DAYS", 30)

# Hardening. Behind a PaaS router that terminates TLS, set STUDIO_HTTPS=true.
STUDIO_HTTPS = envbool("STUDIO_HTTPS", False)
if STUDIO_HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SESSION_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
MEDIA_ORIGINS = envlist("STUDIO_MEDIA_ORIGINS", S3_MEDIA_ORIGIN)  # media the pages may load
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", *MEDIA_ORIGINS],
    "media-src": [CSP.SELF, *MEDIA_ORIGINS],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# Failed logins allowed per username and address before a pause, which doubles from
# 30 s with each further failure up to STUDIO_LOGIN_PAUSE_SECONDS (studio/teams/login.py).
STUDIO_LOGIN_ATTEMPTS = envint("STUDIO_LOGIN_ATTEMPTS", 5)
STUDIO_LOGIN_PAUSE_SECONDS = envint("STUDIO_LOGIN_PAUSE_SECONDS", 15 * 60)
# Proxies in front of the studio that each append to X-Forwarded-For (a PaaS router
# is one); 0 trusts no header and takes the socket's peer as the client.
STUDIO_PROXY_COUNT = envint("STUDIO_PROXY_COUNT", 0)
if STUDIO_PROXY_COUNT < 0:
    raise ValueError("STUDIO_PROXY_COUNT must be 0 or more")
