"""The whole roster load through the pages, with the real services and the worker's own code running the queued
tasks in this process: the analyst uploads, watches the preview come, reads it, applies; cancels; is refused by the
mass-termination guard and runs the file again allowing it; loads the same bytes twice; and a file with bad rows,
all or nothing and with the valid rows accepted. (Through the worker's own process: test_roster_worker.py.)"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import stat
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tasks_db.models import DBTaskResult

from calaim.core.clock import plan_today
from calaim.core.models import AuditEvent, PhiRead
from calaim.jobs.worker import CalaimWorker
from calaim.members.models import EnrollmentSpan, Member
from calaim.roster.models import LoadStatus, RosterLoad
from calaim.roster.tasks import PROGRESS_FILE
from tests.web import test_roster as roster_pages

# The pages' fixtures: the network with each plan's data analyst and a data folder of the test's own.
network = roster_pages.network
data_dir = roster_pages.data_dir

pytestmark = pytest.mark.django_db
COLUMNS = ("member_id", "first_name", "last_name", "birth_date", "county", "plan_code", "enrollment_start", "phone",
           "other_programs", "delegated_to")  # fmt: skip
CINS = [f"{92000000 + n:08d}A" for n in range(30)]


def person(cin: str, **values: str) -> dict[str, str]:
    """A member of HPSJ as the plan's extract lists them."""
    return {
        "member_id": cin,
        "first_name": "Rosa",
        "last_name": f"Vega{cin[4:8]}",
        "birth_date": "1975-03-09",
        "county": "San Joaquin",
        "plan_code": "HPSJ",
        "enrollment_start": "2024-01-01",
        "phone": "+12095550123",
        "other_programs": "",
        "delegated_to": "",
        **values,
    }


def roster_csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def upload(client: Any, content: bytes, capture: Any, name: str = "roster.csv", **form: Any) -> RosterLoad:
    """Upload a roster through the page; answers the load it recorded (its preview task queued on commit)."""
    body = {"file": SimpleUploadedFile(name, content), "as_of": plan_today().isoformat(), **form}
    with capture(execute=True):
        response = client.post("/data/roster/", body)
    assert response.status_code == 302, response.content.decode()[:2000]
    load = RosterLoad.objects.get(pk=response["Location"].split("/")[-2])
    assert load.status == LoadStatus.UPLOADED
    return load


def work() -> int:
    """Run every queued task with the worker's own code (claim, run, record), as `manage.py calaim_worker` does."""
    worker = CalaimWorker(
        queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
        max_tasks=None, worker_id="test-worker", excluded_queue_names=[],
    )  # fmt: skip
    ran = 0
    while worker.step():
        ran += 1
    assert not DBTaskResult.objects.exclude(status="SUCCESSFUL").exists()
    return ran


def apply(client: Any, load: RosterLoad, capture: Any) -> str:
    with capture(execute=True):
        response = client.post(f"/data/roster/{load.pk}/apply/", follow=True)
    return response.content.decode()


