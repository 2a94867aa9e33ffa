"""The Return Transmission File (exchange-spec §2.2) as calaim makes it for a provider that works in calaim, so the
provider can hand each plan the file the plan may require, and the plan's RTF import reads it back with nothing new.

Which members: the provider's ECM enrollments of the plan's members open at any time in the period
(`enrollments_in_period`), and its Community Supports requests of the plan's members open at any time in it. Which
rows: one per closed-loop step dated in the period (`Referral Status`, `Date of Referral Status Update`, `Reason for
Referral Loop Closure`), in the order they happened, and one row with those three columns empty for a member with no
step in the period. An ECM member's steps are those of the referral behind the enrollment taken while the provider
had it (from its assignment to the next provider's, after a change of provider); a CS member's are those of the
requests assigned to the provider. Steps with the same status on the same day are one entry, the last of them (the
import keeps one entry per status and date). A member the provider serves in ECM and in Community Supports at once
is reported with the ECM enrollment only: the file has no column telling an ECM row from a CS row, and the import
reads a member's closed-loop steps into their ECM referral when they have one. The other columns carry the member's
current values: the roster's contact details (the indicators `N`: nothing new to report), the enrollment's status,
dates and discontinuation, and `rtf_values` for the acuity, Lead Care Manager, milestones and the period's encounter
counts.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from calaim.core.clock import local_date
from calaim.exchange.columns import RTF_COLUMNS
from calaim.exchange.export_common import (
    Parties,
    Period,
    cs_requests_in_period,
    enrollments_in_period,
    latest_per_member,
    member_order,
    parties_of,
    phone_text,
    pof_text,
    pofs_by_referral,
)
from calaim.exchange.rtf_values import Milestones, encounter_counts, enrollment_milestones
from calaim.exchange.vocabulary import ExchangeVocabulary, exchange_vocabulary
from calaim.exchange.writer import date_text, flag_text
from calaim.network.models import Organization
from calaim.plans.models import DiscontinuationReason, Plan
from calaim.referrals.models import LoopEvent

LOOP_COLUMNS = ("Referral Status", "Date of Referral Status Update", "Reason for Referral Loop Closure")
MEMBER_STATE = "CA"
_MEMBER_FIELDS = (
    "member_id", "member__cin", "member__last_name", "member__first_name", "member__experiencing_homelessness",
    "member__address_line", "member__city", "member__zip_code", "member__phone",
)  # fmt: skip
_ECM_FIELDS = (
    *_MEMBER_FIELDS, "id", "referral_id", "assigned_at", "ended_on", "status", "enrolled_on",
    "discontinuation_reason", "next_enrollment__assigned_at",
)  # fmt: skip


Step = tuple[str, dt.date, str]  # (Referral Status, its date, closure reason)


@dataclass
class _Line:
    """One member's rows: the current values of every column but the closed loop's, and the period's steps."""

    member_id: uuid.UUID
    order: tuple[str, ...]
    values: dict[str, str]
    steps: list[Step] = field(default_factory=list)


def rtf_rows(plan: Plan, provider: Organization, period: Period, produced_on: dt.date) -> list[list[str]]:
    """The RTF's data rows for the provider, plan and period, produced on `produced_on`."""
    parties = parties_of(plan, provider)
    ecm = list(_ecm_lines(plan, provider, period))
    in_ecm = {line.member_id for line in ecm}
    cs = [line for line in _cs_lines(plan, provider, period) if line.member_id not in in_ecm]
    lines = sorted([*ecm, *cs], key=lambda line: line.order)
    header = _file_values(parties, period, produced_on)
    rows = []
    for line in lines:
        values = {**header, **line.values}
        loops = [_step_text(step) for step in line.steps] or [("", "", "")]
        for loop in loops:
            merged = {**values, **dict(zip(LOOP_COLUMNS, loop, strict=True))}
            rows.append([merged.get(column, "") for column in RTF_COLUMNS])
    return rows


