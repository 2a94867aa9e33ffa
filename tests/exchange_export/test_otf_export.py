"""The OTF export (exchange-spec §2.3): one row per outreach attempt of the provider's members in the period, the
method as the file's vocabulary names it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from calaim.careplans.models import OutreachAttempt, OutreachMethod
from calaim.core.errors import NotFound
from calaim.exchange.columns import OTF_COLUMNS
from calaim.exchange.export_common import Period
from calaim.exchange.export_otf import otf_method_labels, otf_rows
from calaim.exchange.exports import exchange_export_create
from calaim.exchange.models import LoadSource
from calaim.network.models import Contract, Organization
from calaim.plans.models import Plan
from tests.exchange_export import assign, attempt, by_column, plan_member, read_table, with_ids
from tests.factories import OrganizationFactory, ecm_contract

NOV = Period.parse("2026-11")


@pytest.fixture
def alpha(network: Any) -> Organization:
    return with_ids(network.provider_a, "123456789", "941234567")


def _rows(provider: Organization, plan: str = "HPSJ") -> list[dict[str, str]]:
    return [by_column(list(OTF_COLUMNS), row) for row in otf_rows(Plan.objects.get(code=plan), provider, NOV)]


def test_one_row_per_attempt_in_the_period(network: Any, alpha: Organization) -> None:
    enrollment = assign(plan_member(first_name="Rosa", last_name="Diaz"), alpha, assigned=dt.date(2026, 10, 20))
    attempt(enrollment, dt.date(2026, 10, 31), "phone", reached=False)  # before
    attempt(enrollment, dt.date(2026, 11, 1), "phone", reached=False, minutes=10)
    attempt(enrollment, dt.date(2026, 11, 30), "in_person", reached=True, minutes=45)
    attempt(enrollment, dt.date(2026, 12, 1), "phone", reached=True)  # after
    other = assign(plan_member(), network.provider_b, assigned=dt.date(2026, 11, 2))
    attempt(other, dt.date(2026, 11, 3), "phone", reached=True)  # another provider's
    rows = otf_rows(Plan.objects.get(code="HPSJ"), alpha, NOV)
    cin = enrollment.member.cin
    assert rows == [
        ["HPSJ", "Health Plan of San Joaquin", "Alpha Care Partners", alpha.npi, "941234567", "Rosa Diaz", cin,
         "ECM Provider", "11/01/2026", "Telephone", "N", "10"],
        ["HPSJ", "Health Plan of San Joaquin", "Alpha Care Partners", alpha.npi, "941234567", "Rosa Diaz", cin,
         "ECM Provider", "11/30/2026", "In Person", "Y", "45"],
    ]  # fmt: skip


def test_attempts_alike_in_every_column_are_one_row(network: Any, alpha: Organization) -> None:
    enrollment = assign(plan_member(), alpha, assigned=dt.date(2026, 10, 20))
    attempt(enrollment, dt.date(2026, 11, 4), "phone", reached=False, minutes=5)
    attempt(enrollment, dt.date(2026, 11, 4), "phone", reached=False, minutes=5)
    attempt(enrollment, dt.date(2026, 11, 4), "phone", reached=False, minutes=6)
    assert [row["Time Spent Performing Outreach"] for row in _rows(alpha)] == ["5", "6"]


def test_every_method_has_a_label(network: Any, alpha: Organization) -> None:
    labels = otf_method_labels(NOV.end)
    assert set(labels) == set(OutreachMethod.values)
    enrollment = assign(plan_member(), alpha, assigned=dt.date(2026, 10, 20))
    for i, method in enumerate(OutreachMethod.values, start=1):
        attempt(enrollment, dt.date(2026, 11, i), method, reached=False)
    assert [row["Outreach Attempt Method"] for row in _rows(alpha)] == [
        "In Person", "Telephone", "Video", "Text Message", "Email", "Mail", "Other",
    ]  # fmt: skip


def test_attempts_reported_in_an_earlier_otf_are_exported_too(network: Any, alpha: Organization) -> None:
    enrollment = assign(plan_member(), alpha, assigned=dt.date(2026, 10, 20))
    reported = attempt(enrollment, dt.date(2026, 11, 4), "email", reached=False)
    OutreachAttempt.objects.filter(pk=reported.pk).update(source="otf", source_ref="load-1")
    assert [row["Outreach Attempt Method"] for row in _rows(alpha)] == ["Email"]


def test_one_provider_two_plans_each_plans_own_file(network: Any, alpha: Organization) -> None:
    ecm_contract(alpha, "HPSM", ["San Mateo"])
    sj = assign(plan_member("HPSJ"), alpha, assigned=dt.date(2026, 11, 2))
    sm = assign(plan_member("HPSM"), alpha, assigned=dt.date(2026, 11, 2))
    attempt(sj, dt.date(2026, 11, 3), "phone", reached=True)
    attempt(sm, dt.date(2026, 11, 4), "video", reached=True)
    assert [r["Member Client Index Number"] for r in _rows(alpha, "HPSJ")] == [sj.member.cin]
    assert [(r["Member Client Index Number"], r["Primary Payer (MCP) Identifier"]) for r in _rows(alpha, "HPSM")] == [
        (sm.member.cin, "HPSM")
    ]


def test_exported_as_a_workbook_with_its_sheet(
    network: Any, alpha: Organization, settings: Any, tmp_path: Path
) -> None:
    settings.CALAIM_DATA_DIR = tmp_path
    enrollment = assign(plan_member(), alpha, assigned=dt.date(2026, 10, 20))
    attempt(enrollment, dt.date(2026, 11, 4), "phone", reached=True)
    export = exchange_export_create(
        actor=network.users["cm_a"],
        plan=Plan.objects.get(code="HPSJ"),
        provider=alpha,
        kind="otf",
        period="2026-11",
        file_format="xlsx",
        source=LoadSource.WEB,
    )
    table = read_table(Path(export.stored_path))
    assert table[0] == list(OTF_COLUMNS)
    assert table[1][6] == enrollment.member.cin and export.rows == 1


def test_otf_is_an_ecm_file(network: Any, settings: Any, tmp_path: Path) -> None:
    settings.CALAIM_DATA_DIR = tmp_path
    cs = with_ids(OrganizationFactory(name="Delta CS", kind="cs_provider"), "423456789")
    Contract.objects.create(
        plan=Plan.objects.get(code="HPSJ"), organization=cs, program="cs", capacity=1, start_date=dt.date(2022, 1, 1)
    )
    with pytest.raises(NotFound, match="no ECM contract"):
        exchange_export_create(
            actor=None,
            plan=Plan.objects.get(code="HPSJ"),
            provider=cs,
            kind="otf",
            period="2026-11",
            file_format="csv",
            source=LoadSource.COMMAND,
        )
