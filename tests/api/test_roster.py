"""The roster loads' API: who may list, read, upload, apply and cancel (the plan's data analysts; compliance reads;
anyone else 403 on the list and upload and 404 on a load, changing nothing), the documented error shape for
refused uploads, the rejects CSV, the PHI read of a load's samples, and the OpenAPI description of the upload.

Loads are made as rows in each state here; the whole path through the services and the worker is in
test_roster_flow.py."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tasks_db.models import DBTaskResult

from calaim.core.clock import plan_today
from calaim.core.models import AuditEvent, PhiRead
from calaim.roster.models import LoadStatus, RosterLoad
from tests.factories import MemberFactory
from tests.web import test_roster as roster_pages
from tests.web.test_roster import kept, make_load, previewed

# The pages' fixtures: the shared network with each plan's data analyst and HPSJ's compliance officer, and a data
# folder of the test's own.
network = roster_pages.network
data_dir = roster_pages.data_dir

pytestmark = pytest.mark.django_db
OTHER_ROLES = ("intake", "um", "member_services", "cm_a", "sup_a", "referrer")


def upload(api: Any, role: str, name: str = "roster.csv", content: bytes = b"member_id\n", **form: Any) -> Any:
    """A multipart upload through the API with the role's bearer token."""
    caller = api(role)
    body = {"file": SimpleUploadedFile(name, content), "as_of": plan_today().isoformat(), **form}
    return caller.client.post("/api/roster-loads", body, headers=caller.headers)


def test_the_plans_analyst_and_compliance_list_the_plans_loads_only(api, network):
    mine = previewed(network)
    make_load(network, LoadStatus.APPLIED, plan="HPSM")
    for role in ("data", "compliance"):
        body = api(role).get("/roster-loads").json()
        assert body["count"] == 1 and [item["id"] for item in body["items"]] == [str(mine.pk)]
    [item] = api("data").get("/roster-loads").json()["items"]
    assert item["status"] == "previewed" and item["status_label"] == "Preview ready: confirm to apply"
    assert item["plan"] == "HPSJ" and item["loaded_by"] == "hpsj.data" and item["counts"]["termed"] == 1
    assert item["progress"] == {"phase": "", "done": 0, "total": 0, "percent": None}
    assert item["apply_confirmed_by"] is None and item["rejects_url"] is None and "samples" not in item
    assert [i["plan"] for i in api("hpsm_data").get("/roster-loads").json()["items"]] == ["HPSM"]


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_every_other_role_is_refused_and_changes_nothing(api, network, data_dir, role):
    load = previewed(network)
    response = api(role).get("/roster-loads")
    assert response.status_code == 403
    assert response.json()["detail"][0]["type"] == "forbidden"
    assert upload(api, role).status_code == 403
    for path in ("", "/rejects"):
        assert api(role).get(f"/roster-loads/{load.pk}{path}").status_code == 404
    for action in ("apply", "cancel"):
        assert api(role).post(f"/roster-loads/{load.pk}/{action}", {"allow_mass_term": True}).status_code == 404
    load.refresh_from_db()
    assert (load.status, load.confirmed_by) == (LoadStatus.PREVIEWED, None) and RosterLoad.objects.count() == 1
    assert not DBTaskResult.objects.exists() and not [p for p in data_dir.rglob("*") if p.is_file()]


def test_another_plans_analyst_finds_no_load(api, network):
    load = previewed(network)
    caller = api("hpsm_data")
    assert caller.get(f"/roster-loads/{load.pk}").status_code == 404
    assert caller.post(f"/roster-loads/{load.pk}/apply").status_code == 404
    assert caller.post(f"/roster-loads/{load.pk}/cancel").status_code == 404
    load.refresh_from_db()
    assert load.confirmed_by is None and not DBTaskResult.objects.exists()


def test_one_load_has_its_samples_and_errors_and_reading_it_is_a_phi_read(api, network):
    members = [MemberFactory() for _ in range(4)]
    load = previewed(network, *members, errors=[{"row": 7, "column": "county", "value": "Atlantis", "message": "?"}])
    PhiRead.objects.all().delete()
    body = api("data").get(f"/roster-loads/{load.pk}").json()
    assert body["samples"]["termed"] == [
        {"cin": members[1].cin, "name": f"{members[1].last_name}, {members[1].first_name}",
         "changes": {"enrollment_end": [None, "2026-11-30"]}}
    ]  # fmt: skip
    assert body["errors"] == [{"row": 7, "column": "county", "value": "Atlantis", "message": "?"}]
    assert {read.member_id for read in PhiRead.objects.all()} == {m.pk for m in members}
    assert {read.view for read in PhiRead.objects.all()} == {"api:get_roster_load"}