def _step_text(step: Step) -> tuple[str, str, str]:
    status, day, reason = step
    return status, date_text(day), reason


def _file_values(parties: Parties, period: Period, produced_on: dt.date) -> dict[str, str]:
    return {
        "Primary Payer (MCP) Identifier": parties.plan_code,
        "MCP Name": parties.plan_name,
        "Member Information Return Transmission File Production Date": date_text(produced_on),
        "Member Information File Reporting Period": period.label,
        "ECM Provider Name": parties.provider_name,
        "ECM Provider National Provider Identifier (NPI)": parties.provider_npi,
        "ECM Provider Tax ID Number (TIN)": parties.provider_tin,
        "ECM Provider Phone Number": parties.provider_phone,
    }


def _member_values(row: dict[str, Any]) -> dict[str, str]:
    """The roster's contact details, reported as nothing new (calaim's roster is where they came from)."""
    return {
        "Member Client Index Number (CIN)": row["member__cin"],
        "Member Last Name": row["member__last_name"],
        "Member First Name": row["member__first_name"],
        "Member New Address Indicator": flag_text(False),
        "Member Homelessness Indicator": flag_text(row["member__experiencing_homelessness"]),
        "Member Residential Address": row["member__address_line"],
        "Member Residential City": row["member__city"],
        "Member Residential State": MEMBER_STATE,
        "Member Residential Zip": row["member__zip_code"],
        "Member New Phone Number Indicator": flag_text(False),
        "Member Phone Number": phone_text(row["member__phone"]),
    }


# ---- ECM ---------------------------------------------------------------------------------------------------------


def _ecm_lines(plan: Plan, provider: Organization, period: Period) -> Iterator[_Line]:
    enrollments = enrollments_in_period(plan, provider, period)
    rows = list(enrollments.values(*_ECM_FIELDS))
    if not rows:
        return
    steps = _ecm_steps(rows, enrollments.values("referral_id"), period)
    milestones = enrollment_milestones(enrollments.values("id"))
    counts = encounter_counts(plan, provider, period, enrollments.values("member_id"))
    pofs = pofs_by_referral(enrollments)
    reasons = _discontinuation_reasons()
    vocabulary = exchange_vocabulary(period.end)
    for row in latest_per_member(rows):
        pof_codes = pofs.get(row["referral_id"], [])
        values = {
            **_member_values(row),
            "Member POF Indicator": flag_text(bool(pof_codes)),
            "Member POF": pof_text(pof_codes),
            "Member ECM Status": vocabulary.ecm_status_code(row["status"]) or row["status"],
            "ECM Enrollment Start Date": date_text(row["enrolled_on"]),
            "ECM Enrollment End Date": date_text(row["ended_on"]),
            **_milestone_values(milestones.get(row["id"], Milestones())),
            **_discontinuation_values(row, reasons, vocabulary),
            **dict(zip(("In Person", "Telephonic/Video"), map(str, counts.get(row["member_id"], (0, 0))), strict=True)),
        }
        yield _Line(row["member_id"], (*member_order(row), "ecm"), values, steps.get(row["member_id"], []))


def _ecm_steps(rows: list[dict[str, Any]], referral_ids: Any, period: Period) -> dict[uuid.UUID, list[Step]]:
    """Per member, the period's steps of each enrollment's referral taken while this provider had the member."""
    by_referral: dict[uuid.UUID, list[tuple[dt.datetime, Step]]] = defaultdict(list)
    events = (
        LoopEvent.objects.filter(
            referral_id__in=referral_ids,
            at__gte=period.starts_at,
            at__lt=period.ends_before,
        )
        .order_by("at", "id")
        .values_list("referral_id", "loop_status", "loop_closure_reason", "at")
    )
    for referral_id, status, reason, at in events:
        by_referral[referral_id].append((at, (status, local_date(at), reason)))
    timed: dict[uuid.UUID, list[tuple[dt.datetime, Step]]] = defaultdict(list)
    for row in rows:
        until = row["next_enrollment__assigned_at"]
        timed[row["member_id"]] += [
            (at, step)
            for at, step in by_referral.get(row["referral_id"], [])
            if at >= row["assigned_at"] and (until is None or at < until)
        ]
    return {member_id: _one_per_status_and_day(items) for member_id, items in timed.items()}


