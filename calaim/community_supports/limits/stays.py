"""Per-stay caps: a stay is a run of same-service days with no free day between them."""

from __future__ import annotations

from datetime import date

from calaim.community_supports.limits.types import (
    ONE_DAY,
    RECUPERATIVE_CARE,
    RECUPERATIVE_CARE_DAYS,
    STPHH,
    STPHH_DAYS,
    TRANSITIONAL_RENT,
    TRANSITIONAL_RENT_DAYS,
    LimitSettings,
    Use,
    Violation,
)


def stay_violation(request: Use, history: list[Use], settings: LimitSettings) -> Violation | None:
    """Per-stay caps: Recuperative Care continuous days, STPHH per stay, Transitional Rent per episode."""
    caps = {
        RECUPERATIVE_CARE: (settings.recuperative_care_max_days, RECUPERATIVE_CARE_DAYS),
        STPHH: (settings.stphh_max_days, STPHH_DAYS),
        TRANSITIONAL_RENT: (settings.transitional_rent_max_days, TRANSITIONAL_RENT_DAYS),
    }
    cap, limit = caps.get(request.service, (None, ""))
    if cap is None:
        return None
    return continuous_violation(request, history, settings, cap, limit, f"at most {cap} continuous days")


def continuous_violation(
    request: Use, history: list[Use], settings: LimitSettings, cap: int, limit: str, rule: str
) -> Violation | None:
    """A stay is the request plus same-service uses that overlap or touch it, chained; it may not exceed `cap` days."""
    stay_start, stay_end = _stay_containing(request, history)
    stay_days = (stay_end - stay_start).days + 1
    if stay_days <= cap:
        return None
    label = settings.label(request.service)
    if stay_days == request.days:
        message = f"{label} may cover {rule}; requested {request.days} ({request.start} to {request.end})."
    else:
        message = (
            f"{label} may cover {rule}; this request continues a stay from {stay_start} to {stay_end}, "
            f"{stay_days} days in all (requested {request.days}, already used {stay_days - request.days}, "
            f"{max(cap - stay_days + request.days, 0)} left in this stay)."
        )
    return Violation(limit, message, "end_date")


def _stay_containing(request: Use, history: list[Use]) -> tuple[date, date]:
    spans = sorted(
        [(use.start, use.end) for use in history if use.service == request.service and use.end >= use.start]
        + [(request.start, request.end)]
    )
    merged: list[tuple[date, date]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1] + ONE_DAY:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return next((s, e) for s, e in merged if s <= request.start and request.end <= e)
