"""The closed-loop columns of an RTF (39-41) into the closed loop's history: one `LoopEvent` from the file (source
RTF) per distinct (Referral Status, date) of a referral or Community Supports request, appended to the entries
already on record, and the subject's current DHCS status moved to the entry with the latest date (ties: file
order) when that entry is no older than the subject's last step.

The entries keep the subject's own status (the calaim lifecycle that enrollment and discontinuation move), so the
referrer reads the provider's reported status beside calaim's. Written in bulk; each moved subject gets the audit
event `closed_loop.step` writes for a step, with the loop fields before and after.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from calaim.community_supports.models import CsRequest
from calaim.core.clock import end_of_local_day, local_date
from calaim.exchange import rtf_columns as C
from calaim.exchange.bulk_sql import rows_copy, rows_update
from calaim.exchange.import_common import AuditRows, chunks
from calaim.exchange.import_rtf import LoopRecord, RtfRow
from calaim.exchange.models import ExchangeLoad
from calaim.network.models import Program
from calaim.referrals.closed_loop import AUDIT_PREFIX
from calaim.referrals.models import LoopEvent, Referral

EVENT_COLUMNS = (
    "referral_id",
    "cs_request_id",
    "program",
    "status",
    "status_label",
    "loop_status",
    "loop_closure_reason",
    "at",
    "reason",
    "source",
    "actor_label",
    "table_version",
)


@dataclass
class Subject:
    program: str
    id: Any
    member_id: Any
    status: str
    status_label: str
    loop_status: str
    loop_closure_reason: str
    record: LoopRecord


def loop_steps_apply(
    load: ExchangeLoad, rows: list[RtfRow], version: str, known: dict[Any, LoopRecord], audit: AuditRows
) -> tuple[set[int], int]:
    """Append the rows' new entries (an entry with the same status, date and reason as a step on record, or the
    same status and date as one reported before, is no news); returns the rows that added one and how many
    subjects' status moved. `known` is the check's read of the entries on record, taken in the load's
    transaction."""
    subjects = _subjects(rows, known)
    now = timezone.now()
    events: list[tuple[Any, ...]] = []
    applied: set[int] = set()
    latest: dict[tuple[str, Any], tuple[dt.datetime, str, str]] = {}
    note = f"Reported by {load.provider.name} in {load.file_name}"
    for order, row in enumerate(rows):
        key = _key(row)
        subject = subjects[key]
        status, day, reason = row.get(C.STATUS), row.get(C.STATUS_DATE), row.get(C.REASON) or ""
        record = subject.record
        if (status, day, reason) in record.entries or (status, day) in record.reported:
            continue
        record.entries.add((status, day, reason))
        record.reported[(status, day)] = reason
        at = _reported_at(day, order, len(rows), now)
        ecm = subject.program == Program.ECM
        events.append(
            (
                subject.id if ecm else None,
                None if ecm else subject.id,
                subject.program,
                subject.status,
                subject.status_label,
                status,
                reason,
                at,
                note,
                LoopEvent.Source.RTF,
                load.actor_label,
                version,
            )
        )
        applied.add(row.rn)
        if key not in latest or at >= latest[key][0]:
            latest[key] = (at, status, reason)
    rows_copy(LoopEvent, EVENT_COLUMNS, events)
    return applied, _move_current(subjects, latest, audit)


def _reported_at(day: dt.date, order: int, rows: int, now: dt.datetime) -> dt.datetime:
    """When an entry dated `day` is recorded: at the end of that day in plan time, after the day's own steps in
    calaim and in file order (a file reports a day that is over), or now for today's."""
    if day >= local_date(now):
        return now
    return end_of_local_day(day) - dt.timedelta(microseconds=rows - order)


def _key(row: RtfRow) -> tuple[str, Any]:
    if row.enrollment is not None:
        return (Program.ECM, row.enrollment.referral_id)
    assert row.cs_request is not None
    return (Program.CS, row.cs_request.id)


def _subjects(rows: list[RtfRow], known: dict[Any, LoopRecord]) -> dict[tuple[str, Any], Subject]:
    """The referrals and requests the rows bear on, with their status and loop fields (fetched in sets)."""
    found: dict[tuple[str, Any], Subject] = {}
    keys = {_key(row) for row in rows}
    for program, model in ((Program.ECM, Referral), (Program.CS, CsRequest)):
        ids = sorted((k[1] for k in keys if k[0] == program), key=str)
        for part in chunks(ids):
            subjects = model.objects.filter(pk__in=part).only(  # type: ignore[attr-defined]
                "id", "member_id", "status", "loop_status", "loop_closure_reason"
            )
            for subject in subjects:
                found[(program, subject.pk)] = Subject(
                    program,
                    subject.pk,
                    subject.member_id,
                    subject.status,
                    subject.get_status_display(),
                    subject.loop_status,
                    subject.loop_closure_reason,
                    known.setdefault(subject.pk, LoopRecord()),
                )
    return found


def _move_current(
    subjects: dict[tuple[str, Any], Subject],
    latest: dict[tuple[str, Any], tuple[dt.datetime, str, str]],
    audit: AuditRows,
) -> int:
    """Each subject whose newest entry is no older than its last step takes that entry's status and reason."""
    moved: dict[str, list[Any]] = {Program.ECM: [], Program.CS: []}
    for key, (at, status, reason) in latest.items():
        subject = subjects[key]
        if subject.record.last_at is not None and at < subject.record.last_at:
            continue
        new = (status, reason)
        if new == (subject.loop_status, subject.loop_closure_reason):
            continue
        model = Referral if subject.program == Program.ECM else CsRequest
        instance = model(pk=subject.id, loop_status=new[0], loop_closure_reason=new[1])
        moved[subject.program].append(instance)
        audit.add(
            f"{AUDIT_PREFIX[subject.program]}.loop_reported",
            (model._meta.label_lower, subject.id),
            subject.member_id,
            {"loop_status": subject.loop_status, "loop_closure_reason": subject.loop_closure_reason},
            {"loop_status": new[0], "loop_closure_reason": new[1]},
        )
    for program, instances in moved.items():
        model = Referral if program == Program.ECM else CsRequest
        rows_update(instances, ["loop_status", "loop_closure_reason"])
    return sum(len(v) for v in moved.values())
