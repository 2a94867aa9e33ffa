"""The provider files' API: upload an RTF or OTF (multipart; run as a task), list the loads with filters and paging,
read one with its rejected rows, download them as CSV; make a MIF, RTF or OTF, list the files made, download one.
Every call is tried by anonymous, a role without access, another plan's and another provider's staff, and the
allowed; a refusal answers 401, 403 or 404, keeps no file and changes no row."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tasks_db.models import DBTaskResult

from calaim.careplans.models import OutreachAttempt
from calaim.core.clock import plan_today
from calaim.core.models import AuditEvent, PhiRead
from calaim.exchange.models import ExchangeExport, ExchangeLoad, LoadStatus
from tests.exchange.conftest import ALPHA_NPI, BRAVO_NPI, MATEO_NPI, rtf_file, rtf_row
from tests.exchange_web import test_exchange_views as views
from tests.factories import EnrollmentFactory, MemberFactory

network = views.network
data_dir = views.data_dir
make_load, rejected, kept_files, work = views.make_load, views.rejected, views.kept_files, views.work
PERIOD = views.PERIOD

pytestmark = pytest.mark.django_db


def upload(api: Any, who: str | None, *, name: str = "rtf.csv", content: bytes = b"x\n", capture: Any = None,
           **form: Any) -> Any:  # fmt: skip
    """POST /api/exchange-loads as multipart, as `who` (None: anonymous)."""
    client = api(who)
    body = {"file": SimpleUploadedFile(name, content), "kind": "rtf", **form}
    if capture is None:
        return client.client.post("/api/exchange-loads", body, headers=client.headers)
    with capture(execute=True):
        return client.client.post("/api/exchange-loads", body, headers=client.headers)


def names(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["file_name"] for item in response.json()["items"]]


def nothing_changed(data_dir: Path, loads: int = 0) -> None:
    assert ExchangeLoad.objects.count() == loads and not DBTaskResult.objects.exists()
    assert not AuditEvent.objects.exists() and kept_files(data_dir) == []


# Upload -----------------------------------------------------------------------------------------------------------


def test_the_plans_analyst_uploads_for_a_provider_named_by_npi(
    api, network, data_dir, django_capture_on_commit_callbacks
):
    response = upload(api, "data", provider=ALPHA_NPI, plan="hpsj", accept_valid_rows="true",
                      capture=django_capture_on_commit_callbacks)  # fmt: skip
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "uploaded" and body["plan"] == "HPSJ" and body["kind"] == "rtf"
    assert body["provider"] == {"id": str(network.provider_a.pk), "name": "Alpha Care Partners", "npi": ALPHA_NPI}
    assert body["accept_valid_rows"] is True and body["source"] == "api" and body["loaded_by"] == "hpsj.data"
    assert body["progress"]["phase"] == "Waiting for the worker" and body["rejects_url"] is None
    load = ExchangeLoad.objects.get()
    assert load.created_by == network.users["data"] and DBTaskResult.objects.count() == 1


def test_provider_staff_upload_their_own_file_to_each_of_their_plans(api, network, django_capture_on_commit_callbacks):
    for plan in ("HPSJ", "HPSM"):
        response = upload(api, "sup_a", plan=plan, capture=django_capture_on_commit_callbacks, name=f"{plan}.csv")
        assert response.status_code == 202, response.content
        assert response.json()["provider"]["npi"] == ALPHA_NPI and response.json()["plan"] == plan
    assert upload(api, "cm_a", plan="HPSJ", provider=ALPHA_NPI, name="own.csv").status_code == 202


@pytest.mark.parametrize(
    ("who", "form", "status", "field"),
    [
        (None, {"plan": "HPSJ"}, 401, None),
        ("referrer", {"plan": "HPSJ", "provider": ALPHA_NPI}, 403, None),
        # The plan's roles other than its data analysts see the loads but send none.
        ("compliance", {"plan": "HPSJ", "provider": ALPHA_NPI}, 403, None),
        ("um", {"plan": "HPSJ", "provider": ALPHA_NPI}, 403, None),
        ("intake", {"plan": "HPSJ", "provider": ALPHA_NPI}, 403, None),
        ("member_services", {"plan": "HPSJ", "provider": ALPHA_NPI}, 403, None),
        ("data", {"plan": "HPSM", "provider": MATEO_NPI}, 404, "plan"),  # another plan
        ("data", {"plan": "HPSJ", "provider": MATEO_NPI}, 404, "provider"),  # another plan's provider
        ("cm_b", {"plan": "HPSM"}, 404, "plan"),  # a plan the provider has no contract with
        ("cm_b", {"plan": "HPSJ", "provider": ALPHA_NPI}, 404, "provider"),  # another provider
        ("sup_a", {"plan": "HPSJ", "kind": "mif"}, 422, "kind"),
        ("sup_a", {"plan": "HPSJ", "accept_valid_rows": "maybe"}, 422, "accept_valid_rows"),
        ("sup_a", {"plan": "HPSJ\x00"}, 422, "plan"),
    ],
)
def test_an_upload_outside_the_callers_scope_is_refused_and_keeps_nothing(
    api, network, data_dir, who, form, status, field, django_capture_on_commit_callbacks
):
    response = upload(api, who, capture=django_capture_on_commit_callbacks, **form)
    assert response.status_code == status, response.content
    detail = response.json()["detail"]
    if field is not None:
        assert detail[0]["loc"] == ["body", field], detail
    nothing_changed(data_dir)


def test_an_upload_with_an_unknown_ending_is_a_422_on_the_file(api, network, data_dir):
    response = upload(api, "sup_a", name="rtf.json", plan="HPSJ")
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "file"]
    assert "rtf.json: calaim cannot read this kind of file" in response.json()["detail"][0]["msg"]
    nothing_changed(data_dir)


# List, read, rejects ----------------------------------------------------------------------------------------------


def test_the_list_filters_by_plan_provider_kind_period_status_and_errors(api, network, data_dir):
    make_load(network, file_name="alpha.csv")
    make_load(network, file_name="alpha-otf.csv", kind="otf", period="2026-10")
    make_load(network, provider=network.provider_b, file_name="bravo.csv")
    make_load(network, plan="HPSM", file_name="alpha-hpsm.csv")
    rejected(network, data_dir, "91234567A", file_name="alpha-bad.csv")
    intake = api("intake")
    assert set(names(intake.get("/exchange-loads"))) == {"alpha.csv", "alpha-otf.csv", "bravo.csv", "alpha-bad.csv"}
    assert names(intake.get("/exchange-loads", provider=BRAVO_NPI)) == ["bravo.csv"]
    assert names(intake.get("/exchange-loads", kind="otf")) == ["alpha-otf.csv"]
    assert names(intake.get("/exchange-loads", period="2026-10")) == ["alpha-otf.csv"]
    assert names(intake.get("/exchange-loads", status="rejected")) == ["alpha-bad.csv"]
    assert names(intake.get("/exchange-loads", with_errors="true")) == ["alpha-bad.csv"]
    assert intake.get("/exchange-loads", provider=MATEO_NPI).status_code == 404
    assert intake.get("/exchange-loads", plan="HPSM").status_code == 404
    assert intake.get("/exchange-loads", period="2026-13").status_code == 422
    assert intake.get("/exchange-loads", kind="mif").status_code == 422
    provider = api("sup_a")
    assert set(names(provider.get("/exchange-loads"))) == {"alpha.csv", "alpha-otf.csv", "alpha-hpsm.csv",
                                                           "alpha-bad.csv"}  # fmt: skip
    assert names(provider.get("/exchange-loads", plan="HPSM")) == ["alpha-hpsm.csv"]
    assert names(api("cm_b").get("/exchange-loads")) == ["bravo.csv"]
    assert api("referrer").get("/exchange-loads").status_code == 403
    assert api(None).get("/exchange-loads").status_code == 401


def test_the_list_pages_like_every_list(api, network):
    for n in range(5):
        make_load(network, file_name=f"f{n}.csv")
    page = api("data").get("/exchange-loads", limit=2, offset=2).json()
    assert len(page["items"]) == 2 and page["count"] == 5 and page["count_exact"] is True
    assert api("data").get("/exchange-loads", limit=201).status_code == 422


def test_one_load_reports_its_rejected_rows_and_its_rejects_file(api, network, data_dir):
    member = MemberFactory()
    load = rejected(network, data_dir, member.cin)
    body = api("sup_a").get(f"/exchange-loads/{load.pk}").json()
    assert body["status"] == "rejected" and body["error_count"] == 2 and body["counts"]["rejected"] == 2
    assert body["errors"][0] == {
        "row": 2,
        "column": "Member Client Index Number (CIN)",
        "value": member.cin,
        "message": f"member {member.cin} is not assigned to Alpha Care Partners under HPSJ",
    }
    assert body["rejects_url"] == f"/api/exchange-loads/{load.pk}/rejects"
    response = api("data").get(f"/exchange-loads/{load.pk}/rejects")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["row", "column", "value", "message"] and rows[1][2] == member.cin
    assert PhiRead.objects.filter(member=member, user=network.users["data"]).exists()
    assert api("data").get(f"/exchange-loads/{make_load(network).pk}/rejects").status_code == 404


@pytest.mark.parametrize("who", ["hpsm_data", "hpsm_intake", "cm_b", "sup_m", "referrer"])
def test_a_load_outside_the_callers_scope_is_not_found(api, network, data_dir, who):
    load = rejected(network, data_dir, "91234567A")
    for suffix in ("", "/rejects"):
        response = api(who).get(f"/exchange-loads/{load.pk}{suffix}")
        assert response.status_code == 404 and "91234567A" not in response.content.decode(), (who, suffix)


# Exports ----------------------------------------------------------------------------------------------------------


def test_a_provider_makes_each_plans_mif_and_downloads_it(api, network):
    enrollment = EnrollmentFactory(provider=network.provider_a, enrolled=True)
    client = api("sup_a")
    made = {}
    for plan in ("HPSJ", "HPSM"):
        response = client.post("/exchange-exports", {"kind": "mif", "plan": plan, "period": PERIOD})
        assert response.status_code == 201, response.content
        made[plan] = response.json()
        assert made[plan]["provider"]["npi"] == ALPHA_NPI and made[plan]["file_format"] == "csv"
    download = client.get(made["HPSJ"]["file_url"].removeprefix("/api"))
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    assert enrollment.member.cin in b"".join(download.streaming_content).decode()
    assert PhiRead.objects.filter(member=enrollment.member, user=network.users["sup_a"]).exists()
    listed = client.get("/exchange-exports", kind="mif").json()["items"]
    assert {item["plan"] for item in listed} == {"HPSJ", "HPSM"}
    assert [item["plan"] for item in client.get("/exchange-exports", plan="HPSM").json()["items"]] == ["HPSM"]
    assert client.get(f"/exchange-exports/{made['HPSM']['id']}").json()["period"] == PERIOD


def test_the_analyst_makes_a_providers_file_in_any_format_and_every_plan_role_downloads_it(api, network):
    enrollment = EnrollmentFactory(provider=network.provider_b, enrolled=True)
    response = api("data").post("/exchange-exports", {"kind": "rtf", "plan": "HPSJ", "provider": BRAVO_NPI,
                                                      "period": PERIOD, "format": "xlsx"})  # fmt: skip
    assert response.status_code == 201, response.content
    for who in ("compliance", "intake", "member_services", "um", "data"):
        download = api(who).get(f"/exchange-exports/{response.json()['id']}/file")
        assert download.status_code == 200 and "spreadsheetml" in download["Content-Type"], who
        assert b"".join(download.streaming_content)[:2] == b"PK"
        # A download is a PHI read: the members the file names are on the log.
        assert PhiRead.objects.filter(member=enrollment.member, user=network.users[who]).exists(), who


def test_service_lines_are_made_like_the_other_files(api, network):
    enrollment = EnrollmentFactory(provider=network.provider_a, enrolled=True)
    OutreachAttempt.objects.create(
        member=enrollment.member, enrollment=enrollment, organization=network.provider_a, attempted_on=plan_today(),
        method="phone", reached=True, minutes_spent=20, performed_by=network.users["cm_a"],
    )  # fmt: skip
    body = {"kind": "service_lines", "period": PERIOD}
    by_analyst = api("data").post("/exchange-exports", {**body, "plan": "HPSJ", "provider": ALPHA_NPI})
    by_provider = api("sup_a").post("/exchange-exports", {**body, "plan": "HPSJ", "format": "tsv"})
    for response in (by_analyst, by_provider):
        assert response.status_code == 201, response.content
        made = response.json()
        assert (made["kind"], made["rows"], made["provider"]["npi"]) == ("service_lines", 1, ALPHA_NPI)
    download = api("um").get(by_analyst.json()["file_url"].removeprefix("/api"))
    assert enrollment.member.cin in b"".join(download.streaming_content).decode()
    assert PhiRead.objects.filter(member=enrollment.member, user=network.users["um"]).exists()
    listed = api("data").get("/exchange-exports", kind="service_lines").json()["items"]
    assert {item["made_by"] for item in listed} == {"hpsj.data", "sup_a"}
    refused = api("compliance").post("/exchange-exports", {**body, "plan": "HPSJ", "provider": ALPHA_NPI})
    assert refused.status_code == 403
    assert ExchangeExport.objects.count() == 2


@pytest.mark.parametrize(
    ("who", "body", "status"),
    [
        (None, {"plan": "HPSJ", "provider": ALPHA_NPI}, 401),
        ("referrer", {"plan": "HPSJ", "provider": ALPHA_NPI}, 403),
        ("intake", {"plan": "HPSJ", "provider": ALPHA_NPI}, 403),  # sees the files, may not make one
        ("member_services", {"plan": "HPSJ", "provider": ALPHA_NPI}, 403),
        ("um", {"plan": "HPSJ", "provider": ALPHA_NPI}, 403),
        ("compliance", {"plan": "HPSJ", "provider": ALPHA_NPI}, 403),  # read-only, here as everywhere
        ("data", {"plan": "HPSM", "provider": MATEO_NPI}, 404),
        ("data", {"plan": "HPSJ", "provider": MATEO_NPI}, 404),
        ("data", {"plan": "HPSJ"}, 422),  # plan staff name the provider
        ("cm_b", {"plan": "HPSM"}, 404),
        ("cm_b", {"plan": "HPSJ", "provider": ALPHA_NPI}, 404),
        ("sup_a", {"plan": "HPSJ", "period": "2999-01"}, 422),
    ],
)
def test_a_file_outside_the_callers_scope_is_not_made(api, network, who, body, status):
    response = api(who).post("/exchange-exports", {"kind": "mif", "period": PERIOD, **body})
    assert response.status_code == status, response.content
    assert not ExchangeExport.objects.exists() and not AuditEvent.objects.exists()


def test_a_made_file_outside_the_callers_scope_is_not_found(api, network):
    made = api("sup_a").post("/exchange-exports", {"kind": "mif", "plan": "HPSJ", "period": PERIOD}).json()
    for who in ("cm_b", "sup_m", "hpsm_data", "referrer"):
        for suffix in ("", "/file"):
            assert api(who).get(f"/exchange-exports/{made['id']}{suffix}").status_code == 404, (who, suffix)
    assert api("cm_b").get("/exchange-exports").json()["items"] == []


# The whole path ---------------------------------------------------------------------------------------------------


def test_an_rtf_sent_through_the_api_applies_and_reads_back(api, network, tmp_path, django_capture_on_commit_callbacks):
    enrollment = EnrollmentFactory(provider=network.provider_a, enrolled=True)
    path = rtf_file(tmp_path / "rtf.csv", [rtf_row(enrollment.member.cin, lcm="Rosa Diaz", acuity="High")])
    response = upload(api, "sup_a", content=path.read_bytes(), plan="HPSJ", capture=django_capture_on_commit_callbacks)
    assert response.status_code == 202 and work() == 1
    body = api("sup_a").get(f"/exchange-loads/{response.json()['id']}").json()
    assert body["status"] == LoadStatus.APPLIED, body["message"]
    assert body["counts"]["reports"] == 1 and body["errors"] == [] and body["finished_at"]
