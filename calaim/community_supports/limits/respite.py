"""Respite Services: hours per calendar year, counted from 1 January."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from calaim.community_supports.limits.types import (
    RESPITE,
    RESPITE_CALENDAR_YEAR,
    RESPITE_HOURS,
    LimitSettings,
    Remaining,
    Use,
    Violation,
    number,
)


def respite_violations(request: Use, history: list[Use], settings: LimitSettings) -> list[Violation]:
    """Respite hours per calendar year; a request may not straddle 1 January because the count resets then."""
    cap = settings.respite_hours_per_year
    if request.service != RESPITE or cap is None:
        return []
    year, label = request.start.year, settings.label(RESPITE)
    if request.end.year != year:
        return [
            Violation(
                RESPITE_CALENDAR_YEAR,
                f"{label} hours are counted per calendar year; split the request at 31 December {year}.",
                "end_date",
            )
        ]
    used = respite_hours_in(history, year)
    total = used + request.hours
    if total <= cap:
        return []
    return [
        Violation(
            RESPITE_HOURS,
            f"{label} would use {number(total)} hours in {year}; at most "
            f"{number(cap)} are allowed per calendar year (requested {number(request.hours)}, "
            f"already used {number(used)}, {number(max(cap - used, Decimal(0)))} left in {year}).",
            "hours",
        )
    ]


def respite_hours_in(history: Iterable[Use], year: int) -> Decimal:
    """Respite hours counted in a calendar year; a past use that straddles 1 January counts in its start year."""
    return sum((use.hours for use in history if use.service == RESPITE and use.start.year == year), Decimal(0))


def respite_remaining(history: list[Use], settings: LimitSettings, on: date) -> Remaining | None:
    cap = settings.respite_hours_per_year
    if cap is None:
        return None
    used = respite_hours_in(history, on.year)
    left = max(cap - used, Decimal(0))
    summary = (
        f"{settings.label(RESPITE)}: {number(used)} of {number(cap)} hours used in {on.year}; {number(left)} left."
    )
    return Remaining(RESPITE_HOURS, "Respite hours", used, cap, left, "hours this year", summary)
