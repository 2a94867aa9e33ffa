"""Django settings for calaim; everything that differs per machine comes from the environment."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CALAIM_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# CALAIM_MODE says where this process runs. "production" (the default when nothing is set) turns DEBUG off and
# refuses to start without a secret key, allowed hosts and a database URL; "development" is the demo, the tests and
# a developer's machine: DEBUG on unless CALAIM_DEBUG=0, a random key kept in var/, SQLite unless DATABASE_URL.
MODE = os.environ.get("CALAIM_MODE") or "production"
if MODE not in {"production", "development"}:
    raise ImproperlyConfigured(f"CALAIM_MODE must be 'production' or 'development', not {MODE!r}.")
PRODUCTION = MODE == "production"


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(
            f"{name} is not set. calaim runs in production mode unless CALAIM_MODE=development; production needs "
            "CALAIM_SECRET_KEY, CALAIM_ALLOWED_HOSTS and DATABASE_URL (see docs/deploy.md)."
        )
    return value


def _development_key() -> str:
    """A random key made once per checkout and kept in var/ (ignored by git), never one committed in the repo."""
    path = VAR_DIR / "development_secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


if PRODUCTION:
    DEBUG = False
    SECRET_KEY = _required("CALAIM_SECRET_KEY")
    ALLOWED_HOSTS = [host.strip() for host in _required("CALAIM_ALLOWED_HOSTS").split(",") if host.strip()]
    _required("DATABASE_URL")
else:
    DEBUG = os.environ.get("CALAIM_DEBUG", "1") == "1"
    SECRET_KEY = os.environ.get("CALAIM_SECRET_KEY") or _development_key()
    ALLOWED_HOSTS = os.environ.get("CALAIM_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")


def _flag(name: str, default: bool) -> bool:
    return os.environ.get(name, "1" if default else "0").strip().lower() in {"1", "true", "yes", "on"}


# HTTPS in production: the browser only ever sends the session and CSRF cookies over TLS, is told to keep to HTTPS
# for a year (HSTS), and plain http is redirected. Behind a TLS-terminating proxy, CALAIM_BEHIND_PROXY=1 trusts its
# X-Forwarded-Proto header (the proxy must set it on every request and drop any the client sent), and
# CALAIM_SSL_REDIRECT=0 leaves the redirect to the proxy. Development keeps plain http for the demo and the tests.
SECURE_SSL_REDIRECT = PRODUCTION and _flag("CALAIM_SSL_REDIRECT", True)
# A monitor on the machine itself may ask gunicorn for /healthz over plain http (it carries no member data).
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if _flag("CALAIM_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
# The pages and the API docs take the CSRF token from the page, never from the cookie, so scripts need not read it.
CSRF_COOKIE_HTTPONLY = True
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CALAIM_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]
SECURE_HSTS_SECONDS = int(os.environ.get("CALAIM_HSTS_SECONDS", "31536000")) if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = _flag("CALAIM_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = _flag("CALAIM_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
# Page addresses carry member ids and search terms: another site never sees them in a Referer header.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

INSTALLED_APPS = [
    # The admin, behind the app's sign-in and second factor (calaim/web/admin_site.py).
    "calaim.web.admin_site.CalaimAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # django-ninja's templates and its Swagger UI assets, served from our static files rather than a CDN.
    "ninja",
    "csp",
    "calaim.core",
    "calaim.accounts",
    "calaim.plans",
    "calaim.network",
    "calaim.members",
    "calaim.referrals",
    "calaim.authorizations",
    "calaim.ecm",
    "calaim.careplans",
    "calaim.notices",
    "calaim.community_supports",
    "calaim.roster",
    "calaim.analytics",
    "calaim.exchange",
    "calaim.appeals",
    "calaim.documents",
    "calaim.ltc",
    "calaim.public",
    "calaim.demo",
    "calaim.web",
    "calaim.commands",
    "calaim.jobs",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
]

MIDDLEWARE = [
    "config.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Every member whose data a signed-in person's request read, on record (after authentication and OTP).
    "calaim.core.middleware.PhiReadLogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Axes must come last: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]
# The PHI read log records each request's client address: REMOTE_ADDR, or behind this many trusted proxies that
# each append to X-Forwarded-For, the address the outermost one saw (what a client writes there is ignored).
CALAIM_TRUSTED_PROXIES = int(
    os.environ.get("CALAIM_TRUSTED_PROXIES") or ("1" if os.environ.get("CALAIM_BEHIND_PROXY") == "1" else "0")
)

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "calaim" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "calaim.notices.context_processors.inbox",
            ]
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{VAR_DIR / 'calaim.sqlite3'}",
        conn_max_age=60,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The demo on SQLite takes concurrent writers: write-ahead logging lets readers go on beside the one writer,
    # and IMMEDIATE transactions take the write lock when they begin, so a writer waits (up to the timeout) for
    # its turn instead of failing with "database is locked" when a read lock cannot be upgraded.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;",
        }
    )

# Background work (clocks, notices, file loads) on Django's Tasks API with the database backend: the same on
# SQLite in the demo and on PostgreSQL with many workers in production. `manage.py calaim_worker` runs the queue and
# the periodic jobs (calaim/jobs/worker.py, calaim/workflows/scheduled.py); CALAIM_WORKER_<NAME> overrides each
# default below: retries, the time after which a running task is presumed lost with its worker, how often each
# periodic job runs, and how long /healthz waits for a heartbeat before it answers 503.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
CALAIM_WORKER = {
    name: int(os.environ.get(f"CALAIM_WORKER_{name}", default))
    for name, default in {
        "MAX_ATTEMPTS": 5,
        "RETRY_DELAY_SECONDS": 10,
        "RETRY_DELAY_MAX_SECONDS": 900,
        "RUNNING_TIMEOUT_SECONDS": 600,
        "HEARTBEAT_SECONDS": 60,
        "CLOCK_SWEEP_SECONDS": 60,
        "NOTICE_SWEEP_SECONDS": 300,
        "HEALTH_MAX_SILENCE_SECONDS": 300,
    }.items()
}

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
# The plan's time zone: regulatory clocks are counted in California local time.
TIME_ZONE = "America/Los_Angeles"
USE_I18N = True
USE_TZ = True

# The languages calaim writes letters and public pages in (the plans' threshold languages are configuration,
# calaim/notices/reference/languages.yaml; these are the ones with a catalogue in locale/).
LANGUAGES = [("en", "English"), ("es", "Español"), ("zh-hans", "中文"), ("vi", "Tiếng Việt"), ("tl", "Tagalog")]
LOCALE_PATHS = [BASE_DIR / "calaim" / "notices" / "locale", BASE_DIR / "calaim" / "public" / "locale"]

# Email to referrers and staff (no PHI in it, only what happened and a link): SMTP in production
# (CALAIM_EMAIL_HOST, CALAIM_EMAIL_PORT, CALAIM_EMAIL_USER, CALAIM_EMAIL_PASSWORD, CALAIM_EMAIL_TLS); in development
# each message is written to var/mail/ unless CALAIM_EMAIL_HOST names a server.
EMAIL_HOST = os.environ.get("CALAIM_EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("CALAIM_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("CALAIM_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("CALAIM_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _flag("CALAIM_EMAIL_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("CALAIM_EMAIL_FROM", "calaim <no-reply@localhost>")
if PRODUCTION or EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
# The address staff and referrers reach calaim at, for the links in emails.
CALAIM_BASE_URL = os.environ.get("CALAIM_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

STATIC_URL = "static/"
# Files the plan's staff upload (roster extracts, identification inputs) and the files calaim writes from them
# (rejects, candidates), kept until their load is done; PHI, so on an encrypted volume readable only by calaim.
CALAIM_DATA_DIR = Path(os.environ.get("CALAIM_DATA_DIR", VAR_DIR / "data"))
# The largest file a browser or API client may upload, in megabytes (a 1M-member roster CSV is about 250 MB).
CALAIM_UPLOAD_MAX_MB = int(os.environ.get("CALAIM_UPLOAD_MAX_MB", "1024"))
# The largest provider file (RTF, OTF) the import reads, in megabytes: an RTF of 100,000 rows is 13 to 40 MB;
# a larger file is refused whole, before it is read, naming the limit.
CALAIM_EXCHANGE_MAX_MB = int(os.environ.get("CALAIM_EXCHANGE_MAX_MB", "50"))
# Where Django spools a large upload before the view streams it into the data folder: a private folder of calaim's,
# never the machine's shared /tmp (the file is PHI).
FILE_UPLOAD_TEMP_DIR = str(CALAIM_DATA_DIR / "tmp")
Path(FILE_UPLOAD_TEMP_DIR).mkdir(parents=True, exist_ok=True, mode=0o700)
FILE_UPLOAD_PERMISSIONS = 0o600
# Identification runs from the web app and API use Spark on this master URL (spark://host:7077) when set, else DuckDB.
CALAIM_SPARK_MASTER = os.environ.get("CALAIM_SPARK_MASTER", "")
# Files a plan's analysts may name on the server for identification runs: one folder per plan code (inbox/HPSJ/...).
CALAIM_SERVER_FILES_DIR = Path(os.environ.get("CALAIM_SERVER_FILES_DIR", CALAIM_DATA_DIR / "inbox"))
STATIC_ROOT = Path(os.environ.get("CALAIM_STATIC_ROOT", VAR_DIR / "static"))
# Documents attached to referrals, CS requests, authorizations and appeals (PHI): a private folder under the data
# directory by default; an S3-compatible bucket when CALAIM_DOCUMENTS_S3_BUCKET is set, with CALAIM_DOCUMENTS_S3_
# ENDPOINT_URL (MinIO, Ceph...), CALAIM_DOCUMENTS_S3_REGION and CALAIM_DOCUMENTS_S3_PREFIX, credentials from the
# standard AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or the machine's role). Objects are never overwritten, carry no
# ACL (the bucket's private policy applies) and are read only through calaim, never by a public URL.
_DOCUMENTS_BUCKET = os.environ.get("CALAIM_DOCUMENTS_S3_BUCKET", "").strip()
_DOCUMENTS_STORAGE: dict[str, object]
if _DOCUMENTS_BUCKET:
    _DOCUMENTS_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": _DOCUMENTS_BUCKET,
            "endpoint_url": os.environ.get("CALAIM_DOCUMENTS_S3_ENDPOINT_URL", "").strip() or None,
            "region_name": os.environ.get("CALAIM_DOCUMENTS_S3_REGION", "").strip() or None,
            "location": os.environ.get("CALAIM_DOCUMENTS_S3_PREFIX", "documents").strip().strip("/"),
            "file_overwrite": False,
            "default_acl": None,
            "querystring_auth": True,
        },
    }
else:
    _DOCUMENTS_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": str(CALAIM_DATA_DIR / "documents"),
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    }
# Static files are served by the app itself through WhiteNoise (no separate web server to configure): in
# production from `collectstatic`'s output, compressed and named by content hash so they can be cached for a year;
# in development straight from the apps' static folders.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "documents": _DOCUMENTS_STORAGE,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    # Development has no collectstatic; WhiteNoise warns of a missing folder.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# Content Security Policy: scripts, styles, images and requests from this origin only; no inline code anywhere
# (htmx is configured by a <meta> tag not to inject its own styles or evaluate strings); no framing, no plugins.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # Swagger UI draws its icons as data: SVG images.
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "upgrade-insecure-requests": PRODUCTION,
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
# Five wrong passwords for one username from one address lock that pair out for fifteen minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]

LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
SESSION_COOKIE_HTTPONLY = True
# Member data on an unattended screen: a session ends after 30 minutes without a request.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True

NINJA_PAGINATION_PER_PAGE = 50
# An API token expires this many days after it is issued unless its issuer chooses another date.
API_TOKEN_DAYS = int(os.environ.get("CALAIM_API_TOKEN_DAYS", "90"))
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"

# Logs go to stderr (journald or the container collects them) with a request id on every line, paths without
# query strings, and exceptions without their messages (a database error quotes the row it refused); see
# config/logs.py. CALAIM_LOG_EXCEPTION_MESSAGES=1 brings the messages back while debugging a machine without PHI.
LOGGING = logging_config(
    level=os.environ.get("CALAIM_LOG_LEVEL", "INFO"),
    exception_messages=_flag("CALAIM_LOG_EXCEPTION_MESSAGES", not PRODUCTION),
)
