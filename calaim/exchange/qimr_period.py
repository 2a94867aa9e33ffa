"""The QIMR's reporting period: a calendar quarter, named `YYYYQn` on the command line and written `YYYY Qn` in the
report, whose bounds are the plan's calendar days (America/Los_Angeles), so a referral received at 11 pm Pacific on
the quarter's last day belongs to it. Pure Python: no Django."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from calaim.core.clock import PLAN_TIME_ZONE

_QUARTER = re.compile(r"^\s*(\d{4})\s*-?\s*Q([1-4])\s*$", re.IGNORECASE)
EARLIEST_YEAR, LATEST_YEAR = 2022, 2100  # ECM began in January 2022


class QuarterError(ValueError):
    """The text names no quarter the program reports."""


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """`2026Q1` (also `2026 Q1`, `2026-Q1`, any case); refuse anything else with what was expected."""
        found = _QUARTER.match(text or "")
        if found is None:
            raise QuarterError(f"{(text or '')[:20]!r} is not a quarter: give it as YYYYQn, e.g. 2026Q1.")
        year, number = int(found.group(1)), int(found.group(2))
        if not EARLIEST_YEAR <= year <= LATEST_YEAR:
            raise QuarterError(f"{year} is outside the years the program reports ({EARLIEST_YEAR}-{LATEST_YEAR}).")
        return cls(year, number)

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def code(self) -> str:
        """As the command line and URLs give it: `2026Q1`."""
        return f"{self.year}Q{self.number}"

    @property
    def label(self) -> str:
        """As the QIMR's Reporting Period column writes it: `2026 Q1`."""
        return f"{self.year} Q{self.number}"

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> dt.date:
        return self.next().first_day - dt.timedelta(days=1)

    @property
    def starts_at(self) -> dt.datetime:
        """The first instant of the quarter in the plan's time zone."""
        return dt.datetime.combine(self.first_day, dt.time.min, tzinfo=PLAN_TIME_ZONE)

    @property
    def ends_before(self) -> dt.datetime:
        """The first instant after the quarter in the plan's time zone (the bound is exclusive)."""
        return self.next().starts_at

    def next(self) -> Quarter:
        return Quarter(self.year + self.number // 4, self.number % 4 + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)


def dhcs_date(day: dt.date | None) -> str:
    """A date as the QIMR writes it: MM/DD/YYYY; empty for none."""
    return f"{day.month:02d}/{day.day:02d}/{day.year:04d}" if day is not None else ""
