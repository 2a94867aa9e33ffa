"""The whole roster load through the API, with the real services and the worker's own code running the queued
tasks: upload (202, previewed in the background), read the preview, apply (202), and the other outcomes: refused
then run again with allow_mass_term, cancelled, rejected with its rejects CSV, and a duplicate."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from calaim.core.clock import plan_today
from calaim.core.models import PhiRead
from calaim.members.models import EnrollmentSpan, Member
from tests.web import test_roster as roster_pages
from tests.web.test_roster_flow import CINS, person, roster_csv, work

pytestmark = pytest.mark.django_db
network = roster_pages.network  # the shared network with each plan's data analyst
data_dir = roster_pages.data_dir  # a data folder of the test's own


def upload(api: Any, capture: Any, content: bytes, name: str = "roster.csv", **form: Any) -> dict[str, Any]:
    caller = api("data")
    body = {"file": SimpleUploadedFile(name, content), "as_of": plan_today().isoformat(), **form}
    with capture(execute=True):
        response = caller.client.post("/api/roster-loads", body, headers=caller.headers)
    assert response.status_code == 202, response.content
    return response.json()


def settled(api: Any, load_id: str) -> dict[str, Any]:
    """Run what the upload or the apply queued, then read the load."""
    work()
    response = api("data").get(f"/roster-loads/{load_id}")
    assert response.status_code == 200
    return response.json()


def apply(api: Any, capture: Any, load_id: str, **body: Any) -> dict[str, Any]:
    with capture(execute=True):
        response = api("data").post(f"/roster-loads/{load_id}/apply", body or None)
    assert response.status_code == 202, response.content
    return response.json()


def test_upload_preview_and_apply_through_the_api(api, network, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    rows = [person(cin) for cin in CINS[:21]]
    load = upload(api, capture, roster_csv(rows), name="roster-2026-12.csv")
    assert load["status"] == "uploaded" and load["file_name"] == "roster-2026-12.csv" and load["file_size"] > 0
    assert load["loaded_by"] == "hpsj.data" and load["plan"] == "HPSJ" and not load["accept_valid_rows"]

    preview = settled(api, load["id"])
    assert preview["status"] == "previewed" and preview["counts"]["created"] == 21
    assert preview["samples"]["created"][0]["cin"] in CINS and preview["errors"] == []
    assert not Member.objects.exists()

    confirmed = apply(api, capture, load["id"])
    assert confirmed["apply_confirmed_by"] == "hpsj.data"
    applied = settled(api, load["id"])
    assert applied["status"] == "applied" and applied["finished_at"] and Member.objects.count() == 21

    # A month later: one member moved to hospice, one left the plan.
    rows[0]["other_programs"] = "HOSPICE"
    later = settled(api, upload(api, capture, roster_csv(rows[:-1]))["id"])
    assert (later["counts"]["excluded"], later["counts"]["termed"]) == (1, 1)
    assert [row["cin"] for row in later["samples"]["termed"]] == [CINS[20]]
    assert PhiRead.objects.filter(member__cin=CINS[20], view="api:get_roster_load").exists()
    listed = api("data").get("/roster-loads").json()
    assert listed["count"] == 2 and listed["items"][0]["id"] == later["id"]


def test_refused_then_applied_allowing_mass_termination(api, network, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    rows = [person(cin) for cin in CINS[:10]]
    first = settled(api, upload(api, capture, roster_csv(rows))["id"])
    assert settled(api, apply(api, capture, first["id"])["id"])["status"] == "applied"
    refused = settled(api, upload(api, capture, roster_csv(rows[:5]), name="half.csv")["id"])
    assert refused["status"] == "refused" and refused["counts"]["termed_by_absence"] == 5
    assert "limit of 5%" in refused["message"]

    no = api("data").post(f"/roster-loads/{refused['id']}/apply")
    assert no.status_code == 409 and "mass-termination guard refused" in no.json()["detail"][0]["msg"]
    again = apply(api, capture, refused["id"], allow_mass_term=True)
    assert again["id"] != refused["id"] and again["allow_mass_term"] and again["status"] == "uploaded"
    assert again["file_sha256"] == refused["file_sha256"]
    assert settled(api, again["id"])["status"] == "previewed"
    assert settled(api, apply(api, capture, again["id"])["id"])["status"] == "applied"
    assert EnrollmentSpan.objects.filter(end_date__isnull=True).count() == 5


def test_cancel_a_duplicate_and_rejected_rows_through_the_api(api, network, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    content = roster_csv([person(cin) for cin in CINS[:3]])
    first = settled(api, upload(api, capture, content)["id"])
    with capture(execute=True):
        cancelled = api("data").post(f"/roster-loads/{first['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert api("data").post(f"/roster-loads/{first['id']}/cancel").status_code == 409

    applied = settled(api, apply(api, capture, settled(api, upload(api, capture, content)["id"])["id"])["id"])
    duplicate = settled(api, upload(api, capture, content, name="again.csv")["id"])
    assert duplicate["status"] == "duplicate"
    assert duplicate["duplicate_of"]["id"] == applied["id"] and duplicate["duplicate_of"]["loaded_by"] == "hpsj.data"

    bad = [person(CINS[5]), person(CINS[6], county="Atlantis")]
    rejected = settled(api, upload(api, capture, roster_csv(bad), name="bad.csv")["id"])
    assert rejected["status"] == "rejected" and rejected["error_count"] == 1
    [error] = rejected["errors"]
    assert (error["row"], error["column"], error["value"]) == (2, "county", "Atlantis")
    csv_file = api("data").get(f"/roster-loads/{rejected['id']}/rejects")
    lines = list(csv.reader(io.StringIO(b"".join(csv_file.streaming_content).decode())))
    assert lines[0] == ["row", "column", "value", "message"] and lines[1][:3] == ["2", "county", "Atlantis"]
    assert rejected["rejects_url"] == f"/api/roster-loads/{rejected['id']}/rejects"