def test_apply_is_accepted_once_and_enqueues_the_apply_task(api, network, django_capture_on_commit_callbacks):
    load = previewed(network)
    with django_capture_on_commit_callbacks(execute=True):
        response = api("data").post(f"/roster-loads/{load.pk}/apply")
    assert response.status_code == 202
    assert response.json()["apply_confirmed_by"] == "hpsj.data" and response.json()["status"] == "previewed"
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "calaim.roster.tasks.roster_apply_task"
    assert AuditEvent.objects.filter(action="roster_load.confirm", actor=network.users["data"]).count() == 1
    again = api("data").post(f"/roster-loads/{load.pk}/apply")
    assert again.status_code == 409 and again.json()["detail"][0]["msg"] == "This roster is already being applied."
    assert api("compliance").post(f"/roster-loads/{load.pk}/apply").status_code == 403
    assert DBTaskResult.objects.count() == 1


def test_a_refused_load_is_not_applied_without_allowing_mass_termination(api, network):
    load = make_load(network, LoadStatus.REFUSED, counts={"termed": 300, "enrolled_before": 1000})
    response = api("data").post(f"/roster-loads/{load.pk}/apply", {"allow_mass_term": False})
    assert response.status_code == 409
    assert response.json()["detail"][0]["msg"].startswith("The mass-termination guard refused this file")
    assert not DBTaskResult.objects.exists() and RosterLoad.objects.count() == 1


def test_the_rejects_file_is_csv_for_whoever_sees_the_load(api, network):
    rejects = kept("roster-rejects.csv", b"row,column,value,message\n2,cin,123,not a CIN\n")
    load = make_load(network, LoadStatus.REJECTED, rejects_path=str(rejects), error_count=1)
    assert api("data").get(f"/roster-loads/{load.pk}").json()["rejects_url"] == f"/api/roster-loads/{load.pk}/rejects"
    for role in ("data", "compliance"):
        response = api(role).get(f"/roster-loads/{load.pk}/rejects")
        assert response.status_code == 200 and response["Content-Type"] == "text/csv"
        assert b"".join(response.streaming_content) == b"row,column,value,message\n2,cin,123,not a CIN\n"
    missing = api("data").get(f"/roster-loads/{previewed(network).pk}/rejects")
    assert missing.status_code == 404 and missing.json()["detail"][0]["type"] == "not_found"


def test_refused_uploads_answer_the_documented_error_and_keep_nothing(api, network, settings, data_dir):
    wrong = upload(api, "data", name="members.docx")
    assert wrong.status_code == 422
    [error] = wrong.json()["detail"]
    assert error["loc"] == ["body", "file"] and error["msg"].startswith("members.docx: calaim cannot read")
    settings.CALAIM_UPLOAD_MAX_MB = 1
    big = upload(api, "data", content=b"x" * (1024 * 1024 + 1))
    assert big.status_code == 413 and big.json()["detail"][0]["type"] == "request_too_large"
    assert "larger than 1 MB" in big.json()["detail"][0]["msg"]
    no_date = upload(api, "data", as_of="")
    assert no_date.status_code == 422 and no_date.json()["detail"][0]["loc"] == ["body", "as_of"]
    bad_date = upload(api, "data", as_of="12/01/2026")
    assert bad_date.status_code == 422 and "give it as YYYY-MM-DD" in bad_date.json()["detail"][0]["msg"]
    bad_flag = upload(api, "data", accept_valid_rows="maybe")
    assert bad_flag.status_code == 422 and bad_flag.json()["detail"][0]["loc"] == ["body", "accept_valid_rows"]
    caller = api("data")
    no_file = caller.client.post("/api/roster-loads", {"as_of": "2026-12-01"}, headers=caller.headers)
    assert no_file.status_code == 422 and no_file.json()["detail"][0]["msg"] == "Choose the roster file to upload."
    assert not RosterLoad.objects.exists() and not [p for p in data_dir.rglob("*") if p.is_file()]


def test_a_browser_session_without_the_second_factor_cannot_upload(network, data_dir):
    client = Client()
    client.force_login(network.users["data"])
    response = client.post("/api/roster-loads", {"file": SimpleUploadedFile("r.csv", b"x"), "as_of": "2026-12-01"})
    assert response.status_code == 401 and not RosterLoad.objects.exists()


def test_the_openapi_document_describes_the_multipart_upload_and_every_status(client):
    document = client.get("/api/openapi.json").json()
    post = document["paths"]["/api/roster-loads"]["post"]
    schema = post["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert schema["required"] == ["file", "as_of"] and schema["properties"]["file"]["format"] == "binary"
    assert set(post["responses"]) == {"202", "400", "401", "403", "404", "409", "413", "422"}
    rejects = document["paths"]["/api/roster-loads/{load_id}/rejects"]["get"]["responses"]["200"]
    assert list(rejects["content"]) == ["text/csv"]
