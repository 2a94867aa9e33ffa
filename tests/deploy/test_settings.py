"""Production mode's settings, read the way gunicorn reads them: in a fresh process from environment variables."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.deploy.boom_urls import PHI_IN_MESSAGE

ROOT = Path(__file__).resolve().parents[2]
HOST = "calaim.example.org"


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment docs/deploy.md asks for, and nothing of the test run's development mode."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CALAIM_", "DJANGO_")) and k != "DATABASE_URL"}
    env.update(
        CALAIM_SECRET_KEY=secrets.token_urlsafe(50),
        CALAIM_ALLOWED_HOSTS=HOST,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        CALAIM_VAR_DIR=str(tmp_path / "var"),
        **extra,
    )
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)  # noqa: S603


def probe(tmp_path: Path, **extra: str) -> tuple[dict[str, Any], str]:
    done = run(["-m", "tests.deploy.production_probe"], production_env(tmp_path, **extra))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), done.stderr


def test_check_deploy_is_clean_in_production(tmp_path: Path) -> None:
    done = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout


def test_check_deploy_is_clean_behind_a_proxy(tmp_path: Path) -> None:
    env = production_env(tmp_path, CALAIM_BEHIND_PROXY="1")
    done = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert done.returncode == 0, done.stdout + done.stderr


def test_production_is_https_only_with_hsts_secure_cookies_and_a_strict_policy(tmp_path: Path) -> None:
    out, _ = probe(tmp_path)
    assert out["settings"]["DEBUG"] is False
    assert out["settings"]["SESSION_COOKIE_SECURE"] is True and out["settings"]["CSRF_COOKIE_SECURE"] is True
    assert out["settings"]["staticfiles"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    # Plain http is sent to https, query string and all.
    assert out["http"]["status"] == 301
    assert out["http"]["headers"]["Location"] == f"https://{HOST}/login/?q=Lopez"
    https = out["https"]
    assert https["status"] == 200
    headers = https["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy and "upgrade-insecure-requests" in policy
    assert "unsafe" not in policy
    csrf = https["cookies"]["csrftoken"]
    assert csrf["secure"] is True and csrf["httponly"] is True
    # Without a proxy trusted to say so, a forwarded "https" header is not believed.
    assert out["proxied_https"]["status"] == 301


def test_behind_a_proxy_its_forwarded_proto_is_trusted(tmp_path: Path) -> None:
    out, _ = probe(tmp_path, CALAIM_BEHIND_PROXY="1")
    assert out["proxied_https"]["status"] == 200
    assert "Strict-Transport-Security" in out["proxied_https"]["headers"]
    assert out["http"]["status"] == 301  # the proxy must still say https; a bare http request is redirected


def test_a_500_in_production_shows_no_traceback_and_logs_its_request_id_without_member_data(tmp_path: Path) -> None:
    out, log = probe(tmp_path)
    error = out["error"]
    assert error["status"] == 500
    assert "Traceback" not in error["body"] and "RuntimeError" not in error["body"]
    assert PHI_IN_MESSAGE not in error["body"]
    request_id = error["headers"]["X-Request-ID"]
    lines = [line for line in log.splitlines() if f"rid={request_id}" in line]
    assert any("ERROR django.request" in line and "Internal Server Error: /boom/" in line for line in lines), log
    assert "RuntimeError (message withheld" in log
    assert PHI_IN_MESSAGE not in log and "Lopez" not in log


@pytest.mark.django_db
def test_development_mode_serves_plain_http_for_the_demo_and_tests(client: Any) -> None:
    response = client.get("/login/")
    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response.headers
    assert response.cookies["csrftoken"]["secure"] == ""
    assert "upgrade-insecure-requests" not in response.headers["Content-Security-Policy"]
