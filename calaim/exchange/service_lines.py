"""Encounter service lines for one provider, plan and month: the 837P-ready lines a provider (or the plan for it)
submits as encounters, from calaim's own records.

ECM lines come from the provider's recorded contacts (outreach attempts, reached or not, coded by
`calaim.exchange.encounters`); Community Supports lines from its recorded deliveries (`CsDelivery`), coded with the
catalog's code for deliveries of the service in force on the delivery's first day. A line is in the month its first
day of service is in, under the plan the member was in that day (`in_plan`: their enrollment spans). The billing
and rendering provider is the organization (calaim records no individual NPIs). A record calaim cannot code is left
out and listed with the reason (`ServiceLineReport.uncoded`).

The file is made, kept, recorded and audited like every provider file: `exchange_export_create` with kind
`service_lines` (calaim.exchange.exports), from the web pages, the API, `manage.py exchange_export --kind
service_lines` and `manage.py encounters_export`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import OuterRef

from calaim.careplans.models import OutreachAttempt
from calaim.community_supports.billing_codes import cs_delivery_code_on, cs_delivery_codes
from calaim.community_supports.models import CsBillingCode, CsDelivery, UnitsFrom
from calaim.exchange.encounters import EcmEncounterCode, ecm_encounters
from calaim.exchange.export_common import Period, in_plan
from calaim.exchange.writer import date_text, flag_text
from calaim.members.models import Member
from calaim.network.models import Organization
from calaim.plans.models import Plan

MAX_MODIFIERS = 5
SERVICE_LINE_COLUMNS: tuple[str, ...] = (
    "Member CIN",
    "Member Last Name",
    "Member First Name",
    "Member Date of Birth",
    "Service Date From",
    "Service Date To",
    "Procedure Code (HCPCS)",
    *(f"Modifier {n}" for n in range(1, MAX_MODIFIERS + 1)),
    "Units",
    "Line Charge Amount",
    "Place of Service",
    "Rendering Provider NPI",
    "Billing Provider NPI",
    "Billing Provider TIN",
    "Program",
    "Service",
    "Encounter Only",
    "Source Record Type",
    "Source Record ID",
    "Coding Version",
)
OUTREACH_ATTEMPT, CS_DELIVERY = "outreach_attempt", "cs_delivery"


@dataclass(frozen=True)
class ServiceLine:
    """One encounter line: who, when, what code, how many, by whom, and the record it comes from."""

    member_cin: str
    member_last_name: str
    member_first_name: str
    member_birth_date: dt.date
    service_from: dt.date
    service_to: dt.date
    hcpcs: str
    modifiers: tuple[str, ...]
    units: Decimal
    charge: Decimal | None
    place_of_service: str
    rendering_npi: str
    billing_npi: str
    billing_tin: str
    program: str  # ECM or CS
    service: str  # outreach, non_clinical, clinical; or the CS service code
    encounter_only: bool
    source_type: str
    source_id: str
    coding_version: str

    def row(self) -> list[str]:
        """The line as the file's text, in SERVICE_LINE_COLUMNS order."""
        modifiers = list(self.modifiers) + [""] * (MAX_MODIFIERS - len(self.modifiers))
        return [
            self.member_cin,
            self.member_last_name,
            self.member_first_name,
            date_text(self.member_birth_date),
            date_text(self.service_from),
            date_text(self.service_to),
            self.hcpcs,
            *modifiers,
            _number_text(self.units),
            "" if self.charge is None else f"{self.charge:.2f}",
            self.place_of_service,
            self.rendering_npi,
            self.billing_npi,
            self.billing_tin,
            self.program,
            self.service,
            flag_text(self.encounter_only),
            self.source_type,
            self.source_id,
            self.coding_version,
        ]

    @property
    def order(self) -> tuple[str, str, str, dt.date, str, str]:
        return (
            self.member_last_name.casefold(),
            self.member_first_name.casefold(),
            self.member_cin,
            self.service_from,
            self.hcpcs,
            self.source_id,
        )


@dataclass(frozen=True)
class Uncoded:
    """A record in the month that has no line, and why."""

    source_type: str
    source_id: str
    member_cin: str
    day: dt.date
    reason: str


@dataclass
class ServiceLineReport:
    lines: list[ServiceLine] = field(default_factory=list)
    uncoded: list[Uncoded] = field(default_factory=list)


