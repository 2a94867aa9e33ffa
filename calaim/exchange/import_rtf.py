"""Checking a Return Transmission File (exchange-spec §2.2) row by row, then against what calaim holds.

Three passes, every error kept: each row on its own (values, and the rules between a row's columns); the rows
together (the provider's NPI, repeated rows, a member's rows that disagree); and the rows against the database,
fetched by CIN in sets (the member, their plan in the period, their assignment to the provider, the dates of
their enrollment, the closed-loop entries already on record). What a valid row then changes is
`import_rtf_apply`'s.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from calaim.core.clock import local_date
from calaim.exchange import rtf_columns as C
from calaim.exchange.import_common import (
    Assignment,
    CsAssignment,
    Errors,
    MemberFacts,
    chunks,
    member_facts,
    period_window,
    provider_words,
    window_words,
)
from calaim.exchange.models import ExchangeLoad
from calaim.exchange.reader import Table
from calaim.exchange.rtf_rules import row_rules
from calaim.exchange.values import BadValue
from calaim.exchange.vocabulary import ExchangeVocabulary, exchange_vocabulary
from calaim.referrals.models import LoopEvent


@dataclass
class RtfRow:
    """One valid row: its number, the member, the parsed values of its filled columns, and what it bears on."""

    rn: int
    cin: str
    values: dict[str, Any]
    start: dt.date  # the window the member must be assigned in: the row's period, else its dates
    end: dt.date
    member_id: Any = None
    enrollment: Assignment | None = None
    cs_request: CsAssignment | None = None

    def get(self, column: str) -> Any:
        return self.values.get(column)

    @property
    def period(self) -> str:
        produced = self.values.get(C.PRODUCED)
        return self.values.get(C.PERIOD) or (f"{produced:%Y-%m}" if produced else "")


@dataclass
class LoopRecord:
    """A referral's or request's closed-loop entries on record: (status, date, reason) of every step, the
    provider-reported ones by (status, date), and when the last step was taken."""

    entries: set[tuple[str, dt.date, str]] = field(default_factory=set)
    reported: dict[tuple[str, dt.date], str] = field(default_factory=dict)
    last_at: dt.datetime | None = None


@dataclass
class RtfChecked:
    rows_read: int
    errors: Errors
    rows: list[RtfRow] = field(default_factory=list)  # the valid rows, in file order
    period: str = ""
    produced_on: dt.date | None = None
    vocabulary: ExchangeVocabulary | None = None
    facts: dict[str, MemberFacts] = field(default_factory=dict)
    loop: dict[Any, LoopRecord] = field(default_factory=dict)  # subject id -> its entries on record


def rtf_check(
    load: ExchangeLoad,
    table: Table,
    today: dt.date,
    progress: Callable[[str, int, int], None],
) -> RtfChecked:
    """Every error of the file; the rows without one, each with its member and enrollment or CS request."""
    vocabulary = exchange_vocabulary(today)
    errors = Errors()
    errors.extend(table.errors)
    total = len(table.rows)
    progress("checking", 0, total)
    parsers = C.parsers(vocabulary)
    parsed: list[tuple[RtfRow, tuple[str | None, ...]]] = []
    for i, (rn, raw) in enumerate(table.rows, start=1):
        row = _parse(rn, raw, table.columns, parsers, errors, today)
        if row is not None:
            row_rules(row, raw_of(raw, table.columns), vocabulary, today, errors)
            parsed.append((row, raw))
        if i % 10_000 == 0:
            progress("checking", i, total)
    _across_rows(load, parsed, table.columns, errors)
    candidates = [row for row, _ in parsed if not errors.has(row.rn)]
    facts = member_facts(load.plan, load.provider, (row.cin for row in candidates))
    known = _existing_loop(candidates, facts)
    for row in candidates:
        _against_records(load, row, facts.get(row.cin), known, vocabulary, errors)
    progress("checking", total, total)
    valid = [row for row in candidates if not errors.has(row.rn)]
    periods = Counter(row.get(C.PERIOD) for row in valid if row.get(C.PERIOD))
    produced = Counter(row.get(C.PRODUCED) for row in valid if row.get(C.PRODUCED))
    return RtfChecked(
        rows_read=len(table.rows) + len(table.errors),
        errors=errors,
        rows=valid,
        period=periods.most_common(1)[0][0] if periods else "",
        produced_on=produced.most_common(1)[0][0] if produced else None,
        vocabulary=vocabulary,
        facts=facts,
        loop=known,
    )


def raw_of(raw: tuple[str | None, ...], columns: dict[str, int]) -> Callable[[str], str | None]:
    order = {column: i for i, column in enumerate(columns)}
    return lambda column: raw[order[column]] if column in order else None


def _parse(
    rn: int,
    raw: tuple[str | None, ...],
    columns: dict[str, int],
    parsers: dict[str, Callable[[str], Any]],
    errors: Errors,
    today: dt.date,
) -> RtfRow | None:
    values: dict[str, Any] = {}
    for i, column in enumerate(columns):
        text = raw[i]
        if text is None:
            continue
        parse = parsers.get(column)
        if parse is None:
            continue
        try:
            values[column] = parse(text)
        except BadValue as bad:
            errors.add(rn, column, text, bad.expected, bad.kind)
    cin = values.get(C.CIN)
    if cin is None:
        if raw[list(columns).index(C.CIN)] is None:
            errors.add(rn, C.CIN, None, "a value is required: the member's CIN", "empty")
        return None
    if C.NPI not in values and raw[list(columns).index(C.NPI)] is None:
        errors.add(rn, C.NPI, None, "a value is required: the ECM provider's NPI", "empty")
    start, end = _window(values, today)
    return RtfRow(rn, cin, values, start, end)


def _window(values: dict[str, Any], today: dt.date) -> tuple[dt.date, dt.date]:
    """The row's reporting period; without one, from its earliest date to its production date (or today)."""
    if period := values.get(C.PERIOD):
        return period_window(period)
    days = [v for c, v in values.items() if isinstance(v, dt.date) and c in C.DATES]
    end = values.get(C.PRODUCED) or today
    return (min([*days, end]), max([*days, end]))


