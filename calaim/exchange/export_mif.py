"""The Member Information File (exchange-spec §2.1): the plan tells an ECM provider who its members are.

One row per member assigned to the provider under the plan at any time in the period (the member's latest such
ECM enrollment), in `MIF_COLUMNS` order, sorted by name. Read with four queries whatever the caseload's size.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from calaim.core.clock import local_date
from calaim.exchange.columns import MIF_COLUMNS
from calaim.exchange.export_common import (
    Parties,
    Period,
    enrollments_in_period,
    latest_per_member,
    member_order,
    parties_of,
    phone_text,
    pof_text,
    pofs_by_referral,
)
from calaim.exchange.writer import date_text, flag_text
from calaim.members.models import EnrollmentSpan
from calaim.network.models import Organization
from calaim.plans.models import Plan

NEW, CONTINUING, TERMED = "New", "Continuing", "Termed"
MEMBER_STATE = "CA"  # Medi-Cal members live in California; the roster has no state column

_FIELDS = (
    "id", "member_id", "referral_id", "assigned_at", "ended_on",
    "member__cin", "member__last_name", "member__first_name", "member__birth_date", "member__sex",
    "member__language", "member__experiencing_homelessness", "member__address_line", "member__city",
    "member__zip_code", "member__phone", "member__pcp_name", "member__pcp_organization__name",
    "member__pcp_organization__npi",
    "authorization_id", "authorization__period_start", "authorization__period_end",
)  # fmt: skip


def member_record_status(
    period: Period, *, assigned_on: dt.date, ended_on: dt.date | None, plan_ended_on: dt.date | None
) -> str:
    """`Termed` when the ECM enrollment with this provider ended in the period, or the member's enrollment in the
    plan did (the end day counted in the period); else `New` when the member was assigned to this provider in the
    period (a transfer from another provider is new to this one); else `Continuing`. Termed wins over New: a member
    assigned and ended in the same month is reported ended."""
    if (ended_on is not None and ended_on in period) or (plan_ended_on is not None and plan_ended_on in period):
        return TERMED
    if assigned_on in period:
        return NEW
    return CONTINUING


def mif_rows(plan: Plan, provider: Organization, period: Period, produced_on: dt.date) -> list[list[str]]:
    """The MIF's data rows for the provider, plan and period, produced on `produced_on`."""
    enrollments = enrollments_in_period(plan, provider, period)
    rows = sorted(latest_per_member(enrollments.values(*_FIELDS)), key=member_order)
    pofs = pofs_by_referral(enrollments)
    plan_ends = _plan_enrollment_ends(plan, enrollments.values("member_id"))
    parties = parties_of(plan, provider)
    return [_mif_row(row, parties, period, produced_on, pofs, plan_ends) for row in rows]


def _plan_enrollment_ends(plan: Plan, member_ids: Any) -> dict[uuid.UUID, dt.date | None]:
    """Each member's latest enrollment span in the plan: its end (None while open)."""
    ends: dict[uuid.UUID, dt.date | None] = {}
    spans = (
        EnrollmentSpan.objects.filter(plan=plan, member_id__in=member_ids)
        .order_by("member_id", "start_date")
        .values_list("member_id", "end_date")
    )
    for member_id, end_date in spans:
        ends[member_id] = end_date
    return ends


def _mif_row(
    row: dict[str, Any],
    parties: Parties,
    period: Period,
    produced_on: dt.date,
    pofs: dict[uuid.UUID, list[str]],
    plan_ends: dict[uuid.UUID, dt.date | None],
) -> list[str]:
    plan_ended_on = plan_ends.get(row["member_id"])
    status = member_record_status(
        period, assigned_on=local_date(row["assigned_at"]), ended_on=row["ended_on"], plan_ended_on=plan_ended_on
    )
    values = {
        "Primary Payer (MCP) Identifier": parties.plan_code,
        "MCP Name": parties.plan_name,
        "Member Client Index Number (CIN)": row["member__cin"],
        "Member Last Name": row["member__last_name"],
        "Member First Name": row["member__first_name"],
        "Member Date of Birth": date_text(row["member__birth_date"]),
        "Member Sex": row["member__sex"],
        "Member Preferred Language": row["member__language"],
        "Member Homelessness Indicator": flag_text(row["member__experiencing_homelessness"]),
        "Member Residential Address": row["member__address_line"],
        "Member Residential City": row["member__city"],
        "Member Residential State": MEMBER_STATE,
        "Member Residential Zip": row["member__zip_code"],
        "Member Phone Number": phone_text(row["member__phone"]),
        "Member POF": pof_text(pofs.get(row["referral_id"], [])),
        "ECM Authorization ID": str(row["authorization_id"]),
        "ECM Benefit Authorization Effective Date": date_text(row["authorization__period_start"]),
        "ECM Benefit Authorization End Date": date_text(row["authorization__period_end"]),
        "Member Record Status": status,
        "Member Plan Enrollment End Date": date_text(plan_ended_on),
        "PCP Name": row["member__pcp_name"] or row["member__pcp_organization__name"] or "",
        "PCP NPI": row["member__pcp_organization__npi"] or "",
        "ECM Provider Name": parties.provider_name,
        "ECM Provider National Provider Identifier (NPI)": parties.provider_npi,
        "ECM Provider Tax ID Number (TIN)": parties.provider_tin,
        "Member Information File Reporting Period": period.label,
        "Member Information File Production Date": date_text(produced_on),
    }
    return [values[column] for column in MIF_COLUMNS]