def body(client: Any, load: RosterLoad) -> str:
    response = client.get(f"/data/roster/{load.pk}/status/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def enrolled(web: Any, django_capture_on_commit_callbacks: Any) -> list[dict[str, str]]:
    """The plan's first roster, 25 members, loaded through the pages."""
    rows = [person(cin) for cin in CINS[:25]]
    client = web("data")
    load = upload(client, roster_csv(rows), django_capture_on_commit_callbacks, name="first.csv")
    work()
    apply(client, load, django_capture_on_commit_callbacks)
    work()
    load.refresh_from_db()
    assert load.status == LoadStatus.APPLIED, load.message
    DBTaskResult.objects.all().delete()
    return rows


def test_the_analyst_uploads_reads_the_preview_and_applies_it(
    web, network, enrolled, django_capture_on_commit_callbacks
):
    client, capture = web("data"), django_capture_on_commit_callbacks
    rows = [dict(row) for row in enrolled[1:]]  # the first member is absent: termed (1 of 25, under the guard)
    rows[0]["phone"] = "+12095550999"
    rows[1]["other_programs"] = "HOSPICE"
    rows[2]["delegated_to"] = "KAISER"
    rows.append(person(CINS[25], first_name="Nuevo"))
    load = upload(client, roster_csv(rows), capture, name="december.csv")

    waiting = body(client, load)
    assert 'hx-trigger="every 2s"' in waiting and "Waiting for the background worker" in waiting
    assert work() == 1
    load.refresh_from_db()
    assert load.status == LoadStatus.PREVIEWED, load.message
    progress = json.loads((Path(load.stored_path).parent / PROGRESS_FILE).read_text())
    assert progress["total"] > 0 and progress["done"] == progress["total"]

    PhiRead.objects.all().delete()
    preview = body(client, load)
    assert "hx-trigger" not in preview and "What this roster would change" in preview
    for text, number in (("New members", 1), ("Members updated", 3), ("Members termed (absent from the file)", 1)):
        assert f'<th scope="row">{text}</th><td>{number}</td>' in preview
    assert "→ <strong>+12095550999</strong>" in preview and "HOSPICE</strong>" in preview
    assert "KAISER" in preview and "Nuevo" in preview
    shown = {Member.objects.get(cin=row["member_id"]).pk for row in (enrolled[0], *rows[:3])}
    assert {read.member_id for read in PhiRead.objects.all()} == shown  # the existing members shown, logged
    assert Member.objects.get(cin=rows[0]["member_id"]).phone == "+12095550123"  # nothing applied yet

    confirmed = apply(client, load, capture)
    assert "Apply confirmed by Dana Okafor" in confirmed and "Apply this roster" not in confirmed
    assert work() == 1
    load.refresh_from_db()
    assert load.status == LoadStatus.APPLIED and load.confirmed_by == network.users["data"]
    done = client.get(f"/data/roster/{load.pk}/").content.decode()
    assert "What this roster changed" in done and "confirmed by Dana Okafor" in done
    assert Member.objects.get(cin=rows[0]["member_id"]).phone == "+12095550999"
    assert Member.objects.get(cin=CINS[25]).first_name == "Nuevo"
    gone = EnrollmentSpan.objects.get(member__cin=enrolled[0]["member_id"])
    assert gone.end_date is not None and gone.end_date < plan_today()
    history = client.get("/data/roster/").content.decode()
    assert history.index("december.csv") < history.index("first.csv") and "1 new, 3 updated, 1 termed" in history


def test_a_cancelled_load_changes_nothing_and_cannot_be_applied(web, network, django_capture_on_commit_callbacks):
    client, capture = web("data"), django_capture_on_commit_callbacks
    load = upload(client, roster_csv([person(cin) for cin in CINS[:3]]), capture)
    work()
    assert "Cancel</button>" in body(client, load)
    with capture(execute=True):
        response = client.post(f"/data/roster/{load.pk}/cancel/", follow=True)
    assert "The load is cancelled: nothing was changed" in response.content.decode()
    load.refresh_from_db()
    assert load.status == LoadStatus.CANCELLED and not Path(load.stored_path).parent.exists()
    assert "cannot be applied now: it is cancelled" in apply(client, load, capture)
    assert not Member.objects.exists() and not DBTaskResult.objects.filter(status="READY").exists()
    assert AuditEvent.objects.filter(action="roster_load.cancel", actor=network.users["data"]).exists()


def test_a_truncated_file_is_refused_then_run_again_allowing_mass_termination(
    web, network, enrolled, django_capture_on_commit_callbacks
):
    client, capture = web("data"), django_capture_on_commit_callbacks
    load = upload(client, roster_csv(enrolled[:10]), capture, name="truncated.csv")
    work()
    load.refresh_from_db()
    assert load.status == LoadStatus.REFUSED
    refused = body(client, load)
    assert "This file would term <strong>15</strong> of the plan's <strong>25</strong> enrolled members" in refused
    assert "Apply this roster" not in refused

    assert client.post(f"/data/roster/{load.pk}/rerun/", {}).status_code == 400
    with capture(execute=True):
        response = client.post(f"/data/roster/{load.pk}/rerun/", {"confirm": "on"})
    again = RosterLoad.objects.get(pk=response["Location"].split("/")[-2])
    assert again.pk != load.pk and again.allow_mass_term and again.file_sha256 == load.file_sha256
    work()
    again.refresh_from_db()
    assert again.status == LoadStatus.PREVIEWED and "Apply this roster" in body(client, again)
    apply(client, again, capture)
    work()
    again.refresh_from_db()
    assert again.status == LoadStatus.APPLIED and again.counts["termed"] == 15
    assert EnrollmentSpan.objects.filter(end_date__isnull=True).count() == 10


def test_the_same_file_again_is_a_duplicate_saying_when_and_by_whom(web, network, django_capture_on_commit_callbacks):
    client, capture = web("data"), django_capture_on_commit_callbacks
    content = roster_csv([person(cin) for cin in CINS[:3]])
    first = upload(client, content, capture)
    work()
    apply(client, first, capture)
    work()
    again = upload(client, content, capture, name="same-again.csv")
    work()
    again.refresh_from_db()
    assert again.status == LoadStatus.DUPLICATE and again.duplicate_of == first
    html = body(client, again)
    assert "by <strong>hpsj.data</strong>" in html and f'href="/data/roster/{first.pk}/">see that load' in html
    assert "Apply this roster" not in html


def test_bad_rows_reject_the_file_unless_the_valid_rows_are_accepted(web, network, django_capture_on_commit_callbacks):
    client, capture = web("data"), django_capture_on_commit_callbacks
    rows = [person(cin) for cin in CINS[:4]]
    rows[1]["birth_date"] = "1975-13-40"
    rows[2]["member_id"] = "1234"
    load = upload(client, roster_csv(rows), capture, name="bad.csv")
    work()
    load.refresh_from_db()
    assert load.status == LoadStatus.REJECTED and load.error_count == 2
    html = body(client, load)
    assert "<td>2</td><td>birth_date</td><td>1975-13-40</td>" in html and "<td>3</td><td>member_id</td>" in html
    assert "Download every rejected row (CSV)" in html and "Apply this roster" not in html
    rejects = client.get(f"/data/roster/{load.pk}/rejects.csv")
    lines = list(csv.reader(io.StringIO(b"".join(rejects.streaming_content).decode())))
    assert lines[0] == ["row", "column", "value", "message"] and [line[:2] for line in lines[1:]] == [
        ["2", "birth_date"],
        ["3", "member_id"],
    ]
    assert not Member.objects.exists()

    accepted = upload(client, roster_csv(rows), capture, name="bad.csv", accept_valid_rows="on")
    work()
    accepted.refresh_from_db()
    assert accepted.status == LoadStatus.PREVIEWED and accepted.counts["rejected"] == 2
    apply(client, accepted, capture)
    work()
    assert sorted(Member.objects.values_list("cin", flat=True)) == [CINS[0], CINS[3]]


def test_an_upload_streams_into_a_private_file_with_its_hash(web, network, data_dir, monkeypatch, settings):
    def no_copy(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the upload was copied from a temporary file instead of streamed")

    monkeypatch.setattr("calaim.roster.uploads.upload_store", no_copy)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10  # Django's own handlers would spool this to a temporary file
    content = roster_csv([person(cin) for cin in CINS[:3]])
    response = web("data").post(
        "/data/roster/", {"file": SimpleUploadedFile("../../My Roster (Dec).CSV", content), "as_of": "2026-12-01"}
    )
    assert response.status_code == 302
    load = RosterLoad.objects.get()
    kept = Path(load.stored_path)
    assert kept.parent.parent == data_dir / "roster" and kept.name == "My_Roster_Dec.csv"
    assert load.file_name == "My Roster (Dec).CSV" and load.file_size == len(content)
    assert load.file_sha256 == hashlib.sha256(content).hexdigest() and kept.read_bytes() == content
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600 and stat.S_IMODE(kept.parent.stat().st_mode) == 0o700
    assert [p.name for p in kept.parent.iterdir()] == [kept.name]  # no part file left behind