def _across_rows(
    load: ExchangeLoad, parsed: list[tuple[RtfRow, tuple[str | None, ...]]], columns: dict[str, int], errors: Errors
) -> None:
    """The provider's NPI on every row, no row repeated, and a member's rows for a period agreeing with each other."""
    npi = load.provider.npi
    seen_raw: dict[tuple[str | None, ...], int] = {}
    first: dict[tuple[str, str, str], tuple[int, Any]] = {}
    entries: dict[tuple[str, Any, Any], tuple[int, Any]] = {}
    for row, raw in parsed:
        named = row.get(C.NPI)
        if named is not None and named != npi:
            errors.add(
                row.rn,
                C.NPI,
                named,
                f"the file is for {load.provider.name} (NPI {npi or 'none on record'}); "
                "a row for another provider belongs in that provider's file",
                "another provider",
            )
        if (earlier := seen_raw.setdefault(raw, row.rn)) != row.rn:
            errors.add(row.rn, C.CIN, row.cin, f"duplicate row: the same values as row {earlier}", "duplicate row")
            continue
        for column in C.MEMBER_LEVEL:
            value = row.get(column)
            if value is None:
                continue
            key = (row.cin, row.period, column)
            rn, other = first.setdefault(key, (row.rn, value))
            if rn != row.rn and other != value:
                errors.add(
                    row.rn,
                    column,
                    C.shown(value),
                    f"row {rn} gives {C.shown(other)!r} for member {row.cin} "
                    "in the same period: one value per member and period",
                    "conflicts with another row",
                )
        status = row.get(C.STATUS)
        if status is not None and row.get(C.STATUS_DATE) is not None:
            key2 = (row.cin, status, row.get(C.STATUS_DATE))
            rn, reason = entries.setdefault(key2, (row.rn, row.get(C.REASON)))
            if rn != row.rn and reason != row.get(C.REASON):
                errors.add(
                    row.rn,
                    C.REASON,
                    row.get(C.REASON),
                    f"row {rn} gives the same status and date with the "
                    f"reason {reason!r}: one reason per status and date",
                    "conflicts with another row",
                )


def _existing_loop(rows: list[RtfRow], facts: dict[str, MemberFacts]) -> dict[Any, LoopRecord]:
    """The closed-loop entries on record for the referrals and requests the rows bear on, any source."""
    ids: set[Any] = set()
    for row in rows:
        member = facts.get(row.cin)
        if member is not None and row.get(C.STATUS) is not None:
            ids.update(e.referral_id for e in member.enrollments)
            ids.update(r.id for r in member.cs_requests)
    found: dict[Any, LoopRecord] = {subject: LoopRecord() for subject in ids}
    for name in ("referral_id", "cs_request_id"):
        for part in chunks(sorted(ids, key=str)):
            events = LoopEvent.objects.filter(**{f"{name}__in": part}).values_list(
                name, "loop_status", "at", "loop_closure_reason", "source"
            )
            for subject, status, at, reason, source in events:
                record = found[subject]
                day = local_date(at)
                record.entries.add((status, day, reason))
                if source == LoopEvent.Source.RTF:
                    record.reported[(status, day)] = reason
                if record.last_at is None or at > record.last_at:
                    record.last_at = at
    return found


