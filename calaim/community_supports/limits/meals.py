"""Medically Tailored Meals: meals a day, and a course of set weeks unless an extension is approved."""

from __future__ import annotations

from calaim.community_supports.limits.stays import continuous_violation
from calaim.community_supports.limits.types import (
    MEDICALLY_TAILORED_MEALS,
    MTM_MEALS,
    MTM_WEEKS,
    LimitSettings,
    Use,
    Violation,
)


def mtm_violations(request: Use, history: list[Use], settings: LimitSettings) -> list[Violation]:
    """Medically Tailored Meals: a meals-per-day cap, and a course of set weeks unless this request is extended."""
    if request.service != MEDICALLY_TAILORED_MEALS:
        return []
    found = []
    most = settings.mtm_max_meals_per_day
    if most is not None and request.meals_per_day is not None and request.meals_per_day > most:
        label = settings.label(MEDICALLY_TAILORED_MEALS)
        found.append(
            Violation(
                MTM_MEALS,
                f"{label} allow at most {most} meals a day; requested {request.meals_per_day}.",
                "meals_per_day",
            )
        )
    weeks = settings.mtm_extended_weeks if request.extended else settings.mtm_weeks
    if weeks is not None:
        rule = f"at most {weeks} weeks ({weeks * 7} days) in one course"
        if not request.extended and settings.mtm_extended_weeks is not None:
            rule += f" unless an extension is approved (then {settings.mtm_extended_weeks} weeks)"
        course = continuous_violation(request, history, settings, weeks * 7, MTM_WEEKS, rule)
        found += [course] if course else []
    return found
