"""Encounter service lines per provider and month: ECM contacts and outreach and Community Supports deliveries as
837P-ready lines, written as CSV, TSV, pipe or XLSX, made, kept and recorded like every provider file
(`exchange_export_create` with kind service_lines), by `manage.py encounters_export` and `manage.py exchange_export
--kind service_lines` alike."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from calaim.accounts.models import Role
from calaim.core.errors import Forbidden, NotFound, ValidationFailed
from calaim.core.models import AuditEvent
from calaim.exchange.exports import exchange_export_create
from calaim.exchange.models import ExchangeExport, FileKind, LoadSource
from calaim.exchange.service_lines import SERVICE_LINE_COLUMNS, service_line_report, service_lines
from calaim.network.models import Organization
from calaim.plans.models import Plan
from tests.encounters import attempt_by, delivery, enrolled_member
from tests.exchange_export import by_column, npi, plan_member, read_table, with_ids
from tests.factories import UserFactory

MARCH = "2026-03"


@pytest.fixture
def alpha(network: Any) -> Organization:
    return with_ids(network.provider_a, "123456789", tin="941234567")


@pytest.fixture
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.CALAIM_DATA_DIR = tmp_path / "data"
    return settings.CALAIM_DATA_DIR


@pytest.fixture
def month(network: Any, alpha: Organization) -> dict[str, Any]:
    """One member in ECM outreach then enrolled, with contacts in March; Community Supports deliveries by the same
    provider to another member; and records the March file must leave out."""
    ecm = enrolled_member(
        alpha, assigned=dt.date(2026, 2, 20), enrolled=dt.date(2026, 3, 5), last_name="Zamora", first_name="Eva"
    )
    cs = plan_member(last_name="Abara", first_name="Ben", birth_date=dt.date(1975, 1, 31))
    made = {
        "outreach_phone": attempt_by(ecm, dt.date(2026, 3, 2), "phone", reached=False),
        "outreach_in_person": attempt_by(ecm, dt.date(2026, 3, 3), "in_person", reached=False, source="otf"),
        "letter": attempt_by(ecm, dt.date(2026, 3, 4), "mail", reached=False),
        "contact_video": attempt_by(ecm, dt.date(2026, 3, 6), "video", reached=True),
        "recuperative": delivery(cs, alpha, "recuperative_care", dt.date(2026, 3, 10), dt.date(2026, 3, 14), units="5",
                                 cost="1250.00"),
        "personal_care": delivery(cs, alpha, "personal_care", dt.date(2026, 3, 3), dt.date(2026, 3, 3), units="2.5",
                                  hours="2.5"),
        "deposit": delivery(cs, alpha, "housing_deposits", dt.date(2026, 3, 20), dt.date(2026, 3, 20), units="1",
                            cost="1500.00"),
    }  # fmt: skip
    # Left out: next month, another provider, another plan's member, a delivery that began in February.
    attempt_by(ecm, dt.date(2026, 4, 1), "in_person", reached=True)
    delivery(cs, network.provider_b, "recuperative_care", dt.date(2026, 3, 10), dt.date(2026, 3, 11), units="2")
    delivery(plan_member("HPSM"), alpha, "recuperative_care", dt.date(2026, 3, 10), dt.date(2026, 3, 11), units="2")
    delivery(cs, alpha, "medically_tailored_meals", dt.date(2026, 2, 25), dt.date(2026, 3, 10), units="28")
    return made


def test_lines_from_contacts_outreach_and_deliveries(network: Any, alpha: Organization, month: dict[str, Any]) -> None:
    report = service_line_report(Plan.objects.get(code="HPSJ"), alpha, MARCH)
    by_source = {line.source_id: line for line in report.lines}
    assert len(report.lines) == 6
    expected = {
        "outreach_phone": ("G9012", ("U8", "GQ"), Decimal(1), None, "ECM", "outreach"),
        "outreach_in_person": ("G9012", ("U8",), Decimal(1), None, "ECM", "outreach"),
        "contact_video": ("G9012", ("U2", "GQ"), Decimal(1), None, "ECM", "non_clinical"),
        # Per diem: the days of the stay, whatever the units recorded.
        "recuperative": ("T2033", ("U6",), Decimal(5), Decimal("1250.00"), "CS", "recuperative_care"),
        # Hours of personal care billed in 15-minute units.
        "personal_care": ("T1019", ("U6",), Decimal(10), Decimal(0), "CS", "personal_care"),
        # A dollar service: one unit, the charge is the amount.
        "deposit": ("H0044", ("U2",), Decimal(1), Decimal("1500.00"), "CS", "housing_deposits"),
    }
    for name, (hcpcs, modifiers, units, charge, program, service) in expected.items():
        line = by_source[str(month[name].pk)]
        assert (line.hcpcs, line.modifiers, line.units, line.charge, line.program, line.service) == (
            hcpcs,
            modifiers,
            units,
            charge,
            program,
            service,
        ), name
        assert (line.billing_npi, line.rendering_npi, line.billing_tin) == (alpha.npi, alpha.npi, "941234567")
    assert [(u.source_id, u.reason) for u in report.uncoded] == [
        (str(month["letter"].pk), "method mail is not coded (encounter rules 2026.1)")
    ]
    # Sorted by member (Abara before Zamora), then date of service.
    assert [line.service_from.day for line in report.lines] == [3, 10, 20, 2, 3, 6]
    assert service_lines(Plan.objects.get(code="HPSJ"), alpha, MARCH) == report.lines


def test_a_line_as_the_file_carries_it(network: Any, alpha: Organization, month: dict[str, Any]) -> None:
    lines = service_lines(Plan.objects.get(code="HPSJ"), alpha, MARCH)
    row = by_column(list(SERVICE_LINE_COLUMNS), next(x for x in lines if x.hcpcs == "T2033").row())
    member = month["recuperative"].member
    assert row == {
        "Member CIN": member.cin,
        "Member Last Name": "Abara",
        "Member First Name": "Ben",
        "Member Date of Birth": "01/31/1975",
        "Service Date From": "03/10/2026",
        "Service Date To": "03/14/2026",
        "Procedure Code (HCPCS)": "T2033",
        "Modifier 1": "U6",
        "Modifier 2": "",
        "Modifier 3": "",
        "Modifier 4": "",
        "Modifier 5": "",
        "Units": "5",
        "Line Charge Amount": "1250.00",
        "Place of Service": "",
        "Rendering Provider NPI": alpha.npi,
        "Billing Provider NPI": alpha.npi,
        "Billing Provider TIN": "941234567",
        "Program": "CS",
        "Service": "recuperative_care",
        "Encounter Only": "N",
        "Source Record Type": "cs_delivery",
        "Source Record ID": str(month["recuperative"].pk),
        "Coding Version": "2026.1",
    }
    remote = by_column(list(SERVICE_LINE_COLUMNS), next(x for x in lines if x.modifiers == ("U8", "GQ")).row())
    assert (remote["Modifier 1"], remote["Modifier 2"], remote["Units"], remote["Line Charge Amount"]) == (
        "U8",
        "GQ",
        "1",
        "",
    )
    assert remote["Source Record Type"] == "outreach_attempt"


def test_a_delivery_with_no_code_in_force_is_listed_not_dropped(network: Any, alpha: Organization) -> None:
    member = plan_member()
    old = delivery(member, alpha, "recuperative_care", dt.date(2021, 12, 20), dt.date(2021, 12, 22), units="3")
    report = service_line_report(Plan.objects.get(code="HPSJ"), alpha, "2021-12")
    assert report.lines == []
    assert [(u.source_id, u.reason) for u in report.uncoded] == [
        (str(old.pk), "the catalog has no code for deliveries of recuperative_care on 2021-12-20")
    ]


def test_a_line_goes_to_the_plan_the_member_was_in_on_the_day_of_service(network: Any, alpha: Organization) -> None:
    """A member who moved from HPSJ to HPSM on 15 March: what happened before goes to HPSJ, after to HPSM."""
    enrollment = enrolled_member(alpha, assigned=dt.date(2026, 3, 1), enrolled=dt.date(2026, 3, 2))
    member = enrollment.member
    member.enrollment_spans.update(end_date=dt.date(2026, 3, 14))
    member.enrollment_spans.create(plan=Plan.objects.get(code="HPSM"), start_date=dt.date(2026, 3, 15))
    member.plan = Plan.objects.get(code="HPSM")
    member.save(update_fields=["plan"])
    before = attempt_by(enrollment, dt.date(2026, 3, 10), "in_person", reached=True)
    after = attempt_by(enrollment, dt.date(2026, 3, 20), "in_person", reached=True)
    stay = delivery(member, alpha, "recuperative_care", dt.date(2026, 3, 12), dt.date(2026, 3, 18), units="7")
    hpsj = service_lines(Plan.objects.get(code="HPSJ"), alpha, MARCH)
    hpsm = service_lines(Plan.objects.get(code="HPSM"), alpha, MARCH)
    assert {line.source_id for line in hpsj} == {str(before.pk), str(stay.pk)}
    assert {line.source_id for line in hpsm} == {str(after.pk)}


# ---- The file, kept and recorded -----------------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["csv", "tsv", "psv", "xlsx"])
def test_export_keeps_the_file_and_records_it(
    network: Any, alpha: Organization, month: dict[str, Any], data_dir: Path, file_format: str
) -> None:
    analyst = UserFactory(role=Role.PLAN_DATA_ANALYST, organization=network.hpsj)
    export = exchange_export_create(
        actor=analyst, plan=Plan.objects.get(code="HPSJ"), provider=alpha, kind="service_lines", period=MARCH,
        file_format=file_format, source=LoadSource.WEB,
    )  # fmt: skip
    report = service_line_report(Plan.objects.get(code="HPSJ"), alpha, MARCH)
    path = Path(export.stored_path)
    assert path.is_relative_to(data_dir / "exchange")
    assert path.name == f"SERVICE_LINES_HPSJ_{alpha.npi}_{MARCH}.{file_format}"
    assert (export.kind, export.rows, export.period, export.created_by) == (FileKind.SERVICE_LINES, 6, MARCH, analyst)
    assert export.file_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    table = read_table(path)
    assert table[0] == list(SERVICE_LINE_COLUMNS)
    assert table[1:] == [line.row() for line in report.lines]
    event = AuditEvent.objects.get(action="exchange_export.create", object_id=str(export.pk))
    assert (event.actor, event.after["kind"], event.after["rows"], event.after["uncoded"]) == (
        analyst,
        "service_lines",
        6,
        1,
    )
    assert event.after["lines_by_program"] == {"ECM": 3, "CS": 3}
    assert list(event.after["uncoded_by_reason"].values()) == [1]


@pytest.mark.parametrize(
    ("who", "error"),
    [
        (None, Forbidden),  # anonymous from the web
        ("intake", Forbidden),  # a plan role that does not make provider files
        ("compliance", Forbidden),  # read-only
        ("hpsm_analyst", NotFound),  # another plan's analyst
        ("cm_b", NotFound),  # another provider's staff
        ("referrer", Forbidden),
    ],
)
def test_who_may_not_export(
    network: Any, alpha: Organization, month: dict[str, Any], data_dir: Path, who: str | None, error: type
) -> None:
    users = {
        **network.users,
        "hpsm_analyst": UserFactory(role=Role.PLAN_DATA_ANALYST, organization=network.hpsm),
        "compliance": UserFactory(role=Role.PLAN_COMPLIANCE, organization=network.hpsj),
    }
    with pytest.raises(error):
        exchange_export_create(
            actor=users[who] if who else None, plan=Plan.objects.get(code="HPSJ"), provider=alpha,
            kind="service_lines", period=MARCH, file_format="csv", source=LoadSource.WEB,
        )  # fmt: skip
    assert not ExchangeExport.objects.exists()
    assert not AuditEvent.objects.filter(action="exchange_export.create").exists()
    assert not data_dir.joinpath("exchange").exists()


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"period": "2026-13"}, ValidationFailed, "expected a month as YYYY-MM"),
        ({"period": "2099-01"}, ValidationFailed, "has not begun"),
        ({"file_format": "xls"}, ValidationFailed, "Unknown file format"),
        ({"plan": "HPSM"}, NotFound, "has no ECM or CS contract with HPSM"),
    ],
)
def test_bad_requests_write_nothing(
    network: Any, alpha: Organization, data_dir: Path, change: dict[str, str], error: type, message: str
) -> None:
    args: dict[str, Any] = {"period": MARCH, "file_format": "csv", "plan": "HPSJ", **change}
    args["plan"] = Plan.objects.get(code=args["plan"])
    with pytest.raises(error, match=message):
        exchange_export_create(actor=None, provider=alpha, kind="service_lines", source=LoadSource.COMMAND, **args)
    assert not ExchangeExport.objects.exists()
    assert not data_dir.joinpath("exchange").exists()


def test_a_provider_without_an_npi_is_refused(network: Any, data_dir: Path) -> None:
    with pytest.raises(ValidationFailed, match="no NPI"):
        exchange_export_create(
            actor=None, plan=Plan.objects.get(code="HPSJ"), provider=network.provider_b, kind="service_lines",
            period=MARCH, file_format="csv", source=LoadSource.COMMAND,
        )  # fmt: skip
    assert not ExchangeExport.objects.exists()


# ---- The command ---------------------------------------------------------------------------------------------------


# Both commands run the one service: `encounters_export`, and `exchange_export` with the kind named.
COMMANDS = {"encounters_export": [], "exchange_export": ["--kind", "service_lines"]}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("ending", [".csv", ".tsv", ".txt", ".psv", ".xlsx"])
def test_command_writes_the_file_by_its_ending(
    network: Any,
    alpha: Organization,
    month: dict[str, Any],
    data_dir: Path,
    tmp_path: Path,
    ending: str,
    command: str,
    capsys: Any,
) -> None:
    out = tmp_path / f"lines{ending}"
    call_command(
        command, *COMMANDS[command], "--plan", "HPSJ", "--provider", alpha.npi, "--period", MARCH, "--out", str(out),
    )  # fmt: skip
    table = read_table(out)
    assert table[0] == list(SERVICE_LINE_COLUMNS) and len(table) == 7
    export = ExchangeExport.objects.get()
    assert (export.kind, export.source, export.actor_label.endswith(f"(manage.py {command})")) == (
        "service_lines",
        "command",
        True,
    )
    assert AuditEvent.objects.filter(action="exchange_export.create", object_id=str(export.pk)).count() == 1
    assert out.read_bytes() == Path(export.stored_path).read_bytes()
    printed = capsys.readouterr().out
    assert "6 lines (ECM 3, CS 3)" in printed
    assert "Not coded: 1 record: method mail is not coded" in printed


def test_command_as_provider_staff_may_leave_out_the_provider(
    network: Any, alpha: Organization, month: dict[str, Any], data_dir: Path, tmp_path: Path
) -> None:
    call_command("encounters_export", "--plan", "HPSJ", "--period", MARCH, "--out", str(tmp_path / "x.csv"), "--as",
                 "cm_a")  # fmt: skip
    export = ExchangeExport.objects.get()
    assert (export.provider, export.created_by.username, export.rows) == (alpha, "cm_a", 6)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--out", "lines.xls"], 2, "ends in one of"),
        (["--period", "03/2026"], 2, "expected a month"),
        (["--plan", "NOPE"], 2, "No plan with code"),
        (["--provider", npi("987654321")], 2, "no ECM or CS provider"),
        (["--as", "nobody"], 2, "No active user"),
        (["--as", "cm_b"], 1, "Not found"),
        (["--plan", "HPSM"], 1, "no ECM or CS contract with HPSM"),
        (["--period", "2099-01"], 1, "has not begun"),
    ],
)
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_command_errors_write_nothing(
    network: Any,
    alpha: Organization,
    data_dir: Path,
    tmp_path: Path,
    args: list[str],
    code: int,
    message: str,
    command: str,
) -> None:
    base = {"--plan": "HPSJ", "--provider": alpha.npi, "--period": MARCH, "--out": "lines.csv"}
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    base["--out"] = str(tmp_path / base["--out"])
    with pytest.raises(CommandError, match=message) as raised:
        call_command(command, *COMMANDS[command], *[item for pair in base.items() for item in pair])
    assert raised.value.returncode == code
    assert not ExchangeExport.objects.exists()
    assert not Path(base["--out"]).exists()
