"""Django settings for calaim; everything that differs per machine comes from the environment."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

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

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
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
    "calaim.demo",
    "calaim.web",
    "calaim.commands",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Axes must come last: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

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
# SQLite in the demo and on PostgreSQL with many workers in production (`manage.py db_worker`).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

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

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
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
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"