def _against_records(
    load: ExchangeLoad,
    row: RtfRow,
    member: MemberFacts | None,
    known: dict[Any, LoopRecord],
    vocabulary: ExchangeVocabulary,
    errors: Errors,
) -> None:
    plan, provider = load.plan, load.provider
    window = window_words(row.start, row.end)
    if member is None:
        errors.add(row.rn, C.CIN, row.cin, f"no member with CIN {row.cin} is on record", "unknown member")
        return
    if not member.in_plan(plan.pk, row.start, row.end):
        errors.add(
            row.rn,
            C.CIN,
            row.cin,
            f"member {row.cin} is not a member of {plan.code} {window}",
            "member of another plan",
        )
        return
    row.member_id = member.id
    row.enrollment = member.enrollment_in(row.start, row.end)
    if row.enrollment is None:
        row.cs_request = member.cs_request_in(row.end)
    if row.enrollment is None and row.cs_request is None:
        errors.add(
            row.rn,
            C.CIN,
            row.cin,
            f"member {row.cin} is not assigned to {provider_words(provider, plan)} {window}",
            "not assigned to the provider",
        )
        return
    if row.enrollment is None:
        ecm = [c for c in C.ECM_ONLY if row.get(c) is not None]
        for column in ecm[:1]:
            errors.add(
                row.rn,
                column,
                C.shown(row.get(column)),
                f"member {row.cin} has no ECM enrollment with "
                f"{provider.name}: only the closed-loop columns apply to a Community Supports request",
                "no ECM enrollment",
            )
    else:
        _enrollment_dates(row, row.enrollment, provider.name, vocabulary, errors)
    subject = row.enrollment.referral_id if row.enrollment else row.cs_request.id  # type: ignore[union-attr]
    status, day = row.get(C.STATUS), row.get(C.STATUS_DATE)
    if status is not None and day is not None:
        record = known.get(subject, LoopRecord())
        on_record = record.reported.get((status, day))
        reason = row.get(C.REASON) or ""
        if on_record is not None and on_record != reason and (status, day, reason) not in record.entries:
            errors.add(
                row.rn,
                C.REASON,
                row.get(C.REASON),
                f"the status {status!r} dated {day:%m/%d/%Y} is on record "
                f"with the reason {on_record or '(none)'!r}: a reported status is not changed, only followed "
                "by a newer one",
                "conflicts with the record",
            )


def _enrollment_dates(
    row: RtfRow, enrollment: Assignment, provider: str, vocabulary: ExchangeVocabulary, errors: Errors
) -> None:
    """The enrollment start and discontinuation dates against the enrollment on record (a date equal to the one on
    record is no news, whatever else the record says)."""
    start = row.get(C.START)
    status = vocabulary.ecm_statuses.get(C.key(row.get(C.ECM_STATUS) or ""), ("", ""))[1]
    if status == "enrolled" and start is not None:
        problem = _start_problem(start, enrollment, provider, row.cin)
        if problem is not None:
            errors.add(row.rn, C.START, f"{start:%m/%d/%Y}", *problem)
    ended = row.get(C.DISCONTINUED)
    if ended is None or ended == enrollment.ended_on:
        return
    begun = enrollment.enrolled_on or (start if status == "enrolled" else None) or enrollment.assigned_on
    if enrollment.ended_on is not None:
        problem = (f"ECM with {provider} already ended on {enrollment.ended_on:%m/%d/%Y}", "already ended")
    elif ended < begun:
        problem = (
            f"the discontinuation cannot come before the enrollment began on {begun:%m/%d/%Y}",
            "discontinued before the start",
        )
    else:
        return
    errors.add(row.rn, C.DISCONTINUED, f"{ended:%m/%d/%Y}", *problem)


def _start_problem(start: dt.date, enrollment: Assignment, provider: str, cin: str) -> tuple[str, str] | None:
    """What is wrong with enrolling on `start` (message, kind), or None."""
    if enrollment.enrolled_on is not None:
        if enrollment.enrolled_on == start:
            return None
        return (
            f"member {cin} is enrolled with {provider} from {enrollment.enrolled_on:%m/%d/%Y} on record; ask the "
            "plan to correct a start date",
            "another start date on record",
        )
    if start < enrollment.assigned_on:
        return (
            f"the enrollment cannot start before the member was assigned to {provider} on "
            f"{enrollment.assigned_on:%m/%d/%Y}",
            "start before assignment",
        )
    if enrollment.ended_on is not None:
        return (
            f"the assignment to {provider} ended on {enrollment.ended_on:%m/%d/%Y} before the member enrolled",
            "assignment ended",
        )
    if not _in_authorization(start, enrollment):
        return (
            f"the enrollment date must fall within the authorization period "
            f"{enrollment.authorization_start:%m/%d/%Y} to {enrollment.authorization_end:%m/%d/%Y}",
            "outside the authorization",
        )
    return None


def _in_authorization(day: dt.date, enrollment: Assignment) -> bool:
    start, end = enrollment.authorization_start, enrollment.authorization_end
    return start is None or end is None or start <= day <= end
