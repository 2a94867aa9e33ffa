"""Sobering Centers: a stay lasts under a set number of hours and is authorized after the fact."""

from __future__ import annotations

from datetime import date, timedelta

from calaim.community_supports.limits.types import (
    REQUEST_VALUES,
    SOBERING_CENTER,
    SOBERING_HOURS,
    SOBERING_RETROACTIVE,
    LimitSettings,
    Use,
    Violation,
)


def sobering_violations(request: Use, settings: LimitSettings, today: date) -> list[Violation]:
    """Sobering Center stays last under the plan's hours and are authorized after the fact, so never in the future."""
    if request.service != SOBERING_CENTER:
        return []
    found = []
    label = settings.label(SOBERING_CENTER)
    ended = max(request.end, request.ended_at.date()) if request.ended_at else request.end
    if request.start > today:
        found.append(
            Violation(
                SOBERING_RETROACTIVE,
                f"{label} stays are authorized after the fact; this stay starts {request.start}, after today "
                f"({today}).",
                "start_date",
            )
        )
    elif ended > today:
        found.append(
            Violation(
                SOBERING_RETROACTIVE,
                f"{label} stays are authorized after the fact; this stay ends {ended}, after today ({today}).",
                "end_date",
            )
        )
    duration = _sobering_duration_violation(request, settings)
    return found + ([duration] if duration else [])


def _dates_a_stay_may_touch(hours: int) -> int:
    """A stay under `hours` hours touches at most this many calendar dates: 2 for 24 hours, 3 for 48."""
    return -(-hours // 24) + 1


def _sobering_duration_violation(request: Use, settings: LimitSettings) -> Violation | None:
    hours = settings.sobering_max_hours
    if hours is None:
        return None
    label = settings.label(SOBERING_CENTER)
    if request.started_at is None or request.ended_at is None:
        # Without clock times, a stay under 24 hours can still touch two calendar dates, never three.
        if request.days <= _dates_a_stay_may_touch(hours):
            return None
        return Violation(
            SOBERING_HOURS,
            f"A {label} stay must last under {hours} hours; {request.start} "
            f"to {request.end} spans {request.days} calendar days.",
            "end_date",
        )
    length = request.ended_at - request.started_at
    if length < timedelta(0):
        return Violation(
            REQUEST_VALUES,
            f"The stay ends ({request.ended_at:%Y-%m-%d %H:%M}) before it starts "
            f"({request.started_at:%Y-%m-%d %H:%M}).",
            "ended_at",
        )
    if length < timedelta(hours=hours):
        return None
    minutes = int(length.total_seconds()) // 60
    return Violation(
        SOBERING_HOURS,
        f"A {label} stay must last under {hours} hours; this stay lasted "
        f"{minutes // 60}h{minutes % 60:02d} ({request.started_at:%Y-%m-%d %H:%M} to "
        f"{request.ended_at:%Y-%m-%d %H:%M}).",
        "ended_at",
    )
