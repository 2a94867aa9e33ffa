"""Builders for the export tests: providers with valid NPIs, members assigned and enrolled on chosen days, closed-loop
steps at chosen moments, and reading a written file back."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from calaim.accounts.models import User
from calaim.careplans.models import OutreachAttempt
from calaim.core.clock import PLAN_TIME_ZONE
from calaim.ecm.models import Enrollment, EnrollmentStatus
from calaim.members.models import Member
from calaim.network.models import Organization
from calaim.plans.models import County, Plan
from calaim.referrals.models import LoopEvent, Referral
from tests.factories import EnrollmentFactory, MemberFactory, ReferralFactory


def npi(nine: str) -> str:
    """A valid NPI: the nine digits and their Luhn check digit (with the "80840" prefix)."""
    total = 0
    for i, char in enumerate(reversed("80840" + nine + "0")):
        digit = int(char)
        if i % 2:
            digit = digit * 2 - 9 if digit >= 5 else digit * 2
        total += digit
    return nine + str((10 - total % 10) % 10)


def with_ids(org: Organization, nine: str, tin: str = "123456789") -> Organization:
    org.npi, org.tin = npi(nine), tin
    org.save(update_fields=["npi", "tin"])
    return org


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    """A plan-local moment on `day`."""
    return dt.datetime.combine(day, dt.time(hour), tzinfo=PLAN_TIME_ZONE)


def plan_member(plan_code: str = "HPSJ", **fields: Any) -> Member:
    county = {"HPSJ": "San Joaquin", "HPSM": "San Mateo"}[plan_code]
    return MemberFactory(plan=Plan.objects.get(code=plan_code), county=County.objects.get(name=county), **fields)


def assign(
    member: Member,
    provider: Organization,
    *,
    assigned: dt.date,
    enrolled: dt.date | None = None,
    ended: dt.date | None = None,
    status: str | None = None,
    reason: str = "",
) -> Enrollment:
    """An enrollment of `member` with `provider`, assigned (and enrolled, ended) on the days given."""
    referral = ReferralFactory(
        member=member, status="assigned", received_at=at(assigned, 8), status_changed_at=at(assigned, 8)
    )
    if status is None:
        status = (
            EnrollmentStatus.DISENROLLED
            if ended
            else (EnrollmentStatus.ENROLLED if enrolled else EnrollmentStatus.ASSIGNED)
        )
    return EnrollmentFactory(
        referral=referral,
        provider=provider,
        assigned_at=at(assigned, 9),
        enrolled_on=enrolled,
        ended_on=ended,
        status=status,
        discontinuation_reason=reason,
    )


def step(
    referral: Referral, loop_status: str, moment: dt.datetime, reason: str = "", source: str = "calaim"
) -> LoopEvent:
    """A closed-loop step as calaim's loop would have recorded it."""
    return LoopEvent.objects.create(
        referral=referral,
        program="ecm",
        status="assigned",
        status_label="Assigned",
        loop_status=loop_status,
        loop_closure_reason=reason,
        at=moment,
        source=source,
    )


def attempt(enrollment: Enrollment, day: dt.date, method: str, *, reached: bool, minutes: int = 15) -> OutreachAttempt:
    return OutreachAttempt.objects.create(
        member=enrollment.member,
        enrollment=enrollment,
        organization=enrollment.provider,
        attempted_on=day,
        method=method,
        reached=reached,
        minutes_spent=minutes,
        performed_by=User.objects.get(username="cm_a"),
    )


def read_table(path: Path) -> list[list[str]]:
    """A written file's rows (header first) as text, whatever its format."""
    ending = path.suffix.lower()
    if ending == ".xlsx":
        book = load_workbook(path, read_only=True)
        sheet = book.worksheets[0]
        rows = [["" if value is None else str(value) for value in row] for row in sheet.iter_rows(values_only=True)]
        book.close()
        return rows
    delimiter = {".csv": ",", ".tsv": "\t", ".txt": "|", ".psv": "|"}[ending]
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle, delimiter=delimiter))


def by_column(header: list[str], row: list[str]) -> dict[str, str]:
    return dict(zip(header, row, strict=True))
