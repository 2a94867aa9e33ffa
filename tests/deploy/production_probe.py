"""Run in a subprocess with production environment variables: request a few URLs, print what came back as JSON.

The tests' own process runs the development settings; production's are read once at start-up, so they are
exercised here, in a fresh interpreter, exactly as gunicorn would read them.
"""

from __future__ import annotations

import json
import os
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.conf import settings  # noqa: E402  (after django.setup())
from django.http import HttpResponseBase  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

SETTINGS = ("DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER")
# Production names static files by the manifest `collectstatic` writes, which takes a minute to build; these probes
# are about headers and errors, so their pages link static files by plain names.
PLAIN = "django.contrib.staticfiles.storage.StaticFilesStorage"
PLAIN_STATIC = {**settings.STORAGES, "staticfiles": {"BACKEND": PLAIN}}


def _answer(response: HttpResponseBase) -> dict[str, Any]:
    return {
        "status": response.status_code,
        "headers": dict(response.headers),
        "cookies": {name: dict(morsel) for name, morsel in response.cookies.items()},
        "body": response.content.decode(errors="replace"),  # type: ignore[attr-defined]
    }


def _requests() -> dict[str, Any]:
    client = Client(HTTP_HOST=settings.ALLOWED_HOSTS[0], raise_request_exception=False)
    out = {
        "http": _answer(client.get("/login/?q=Lopez")),
        "https": _answer(client.get("/login/", secure=True)),
        "proxied_https": _answer(client.get("/login/", HTTP_X_FORWARDED_PROTO="https")),
    }
    with override_settings(ROOT_URLCONF="tests.deploy.boom_urls"):
        out["error"] = _answer(client.get("/boom/", secure=True, HTTP_X_FORWARDED_PROTO="https"))
    return out


def main() -> None:
    out: dict[str, Any] = {"settings": {name: getattr(settings, name, None) for name in SETTINGS}}
    out["settings"]["staticfiles"] = settings.STORAGES["staticfiles"]["BACKEND"]
    with override_settings(STORAGES=PLAIN_STATIC):
        out |= _requests()
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    main()