def _number_text(value: Decimal) -> str:
    """A quantity without trailing zeros: 2, 1.5."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _line(member: Member, provider: Organization, **rest: Any) -> ServiceLine:
    return ServiceLine(
        member_cin=member.cin,
        member_last_name=member.last_name,
        member_first_name=member.first_name,
        member_birth_date=member.birth_date,
        rendering_npi=provider.npi,
        billing_npi=provider.npi,
        billing_tin=provider.tin,
        **rest,
    )


def _ecm_line(code: EcmEncounterCode, attempt: OutreachAttempt, provider: Organization) -> ServiceLine:
    return _line(
        attempt.member,
        provider,
        service_from=attempt.attempted_on,
        service_to=attempt.attempted_on,
        hcpcs=code.hcpcs,
        modifiers=code.modifiers,
        units=Decimal(code.units),
        charge=None,
        place_of_service=code.place_of_service,
        program="ECM",
        service=code.kind,
        encounter_only=False,
        source_type=OUTREACH_ATTEMPT,
        source_id=str(attempt.pk),
        coding_version=code.rule_version,
    )


def _ecm_part(plan: Plan, provider: Organization, period: Period, report: ServiceLineReport) -> None:
    for coded in ecm_encounters(plan, provider, period.start, period.end):
        attempt = coded.attempt
        if coded.code is None:
            report.uncoded.append(
                Uncoded(OUTREACH_ATTEMPT, str(attempt.pk), attempt.member.cin, attempt.attempted_on, coded.reason)
            )
            continue
        report.lines.append(_ecm_line(coded.code, attempt, provider))


def delivery_units(delivery: CsDelivery, code: CsBillingCode) -> Decimal:
    """The units a delivery bills under `code`: its units times the factor, its days of service, or one."""
    if code.units_from == UnitsFrom.DAYS:
        return Decimal((delivery.end_date - delivery.start_date).days + 1)
    if code.units_from == UnitsFrom.DELIVERY:
        return Decimal(1)
    return delivery.units * code.unit_factor


def _cs_line(delivery: CsDelivery, code: CsBillingCode, provider: Organization) -> ServiceLine:
    return _line(
        delivery.member,
        provider,
        service_from=delivery.start_date,
        service_to=delivery.end_date,
        hcpcs=code.hcpcs,
        modifiers=tuple(code.modifiers),
        units=delivery_units(delivery, code),
        charge=delivery.cost,
        place_of_service="",
        program="CS",
        service=delivery.service_code,
        encounter_only=code.encounter_only,
        source_type=CS_DELIVERY,
        source_id=str(delivery.pk),
        coding_version=code.version,
    )


def _cs_part(plan: Plan, provider: Organization, period: Period, report: ServiceLineReport) -> None:
    codes = cs_delivery_codes()
    deliveries = (
        CsDelivery.objects.filter(
            in_plan(plan, OuterRef("start_date"), OuterRef("start_date")),
            provider=provider,
            start_date__gte=period.start,
            start_date__lte=period.end,
        )
        .select_related("member")
        .order_by("start_date", "created_at", "id")
    )
    for delivery in deliveries:
        code = cs_delivery_code_on(codes, delivery.service_code, delivery.start_date)
        if code is None:
            reason = f"the catalog has no code for deliveries of {delivery.service_code} on {delivery.start_date}"
            report.uncoded.append(
                Uncoded(CS_DELIVERY, str(delivery.pk), delivery.member.cin, delivery.start_date, reason)
            )
            continue
        report.lines.append(_cs_line(delivery, code, provider))


def service_line_report(plan: Plan, provider: Organization, period: Period | str) -> ServiceLineReport:
    """The provider's ECM and CS service lines for the plan's members in the month, and the records left uncoded."""
    period = period if isinstance(period, Period) else Period.parse(period)
    report = ServiceLineReport()
    _ecm_part(plan, provider, period, report)
    _cs_part(plan, provider, period, report)
    report.lines.sort(key=lambda line: line.order)
    return report


def service_lines(plan: Plan, provider: Organization, period: Period | str) -> list[ServiceLine]:
    """The provider's service lines for the plan and month (YYYY-MM), sorted by member then date of service."""
    return service_line_report(plan, provider, period).lines


def service_line_facts(report: ServiceLineReport) -> dict[str, Any]:
    """What a service-lines file's audit event records beyond its rows: the lines by program and the records left
    uncoded, by reason (no member is named: the reasons are the coding's)."""
    by_program = Counter(line.program for line in report.lines)
    return {
        "lines_by_program": {program: by_program[program] for program in ("ECM", "CS")},
        "uncoded": len(report.uncoded),
        "uncoded_by_reason": dict(Counter(u.reason for u in report.uncoded).most_common()),
    }