def _one_per_status_and_day(items: list[tuple[dt.datetime, Step]]) -> list[Step]:
    """The steps in the order they happened; of several with the same status on the same day, the last, in its
    place (so the file's last entry of a day is still the day's last step)."""
    kept: dict[tuple[str, dt.date], Step] = {}
    for _, step in sorted(items, key=lambda item: item[0]):
        kept.pop((step[0], step[1]), None)
        kept[(step[0], step[1])] = step
    return list(kept.values())


def _milestone_values(found: Milestones) -> dict[str, str]:
    return {
        "Member Acuity Level": found.acuity_level,
        "Date of Latest Care Plan Revision": date_text(found.care_plan_revised_on),
        "Date of Most Recent Care Conference": date_text(found.care_conference_on),
        "Date Assessment Started": date_text(found.assessment_started_on),
        "Date of Most Recent Completed Assessment": date_text(found.assessment_completed_on),
        "Date of Most Recent Encounter with Member": date_text(found.last_encounter_on),
        "ECM Lead Care Manager Name": found.lead_care_manager_name,
        "ECM Lead Care Manager Name Phone Number": phone_text(found.lead_care_manager_phone),
        "ECM Lead Care Manager Email": found.lead_care_manager_email,
    }


def _discontinuation_reasons() -> dict[str, list[DiscontinuationReason]]:
    """Every version of every discontinuation reason, by code (a handful of rows)."""
    reasons: dict[str, list[DiscontinuationReason]] = defaultdict(list)
    for reason in DiscontinuationReason.objects.order_by("code", "-effective_from"):
        reasons[reason.code].append(reason)
    return reasons


def _discontinuation_values(
    row: dict[str, Any], reasons: dict[str, list[DiscontinuationReason]], vocabulary: ExchangeVocabulary
) -> dict[str, str]:
    """An ended enrollment's date, the code the file writes for its reason (the DHCS code) and the reason's label
    (the version in force on the day it ended)."""
    code, ended_on = row["discontinuation_reason"], row["ended_on"]
    if not code or ended_on is None:
        return {"Discontinuation Date": "", "Discontinuation Reason Code": "", "Discontinuation Reason": ""}
    versions = reasons.get(code, [])
    reason = next((r for r in versions if r.effective_from <= ended_on), versions[-1] if versions else None)
    return {
        "Discontinuation Date": date_text(ended_on),
        "Discontinuation Reason Code": vocabulary.discontinuation_code(code),
        "Discontinuation Reason": reason.label if reason is not None else code,
    }


# ---- Community Supports ------------------------------------------------------------------------------------------


def _cs_lines(plan: Plan, provider: Organization, period: Period) -> Iterator[_Line]:
    """A CS provider's members: requests assigned to it, received by the period's end and not closed before it."""
    requests = cs_requests_in_period(plan, provider, period)
    rows = list(requests.values(*_MEMBER_FIELDS))
    if not rows:
        return
    steps: dict[uuid.UUID, list[tuple[dt.datetime, Step]]] = defaultdict(list)
    events = (
        LoopEvent.objects.filter(cs_request__in=requests, at__gte=period.starts_at, at__lt=period.ends_before)
        .order_by("at", "id")
        .values_list("cs_request__member_id", "loop_status", "loop_closure_reason", "at")
    )
    for member_id, status, reason, at in events:
        steps[member_id].append((at, (status, local_date(at), reason)))
    members = {row["member_id"]: row for row in rows}
    for member_id, row in members.items():
        yield _Line(
            member_id, (*member_order(row), "cs"), _member_values(row), _one_per_status_and_day(steps[member_id])
        )
