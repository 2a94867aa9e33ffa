"""Every limit a request would break, and what is left of each counted limit on a day."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from calaim.community_supports.limits.meals import mtm_violations
from calaim.community_supports.limits.money import (
    deposit_violation,
    deposits_remaining,
    dollar_violation,
    dollars_remaining,
)
from calaim.community_supports.limits.respite import respite_remaining, respite_violations
from calaim.community_supports.limits.room_board import room_board_remaining, room_board_violation
from calaim.community_supports.limits.sobering import sobering_violations
from calaim.community_supports.limits.stays import stay_violation
from calaim.community_supports.limits.types import (
    REQUEST_VALUES,
    LimitResult,
    LimitSettings,
    Remaining,
    Use,
    Violation,
    dollars,
    number,
)


def check_request(request: Use, history: Iterable[Use], settings: LimitSettings, today: date) -> LimitResult:
    """Every limit the request would break given the member's other uses; `history` excludes the request itself."""
    past = list(history)
    violations = _value_violations(request)
    if request.end >= request.start:
        violations += [
            v
            for v in (
                deposit_violation(request, past, settings),
                room_board_violation(request, past, settings),
                stay_violation(request, past, settings),
                dollar_violation(request, past, settings),
            )
            if v is not None
        ]
        violations += sobering_violations(request, settings, today)
        violations += mtm_violations(request, past, settings)
        violations += respite_violations(request, past, settings)
    return LimitResult(allowed=not violations, violations=violations, version=settings.version)


def _value_violations(request: Use) -> list[Violation]:
    """Values no limit could allow: reversed dates, negative money or hours, fewer than one meal a day."""
    checks = [
        (
            request.end < request.start,
            f"The service ends ({request.end}) before it starts ({request.start}).",
            "end_date",
        ),
        (request.amount < 0, f"The amount ({dollars(request.amount)}) must not be negative.", "amount"),
        (request.hours < 0, f"The hours ({number(request.hours)}) must not be negative.", "hours"),
        (
            request.meals_per_day is not None and request.meals_per_day < 1,
            f"Meals per day ({request.meals_per_day}) must be at least 1.",
            "meals_per_day",
        ),
    ]
    return [Violation(REQUEST_VALUES, message, name) for broken, message, name in checks if broken]


def remaining(history: Iterable[Use], settings: LimitSettings, on: date) -> list[Remaining]:
    """What is left of each counted limit on a day: room-and-board days, deposit approvals, dollars, respite."""
    past = list(history)
    found = [room_board_remaining(past, settings, on), deposits_remaining(past, settings)]
    caps = sorted(settings.lifetime_dollar_caps.items())
    found += [dollars_remaining(past, settings, service, cap) for service, cap in caps]
    found.append(respite_remaining(past, settings, on))
    return [item for item in found if item is not None]
