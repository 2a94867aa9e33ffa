"""Decision clocks: weekends, California state holidays, 72 hours, the 14-day ceiling, one extension."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from calaim.authorizations.clocks import ClockSettings, Deadlines, decision_deadlines, extended_deadlines
from calaim.core.clock import add_business_days, is_business_day

LA = ZoneInfo("America/Los_Angeles")


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=LA)


def due_day(received: dt.datetime, clock: ClockSettings | None = None, urgency: str = "routine") -> dt.date:
    return decision_deadlines(received, urgency, clock or ClockSettings()).due_at.astimezone(LA).date()


def test_routine_skips_the_weekend():
    # Wednesday 2026-06-03 + 5 business days = Wednesday 2026-06-10.
    assert due_day(at("2026-06-03")) == dt.date(2026, 6, 10)


def test_received_on_saturday_counts_from_monday():
    assert due_day(at("2026-06-06")) == dt.date(2026, 6, 12)


def test_due_at_end_of_the_local_day():
    deadline = decision_deadlines(at("2026-06-03"), "routine", ClockSettings()).due_at.astimezone(LA)
    assert (deadline.hour, deadline.minute, deadline.second) == (23, 59, 59)


def test_receipt_late_at_night_counts_in_california_time():
    # 23:30 Pacific on Friday is Saturday in UTC; it is still a Friday receipt.
    received = dt.datetime(2026, 6, 5, 23, 30, tzinfo=LA).astimezone(dt.UTC)
    assert due_day(received) == dt.date(2026, 6, 12)


@pytest.mark.parametrize(
    ("received", "expected", "holiday"),
    [
        ("2026-11-24", "2026-12-03", "Thanksgiving and the day after (a California state holiday)"),
        ("2026-03-27", "2026-04-06", "Cesar Chavez Day, a California state holiday"),
        ("2026-12-22", "2026-12-30", "Christmas"),
    ],
)
def test_state_holidays_are_not_business_days(received, expected, holiday):
    assert due_day(at(received)) == dt.date.fromisoformat(expected), holiday


def test_cesar_chavez_day_and_day_after_thanksgiving_are_holidays():
    assert not is_business_day(dt.date(2026, 3, 31))
    assert not is_business_day(dt.date(2026, 11, 27))
    assert is_business_day(dt.date(2026, 11, 30))


def test_ceiling_caps_business_days_in_calendar_days():
    # With a 10-business-day rule over Christmas and New Year, 14 calendar days comes first.
    clock = ClockSettings(routine_business_days=10, ceiling_calendar_days=14)
    received = at("2026-12-21")
    assert add_business_days(dt.date(2026, 12, 21), 10) > dt.date(2027, 1, 4)
    assert due_day(received, clock) == dt.date(2027, 1, 4)


def test_business_days_never_past_fourteen_calendar_days_by_default():
    start = dt.date(2026, 1, 1)
    for offset in range(366):
        received = at((start + dt.timedelta(days=offset)).isoformat())
        deadlines = decision_deadlines(received, "routine", ClockSettings())
        assert deadlines.due_at <= deadlines.ceiling_at
        assert (deadlines.due_at.astimezone(LA).date() - received.date()).days <= 14


def test_expedited_is_seventy_two_hours_whatever_the_day():
    received = at("2026-11-25", 16)  # the day before Thanksgiving
    deadlines = decision_deadlines(received, "expedited", ClockSettings())
    assert deadlines.due_at - received == dt.timedelta(hours=72)
    assert deadlines.ceiling_at == deadlines.due_at


def test_extension_adds_fourteen_days_past_the_ceiling():
    original = decision_deadlines(at("2026-06-03"), "routine", ClockSettings())
    extended = extended_deadlines(Deadlines(original.due_at, original.ceiling_at), ClockSettings())
    assert extended.due_at.astimezone(LA).date() == dt.date(2026, 7, 1)
