"""Decision deadlines: routine in business days under a calendar-day ceiling, expedited in hours."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from calaim.core.clock import add_business_days, end_of_local_day, local_date


@dataclass(frozen=True)
class ClockSettings:
    routine_business_days: int = 5
    expedited_hours: int = 72
    ceiling_calendar_days: int = 14
    extension_calendar_days: int = 14


@dataclass(frozen=True)
class Deadlines:
    due_at: dt.datetime
    ceiling_at: dt.datetime


def decision_deadlines(received_at: dt.datetime, urgency: str, clock: ClockSettings) -> Deadlines:
    """Routine: end of the Nth California business day after receipt, never past the calendar ceiling.

    Expedited: N hours after receipt, which is also its ceiling.
    """
    if urgency == "expedited":
        due = received_at + dt.timedelta(hours=clock.expedited_hours)
        return Deadlines(due_at=due, ceiling_at=due)
    received_day = local_date(received_at)
    ceiling_day = received_day + dt.timedelta(days=clock.ceiling_calendar_days)
    due_day = min(add_business_days(received_day, clock.routine_business_days), ceiling_day)
    return Deadlines(due_at=end_of_local_day(due_day), ceiling_at=end_of_local_day(ceiling_day))


def extended_deadlines(current: Deadlines, clock: ClockSettings) -> Deadlines:
    """One extension adds up to N calendar days past the original ceiling."""
    extra = dt.timedelta(days=clock.extension_calendar_days)
    extended = current.ceiling_at + extra
    return Deadlines(due_at=extended, ceiling_at=extended)


def is_overdue(due_at: dt.datetime, now: dt.datetime) -> bool:
    """Past its due time: the one meaning of "overdue" for a decision clock."""
    return now > due_at


def is_decided_late(decided_at: dt.datetime | None, due_at: dt.datetime, decided_by_id: object) -> bool:
    """A reviewer's decision recorded after the due time; a denial by operation of law (no one's decision) is
    "deemed denied" instead, never "decided late"."""
    return decided_at is not None and decided_by_id is not None and is_overdue(due_at, decided_at)
