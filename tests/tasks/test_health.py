"""`/healthz`: the database and the worker, with no sign-in and no member data; 503 when either is missing."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest
from django.test import Client
from django.utils import timezone

from calaim.jobs.models import WorkerHeartbeat
from tests.tasks.conftest import ROOT
from tests.tasks.jobs_for_tests import fail_until

pytestmark = pytest.mark.django_db
WORKER_KEYS = {
    "ok",
    "last_heartbeat_age_seconds",
    "max_silence_seconds",
    "queue_depth",
    "oldest_ready_age_seconds",
    "waiting_to_retry",
    "running",
    "failed_last_day",
}


def _beat(seconds_ago: float) -> None:
    WorkerHeartbeat.objects.create(worker_id="w1", beat_at=timezone.now() - dt.timedelta(seconds=seconds_ago))


def test_healthy_with_a_recent_heartbeat_and_the_queue_figures(member):
    _beat(5)
    fail_until.enqueue(1)
    response = Client().get("/healthz")
    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
    body = response.json()
    assert body["status"] == "ok" and body["database"] == {"ok": True}
    assert set(body["worker"]) == WORKER_KEYS
    assert 5 <= body["worker"]["last_heartbeat_age_seconds"] < 60
    assert body["worker"]["queue_depth"] == 1 and body["worker"]["oldest_ready_age_seconds"] >= 0
    assert member.last_name not in response.content.decode() and member.cin not in response.content.decode()


def test_unavailable_when_no_worker_was_ever_seen_or_has_been_silent_too_long(settings):
    assert Client().get("/healthz").status_code == 503
    _beat(settings.CALAIM_WORKER["HEALTH_MAX_SILENCE_SECONDS"] + 5)
    response = Client().get("/healthz")
    assert response.status_code == 503 and response.json()["worker"]["ok"] is False
    assert response.json()["database"] == {"ok": True}
    settings.CALAIM_WORKER = {**settings.CALAIM_WORKER, "HEALTH_MAX_SILENCE_SECONDS": 3600}
    assert Client().get("/healthz").status_code == 200


def test_only_reads():
    assert Client().post("/healthz").status_code == 405


def test_unavailable_when_the_database_is_down(tmp_path):
    """A real server with no database behind it: nothing listens on port 1."""
    script = "import django; django.setup(); from django.test import Client; r = Client().get('/healthz'); "
    script += "print(r.status_code, r.content.decode())"
    env = {
        "PATH": "/usr/bin:/bin",
        "CALAIM_MODE": "development",
        "CALAIM_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": "postgres://calaim@127.0.0.1:1/calaim",
    }
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    status, body = done.stdout.strip().split(" ", 1)
    assert status == "503", done.stderr
    assert json.loads(body) == {"status": "unavailable", "database": {"ok": False}, "worker": None}
