"""Fixtures for the provider files' import: Alpha Care Partners with an NPI and a TIN, members assigned or enrolled
with it under HPSJ, and helpers that write an RTF or OTF and run it through the services."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.utils import timezone

from calaim.accounts.models import Role
from calaim.core.clock import plan_today
from calaim.exchange.columns import OTF_COLUMNS, RTF_COLUMNS
from calaim.exchange.models import ExchangeLoad, LoadSource
from calaim.exchange.services import exchange_load_create, exchange_load_run
from calaim.network.models import Organization
from calaim.plans.models import Plan
from calaim.roster.reader_values import npi_check_digit
from tests.factories import EnrollmentFactory, UserFactory

ALPHA_NPI = "123456789" + npi_check_digit("123456789")
BRAVO_NPI = "198765432" + npi_check_digit("198765432")
MATEO_NPI = "155555555" + npi_check_digit("155555555")
DELIMITERS = {".csv": ",", ".tsv": "\t", ".txt": "|", ".psv": "|"}


def us(day: dt.date) -> str:
    return f"{day:%m/%d/%Y}"


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Path) -> None:
    settings.CALAIM_DATA_DIR = tmp_path / "data"


@pytest.fixture
def alpha(network: Any) -> Organization:
    for org, npi in ((network.provider_a, ALPHA_NPI), (network.provider_b, BRAVO_NPI), (network.provider_m, MATEO_NPI)):
        org.npi, org.tin = npi, "123456789"
        org.save(update_fields=["npi", "tin"])
    return network.provider_a


@pytest.fixture
def hpsj(network: Any) -> Plan:
    return Plan.objects.get(code="HPSJ")


@pytest.fixture
def analyst(network: Any) -> Any:
    return UserFactory(username="analyst", role=Role.PLAN_DATA_ANALYST, organization=network.hpsj)


@pytest.fixture
def assigned(alpha: Organization) -> Callable[..., Any]:
    """An enrollment of a new member with Alpha, assigned 20 days ago (`enrolled=True` for enrolled today)."""

    def make(**kwargs: Any) -> Any:
        kwargs.setdefault("assigned_at", timezone.now() - dt.timedelta(days=20))
        return EnrollmentFactory(provider=alpha, **kwargs)

    return make


def write_table(path: Path, header: Iterable[str], rows: Iterable[Iterable[Any]], *, sheet: str = "RTF") -> Path:
    """Write a header and rows in the format the path's ending asks for."""
    header, rows = list(header), [list(r) for r in rows]
    if path.suffix == ".xlsx":
        book = openpyxl.Workbook()
        ws = book.active
        ws.title = sheet
        ws.append(header)
        for row in rows:
            ws.append(row)
        book.save(path)
        return path
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=DELIMITERS[path.suffix]).writerows([header, *rows])
    return path


def rtf_row(cin: str, npi: str = ALPHA_NPI, **values: Any) -> dict[str, Any]:
    """An RTF row as a dict by column (keys may use the column name or a short name below)."""
    short = {
        "status": "Referral Status",
        "status_date": "Date of Referral Status Update",
        "reason": "Reason for Referral Loop Closure",
        "ecm_status": "Member ECM Status",
        "start": "ECM Enrollment Start Date",
        "discontinued": "Discontinuation Date",
        "code": "Discontinuation Reason Code",
        "lcm": "ECM Lead Care Manager Name",
        "lcm_phone": "ECM Lead Care Manager Name Phone Number",
        "lcm_email": "ECM Lead Care Manager Email",
        "acuity": "Member Acuity Level",
        "in_person": "In Person",
        "telephonic": "Telephonic/Video",
        "period": "Member Information File Reporting Period",
        "produced": "Member Information Return Transmission File Production Date",
        "new_address": "Member New Address Indicator",
        "address": "Member Residential Address",
        "city": "Member Residential City",
        "zip": "Member Residential Zip",
        "new_phone": "Member New Phone Number Indicator",
        "phone": "Member Phone Number",
        "care_plan": "Date of Latest Care Plan Revision",
    }
    row: dict[str, Any] = {
        "Member Client Index Number (CIN)": cin,
        "ECM Provider National Provider Identifier (NPI)": npi,
    }
    for name, value in values.items():
        row[short.get(name, name)] = value
    return row


def rtf_file(path: Path, rows: list[dict[str, Any]], columns: Iterable[str] = RTF_COLUMNS) -> Path:
    columns = list(columns)
    return write_table(path, columns, ([row.get(c, "") for c in columns] for row in rows))


def otf_row(
    cin: str,
    day: dt.date | str,
    *,
    method: str = "Telephone",
    reached: str = "N",
    minutes: Any = 15,
    npi: str = ALPHA_NPI,
) -> dict[str, Any]:
    return {
        "ECM Provider National Provider Identifier (NPI)": npi,
        "Member Client Index Number": cin,
        "Date of Outreach Attempt": us(day) if isinstance(day, dt.date) else day,
        "Outreach Attempt Method": method,
        "Outreach Attempt Successful": reached,
        "Time Spent Performing Outreach": minutes,
    }


def otf_file(path: Path, rows: list[dict[str, Any]], columns: Iterable[str] = OTF_COLUMNS) -> Path:
    columns = list(columns)
    return write_table(path, columns, ([row.get(c, "") for c in columns] for row in rows), sheet="OTF")


def run_import(
    path: Path,
    *,
    kind: str = "rtf",
    actor: Any = None,
    plan: Plan | None = None,
    provider: Organization | None = None,
    accept_valid_rows: bool = False,
    source: str = LoadSource.COMMAND,
) -> ExchangeLoad:
    """Record and run a load of `path` (Alpha's, under HPSJ unless told), as the command does."""
    load = exchange_load_create(
        actor=actor,
        actor_label="tester",
        plan=plan or Plan.objects.get(code="HPSJ"),
        provider=provider or Organization.objects.get(npi=ALPHA_NPI),
        kind=kind,
        path=path,
        file_name=path.name,
        source=source,
        accept_valid_rows=accept_valid_rows,
    )
    return exchange_load_run(load)


def today() -> dt.date:
    return plan_today()
