"""Identification runs through the API: a multipart upload (or names in the plan's server folder) starts a run (202),
the run answers its status, summary and counts, its candidates page per POF, its files download, its candidates load
as referrals (202) once; errors name the field; nobody but the plan's analysts finds any of it (404)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from calaim.analytics.models import IdentificationLoad, IdentificationRun
from calaim.core.models import PhiRead
from calaim.referrals.models import Referral
from calaim.workflows.identification_run import identification_load_task, identification_run_task
from tests.analytics import identification_data as data
from tests.analytics.identification_data import TODAY, UNKNOWN_CIN

pytestmark = pytest.mark.django_db
# The identification fixtures (tests/analytics/identification_data.py), for this module's tests.
analysts, data_dirs, plan_files = data.analysts, data.data_dirs, data.plan_files
RUNS = "/api/identification-runs"


def post_files(api: Any, name: str, members: Path | None, claims: Path | None, **fields: str) -> Any:
    caller = api(name)
    body: dict[str, Any] = dict(fields)
    handles = []
    for field, path in (("members", members), ("claims", claims)):
        if path is not None:
            handles.append(path.open("rb"))
            body[field] = handles[-1]
    try:
        return caller.client.post(RUNS, body, headers=caller.headers)
    finally:
        for handle in handles:
            handle.close()


def completed(api: Any, plan_files: Any) -> dict[str, Any]:
    response = post_files(api, "analyst", plan_files.members, plan_files.claims)
    assert response.status_code == 202, response.content
    identification_run_task.call(response.json()["id"])
    return api("analyst").get(f"/identification-runs/{response.json()['id']}").json()


def test_a_run_through_the_api_from_upload_to_referrals(api, plan_files):
    response = post_files(api, "analyst", plan_files.members, plan_files.claims, as_of=TODAY.isoformat())
    assert response.status_code == 202
    queued = response.json()
    assert queued["status"] == "queued" and queued["summary"] is None and queued["rule_version"] == "2026.1"
    assert queued["members"] == {"name": "members.csv", "origin": "upload", "size": plan_files.members.stat().st_size,
                                 "sha256": IdentificationRun.objects.get().members_sha256}  # fmt: skip
    identification_run_task.call(queued["id"])

    run = api("analyst").get(f"/identification-runs/{queued['id']}").json()
    assert run["status"] == "completed" and run["candidates_count"] == 4 and run["candidates_other_plan"] == 1
    assert run["summary"]["title"] == "ECM identification (duckdb, rules 2026.1)"
    assert {"measure": "candidates A2", "value": "4"} in run["summary"]["table"]
    assert run["summary"]["warnings"] == [
        "file claims.csv, row 28, column member_id: not in the members file; claim skipped"
    ]
    assert run["error"] is None and run["loads"] == []
    listed = api("analyst").get("/identification-runs").json()
    assert [(r["id"], r["status"], r["exclusions_count"]) for r in listed["items"]] == [(run["id"], "completed", 1)]

    a2 = api("analyst").get(f"/identification-runs/{run['id']}/candidates", pof="A2", limit=2).json()
    assert a2["count"] == 3 and [c["cin"] for c in a2["items"]] == sorted(
        [plan_files.frequent.cin, plan_files.delegated.cin]
    )
    frequent = a2["items"][0]
    assert frequent["member_id"] == str(plan_files.frequent.pk) and frequent["member_name"] == "Ed Visitor"
    assert frequent["evidence_count"] == 6 and frequent["evidence_claim_ids"][0] == "F5"
    unknown = api("analyst").get(f"/identification-runs/{run['id']}/candidates", pof="A2", offset=2).json()["items"]
    assert unknown[0]["cin"] == UNKNOWN_CIN and unknown[0]["member_id"] is None

    csv = api("analyst").get(f"/identification-runs/{run['id']}/files/exclusions")
    assert csv.status_code == 200 and csv["Content-Type"] == "text/csv"
    assert b"".join(csv.streaming_content) == f"member_id,reason\n{plan_files.hospice.cin},HOSPICE\n".encode()

    load = api("analyst").post(f"/identification-runs/{run['id']}/load-referrals")
    assert load.status_code == 202 and load.json()["status"] == "queued"
    assert api("analyst").post(f"/identification-runs/{run['id']}/load-referrals").status_code == 409
    identification_load_task.call(load.json()["id"])
    done = api("analyst").get(f"/identification-runs/{run['id']}/loads/{load.json()['id']}").json()
    assert (
        done["status"] == "completed"
        and done["referrals_created"] == 2
        and done["skipped"]
        == {
            "delegated (ECM provided by the delegate)": 1,
            "member of another plan": 1,
            "no such member in calaim": 1,
        }
    )
    again = api("analyst").post(f"/identification-runs/{run['id']}/load-referrals").json()
    identification_load_task.call(again["id"])
    assert api("analyst").get(f"/identification-runs/{run['id']}").json()["loads"][0]["referrals_created"] == 0
    assert Referral.objects.filter(source_type="plan_identification").count() == 2


def test_the_candidates_read_through_the_api_are_on_the_phi_log(api, plan_files):
    run = completed(api, plan_files)
    PhiRead.objects.all().delete()
    api("analyst").get(f"/identification-runs/{run['id']}/candidates", pof="A1")
    assert list(PhiRead.objects.values_list("member_id", "view")) == [
        (plan_files.homeless.pk, "api:list_identification_candidates")
    ]


def test_server_files_by_name_and_errors_that_name_the_field(api, plan_files):
    inbox = Path(settings.CALAIM_SERVER_FILES_DIR) / "HPSJ"
    inbox.mkdir(parents=True)
    (inbox / "members.csv").write_bytes(plan_files.members.read_bytes())
    (inbox / "claims.parquet").write_bytes(b"not parquet")
    assert api("analyst").get("/identification-server-files").json() == [
        {"name": "claims.parquet"},
        {"name": "members.csv"},
    ]
    missing = post_files(api, "analyst", None, None, members_server_file="members.csv")
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"] == ["body", "claims"]
    traversal = post_files(api, "analyst", None, None, members_server_file="members.csv",
                           claims_server_file="../HPSM/claims.csv")  # fmt: skip
    assert traversal.status_code == 422 and traversal.json()["detail"][0]["loc"] == ["body", "claims_server_file"]
    both = post_files(api, "analyst", plan_files.members, plan_files.claims, members_server_file="members.csv")
    assert both.status_code == 422 and "not both" in both.json()["detail"][0]["msg"]
    assert IdentificationRun.objects.count() == 0

    started = post_files(api, "analyst", None, None, members_server_file="members.csv",
                         claims_server_file="claims.parquet")  # fmt: skip
    assert started.status_code == 202
    identification_run_task.call(started.json()["id"])
    failed = api("analyst").get(f"/identification-runs/{started.json()['id']}").json()
    assert failed["status"] == "failed" and failed["error"]["input"] == "claims"
    assert failed["error"]["file"] == "claims.parquet" and "cannot be read as parquet" in failed["error"]["problem"]
    assert api("analyst").post(f"/identification-runs/{failed['id']}/load-referrals").status_code == 409
    assert api("analyst").get(f"/identification-runs/{failed['id']}/files/candidates").status_code == 404


@pytest.mark.parametrize("name", ["intake", "um", "member_services", "cm_a", "referrer", "hpsm_analyst"])
def test_nobody_else_finds_a_run_or_starts_one(api, plan_files, name):
    run = completed(api, plan_files)
    caller = api(name)
    for path in (f"/identification-runs/{run['id']}", f"/identification-runs/{run['id']}/candidates",
                 f"/identification-runs/{run['id']}/files/candidates"):  # fmt: skip
        response = caller.get(path)
        assert response.status_code == 404 and response.json()["detail"][0]["type"] == "not_found", path
    assert caller.post(f"/identification-runs/{run['id']}/load-referrals").status_code == 404
    if name == "hpsm_analyst":
        assert caller.get("/identification-runs").json()["items"] == []
    else:
        assert caller.get("/identification-runs").status_code == 404
        assert caller.get("/identification-server-files").status_code == 404
        assert post_files(api, name, plan_files.members, plan_files.claims).status_code == 404
    assert IdentificationRun.objects.count() == 1 and IdentificationLoad.objects.count() == 0
    assert not any((Path(settings.CALAIM_DATA_DIR) / "identification" / "incoming").rglob("*"))
    assert api(None).get("/identification-runs").status_code == 401
