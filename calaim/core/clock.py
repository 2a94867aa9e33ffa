"""Business-day clock for regulatory deadlines: California state holidays, in the plan's time zone."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

PLAN_TIME_ZONE = ZoneInfo("America/Los_Angeles")


@lru_cache(maxsize=64)
def _california_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("US", subdiv="CA", years=year).keys())


def is_business_day(day: dt.date) -> bool:
    """A business day is a weekday that is not a California state holiday."""
    return day.weekday() < 5 and day not in _california_holidays(day.year)


def add_business_days(start: dt.date, count: int) -> dt.date:
    """The `count`-th business day after `start` (the start day itself is never counted)."""
    if count < 0:
        raise ValueError("count must not be negative")
    day = start
    remaining = count
    while remaining:
        day += dt.timedelta(days=1)
        if is_business_day(day):
            remaining -= 1
    return day


def plan_today() -> dt.date:
    """Today in the plan's time zone: the date a user sees and types, never the server's."""
    return dt.datetime.now(PLAN_TIME_ZONE).date()


def local_date(moment: dt.datetime) -> dt.date:
    """The calendar date of an aware moment in the plan's time zone."""
    return moment.astimezone(PLAN_TIME_ZONE).date()


def end_of_local_day(day: dt.date) -> dt.datetime:
    """The last instant of a plan-local calendar day, as an aware datetime."""
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=PLAN_TIME_ZONE)
