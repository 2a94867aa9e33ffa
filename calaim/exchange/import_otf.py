"""An Outreach Tracker File (exchange-spec §2.3): each row one outreach attempt (a `;`-list of dates, one attempt
per date with the row's other values), checked and then added to the outreach log of the member's enrollment with
the provider, as `careplans.OutreachAttempt`s with source `otf` and the load's id.

An attempt already on record (same member, date, method, successful, minutes), whatever recorded it, is not added
twice; a date in the future, a date the member was not assigned to the provider, or the same attempt twice in the
file is an error.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from calaim.careplans.models import MAX_OUTREACH_MINUTES, OutreachAttempt
from calaim.core.audit import snapshot
from calaim.exchange.bulk_sql import rows_insert
from calaim.exchange.columns import OTF_COLUMNS, OTF_REQUIRED, header_key
from calaim.exchange.import_common import AuditRows, Errors, chunks, member_facts, provider_words
from calaim.exchange.models import ExchangeLoad
from calaim.exchange.reader import Table
from calaim.exchange.values import (
    BadValue,
    parse_cin,
    parse_dates,
    parse_flag,
    parse_npi,
    parse_text,
    parse_tin,
    parse_whole,
)
from calaim.exchange.vocabulary import ExchangeVocabulary, exchange_vocabulary

(MCP_ID, MCP_NAME, PROVIDER_NAME, NPI, TIN, CLIENT_NAME, CIN, PROVIDER_TYPE, DATES, METHOD, SUCCESSFUL, MINUTES) = (
    OTF_COLUMNS
)
ATTEMPT_FIELDS = ["attempted_on", "method", "reached", "minutes_spent", "source", "source_ref"]


@dataclass
class Attempt:
    rn: int
    cin: str
    day: dt.date
    method: str
    reached: bool
    minutes: int
    member_id: Any = None
    enrollment_id: Any = None

    def key(self) -> tuple[Any, ...]:
        return (self.cin, self.day, self.method, self.reached, self.minutes)


@dataclass
class OtfChecked:
    rows_read: int
    errors: Errors
    attempts: list[Attempt] = field(default_factory=list)  # the valid rows' attempts, in file order
    valid_rows: int = 0
    period: str = ""
    produced_on: dt.date | None = None


def _parsers(vocabulary: ExchangeVocabulary) -> dict[str, Callable[[str], Any]]:
    text = partial(parse_text, most=200)

    def method(value: str) -> str:
        found = vocabulary.outreach_methods.get(header_key(value))
        if found is None:
            raise BadValue(
                f"unknown outreach method: expected one of {vocabulary.listed('outreach_methods')}",
                "unknown outreach method",
            )
        return found[1]

    return {
        MCP_ID: partial(parse_text, most=40),
        MCP_NAME: text,
        PROVIDER_NAME: text,
        NPI: parse_npi,
        TIN: parse_tin,
        CLIENT_NAME: text,
        CIN: parse_cin,
        PROVIDER_TYPE: text,
        DATES: parse_dates,
        METHOD: method,
        SUCCESSFUL: parse_flag,
        MINUTES: partial(parse_whole, most=MAX_OUTREACH_MINUTES),
    }


def otf_check(
    load: ExchangeLoad,
    table: Table,
    today: dt.date,
    progress: Callable[[str, int, int], None],
) -> OtfChecked:
    """Every error of the file; the valid rows' attempts, each with its member and enrollment."""
    parsers = _parsers(exchange_vocabulary(today))
    errors = Errors()
    errors.extend(table.errors)
    progress("checking", 0, len(table.rows))
    rows: list[tuple[int, dict[str, Any], tuple[str | None, ...]]] = []
    for rn, raw in table.rows:
        values = _parse(rn, raw, table.columns, parsers, errors)
        for day in values.get(DATES, []):
            if day > today:
                errors.add(
                    rn,
                    DATES,
                    f"{day:%m/%d/%Y}",
                    f"expected a date no later than today, {today:%m/%d/%Y}",
                    "after today",
                )
        rows.append((rn, values, raw))
    attempts = _attempts(load, rows, errors)
    _against_records(load, [a for a in attempts if not errors.has(a.rn)], errors)
    progress("checking", len(table.rows), len(table.rows))
    valid = [a for a in attempts if not errors.has(a.rn)]
    months = Counter(f"{a.day:%Y-%m}" for a in valid)
    return OtfChecked(
        rows_read=len(table.rows) + len(table.errors),
        errors=errors,
        attempts=valid,
        valid_rows=len({a.rn for a in valid}),
        period=months.most_common(1)[0][0] if months else "",
    )


