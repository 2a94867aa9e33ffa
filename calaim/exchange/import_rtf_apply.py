"""What the valid rows of a checked RTF change (exchange-spec §2.2), inside the load's transaction, only what is new:
enrollments, then the provider's reports, the closed-loop entries, the contact updates and the encounter counts
(each written in bulk, with one audit event per record it creates or changes), then discontinuations.

A row that changes nothing counts as unchanged, so a file sent again, or an exported one read back, is a no-op.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.utils import timezone

from calaim.core.audit import snapshot
from calaim.exchange import rtf_columns as C
from calaim.exchange.import_common import AuditRows, chunks, effect_counts, reported_day
from calaim.exchange.import_enrollment import discontinue_reported, enroll_reported
from calaim.exchange.import_loop import loop_steps_apply
from calaim.exchange.import_rtf import RtfChecked, RtfRow
from calaim.exchange.models import ContactUpdate, EncounterCount, ExchangeLoad, ProviderReport
from calaim.exchange.vocabulary import ExchangeVocabulary

REPORT_FIELDS = list(C.REPORT_FIELDS.values())
TEXT_FIELDS = {"acuity_level", "lead_care_manager_name", "lead_care_manager_phone", "lead_care_manager_email"}
CONTACT_FIELDS = ["new_address", "homeless", "address", "city", "state", "zip_code", "new_phone", "phone"]
Step = Callable[[ExchangeLoad, list[RtfRow], ExchangeVocabulary, AuditRows, set[int], dict[str, int]], None]


def rtf_apply(load: ExchangeLoad, checked: RtfChecked, progress: Callable[[str, int, int], None]) -> dict[str, Any]:
    """Apply the valid rows; the counts: applied and unchanged rows, and each effect's records."""
    assert checked.vocabulary is not None
    audit = AuditRows(load.created_by, load.actor_label, f"Reported in {load.file_name} (load {load.pk})")
    touched: set[int] = set()
    counts = effect_counts()
    steps: list[Step] = [_enroll, _reports, _loop, _contacts, _encounters, _discontinue]
    for i, step in enumerate(steps):
        progress("applying", i, len(steps))
        step(load, checked.rows, checked.vocabulary, audit, touched, counts)
    audit.write()
    progress("applying", len(steps), len(steps))
    return {**counts, "applied": len(touched), "unchanged": len(checked.rows) - len(touched)}


def _enroll(
    load: ExchangeLoad,
    rows: list[RtfRow],
    vocabulary: ExchangeVocabulary,
    audit: AuditRows,
    touched: set[int],
    counts: dict[str, int],
) -> None:
    done = set()
    for row in rows:
        enrollment = row.enrollment
        meaning = vocabulary.ecm_statuses.get(C.key(row.get(C.ECM_STATUS) or ""), ("", ""))[1]
        if enrollment is None or meaning != "enrolled" or enrollment.enrolled_on is not None or enrollment.id in done:
            continue
        done.add(enrollment.id)
        if enroll_reported(
            actor=load.created_by,
            enrollment_id=enrollment.id,
            enrolled_on=row.get(C.START),
            source=f"reported in {load.file_name}",
        ):
            touched.add(row.rn)
            counts["enrolled"] += 1


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


def _reports(
    load: ExchangeLoad,
    rows: list[RtfRow],
    vocabulary: ExchangeVocabulary,
    audit: AuditRows,
    touched: set[int],
    counts: dict[str, int],
) -> None:
    reporting = [r for r in rows if r.enrollment is not None and any(r.get(c) is not None for c in C.REPORT_FIELDS)]
    latest = _latest_reports(sorted({r.enrollment.id for r in reporting}, key=str))  # type: ignore[union-attr]
    created: list[ProviderReport] = []
    for row in reporting:
        enrollment = row.enrollment
        assert enrollment is not None
        before = latest.get(enrollment.id)
        values = {
            name: getattr(before, name) if before else ("" if name in TEXT_FIELDS else None) for name in REPORT_FIELDS
        }
        values |= {name: row.get(column) for column, name in C.REPORT_FIELDS.items() if row.get(column) is not None}
        if before is not None and all(values[n] == getattr(before, n) for n in REPORT_FIELDS):
            continue
        report = ProviderReport(
            enrollment_id=enrollment.id,
            member_id=row.member_id,
            provider=load.provider,
            load=load,
            reported_on=row.get(C.PRODUCED) or reported_day(load),
            **values,
        )
        created.append(report)
        latest[enrollment.id] = report
        touched.add(row.rn)
        audit.add(
            "provider_report.create",
            report,
            row.member_id,
            snapshot(before, REPORT_FIELDS) if before else None,
            snapshot(report, REPORT_FIELDS),
        )
    ProviderReport.objects.bulk_create(created, batch_size=2000)
    counts["reports"] += len(created)


