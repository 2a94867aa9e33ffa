"""Loading the identification job's candidates file into the ECM pipeline as plan-identified referrals.

A candidate becomes a referral only when the member is in the caller's plan, not delegated, not already
in ECM and has no open referral. The file is validated whole before anything is written, and each
referral carries an idempotency key built from (as_of, rule version, member), so loading the same file
twice creates nothing new.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from django.db import transaction

from calaim.accounts.models import Role, User
from calaim.accounts.policies import plan_staff_in
from calaim.core.errors import ValidationFailed
from calaim.ecm.models import ACTIVE_ENROLLMENT_STATUSES
from calaim.members.models import CIN_PATTERN, Member
from calaim.plans.selectors import pofs_in_force
from calaim.referrals.models import OPEN_STATUSES, Referral, ReferralStatus
from calaim.referrals.services import PofAttestationInput, ReferralInput
from calaim.workflows.eligibility import eligibility_determine
from calaim.workflows.referral_intake import referral_submit

COLUMNS = (
    "member_id",
    "pof",
    "as_of",
    "rule_version",
    "evidence_count",
    "first_evidence_date",
    "last_evidence_date",
    "evidence_claim_ids",
    "route_to",
)
_CIN = re.compile(CIN_PATTERN)
# Intake coordinators load files from the command line; the plan's data analysts load the runs they make in the app.
LOADING_ROLES = frozenset({Role.PLAN_INTAKE, Role.PLAN_DATA_ANALYST})


@dataclass
class Candidate:
    row: int
    member_id: str
    pof: str
    as_of: dt.date
    rule_version: str
    evidence_count: int
    first_evidence_date: str
    last_evidence_date: str
    evidence_claim_ids: list[str]
    route_to: str


@dataclass
class LoadReport:
    rows: int = 0
    members: int = 0
    created: int = 0
    determined: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)


def _records(path: Path) -> list[dict[str, Any]]:
    if path.suffix == ".parquet":
        table = pq.read_table(path)
        missing = [c for c in COLUMNS if c not in table.column_names]
        if missing:
            raise ValidationFailed(f"{path}: row 1: missing column {missing[0]}", field=missing[0])
        return [{k: ("" if v is None else str(v)) for k, v in row.items()} for row in table.to_pylist()]
    if path.suffix != ".csv":
        raise ValidationFailed(f"{path}: a candidates file ends in .csv or .parquet.", field="path")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValidationFailed(f"{path}: row 1: missing column {missing[0]}", field=missing[0])
        return list(reader)


def _parse(path: Path, index: int, record: dict[str, Any], pof_codes: set[str]) -> Candidate:
    def bad(column: str, problem: str) -> ValidationFailed:
        return ValidationFailed(f"{path}: row {index}: column {column}: {problem}", field=column)

    if not _CIN.match(record["member_id"] or ""):
        raise bad("member_id", f"{record['member_id']!r} is not a CIN (8 digits then a letter)")
    if record["pof"] not in pof_codes:
        raise bad("pof", f"unknown Population of Focus {record['pof']!r}")
    try:
        as_of = dt.date.fromisoformat(record["as_of"])
    except ValueError:
        raise bad("as_of", f"{record['as_of']!r} is not a YYYY-MM-DD date") from None
    count_text = record["evidence_count"] or "0"
    if not count_text.isdigit():
        raise bad("evidence_count", f"{count_text!r} is not a whole number")
    count = int(count_text)
    if not record["rule_version"]:
        raise bad("rule_version", "empty")
    ids = [i for i in (record["evidence_claim_ids"] or "").split(";") if i]
    return Candidate(
        index,
        record["member_id"],
        record["pof"],
        as_of,
        record["rule_version"],
        count,
        record["first_evidence_date"] or "",
        record["last_evidence_date"] or "",
        ids,
        record["route_to"] or "",
    )


def candidates_read(path: Path, day: dt.date) -> list[Candidate]:
    """Every row of the file, validated; the first bad one is reported with its row and column."""
    codes = {p.code for p in pofs_in_force(day)}
    return [_parse(path, i, record, codes) for i, record in enumerate(_records(path), start=1)]


def _facts(candidate: Candidate) -> str:
    if candidate.evidence_count == 0:
        return f"Plan data (rules {candidate.rule_version}, as of {candidate.as_of}): roster facts."
    return (
        f"Plan data (rules {candidate.rule_version}, as of {candidate.as_of}): {candidate.evidence_count} "
        f"claims from {candidate.first_evidence_date} to {candidate.last_evidence_date}."
    )


def _skip_reason(member: Member | None, rows: list[Candidate], actor: User, key: str) -> str | None:
    assert actor.organization is not None
    if member is None:
        return "no such member in calaim"
    if member.plan_id != actor.organization.plan_id:
        return "member of another plan"
    if rows[0].route_to or member.delegated_to_id:
        return "delegated (ECM provided by the delegate)"
    if Referral.objects.filter(submitted_by=actor, idempotency_key=key).exists():
        return "already loaded"
    if member.ecm_enrollments.filter(status__in=ACTIVE_ENROLLMENT_STATUSES).exists():
        return "already in ECM"
    if member.referrals.filter(status__in=OPEN_STATUSES).exists():
        return "has an open referral"
    return None


def _referral_input(member: Member, rows: list[Candidate], criteria: dict[str, list[str]]) -> ReferralInput:
    first = rows[0]
    return ReferralInput(
        member_cin=member.cin,
        member_birth_date=member.birth_date,
        source_type="plan_identification",
        form="plan_identification",
        referrer_name=f"{member.plan.name} data-driven identification",
        attested_by=f"calaim identify, rules {first.rule_version}",
        attested_on=first.as_of,
        member_aware=False,
        pof_attestations=[PofAttestationInput(pof=r.pof, criteria=criteria[r.pof], facts=_facts(r)) for r in rows],
        evidence={
            r.pof: {
                "evidence_count": r.evidence_count,
                "first_evidence_date": r.first_evidence_date,
                "last_evidence_date": r.last_evidence_date,
                "evidence_claim_ids": r.evidence_claim_ids,
                "rule_version": r.rule_version,
                "as_of": r.as_of.isoformat(),
                "file_row": r.row,
            }
            for r in rows
        },
    )


def candidates_load(*, actor: User, path: Path, day: dt.date, determine: bool = False) -> LoadReport:
    """Turn a candidates file into plan-identified referrals, all or nothing; optionally determine
    eligibility for each new referral at once."""
    plan_id = actor.organization.plan_id if actor.organization else None
    plan_staff_in(actor, LOADING_ROLES, plan_id or -1, "load plan identification files").enforce()
    candidates = candidates_read(path, day)
    by_member: dict[str, list[Candidate]] = {}
    for candidate in candidates:
        by_member.setdefault(candidate.member_id, []).append(candidate)
    criteria = {p.code: [c["key"] for c in p.criteria] for p in pofs_in_force(day)}
    members = {m.cin: m for m in Member.objects.select_related("plan").filter(cin__in=list(by_member))}
    report = LoadReport(rows=len(candidates), members=len(by_member))
    with transaction.atomic():
        for cin, rows in sorted(by_member.items()):
            key = f"identify:{rows[0].as_of}:{rows[0].rule_version}:{cin}"
            reason = _skip_reason(members.get(cin), rows, actor, key)
            if reason is not None:
                report.skipped[reason] += 1
                continue
            referral, created = referral_submit(
                actor=actor, data=_referral_input(members[cin], rows, criteria), idempotency_key=key
            )
            report.created += int(created)
            if determine and referral.status == ReferralStatus.RECEIVED:
                report.determined[eligibility_determine(actor=actor, referral=referral).outcome] += 1
    return report
