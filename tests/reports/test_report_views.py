"""The QIMR and closed-loop monitoring in the web app and the API: the plan's compliance officers and data analysts
get their own plan's; every other caller gets a refusal and no data (anonymous: sign in or 401; another role: 403;
another plan: its own figures only, or 404 when it names this plan); member-level rows go on the PHI read log."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from calaim.core.models import PhiRead
from tests.reports.conftest import NPI_A

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REFUSED_ROLES = ["intake", "um", "member_services", "cm_a", "sup_a", "referrer"]
PERIOD = {"start": "2026-01-01"}


def workbook(response: Any) -> Any:
    return load_workbook(io.BytesIO(response.content))


def tab1_cins(book: Any) -> list[str]:
    return [row[4] for row in book["ECM Members and Services"].iter_rows(min_row=2, values_only=True)]


# ---- QIMR ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["analyst", "compliance"])
def test_the_qimr_page_shows_the_tabs_and_which_are_to_confirm(quarter1, web, name):
    page = web(name).get("/data/qimr/", {"quarter": "2026Q1"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "ECM Members and Services" in text and "CS Requests and Denials" in text
    assert text.count("<strong>To confirm</strong>") == 2
    assert 'href="/data/qimr/"' in text and "QIMR</a>" in text  # the header link for these roles


def test_the_workbook_downloads_and_its_members_go_on_the_phi_read_log(quarter1, web, network):
    response = web("analyst").get("/data/qimr/workbook.xlsx", {"quarter": "2026Q1"})
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert 'filename="QIMR_HPSJ_2026Q1.xlsx"' in response["Content-Disposition"]
    book = workbook(response)
    assert len(tab1_cins(book)) == 7 and book["ECM Members and Services"]["AD2"].value == 2
    logged = set(PhiRead.objects.filter(user=network.users["analyst"]).values_list("member__cin", flat=True))
    assert {"20000001A", "20000009A", "20000020A", "20000021A"} <= logged  # Tab 1 and Tab 4 members
    assert "20000010A" not in logged  # another plan's member is in no HPSJ row


def test_a_bad_quarter_is_shown_back_with_why(network, web):
    page = web("analyst").get("/data/qimr/workbook.xlsx", {"quarter": "1999Q9"})
    assert page.status_code == 400 and "Select a valid choice" in page.content.decode()


@pytest.mark.parametrize("name", REFUSED_ROLES)
def test_other_roles_get_no_qimr(quarter1, web, name):
    for path in ("/data/qimr/", "/data/qimr/workbook.xlsx?quarter=2026Q1"):
        response = web(name).get(path)
        assert response.status_code == 403 and b"20000001A" not in response.content
    assert not PhiRead.objects.exists()
    assert b"/data/qimr/" not in web(name).get("/").content  # no header link either


def test_anonymous_is_sent_to_sign_in(quarter1, web):
    response = web(None).get("/data/qimr/workbook.xlsx?quarter=2026Q1")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_another_plans_staff_get_their_own_plans_workbook(quarter1, web):
    book = workbook(web("hpsm_analyst").get("/data/qimr/workbook.xlsx", {"quarter": "2026Q1"}))
    assert tab1_cins(book) == ["20000010A"]


def test_the_api_gives_the_workbook_to_the_plans_staff(quarter1, api):
    response = api("compliance").get("/reports/qimr", quarter="2026Q1", plan="HPSJ")
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert tab1_cins(workbook(response))[0] == "20000001A"
    rows = list(workbook(response)["ECM Members and Services"].iter_rows(min_row=2, values_only=True))
    assert rows[0][-3] == NPI_A


@pytest.mark.parametrize(
    ("name", "params", "status"),
    [
        (None, {"quarter": "2026Q1"}, 401),
        ("cm_a", {"quarter": "2026Q1"}, 403),
        ("intake", {"quarter": "2026Q1"}, 403),
        ("referrer", {"quarter": "2026Q1"}, 403),
        ("hpsm_compliance", {"quarter": "2026Q1", "plan": "HPSJ"}, 404),
        ("analyst", {"quarter": "2026Q7"}, 422),
        ("analyst", {"quarter": "2100Q1"}, 422),
        ("analyst", {}, 422),
    ],
)
def test_the_api_refuses_everyone_else_with_no_data(quarter1, api, name, params, status):
    response = api(name).get("/reports/qimr", **params)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json") and b"20000001A" not in response.content
    assert not PhiRead.objects.exists()


# ---- Closed-loop monitoring -------------------------------------------------------------------------------------


def test_the_monitoring_page_shows_the_table_and_the_old_open_loops(loops, web, network):
    page = web("compliance").get("/data/closed-loop/", PERIOD)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Valley PCP Clinic" in text and "Delta Food Bank" in text and "RN Okafor" in text
    assert "Services Received: 1" in text and "Open loops older than 30 days" in text
    assert "Waiting, Ana" in text  # the one open loop past the age, with its member
    logged = set(PhiRead.objects.values_list("member_id", flat=True))
    assert logged == {loops["waiting"].member_id}


def test_the_monitoring_filters_and_grouping(loops, web, network):
    page = web("analyst").get("/data/closed-loop/", {**PERIOD, "group": "provider", "program": "ecm"})
    text = page.content.decode()
    assert "Alpha Care Partners" in text and "Not assigned to a provider" in text and "RN Okafor" not in text
    only = web("analyst").get("/data/closed-loop/", {**PERIOD, "referrer": str(network.cbo.pk)}).content.decode()
    assert "Delta Food Bank" in only and "Valley PCP Clinic</th>" not in only


def test_bad_filters_are_shown_back(loops, web):
    page = web("analyst").get("/data/closed-loop/", {"start": "2026-03-01", "end": "2026-01-01"})
    assert page.status_code == 400 and "on or after the start date" in page.content.decode()
    assert web("analyst").get("/data/closed-loop/", {"program": "dental"}).status_code == 400


def test_the_monitoring_csv(loops, web):
    response = web("analyst").get("/data/closed-loop.csv", PERIOD)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("program,referring_entity,referrals,open,open_over_30_days,closed")
    assert any(line.startswith("ECM,Valley PCP Clinic,3,2,1,1") for line in lines)
    assert lines[-1].startswith("all,All,5,")
    open_loops = web("analyst").get("/data/closed-loop.csv", {**PERIOD, "rows": "open"}).content.decode()
    assert "Waiting, Ana" in open_loops and open_loops.startswith("program,member_cin")


@pytest.mark.parametrize("name", REFUSED_ROLES)
def test_other_roles_get_no_monitoring(loops, web, name):
    for path in ("/data/closed-loop/", "/data/closed-loop.csv", "/data/closed-loop.csv?rows=open"):
        response = web(name).get(path)
        assert response.status_code == 403 and b"Valley PCP Clinic" not in response.content
    assert not PhiRead.objects.exists()


def test_another_plan_sees_only_its_own_loops(loops, web, api):
    text = web("hpsm_compliance").get("/data/closed-loop/", PERIOD).content.decode()
    assert "Delta Food Bank" in text and "Valley PCP Clinic" not in text and "Waiting, Ana" not in text
    body = api("hpsm_analyst").get("/reports/closed-loop", **PERIOD).json()
    assert [(row["entity"], row["referrals"]) for row in body["rows"]] == [("Delta Food Bank", 1)]
    own = api("hpsm_analyst").get("/reports/closed-loop/open-loops", **PERIOD).json()
    assert own["total"] == 1 and [loop["member_name"] for loop in own["loops"]] == ["Mateo, Ana"]


def test_the_monitoring_api(loops, api, network):
    body = api("analyst").get("/reports/closed-loop", **PERIOD).json()
    assert body["open_age_days"] == 30 and body["group"] == "referrer"
    clinic = next(row for row in body["rows"] if row["entity"] == "Valley PCP Clinic")
    assert clinic["entity_id"] == str(network.clinic.pk)
    assert (clinic["referrals"], clinic["open_over_age"], clinic["days_to_status"]["Accepted"]) == (3, 1, 3.0)
    assert body["totals"]["referrals"] == 5
    csv = api("analyst").get("/reports/closed-loop", **PERIOD, format="csv")
    assert csv["Content-Type"].startswith("text/csv") and b"Valley PCP Clinic" in csv.content
    loops_body = api("compliance").get("/reports/closed-loop/open-loops", **PERIOD).json()
    assert loops_body["total"] == 1 and loops_body["loops"][0]["member_name"] == "Waiting, Ana"
    assert set(PhiRead.objects.values_list("member_id", flat=True)) == {loops["waiting"].member_id}


@pytest.mark.parametrize(
    ("name", "path", "params", "status"),
    [
        (None, "/reports/closed-loop", {}, 401),
        ("cm_a", "/reports/closed-loop", {}, 403),
        ("referrer", "/reports/closed-loop/open-loops", {}, 403),
        ("intake", "/reports/closed-loop", {"format": "csv"}, 403),
        ("analyst", "/reports/closed-loop", {"group": "county"}, 422),
        ("analyst", "/reports/closed-loop", {"start": "2026-03-01", "end": "2026-01-01"}, 422),
        ("analyst", "/reports/closed-loop/open-loops", {"format": "pdf"}, 422),
    ],
)
def test_the_monitoring_api_refuses_with_no_data(loops, api, name, path, params, status):
    response = api(name).get(path, **params)
    assert response.status_code == status and b"Valley PCP Clinic" not in response.content
    assert not PhiRead.objects.exists()
