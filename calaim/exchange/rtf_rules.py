"""The rules between one RTF row's columns (exchange-spec §2.2), checked once each value parsed: no date after
today (and no status update after the file's production date), a Referral Status with its date, a closed loop
with its reason, `Enrolled` with its start date, a discontinuation with its date and code, a contact update with
what changed, encounter counts with their period."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Protocol

from calaim.exchange import rtf_columns as C
from calaim.exchange.import_common import Errors
from calaim.exchange.vocabulary import ExchangeVocabulary


class RtfRow(Protocol):
    rn: int

    def get(self, column: str) -> Any: ...


def row_rules(
    row: RtfRow, raw: Callable[[str], str | None], vocabulary: ExchangeVocabulary, today: dt.date, errors: Errors
) -> None:
    """Add the row's errors between columns; a column whose value did not parse is not judged again."""
    rn = row.rn

    def missing(column: str, needed_by: str, message: str) -> None:
        if raw(column) is None and raw(needed_by) is not None and row.get(needed_by) is not None:
            errors.add(rn, column, None, message, f"missing with {needed_by}")

    for column in C.DATES:
        day = row.get(column)
        if day is not None and day > today:
            errors.add(rn, column, raw(column), f"expected a date no later than today, {today:%m/%d/%Y}", "after today")
    produced, update = row.get(C.PRODUCED), row.get(C.STATUS_DATE)
    if produced is not None and update is not None and today >= update > produced:
        errors.add(
            rn,
            C.STATUS_DATE,
            raw(C.STATUS_DATE),
            f"expected a date no later than the file's production date, {produced:%m/%d/%Y}",
            "after the production date",
        )
    missing(C.STATUS_DATE, C.STATUS, "a Referral Status needs its Date of Referral Status Update")
    missing(C.STATUS, C.STATUS_DATE, "a Date of Referral Status Update needs its Referral Status")
    status = row.get(C.STATUS)
    if status == vocabulary.loop_closed:
        missing(
            C.REASON,
            C.STATUS,
            f"the status {vocabulary.loop_closed!r} needs a Reason for Referral Loop Closure: "
            f"one of {vocabulary.listed('closure_reasons')}",
        )
    elif row.get(C.REASON) is not None and raw(C.STATUS) is not None:
        errors.add(
            rn,
            C.REASON,
            raw(C.REASON),
            f"a reason is given only with the status {vocabulary.loop_closed!r}",
            "reason without a closed loop",
        )
    elif row.get(C.REASON) is not None:
        errors.add(
            rn,
            C.STATUS,
            None,
            f"a Reason for Referral Loop Closure needs the Referral Status {vocabulary.loop_closed!r}",
            "missing with Reason for Referral Loop Closure",
        )
    meaning = vocabulary.ecm_statuses.get(C.key(row.get(C.ECM_STATUS) or ""), ("", ""))[1]
    if meaning == "enrolled" and raw(C.START) is None:
        errors.add(
            rn,
            C.START,
            None,
            f"Member ECM Status {row.get(C.ECM_STATUS)!r} needs the ECM Enrollment Start Date",
            f"missing with {C.ECM_STATUS}",
        )
    start, end = row.get(C.START), row.get(C.END)
    if start is not None and end is not None and end < start:
        errors.add(
            rn,
            C.END,
            raw(C.END),
            f"expected a date on or after the ECM Enrollment Start Date, {start:%m/%d/%Y}",
            "end before start",
        )
    missing(C.DISCONTINUATION_CODE, C.DISCONTINUED, "a Discontinuation Date needs its Discontinuation Reason Code")
    missing(C.DISCONTINUED, C.DISCONTINUATION_CODE, "a Discontinuation Reason Code needs its Discontinuation Date")
    if row.get(C.NEW_ADDRESS) is True and all(raw(c) is None for c in (C.ADDRESS, C.CITY, C.ZIP)):
        errors.add(
            rn,
            C.ADDRESS,
            None,
            "Member New Address Indicator is Y: give the new Member Residential Address",
            f"missing with {C.NEW_ADDRESS}",
        )
    if row.get(C.NEW_PHONE) is True and raw(C.PHONE) is None:
        errors.add(
            rn,
            C.PHONE,
            None,
            "Member New Phone Number Indicator is Y: give the new Member Phone Number",
            f"missing with {C.NEW_PHONE}",
        )
    counted = any(row.get(c) is not None for c in C.COUNTS)
    if counted and raw(C.PERIOD) is None and raw(C.PRODUCED) is None:
        errors.add(
            rn,
            C.PERIOD,
            None,
            "encounter counts need the Member Information File Reporting Period (or the "
            "file's production date) they count",
            "missing with the encounter counts",
        )