def _loop(
    load: ExchangeLoad,
    rows: list[RtfRow],
    vocabulary: ExchangeVocabulary,
    audit: AuditRows,
    touched: set[int],
    counts: dict[str, int],
) -> None:
    reported = [r for r in rows if r.get(C.STATUS) is not None and r.get(C.STATUS_DATE) is not None]
    applied, changed = loop_steps_apply(load, reported, vocabulary.version, audit)
    touched.update(applied)
    counts["loop_steps"] += len(applied)
    counts["loop_status_changes"] += changed


def _contact_key(member_id: Any, values: dict[str, Any]) -> tuple[Any, ...]:
    return (member_id, *(values[f] for f in CONTACT_FIELDS))


def _contacts(
    load: ExchangeLoad,
    rows: list[RtfRow],
    vocabulary: ExchangeVocabulary,
    audit: AuditRows,
    touched: set[int],
    counts: dict[str, int],
) -> None:
    updating = [r for r in rows if r.get(C.NEW_ADDRESS) is True or r.get(C.NEW_PHONE) is True]
    ids = sorted({r.member_id for r in updating}, key=str)
    known: set[tuple[Any, ...]] = set()
    for part in chunks(ids):
        for update in ContactUpdate.objects.filter(plan=load.plan, provider=load.provider, member_id__in=part):
            known.add(_contact_key(update.member_id, {f: getattr(update, f) for f in CONTACT_FIELDS}))
    created = []
    for row in updating:
        new_address, new_phone = row.get(C.NEW_ADDRESS) is True, row.get(C.NEW_PHONE) is True
        values = {
            "new_address": new_address,
            "homeless": row.get(C.HOMELESS),
            "address": (row.get(C.ADDRESS) or "") if new_address else "",
            "city": (row.get(C.CITY) or "") if new_address else "",
            "state": (row.get(C.STATE) or "") if new_address else "",
            "zip_code": (row.get(C.ZIP) or "") if new_address else "",
            "new_phone": new_phone,
            "phone": (row.get(C.PHONE) or "") if new_phone else "",
        }
        key = _contact_key(row.member_id, values)
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
        touched.add(row.rn)
        audit.add("contact_update.create", update, row.member_id, None, snapshot(update, [*CONTACT_FIELDS, "status"]))
    ContactUpdate.objects.bulk_create(created, batch_size=2000)
    counts["contact_updates"] += len(created)


def _encounters(
    load: ExchangeLoad,
    rows: list[RtfRow],
    vocabulary: ExchangeVocabulary,
    audit: AuditRows,
    touched: set[int],
    counts: dict[str, int],
) -> None:
    counted = [r for r in rows if r.enrollment is not None and any(r.get(c) is not None for c in C.COUNTS)]
    ids = sorted({r.member_id for r in counted}, key=str)
    existing: dict[tuple[Any, str], EncounterCount] = {}
    for part in chunks(ids):
        for found in EncounterCount.objects.filter(plan=load.plan, provider=load.provider, member_id__in=part):
            existing[(found.member_id, found.period)] = found
    created, changed = [], []
    fields = ["in_person", "telephonic"]
    for row in counted:
        key = (row.member_id, row.period)
        record = existing.get(key)
        values = {"in_person": row.get(C.IN_PERSON), "telephonic": row.get(C.TELEPHONIC)}
        values = {k: v if v is not None else (getattr(record, k) if record else 0) for k, v in values.items()}
        if record is not None and all(getattr(record, k) == v for k, v in values.items()):
            continue
        touched.add(row.rn)
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
            existing[key] = record
            created.append(record)
            audit.add("encounter_count.create", record, row.member_id, None, snapshot(record, ["period", *fields]))
            continue
        before = snapshot(record, ["period", *fields, "load"])
        for name, value in values.items():
            setattr(record, name, value)
        record.load = load
        record.updated_at = timezone.now()
        if record not in created:
            changed.append(record)
        audit.add(
            "encounter_count.update", record, row.member_id, before, snapshot(record, ["period", *fields, "load"])
        )
    EncounterCount.objects.bulk_create(created, batch_size=2000)
    EncounterCount.objects.bulk_update(changed, [*fields, "load", "updated_at"], batch_size=2000)
    counts["encounter_counts"] += len(created) + len(changed)


def _discontinue(
    load: ExchangeLoad,
    rows: list[RtfRow],
    vocabulary: ExchangeVocabulary,
    audit: AuditRows,
    touched: set[int],
    counts: dict[str, int],
) -> None:
    done = set()
    for row in rows:
        enrollment, day = row.enrollment, row.get(C.DISCONTINUED)
        if enrollment is None or day is None or enrollment.ended_on == day or enrollment.id in done:
            continue
        done.add(enrollment.id)
        note = row.get(C.DISCONTINUATION_TEXT) or f"Reported in {load.file_name}."
        if discontinue_reported(
            actor=load.created_by,
            enrollment_id=enrollment.id,
            reason_code=row.get(C.DISCONTINUATION_CODE),
            effective_on=day,
            note=note,
        ):
            touched.add(row.rn)
            counts["discontinued"] += 1
