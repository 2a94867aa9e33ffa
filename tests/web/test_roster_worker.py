"""The roster load through the real queue: the page's upload enqueues the preview when it commits, and
`manage.py calaim_worker`, in its own process, previews the file; the analyst's Apply enqueues the apply step, which
the worker runs too. The worker reads the uploaded file from the same data folder the web app wrote it to."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from calaim.core.clock import plan_today
from calaim.members.models import Member
from calaim.roster.models import LoadStatus, RosterLoad
from tests.tasks.conftest import WorkerDatabase, wait_for
from tests.web import test_roster as roster_pages
from tests.web.test_roster_flow import CINS, person, roster_csv

network = roster_pages.network  # the shared network with each plan's data analyst


@pytest.fixture
def worker_db(transactional_db: None, tmp_path: Path) -> Any:
    database = WorkerDatabase(tmp_path)
    try:
        yield database
    finally:
        database.stop_all()


def _status_any(worker_db: WorkerDatabase, load: RosterLoad) -> str:
    """The load's status in the worker's database (SQLite keeps UUIDs as 32 hex digits, PostgreSQL as uuid)."""
    key = load.pk.hex if worker_db.path is not None else str(load.pk)
    sql = f"SELECT status FROM roster_rosterload WHERE id = '{key}'"  # noqa: S608 - a UUID's digits, no input
    return str(worker_db.scalar(sql) or "")


def test_the_worker_previews_and_applies_an_uploaded_roster(worker_db, web, network, settings, monkeypatch, tmp_path):
    data = tmp_path / "shared-data"
    settings.CALAIM_DATA_DIR = data
    monkeypatch.setenv("CALAIM_DATA_DIR", str(data))  # the worker's process reads the same folder
    client = web("data")
    rows = [person(cin) for cin in CINS[:4]]
    body = {"file": SimpleUploadedFile("roster.csv", roster_csv(rows)), "as_of": plan_today().isoformat()}
    assert client.post("/data/roster/", body).status_code == 302
    load = RosterLoad.objects.get()

    worker_db.push()
    worker_db.start("--no-schedule")
    wait_for(lambda: _status_any(worker_db, load) == LoadStatus.PREVIEWED, what="the preview")
    worker_db.stop_all()
    worker_db.pull()
    load.refresh_from_db()
    assert load.counts["created"] == 4 and not Member.objects.exists()

    assert client.post(f"/data/roster/{load.pk}/apply/").status_code == 302
    worker_db.push()
    worker_db.start("--no-schedule")
    wait_for(lambda: _status_any(worker_db, load) == LoadStatus.APPLIED, what="the apply step", timeout=90)
    worker_db.stop_all()
    worker_db.pull()
    load.refresh_from_db()
    assert load.confirmed_by == network.users["data"] and load.finished_at is not None
    assert sorted(Member.objects.values_list("cin", flat=True)) == CINS[:4]
    assert "roster_preview_task" in worker_db.logs() and "roster_apply_task" in worker_db.logs()
