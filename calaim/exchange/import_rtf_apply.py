"""What the valid rows of a checked RTF change (exchange-spec §2.2), inside the load's transaction, only what is new:
enrollments, then the provider's reports, the closed-loop entries, the contact updates and the encounter counts
(each written in bulk, with one audit event per record it creates or changes), then discontinuations.

"New" is judged against what calaim shows for the member, the values its own RTF export writes
(`calaim.exchange.rtf_values`): a row that carries them changes nothing and counts as unchanged, so a file sent
again, or the RTF calaim made for the provider read back, is a no-op.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils import timezone

from calaim.core.audit import snapshot
from calaim.core.clock import local_date
from calaim.exchange import rtf_columns as C
from calaim.exchange.bulk_sql import rows_insert, rows_update
from calaim.exchange.export_common import Period
from calaim.exchange.import_common import AuditRows, chunks, effect_counts, reported_day
from calaim.exchange.import_enroll_bulk import enrollments_reported
from calaim.exchange.import_enrollment import discontinue_reported
from calaim.exchange.import_loop import loop_steps_apply
from calaim.exchange.import_rtf import LoopRecord, RtfChecked, RtfRow
from calaim.exchange.models import ContactUpdate, EncounterCount, ExchangeLoad, ProviderReport
from calaim.exchange.rtf_values import Milestones, encounter_counts, enrollment_milestones
from calaim.exchange.vocabulary import ExchangeVocabulary

REPORT_FIELDS = list(C.REPORT_FIELDS.values())
TEXT_FIELDS = {"acuity_level", "lead_care_manager_name", "lead_care_manager_phone", "lead_care_manager_email"}
CONTACT_FIELDS = ["new_address", "homeless", "address", "city", "state", "zip_code", "new_phone", "phone"]
COUNT_FIELDS = ["in_person", "telephonic"]


@dataclass
class Work:
    """One apply step's inputs and what it adds to: the rows it touched and each effect's count."""

    load: ExchangeLoad
    rows: list[RtfRow]
    vocabulary: ExchangeVocabulary
    checked: RtfChecked
    audit: AuditRows
    touched: set[int] = field(default_factory=set)
    counts: defaultdict[str, int] = field(default_factory=effect_counts)

    def did(self, row: RtfRow, effect: str, count: int = 1) -> None:
        self.touched.add(row.rn)
        self.counts[effect] += count


def rtf_apply(load: ExchangeLoad, checked: RtfChecked, progress: Callable[[str, int, int], None]) -> dict[str, Any]:
    """Apply the valid rows; the counts: applied and unchanged rows, and each effect's records."""
    assert checked.vocabulary is not None
    audit = AuditRows(load.created_by, load.actor_label, f"Reported in {load.file_name} (load {load.pk})")
    work = Work(load, checked.rows, checked.vocabulary, checked, audit)
    steps = [_enroll, _reports, _loop, _contacts, _encounters, _discontinue]
    for i, step in enumerate(steps):
        progress("applying", i, len(steps))
        step(work)
    audit.write()
    progress("applying", len(steps), len(steps))
    applied = len(work.touched)
    return {**work.counts, "applied": applied, "unchanged": len(checked.rows) - applied}


def _meaning(work: Work, row: RtfRow) -> str:
    return work.vocabulary.ecm_statuses.get(C.key(row.get(C.ECM_STATUS) or ""), ("", ""))[1]


def _enroll(work: Work) -> None:
    """The assigned members reported enrolled, in bulk (`import_enroll_bulk`), each on its first row's start."""
    reported: dict[Any, dt.date] = {}
    first_row: dict[Any, RtfRow] = {}
    for row in work.rows:
        assignment = row.enrollment
        if assignment is None or _meaning(work, row) != "enrolled" or assignment.enrolled_on is not None:
            continue
        if assignment.id not in reported:
            reported[assignment.id], first_row[assignment.id] = row.get(C.START), row
    enrolled = enrollments_reported(reported=reported, audit=work.audit, source=f"reported in {work.load.file_name}")
    for enrollment in enrolled:
        work.did(first_row[enrollment.pk], "enrolled")
        # The step just taken is the referral's last: an entry of the file dated before it does not replace it.
        referral = enrollment.referral
        record = work.checked.loop.setdefault(referral.pk, LoopRecord())
        record.last_at = referral.status_changed_at
        step = (referral.loop_status, local_date(referral.status_changed_at), referral.loop_closure_reason)
        record.entries.add(step)


