"""The QIMR workbook (exchange-spec §3): one sheet per tab with the template's columns exactly, and the figures of a
built quarter; the command that writes it; the configuration that names the columns."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from calaim.core.errors import NotFound, ValidationFailed
from calaim.exchange.models import QimrTab
from calaim.exchange.qimr import qimr_build, qimr_for, qimr_write, quarter_parse
from calaim.exchange.qimr_period import Quarter, QuarterError
from calaim.exchange.report_reference import REFERENCE_DIR, qimr_tabs_load
from calaim.plans.models import Plan
from calaim.plans.reference import ReferenceDataError
from tests.reports.conftest import NPI_A, NPI_B, NPI_CS, at

pytestmark = pytest.mark.django_db

SHEETS = [
    "ECM Members and Services",
    "ECM Requests and Outreach",
    "ECM Provider Capacity",
    "CS Members and Services",
    "CS Provider Capacity",
    "CS Requests and Denials",
]
COMMON = ["Plan Name", "Plan Code", "County", "Reporting Period"]
MEMBER = ["Member CIN", "Member Last Name", "Member First Name", "Member Date of Birth"]
POF_COLUMNS = [
    "Adult – Individuals Experiencing Homelessness",
    "Adult – Families Experiencing Homelessness",
    "Adult – Avoidable Hospital or ED Utilization",
    "Adult – SMI or SUD",
    "Adult – Transitioning from Incarceration",
    "Adult – LTC At-Risk for Institutionalization",
    "Adult – NF Transitioning to Community",
    "Adult – Birth Equity",
    "Child – Individuals Experiencing Homelessness",
    "Child – Families Experiencing Homelessness",
    "Child – Avoidable Hospital or ED Utilization",
    "Child – SMI or SUD",
    "Child – CCS/CCS WCM with Additional Needs",
    "Child – Child Welfare",
    "Child – Transitioning from Incarceration",
    "Child – Birth Equity",
]
TAB1 = [
    *COMMON, *MEMBER, *POF_COLUMNS, "ECM Benefit Start Date", "ECM Benefit End Date", "ECM Discontinuation Reason",
    "Member's ECM Provider NPI", "Number of In-Person ECM Encounters",
    "Number of Telephonic or Telehealth ECM Encounters",
]  # fmt: skip
CS_SERVICES = [
    "Housing Transition/Navigation Services",
    "Housing Deposits",
    "Housing Tenancy and Sustaining Services",
    "Short-Term Post-Hospitalization Housing",
    "Recuperative Care",
    "Respite Services",
    "Day Habilitation Programs",
    "NF Transition to ALF",
    "NF Transition to a Home",
    "Personal Care and Homemaker Services",
    "Environmental Accessibility Adaptations",
    "Medically-Supportive Food",
    "Sobering Centers",
    "Asthma Remediation",
    "Transitional Rent",
    "Other Services",
]
TAB4 = [
    *COMMON, *MEMBER, "Member received Community Supports Services",
    *[f"Approved for {s}" for s in CS_SERVICES], *[f"Received {s}" for s in CS_SERVICES],
]  # fmt: skip
TAB5 = [
    *COMMON, "Community Supports Provider NPI", "Community Supports Provider Type",
    "Community Supports Offered by Provider", "Number of Members the Provider is serving",
    "Number of Members the Provider is able to serve",
]  # fmt: skip
TAB6 = [
    *COMMON, "Number of Members with External Community Supports Request",
    "Number of Members with External Community Supports Request Denied",
]  # fmt: skip


def workbook(plan_code: str = "HPSJ", quarter: str = "2026Q1") -> Any:
    report = qimr_build(plan=Plan.objects.get(code=plan_code), quarter=Quarter.parse(quarter))
    stream = io.BytesIO()
    qimr_write(report, stream)
    stream.seek(0)
    return load_workbook(stream)


def table(book: Any, sheet: str) -> list[dict[str, Any]]:
    rows = list(book[sheet].iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def header(book: Any, sheet: str) -> list[str]:
    return [cell.value for cell in book[sheet][1]]


def test_one_sheet_per_tab_with_the_templates_columns_exactly(quarter1):
    book = workbook()
    assert book.sheetnames == SHEETS
    assert header(book, "ECM Members and Services") == TAB1
    assert header(book, "CS Members and Services") == TAB4
    assert header(book, "CS Provider Capacity") == TAB5
    assert header(book, "CS Requests and Denials") == TAB6
    assert header(book, "ECM Requests and Outreach")[:4] == COMMON
    assert header(book, "ECM Provider Capacity")[:4] == COMMON


def test_tabs_two_and_three_are_marked_to_confirm_and_the_others_confirmed(quarter1):
    book = workbook()
    for sheet in SHEETS:
        note = book[sheet]["A1"].comment.text
        assert "2026 Q1" in note and "template" in note
        assert ("TO CONFIRM" in note) is (sheet in ("ECM Requests and Outreach", "ECM Provider Capacity"))
    assert "Tab 2 template unknown (columns implied by the tab's name) (to confirm)" in book.properties.description


def test_tab1_members_periods_pofs_and_encounters(quarter1):
    rows = table(workbook(), "ECM Members and Services")
    assert [(r["Member CIN"], r["ECM Benefit Start Date"]) for r in rows] == [
        ("20000001A", "11/15/2025"),
        ("20000002A", "01/10/2026"),
        ("20000003A", "01/05/2026"),
        ("20000007A", "01/02/2026"),
        ("20000008A", "10/01/2025"),  # back within 9 days: one period
        ("20000009A", "10/01/2025"),  # back after 30 days: two periods
        ("20000009A", "02/10/2026"),
    ]
    by_key = {(r["Member CIN"], r["ECM Benefit Start Date"]): r for r in rows}
    first = by_key[("20000001A", "11/15/2025")]
    assert first["Plan Name"] == "Health Plan of San Joaquin" and first["Plan Code"] == "HPSJ"
    assert first["County"] == "San Joaquin" and first["Reporting Period"] == "2026 Q1"
    assert first["Member Date of Birth"] == "02/03/1970" and first["Member Last Name"] == "Open"
    assert first["ECM Benefit End Date"] is None and first["ECM Discontinuation Reason"] is None
    assert first["Member's ECM Provider NPI"] == NPI_A
    # Jan 5 in person (twice) and by phone, Feb 10 video unreached, Feb 11 mail (no mode), Dec 20 (before).
    assert (
        first["Number of In-Person ECM Encounters"],
        first["Number of Telephonic or Telehealth ECM Encounters"],
    ) == (1, 2)
    flagged = {column for column in POF_COLUMNS if first[column] == 1}
    assert flagged == {"Adult – Individuals Experiencing Homelessness", "Adult – SMI or SUD"}
    assert all(first[column] == 0 for column in POF_COLUMNS if column not in flagged)

    ended = by_key[("20000002A", "01/10/2026")]
    assert ended["ECM Benefit End Date"] == "02/20/2026" and ended["ECM Discontinuation Reason"] == 3
    assert ended["Adult – Birth Equity"] == 1 and ended["Adult – SMI or SUD"] == 0  # L_IDD no longer live
    assert ended["Member's ECM Provider NPI"] == NPI_B

    moved = by_key[("20000003A", "01/05/2026")]
    assert moved["Member's ECM Provider NPI"] == NPI_B and moved["ECM Benefit End Date"] is None
    assert (
        moved["Number of In-Person ECM Encounters"],
        moved["Number of Telephonic or Telehealth ECM Encounters"],
    ) == (1, 1)

    child = by_key[("20000007A", "01/02/2026")]
    assert child["County"] == "Stanislaus" and child["ECM Benefit End Date"] == "03/31/2026"
    assert child["ECM Discontinuation Reason"] == 15  # no reason recorded: the catch-all
    assert child["Child – Child Welfare"] == 1
    assert child["Adult – Birth Equity"] == 0  # A7 goes live in Stanislaus only after the quarter

    gap30 = by_key[("20000009A", "10/01/2025")]
    assert gap30["ECM Benefit End Date"] == "01/10/2026" and gap30["ECM Discontinuation Reason"] == 2
    assert by_key[("20000009A", "02/10/2026")]["Member's ECM Provider NPI"] == NPI_B
    assert by_key[("20000008A", "10/01/2025")]["ECM Benefit End Date"] is None


def test_tab2_counts_per_county_with_the_quarter_in_pacific_time(quarter1):
    rows = {r["County"]: r for r in table(workbook(), "ECM Requests and Outreach")}
    assert set(rows) == {"San Joaquin", "Stanislaus"}
    joaquin = rows["San Joaquin"]
    # Received 2026-03-31 23:30 Pacific counts (07:30 UTC the next day); 2025-12-31 23:30 Pacific does not.
    assert joaquin["Number of Members with ECM Request"] == 1
    assert joaquin["Number of Members with ECM Outreach"] == 2
    assert joaquin["Number of ECM Outreach Attempts"] == 7
    assert joaquin["Number of Members Newly Enrolled in ECM"] == 4
    assert rows["Stanislaus"]["Number of Members Newly Enrolled in ECM"] == 1
    assert rows["Stanislaus"]["Number of ECM Outreach Attempts"] == 0


def test_tab3_members_served_at_the_quarters_end_against_capacity(quarter1):
    rows = [
        (r["County"], r["ECM Provider NPI"], r["Number of Members the Provider is serving"],
         r["Number of Members the Provider is able to serve"])
        for r in table(workbook(), "ECM Provider Capacity")
    ]  # fmt: skip
    assert rows == [("San Joaquin", NPI_A, 3, 50), ("San Joaquin", NPI_B, 2, 50), ("Stanislaus", NPI_A, 0, 50)]


def test_tab4_services_approved_and_received(quarter1):
    rows = {r["Member CIN"]: r for r in table(workbook(), "CS Members and Services")}
    assert set(rows) == {"20000020A", "20000021A"}  # the denied and the merely requested are not approved
    received = rows["20000020A"]
    assert received["Member received Community Supports Services"] == 1
    assert received["Approved for Recuperative Care"] == 1 and received["Received Recuperative Care"] == 1
    assert sum(v for k, v in received.items() if k.startswith(("Approved for", "Received "))) == 2
    rent = rows["20000021A"]
    assert rent["Member received Community Supports Services"] == 0
    assert rent["Approved for Transitional Rent"] == 1 and rent["Received Transitional Rent"] == 0
    assert rent["Approved for Other Services"] == 0


def test_tab5_capacity_per_provider_county_and_service(quarter1):
    rows = table(workbook(), "CS Provider Capacity")
    assert [
        (r["Community Supports Provider NPI"], r["Community Supports Provider Type"], r["County"],
         r["Community Supports Offered by Provider"], r["Number of Members the Provider is serving"],
         r["Number of Members the Provider is able to serve"])
        for r in rows
    ] == [
        (NPI_CS, "Community Supports provider", "San Joaquin", "Recuperative Care", 0, 20),
        (NPI_CS, "Community Supports provider", "San Joaquin", "Transitional Rent", 1, 20),
    ]  # fmt: skip


def test_tab6_external_requests_and_denials_per_county(quarter1):
    rows = {r["County"]: r for r in table(workbook(), "CS Requests and Denials")}
    assert rows["San Joaquin"]["Number of Members with External Community Supports Request"] == 3
    assert rows["San Joaquin"]["Number of Members with External Community Supports Request Denied"] == 1
    assert rows["Stanislaus"]["Number of Members with External Community Supports Request"] == 0


def test_another_plans_report_holds_only_its_own(quarter1):
    book = workbook("HPSM")
    assert [r["Member CIN"] for r in table(book, "ECM Members and Services")] == ["20000010A"]
    assert table(book, "CS Members and Services") == []
    assert {r["County"] for r in table(book, "CS Requests and Denials")} == {"San Mateo"}


def test_the_template_in_force_for_the_quarter_writes_it(quarter1):
    # Before 2026 Tab 4 has no Transitional Rent column: rent approved then is one of the Other Services.
    member = quarter1.members["cs_rent"]
    from tests.reports.conftest import _cs

    _cs(
        member,
        "transitional_rent",
        at(2025, 11, 1),
        quarter1.cs_provider,
        (dt.date(2025, 11, 1), dt.date(2025, 12, 31)),
    )
    book = workbook(quarter="2025Q4")
    assert header(book, "CS Members and Services") == [c for c in TAB4 if "Transitional Rent" not in c]
    (row,) = table(book, "CS Members and Services")
    assert row["Approved for Other Services"] == 1 and row["Reporting Period"] == "2025 Q4"


def test_a_quarter_without_a_template_is_refused(quarter1):
    with pytest.raises(ValidationFailed, match="No QIMR template in force for 2023 Q4"):
        qimr_build(plan=Plan.objects.get(code="HPSJ"), quarter=Quarter.parse("2023Q4"))


@pytest.mark.parametrize("text", ["2026", "2026Q5", "Q1 2026", "20261", "2021Q4", "", "2026Q1; DROP"])
def test_a_mistyped_quarter_is_refused(text):
    with pytest.raises(QuarterError):
        Quarter.parse(text)


def test_a_quarter_and_its_bounds_in_pacific_time():
    quarter = Quarter.parse("2026 q1")
    assert (quarter.code, quarter.label) == ("2026Q1", "2026 Q1")
    assert (quarter.first_day, quarter.last_day) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert quarter.starts_at.utcoffset() == dt.timedelta(hours=-8)  # PST on 1 January
    assert quarter.ends_before == at(2026, 4, 1, 0, 0) and quarter.ends_before.utcoffset() == dt.timedelta(hours=-7)
    assert Quarter.parse("2025Q4").next() == quarter and quarter.previous() == Quarter(2025, 4)


def test_a_future_quarter_is_refused(network):
    with pytest.raises(ValidationFailed, match="has not begun"):
        quarter_parse("2100Q4")


def test_only_the_plans_reporting_staff_get_it(quarter1, network):
    users = network.users
    report = qimr_for(users["analyst"], quarter="2026Q1")
    assert report.plan.code == "HPSJ" and report.file_name == "QIMR_HPSJ_2026Q1.xlsx"
    assert qimr_for(users["compliance"], quarter="2026Q1", plan_code="hpsj").plan.code == "HPSJ"
    with pytest.raises(NotFound):
        qimr_for(users["hpsm_compliance"], quarter="2026Q1", plan_code="HPSJ")
    for name in ("intake", "um", "cm_a", "referrer"):
        with pytest.raises(Exception) as refused:
            qimr_for(users[name], quarter="2026Q1")
        assert refused.value.status_code == 403  # type: ignore[attr-defined]


def test_the_command_writes_the_workbook(quarter1, tmp_path: Path):
    out = tmp_path / "q.xlsx"
    stdout = io.StringIO()
    call_command("report_qimr", "--plan", "HPSJ", "--quarter", "2026Q1", "--out", str(out), stdout=stdout)
    book = load_workbook(out)
    assert book.sheetnames == SHEETS and len(table(book, "ECM Members and Services")) == 7
    printed = stdout.getvalue()
    assert "Tab 1 ECM Members and Services" in printed and "7 rows" in printed and "to confirm" in printed


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--plan", "NOPE", "--quarter", "2026Q1"], "No plan with code 'NOPE'"),
        (["--plan", "HPSJ", "--quarter", "2026Q9"], "is not a quarter"),
        (["--plan", "HPSJ", "--quarter", "2026Q1", "--as", "cm_a"], "may not see"),
        (["--plan", "HPSJ", "--quarter", "2026Q1", "--as", "hpsm_analyst"], "No plan with this code in your scope"),
        (["--plan", "HPSJ", "--quarter", "2026Q1", "--as", "nobody"], "No active user"),
    ],
)
def test_the_command_refuses_bad_arguments_and_writes_nothing(network, tmp_path: Path, args, message):
    out = tmp_path / "q.xlsx"
    with pytest.raises(CommandError, match=message):
        call_command("report_qimr", *args, "--out", str(out))
    assert not out.exists()


def test_the_configuration_loads_every_tab_and_refuses_a_bad_column(network, tmp_path: Path):
    assert QimrTab.objects.filter(tab=2, confirmed=False).exists()
    assert not QimrTab.objects.filter(tab=1, confirmed=False).exists()
    document = yaml.safe_load((REFERENCE_DIR / "qimr.yaml").read_text(encoding="utf-8"))
    document["tabs"][0]["columns"].append({"header": "Mystery", "value": "no_such_value"})
    (tmp_path / "qimr.yaml").write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    before = list(QimrTab.objects.values_list("tab", "columns"))
    with pytest.raises(ReferenceDataError, match=r"qimr.yaml, entry 1, key 'columns': .*no_such_value"):
        qimr_tabs_load(tmp_path)
    assert list(QimrTab.objects.values_list("tab", "columns")) == before
