"""Loading the closed-loop table (DHCS vocabulary and calaim's transition table) from versioned YAML."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.db import transaction

from calaim.accounts.models import PROVIDER_ROLES
from calaim.notices.models import NoticeKind
from calaim.plans.reference import ReferenceDataError, _entries, _Entry
from calaim.referrals.models import LoopTransition, LoopVocabulary, ReferralStatus

REFERENCE_DIR = Path(__file__).with_name("reference")
FILENAME = "closed_loop.yaml"
PROGRAMS = ("ecm", "cs", "any")
LOOP_CLOSED = "Referral Loop Closed"
_TRANSITION_KEYS = {
    "program",
    "status",
    "cause",
    "loop_status",
    "loop_closure_reason",
    "notify_referrer",
    "notify_provider",
    "member_notice",
}


def _vocabulary(meta: dict[str, Any], key: str) -> list[str]:
    values = meta.get(key)
    if not isinstance(values, list) or not values or not all(isinstance(v, str) and v.strip() for v in values):
        raise ReferenceDataError(f"{FILENAME}: {key!r} must be a list of non-empty strings")
    return values


def _transition(entry: _Entry, statuses: list[str], reasons: list[str]) -> dict[str, Any]:
    entry.allow_only(_TRANSITION_KEYS)
    program = entry.text("program")
    if program not in PROGRAMS:
        raise entry.fail("program", f"{program!r} is not one of {', '.join(PROGRAMS)}")
    status = entry.text("status")
    if program == "ecm" and status not in ReferralStatus.values:
        raise entry.fail("status", f"{status!r} is not an ECM referral status")
    loop_status = entry.text("loop_status")
    if loop_status not in statuses:
        raise entry.fail("loop_status", f"{loop_status!r} is not one of the statuses listed: {', '.join(statuses)}")
    reason = entry.text("loop_closure_reason", "")
    if (loop_status == LOOP_CLOSED) != bool(reason):
        raise entry.fail("loop_closure_reason", f"give a closure reason exactly when the status is {LOOP_CLOSED!r}")
    if reason and reason not in reasons:
        raise entry.fail("loop_closure_reason", f"{reason!r} is not one of the closure reasons listed")
    notice = entry.text("member_notice", "")
    if notice and notice not in NoticeKind.values:
        raise entry.fail("member_notice", f"{notice!r} is not a notice kind: {', '.join(NoticeKind.values)}")
    told = entry.strings("notify_provider", [])
    if stranger := next((role for role in told if role not in PROVIDER_ROLES), None):
        raise entry.fail("notify_provider", f"{stranger!r} is not a provider role: {', '.join(sorted(PROVIDER_ROLES))}")
    return {
        "program": program,
        "status": status,
        "cause": entry.text("cause", ""),
        "loop_status": loop_status,
        "loop_closure_reason": reason,
        "notify_referrer": entry.value("notify_referrer", bool, False),
        "notify_provider": sorted(set(told)),
        "member_notice": notice,
    }


def closed_loop_load(directory: Path | None = None) -> dict[str, int]:
    """Load the closed-loop vocabulary and transition table idempotently; a malformed file changes nothing."""
    entries, meta = _entries(directory or REFERENCE_DIR, FILENAME, "transitions")
    version = str(meta.get("version", "2026.1"))
    start = meta.get("effective_from")
    if not isinstance(start, dt.date):
        raise ReferenceDataError(f"{FILENAME}: 'effective_from' must be a date")
    statuses, reasons = _vocabulary(meta, "statuses"), _vocabulary(meta, "closure_reasons")
    rows = [_transition(entry, statuses, reasons) for entry in entries]
    keys = [(r["program"], r["status"], r["cause"]) for r in rows]
    if duplicate := next((key for key in keys if keys.count(key) > 1), None):
        raise ReferenceDataError(f"{FILENAME}: the transition {' '.join(filter(None, duplicate))} appears twice")
    dated = {"version": version, "effective_to": None}
    with transaction.atomic():
        for kind, codes in ((LoopVocabulary.Kind.STATUS, statuses), (LoopVocabulary.Kind.CLOSURE_REASON, reasons)):
            for code in codes:
                LoopVocabulary.objects.update_or_create(kind=kind, code=code, effective_from=start, defaults=dated)
        for row in rows:
            key = {name: row.pop(name) for name in ("program", "status", "cause")}
            LoopTransition.objects.update_or_create(**key, effective_from=start, defaults={**row, **dated})
    return {"closed_loop_values": len(statuses) + len(reasons), "closed_loop_transitions": len(rows)}