def _latest_reports(enrollment_ids: list[Any]) -> dict[Any, ProviderReport]:
    """The latest report on record per enrollment (one query per set of ids)."""
    latest: dict[Any, ProviderReport] = {}
    for part in chunks(enrollment_ids):
        reports = ProviderReport.objects.filter(enrollment_id__in=part).order_by(
            "enrollment_id", "-reported_on", "-created_at"
        )
        if connection.vendor == "postgresql":
            reports = reports.distinct("enrollment_id")
        for report in reports:
            latest.setdefault(report.enrollment_id, report)
    return latest


def _current_milestones(enrollment_ids: list[Any]) -> dict[Any, Milestones]:
    """What calaim shows (and exports) for each enrollment's acuity, Lead Care Manager and milestones."""
    current: dict[Any, Milestones] = {}
    for part in chunks(enrollment_ids):
        current |= enrollment_milestones(list(part))
    return current


def _reports(work: Work) -> None:
    """A report per enrollment whose reported values differ from what calaim shows and from the latest report."""
    reporting = [
        r for r in work.rows if r.enrollment is not None and any(r.get(c) is not None for c in C.REPORT_FIELDS)
    ]
    ids = sorted({r.enrollment.id for r in reporting}, key=str)  # type: ignore[union-attr]
    current, latest = _current_milestones(ids), _latest_reports(ids)
    created: list[ProviderReport] = []
    for row in reporting:
        assert row.enrollment is not None
        key = row.enrollment.id
        filled = {name: row.get(column) for column, name in C.REPORT_FIELDS.items() if row.get(column) is not None}
        shown = current.get(key, Milestones())
        if all(getattr(shown, name) == value for name, value in filled.items()):
            continue
        before = latest.get(key)
        values = {
            name: getattr(before, name) if before else ("" if name in TEXT_FIELDS else None) for name in REPORT_FIELDS
        } | filled
        if before is not None and all(values[name] == getattr(before, name) for name in REPORT_FIELDS):
            continue
        report = ProviderReport(
            enrollment_id=key,
            member_id=row.member_id,
            provider=work.load.provider,
            load=work.load,
            reported_on=row.get(C.PRODUCED) or reported_day(work.load),
            **values,
        )
        created.append(report)
        latest[key] = report
        work.did(row, "reports")
        work.audit.add(
            "provider_report.create",
            report,
            row.member_id,
            snapshot(before, REPORT_FIELDS) if before else None,
            snapshot(report, REPORT_FIELDS),
        )
    rows_insert(created)


def _loop(work: Work) -> None:
    reported = [r for r in work.rows if r.get(C.STATUS) is not None and r.get(C.STATUS_DATE) is not None]
    applied, changed = loop_steps_apply(work.load, reported, work.vocabulary.version, work.checked.loop, work.audit)
    work.touched.update(applied)
    work.counts["loop_steps"] += len(applied)
    work.counts["loop_status_changes"] += changed


def _contact_values(row: RtfRow) -> dict[str, Any]:
    new_address, new_phone = row.get(C.NEW_ADDRESS) is True, row.get(C.NEW_PHONE) is True
    address = {"address": C.ADDRESS, "city": C.CITY, "state": C.STATE, "zip_code": C.ZIP}
    values: dict[str, Any] = {
        "new_address": new_address,
        "homeless": row.get(C.HOMELESS),
        "new_phone": new_phone,
        "phone": (row.get(C.PHONE) or "") if new_phone else "",
    }
    values |= {name: (row.get(column) or "") if new_address else "" for name, column in address.items()}
    return values