def _parse(
    rn: int,
    raw: tuple[str | None, ...],
    columns: dict[str, int],
    parsers: dict[str, Callable[[str], Any]],
    errors: Errors,
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for i, column in enumerate(columns):
        text = raw[i]
        if text is None:
            if column in OTF_REQUIRED:
                errors.add(rn, column, None, "a value is required", "empty")
            continue
        try:
            values[column] = parsers[column](text)
        except BadValue as bad:
            errors.add(rn, column, text, bad.expected, bad.kind)
    return values


def _attempts(
    load: ExchangeLoad, rows: list[tuple[int, dict[str, Any], tuple[str | None, ...]]], errors: Errors
) -> list[Attempt]:
    """One attempt per date of each row without an error so far; the provider's NPI, and no row or attempt twice."""
    npi = load.provider.npi
    seen_raw: dict[tuple[str | None, ...], int] = {}
    seen: dict[tuple[Any, ...], int] = {}
    attempts = []
    for rn, values, raw in rows:
        if errors.has(rn):
            continue
        if values[NPI] != npi:
            errors.add(
                rn,
                NPI,
                values[NPI],
                f"the file is for {load.provider.name} (NPI {npi or 'none on record'}); "
                "a row for another provider belongs in that provider's file",
                "another provider",
            )
        if (earlier := seen_raw.setdefault(raw, rn)) != rn:
            errors.add(rn, CIN, values[CIN], f"duplicate row: the same values as row {earlier}", "duplicate row")
            continue
        for day in values[DATES]:
            attempt = Attempt(rn, values[CIN], day, values[METHOD], values[SUCCESSFUL], values[MINUTES])
            if (first := seen.setdefault(attempt.key(), rn)) != rn or sum(d == day for d in values[DATES]) > 1:
                errors.add(
                    rn,
                    DATES,
                    f"{day:%m/%d/%Y}",
                    f"the same attempt (member, date, method, successful, minutes) as row {first}",
                    "duplicate attempt",
                )
                continue
            attempts.append(attempt)
    return attempts


def _against_records(load: ExchangeLoad, attempts: list[Attempt], errors: Errors) -> None:
    plan, provider = load.plan, load.provider
    facts = member_facts(plan, provider, (a.cin for a in attempts))
    for attempt in attempts:
        member = facts.get(attempt.cin)
        if member is None:
            errors.add(attempt.rn, CIN, attempt.cin, f"no member with CIN {attempt.cin} is on record", "unknown member")
            continue
        if not member.in_plan(plan.pk, attempt.day, attempt.day):
            errors.add(
                attempt.rn,
                CIN,
                attempt.cin,
                f"member {attempt.cin} is not a member of {plan.code} on {attempt.day:%m/%d/%Y}",
                "member of another plan",
            )
            continue
        enrollment = member.enrollment_in(attempt.day, attempt.day)
        if enrollment is None:
            errors.add(
                attempt.rn,
                DATES,
                f"{attempt.day:%m/%d/%Y}",
                f"member {attempt.cin} is not assigned to {provider_words(provider, plan)} on {attempt.day:%m/%d/%Y}",
                "not assigned to the provider",
            )
            continue
        attempt.member_id, attempt.enrollment_id = member.id, enrollment.id


def otf_apply(load: ExchangeLoad, checked: OtfChecked, progress: Callable[[str, int, int], None]) -> dict[str, Any]:
    """Add the attempts not on record; a row whose every attempt is on record is unchanged."""
    assert load.created_by is not None  # an OTF load names its user (exchange_load_create)
    attempts = checked.attempts
    progress("applying", 0, len(attempts))
    known: set[tuple[Any, ...]] = set()
    ids = sorted({a.member_id for a in attempts}, key=str)
    for part in chunks(ids):
        on_record = OutreachAttempt.objects.filter(member_id__in=part, organization=load.provider).values_list(
            "member_id", "attempted_on", "method", "reached", "minutes_spent"
        )
        known.update(on_record)
    audit = AuditRows(load.created_by, load.actor_label, f"Reported in {load.file_name} (load {load.pk})")
    created, touched = [], set()
    for attempt in attempts:
        key = (attempt.member_id, attempt.day, attempt.method, attempt.reached, attempt.minutes)
        if key in known:
            continue
        known.add(key)
        record = OutreachAttempt(
            member_id=attempt.member_id,
            enrollment_id=attempt.enrollment_id,
            organization=load.provider,
            attempted_on=attempt.day,
            method=attempt.method,
            reached=attempt.reached,
            minutes_spent=attempt.minutes,
            performed_by=load.created_by,
            notes=f"Reported in {load.file_name}",
            source="otf",
            source_ref=str(load.pk),
        )
        created.append(record)
        touched.add(attempt.rn)
        audit.add("outreach.record", record, attempt.member_id, None, snapshot(record, ATTEMPT_FIELDS))
    rows_insert(created)
    audit.write()
    progress("applying", len(attempts), len(attempts))
    return {"attempts": len(created), "applied": len(touched), "unchanged": checked.valid_rows - len(touched)}
