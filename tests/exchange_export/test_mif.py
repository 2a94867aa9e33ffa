"""The MIF export (exchange-spec §2.1): who is in it, each column's value, the service that keeps and records it, who
may make it, and the command."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from calaim.accounts.models import Role
from calaim.core.errors import Forbidden, NotFound, ValidationFailed
from calaim.core.models import AuditEvent
from calaim.ecm.models import EligibilityDetermination
from calaim.exchange.columns import MIF_COLUMNS
from calaim.exchange.export_common import Period
from calaim.exchange.export_mif import member_record_status, mif_rows
from calaim.exchange.exports import exchange_export_create
from calaim.exchange.models import ExchangeExport, LoadSource
from calaim.members.models import EnrollmentSpan
from calaim.plans.models import Plan
from tests.exchange_export import assign, by_column, npi, plan_member, read_table, with_ids
from tests.factories import OrganizationFactory, UserFactory, ecm_contract

NOV = Period.parse("2026-11")
PRODUCED = dt.date(2026, 12, 1)


@pytest.fixture
def alpha(network: Any) -> Any:
    return with_ids(network.provider_a, "123456789", "941234567")


def _mif(alpha: Any, plan: str = "HPSJ") -> dict[str, dict[str, str]]:
    rows = mif_rows(Plan.objects.get(code=plan), alpha, NOV, PRODUCED)
    return {row[2]: by_column(list(MIF_COLUMNS), row) for row in rows}


def test_one_row_per_member_assigned_at_any_time_in_the_month(network: Any, alpha: Any) -> None:
    inside = {
        "new": assign(plan_member(), alpha, assigned=dt.date(2026, 11, 10)),
        "continuing": assign(plan_member(), alpha, assigned=dt.date(2026, 10, 1), enrolled=dt.date(2026, 10, 3)),
        "ended": assign(plan_member(), alpha, assigned=dt.date(2026, 9, 1), ended=dt.date(2026, 11, 1)),
        "assigned_last_day": assign(plan_member(), alpha, assigned=dt.date(2026, 11, 30)),
    }
    outside = [
        assign(plan_member(), alpha, assigned=dt.date(2026, 9, 1), ended=dt.date(2026, 10, 31)),
        assign(plan_member(), alpha, assigned=dt.date(2026, 12, 1)),
        assign(plan_member(), network.provider_b, assigned=dt.date(2026, 11, 2)),
    ]
    rows = _mif(alpha)
    assert set(rows) == {e.member.cin for e in inside.values()}
    assert not {e.member.cin for e in outside} & set(rows)


def test_member_record_status(network: Any, alpha: Any) -> None:
    new = assign(plan_member(), alpha, assigned=dt.date(2026, 11, 10))
    continuing = assign(plan_member(), alpha, assigned=dt.date(2026, 10, 1))
    termed = assign(plan_member(), alpha, assigned=dt.date(2026, 9, 1), ended=dt.date(2026, 11, 20))
    in_and_out = assign(plan_member(), alpha, assigned=dt.date(2026, 11, 2), ended=dt.date(2026, 11, 25))
    left_plan = assign(plan_member(enrolled=False), alpha, assigned=dt.date(2026, 9, 1))
    EnrollmentSpan.objects.create(
        member=left_plan.member,
        plan=left_plan.member.plan,
        start_date=dt.date(2020, 1, 1),
        end_date=dt.date(2026, 11, 15),
    )
    leaves_later = assign(plan_member(enrolled=False), alpha, assigned=dt.date(2026, 9, 1))
    EnrollmentSpan.objects.create(
        member=leaves_later.member,
        plan=leaves_later.member.plan,
        start_date=dt.date(2020, 1, 1),
        end_date=dt.date(2026, 12, 31),
    )
    rows = _mif(alpha)
    status = {cin: row["Member Record Status"] for cin, row in rows.items()}
    assert status[new.member.cin] == "New"
    assert status[continuing.member.cin] == "Continuing"
    assert status[termed.member.cin] == "Termed"
    assert status[in_and_out.member.cin] == "Termed"  # ended wins over new
    assert status[left_plan.member.cin] == "Termed"
    assert rows[left_plan.member.cin]["Member Plan Enrollment End Date"] == "11/15/2026"
    assert status[leaves_later.member.cin] == "Continuing"
    assert rows[leaves_later.member.cin]["Member Plan Enrollment End Date"] == "12/31/2026"
    assert rows[continuing.member.cin]["Member Plan Enrollment End Date"] == ""


def test_record_status_rule_on_the_edges() -> None:
    rule = member_record_status
    assert rule(NOV, assigned_on=dt.date(2026, 11, 1), ended_on=None, plan_ended_on=None) == "New"
    assert rule(NOV, assigned_on=dt.date(2026, 10, 31), ended_on=None, plan_ended_on=None) == "Continuing"
    assert rule(NOV, assigned_on=dt.date(2026, 10, 1), ended_on=dt.date(2026, 11, 30), plan_ended_on=None) == "Termed"
    assert (
        rule(NOV, assigned_on=dt.date(2026, 10, 1), ended_on=dt.date(2026, 12, 1), plan_ended_on=None) == "Continuing"
    )
    assert rule(NOV, assigned_on=dt.date(2026, 10, 1), ended_on=None, plan_ended_on=dt.date(2026, 11, 1)) == "Termed"


def test_every_column_in_order(network: Any, alpha: Any) -> None:
    pcp = OrganizationFactory(name="Valley Clinic", kind="pcp_clinic", npi="1987654321")
    member = plan_member(
        first_name="Rosa",
        last_name="Diaz",
        birth_date=dt.date(1970, 2, 3),
        sex="F",
        language="es",
        experiencing_homelessness=True,
        address_line="12 Main St",
        city="Stockton",
        zip_code="95202",
        phone="+12095550123",
        pcp_organization=pcp,
        pcp_name="Dr. Chen",
    )
    enrollment = assign(member, alpha, assigned=dt.date(2026, 11, 10))
    auth = enrollment.authorization
    auth.period_start, auth.period_end = dt.date(2026, 11, 9), dt.date(2027, 11, 8)
    auth.save(update_fields=["period_start", "period_end"])
    EligibilityDetermination.objects.create(
        member=member,
        referral=enrollment.referral,
        determined_on=dt.date(2026, 11, 8),
        determined_by=network.users["um"],
        outcome="eligible",
        qualified_pofs=["A1", "A3"],
        rule_version="t",
    )
    rows = mif_rows(Plan.objects.get(code="HPSJ"), alpha, NOV, PRODUCED)
    assert rows == [
        [
            "HPSJ", "Health Plan of San Joaquin", member.cin, "Diaz", "Rosa", "02/03/1970", "F", "es", "Y",
            "12 Main St", "Stockton", "CA", "95202", "2095550123", "A1;A3", str(auth.pk), "11/09/2026", "11/08/2027",
            "New", "", "Dr. Chen", "1987654321", "Alpha Care Partners", alpha.npi, "941234567", "2026-11",
            "12/01/2026",
        ]
    ]  # fmt: skip
    assert len(rows[0]) == len(MIF_COLUMNS)


def test_pof_falls_back_to_the_referrers_attestation(network: Any, alpha: Any) -> None:
    enrollment = assign(plan_member(), alpha, assigned=dt.date(2026, 11, 10))
    assert _mif(alpha)[enrollment.member.cin]["Member POF"] == "A1"  # the factory's attested POF


def test_a_member_assigned_twice_in_the_month_is_one_row_with_the_latest_assignment(network: Any, alpha: Any) -> None:
    member = plan_member()
    assign(member, alpha, assigned=dt.date(2026, 10, 1), ended=dt.date(2026, 11, 3))
    later = assign(member, alpha, assigned=dt.date(2026, 11, 20))
    rows = mif_rows(Plan.objects.get(code="HPSJ"), alpha, NOV, PRODUCED)
    assert len(rows) == 1
    assert by_column(list(MIF_COLUMNS), rows[0])["ECM Authorization ID"] == str(later.authorization_id)


def test_rows_are_sorted_by_name(network: Any, alpha: Any) -> None:
    for last in ["Zeta", "alpha", "Mu"]:
        assign(plan_member(last_name=last), alpha, assigned=dt.date(2026, 11, 2))
    assert [row[3] for row in mif_rows(Plan.objects.get(code="HPSJ"), alpha, NOV, PRODUCED)] == ["alpha", "Mu", "Zeta"]


def test_one_provider_two_plans_each_plans_own_file(network: Any, alpha: Any) -> None:
    ecm_contract(alpha, "HPSM", ["San Mateo"])
    sj = assign(plan_member("HPSJ"), alpha, assigned=dt.date(2026, 11, 2))
    sm = assign(plan_member("HPSM"), alpha, assigned=dt.date(2026, 11, 2))
    assert set(_mif(alpha, "HPSJ")) == {sj.member.cin}
    hpsm = _mif(alpha, "HPSM")
    assert set(hpsm) == {sm.member.cin}
    assert hpsm[sm.member.cin]["Primary Payer (MCP) Identifier"] == "HPSM"


def test_queries_do_not_grow_with_the_caseload(network: Any, alpha: Any, django_assert_max_num_queries: Any) -> None:
    plan = Plan.objects.get(code="HPSJ")
    for _ in range(3):
        assign(plan_member(), alpha, assigned=dt.date(2026, 11, 2))
    with django_assert_max_num_queries(6):
        mif_rows(plan, alpha, NOV, PRODUCED)
    for _ in range(20):
        assign(plan_member(), alpha, assigned=dt.date(2026, 10, 2), enrolled=dt.date(2026, 10, 3))
    with django_assert_max_num_queries(6):
        assert len(mif_rows(plan, alpha, NOV, PRODUCED)) == 23


# ---- the service ------------------------------------------------------------------------------------------------


@pytest.fixture
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.CALAIM_DATA_DIR = tmp_path / "data"
    return settings.CALAIM_DATA_DIR


@pytest.mark.parametrize("file_format", ["csv", "tsv", "psv", "xlsx"])
def test_export_keeps_the_file_and_records_it(network: Any, alpha: Any, data_dir: Path, file_format: str) -> None:
    analyst = UserFactory(username="analyst", role=Role.PLAN_DATA_ANALYST, organization=network.hpsj)
    member = assign(plan_member(), alpha, assigned=dt.date(2026, 11, 2)).member
    export = exchange_export_create(
        actor=analyst,
        plan=Plan.objects.get(code="HPSJ"),
        provider=alpha,
        kind="mif",
        period="2026-11",
        file_format=file_format,
        source=LoadSource.WEB,
    )
    path = Path(export.stored_path)
    assert path.is_relative_to(data_dir / "exchange")
    assert path.name == f"MIF_HPSJ_{alpha.npi}_2026-11.{'psv' if file_format == 'psv' else file_format}"
    assert export.file_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (export.rows, export.file_size, export.created_by, export.period) == (
        1,
        path.stat().st_size,
        analyst,
        "2026-11",
    )
    table = read_table(path)
    assert table[0] == list(MIF_COLUMNS)
    assert table[1][2] == member.cin
    event = AuditEvent.objects.get(action="exchange_export.create", object_id=str(export.pk))
    assert (event.actor, event.after["rows"], event.after["file_sha256"]) == (analyst, 1, export.file_sha256)


@pytest.mark.parametrize(
    ("who", "error"),
    [
        (None, Forbidden),  # anonymous from the web
        ("intake", Forbidden),  # plan roles that see the files made but do not make them
        ("member_services", Forbidden),
        ("um", Forbidden),
        ("compliance", Forbidden),  # read-only, here as everywhere
        ("hpsm_analyst", NotFound),  # another plan's analyst
        ("cm_b", NotFound),  # another provider's staff
        ("referrer", Forbidden),
    ],
)
def test_who_may_not_export(network: Any, alpha: Any, data_dir: Path, who: str | None, error: type) -> None:
    users = {
        **network.users,
        "hpsm_analyst": UserFactory(role=Role.PLAN_DATA_ANALYST, organization=network.hpsm),
        "compliance": UserFactory(role=Role.PLAN_COMPLIANCE, organization=network.hpsj),
    }
    assign(plan_member(), alpha, assigned=dt.date(2026, 11, 2))
    with pytest.raises(error):
        exchange_export_create(
            actor=users[who] if who else None,
            plan=Plan.objects.get(code="HPSJ"),
            provider=alpha,
            kind="mif",
            period="2026-11",
            file_format="csv",
            source=LoadSource.WEB,
        )
    assert not ExchangeExport.objects.exists()
    assert not AuditEvent.objects.filter(action="exchange_export.create").exists()
    assert not data_dir.joinpath("exchange").exists()


@pytest.mark.parametrize("who", ["cm_a", "sup_a", "analyst"])
def test_who_may_export(network: Any, alpha: Any, data_dir: Path, who: str) -> None:
    users = {**network.users, "analyst": UserFactory(role=Role.PLAN_DATA_ANALYST, organization=network.hpsj)}
    export = exchange_export_create(
        actor=users[who],
        plan=Plan.objects.get(code="HPSJ"),
        provider=alpha,
        kind="mif",
        period="2026-11",
        file_format="csv",
        source=LoadSource.API,
    )
    assert export.rows == 0 and Path(export.stored_path).is_file()


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"period": "2026-13"}, ValidationFailed, "expected a month as YYYY-MM"),
        ({"period": "2027-01"}, ValidationFailed, "has not begun"),
        ({"kind": "qimr"}, ValidationFailed, "Unknown file kind"),
        ({"file_format": "xls"}, ValidationFailed, "Unknown file format"),
        ({"plan": "HPSM"}, NotFound, "has no ECM contract with HPSM"),
    ],
)
def test_bad_requests_write_nothing(
    network: Any, alpha: Any, data_dir: Path, change: dict[str, str], error: type, message: str
) -> None:
    args: dict[str, Any] = {"kind": "mif", "period": "2026-11", "file_format": "csv", "plan": "HPSJ", **change}
    args["plan"] = Plan.objects.get(code=args["plan"])
    with pytest.raises(error, match=message):
        exchange_export_create(actor=None, provider=alpha, source=LoadSource.COMMAND, **args)
    assert not ExchangeExport.objects.exists()
    assert not data_dir.joinpath("exchange").exists()


def test_a_provider_without_an_npi_is_refused(network: Any, data_dir: Path) -> None:
    with pytest.raises(ValidationFailed, match="no NPI"):
        exchange_export_create(
            actor=None,
            plan=Plan.objects.get(code="HPSJ"),
            provider=network.provider_b,
            kind="mif",
            period="2026-11",
            file_format="csv",
            source=LoadSource.COMMAND,
        )


# ---- the command ------------------------------------------------------------------------------------------------


def test_command_writes_the_file_by_its_ending(network: Any, alpha: Any, data_dir: Path, tmp_path: Path) -> None:
    member = assign(plan_member(), alpha, assigned=dt.date(2026, 11, 2)).member
    out = tmp_path / "mif.xlsx"
    call_command(
        "exchange_export",
        "--kind",
        "mif",
        "--plan",
        "HPSJ",
        "--provider",
        alpha.npi,
        "--period",
        "2026-11",
        "--out",
        str(out),
    )
    table = read_table(out)
    assert table[0] == list(MIF_COLUMNS) and table[1][2] == member.cin
    export = ExchangeExport.objects.get()
    assert (export.source, export.file_format, export.actor_label.endswith("(manage.py exchange_export)")) == (
        "command",
        "xlsx",
        True,
    )
    assert out.read_bytes() == Path(export.stored_path).read_bytes()


def test_command_as_provider_staff_may_leave_out_the_provider(
    network: Any, alpha: Any, data_dir: Path, tmp_path: Path
) -> None:
    call_command(
        "exchange_export",
        "--kind",
        "mif",
        "--plan",
        "HPSJ",
        "--period",
        "2026-11",
        "--out",
        str(tmp_path / "m.csv"),
        "--as",
        "cm_a",
    )
    assert ExchangeExport.objects.get().provider == alpha


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--out", "m.xls"], 2, "ends in one of"),
        (["--period", "11/2026"], 2, "expected a month"),
        (["--plan", "NOPE"], 2, "No plan with code"),
        (["--provider", npi("987654321")], 2, "no ECM or CS provider"),
        (["--as", "nobody"], 2, "No active user"),
        (["--as", "cm_b"], 1, "Not found"),
        (["--period", "2030-01"], 1, "has not begun"),
    ],
)
def test_command_errors(
    network: Any, alpha: Any, data_dir: Path, tmp_path: Path, args: list[str], code: int, message: str
) -> None:
    base = {"--kind": "mif", "--plan": "HPSJ", "--provider": alpha.npi, "--period": "2026-11", "--out": "m.csv"}
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    base["--out"] = str(tmp_path / base["--out"])
    argv = [item for pair in base.items() for item in pair]
    with pytest.raises(CommandError, match=message) as raised:
        call_command("exchange_export", *argv)
    assert raised.value.returncode == code
    assert not ExchangeExport.objects.exists()
    assert not Path(base["--out"]).exists()