def _contacts(work: Work) -> None:
    """A contact update for member services per new address or phone reported, not twice for the same values."""
    load = work.load
    updating = [r for r in work.rows if r.get(C.NEW_ADDRESS) is True or r.get(C.NEW_PHONE) is True]
    ids = sorted({r.member_id for r in updating}, key=str)
    known: set[tuple[Any, ...]] = set()
    for part in chunks(ids):
        for update in ContactUpdate.objects.filter(plan=load.plan, provider=load.provider, member_id__in=part):
            known.add((update.member_id, *(getattr(update, f) for f in CONTACT_FIELDS)))
    created = []
    for row in updating:
        values = _contact_values(row)
        key = (row.member_id, *(values[f] for f in CONTACT_FIELDS))
        if key in known:
            continue
        known.add(key)
        update = ContactUpdate(
            member_id=row.member_id,
            plan=load.plan,
            provider=load.provider,
            load=load,
            reported_on=row.get(C.PRODUCED) or reported_day(load),
            **values,
        )
        created.append(update)
        work.did(row, "contact_updates")
        work.audit.add(
            "contact_update.create", update, row.member_id, None, snapshot(update, [*CONTACT_FIELDS, "status"])
        )
    rows_insert(created)


def _shown_counts(work: Work, rows: list[RtfRow]) -> dict[tuple[Any, str], tuple[int, int]]:
    """What calaim shows (and exports) as each member's encounter counts for each period the rows name."""
    by_period: dict[str, set[Any]] = defaultdict(set)
    for row in rows:
        by_period[row.period].add(row.member_id)
    shown: dict[tuple[Any, str], tuple[int, int]] = {}
    for label, members in by_period.items():
        period = Period.parse(label)
        for part in chunks(sorted(members, key=str)):
            found = encounter_counts(work.load.plan, work.load.provider, period, list(part))
            shown |= {(member_id, label): found.get(member_id, (0, 0)) for member_id in part}
    return shown


def _encounters(work: Work) -> None:
    """The counts per member and period, stored when they differ from what calaim shows; a corrected file replaces
    the counts it stored before (the audit trail keeps them)."""
    load = work.load
    counted = [r for r in work.rows if r.enrollment is not None and any(r.get(c) is not None for c in C.COUNTS)]
    shown = _shown_counts(work, counted)
    existing: dict[tuple[Any, str], EncounterCount] = {}
    for part in chunks(sorted({r.member_id for r in counted}, key=str)):
        for found in EncounterCount.objects.filter(plan=load.plan, provider=load.provider, member_id__in=part):
            existing[(found.member_id, found.period)] = found
    created: dict[tuple[Any, str], EncounterCount] = {}
    changed: dict[tuple[Any, str], EncounterCount] = {}
    for row in counted:
        key = (row.member_id, row.period)
        now_shown = dict(zip(COUNT_FIELDS, shown[key], strict=True))
        values = {"in_person": row.get(C.IN_PERSON), "telephonic": row.get(C.TELEPHONIC)}
        values = {name: now_shown[name] if value is None else value for name, value in values.items()}
        if values == now_shown:
            continue
        record = existing.get(key)
        work.did(row, "encounter_counts")
        shown[key] = (values["in_person"], values["telephonic"])
        if record is None:
            record = EncounterCount(
                member_id=row.member_id,
                enrollment_id=row.enrollment.id,  # type: ignore[union-attr]
                plan=load.plan,
                provider=load.provider,
                period=row.period,
                load=load,
                **values,
            )
            existing[key] = created[key] = record
            work.audit.add(
                "encounter_count.create", record, row.member_id, None, snapshot(record, ["period", *COUNT_FIELDS])
            )
            continue
        before = snapshot(record, ["period", *COUNT_FIELDS, "load"])
        for name, value in values.items():
            setattr(record, name, value)
        record.load, record.updated_at = load, timezone.now()
        if key not in created:
            changed[key] = record
        work.audit.add(
            "encounter_count.update", record, row.member_id, before, snapshot(record, ["period", *COUNT_FIELDS, "load"])
        )
    rows_insert(list(created.values()))
    rows_update(list(changed.values()), [*COUNT_FIELDS, "load", "updated_at"])


def _discontinue(work: Work) -> None:
    done = set()
    for row in work.rows:
        enrollment, day = row.enrollment, row.get(C.DISCONTINUED)
        if enrollment is None or day is None or enrollment.ended_on == day or enrollment.id in done:
            continue
        done.add(enrollment.id)
        note = row.get(C.DISCONTINUATION_TEXT) or f"Reported in {work.load.file_name}."
        if discontinue_reported(
            actor=work.load.created_by,
            enrollment_id=enrollment.id,
            reason_code=row.get(C.DISCONTINUATION_CODE),
            effective_on=day,
            note=note,
        ):
            work.did(row, "discontinued")
