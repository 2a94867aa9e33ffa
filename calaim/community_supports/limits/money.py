"""Money: lifetime dollar caps per service, and Housing Deposits approvals in a lifetime."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from calaim.community_supports.limits.types import (
    DEPOSIT_APPROVALS,
    HOUSING_DEPOSITS,
    LIFETIME_DOLLARS,
    LimitSettings,
    Remaining,
    Use,
    Violation,
    dollars,
)


def deposit_violation(request: Use, history: list[Use], settings: LimitSettings) -> Violation | None:
    """Housing Deposits: a set number of lifetime approvals, then more only with a documented change."""
    if request.service != HOUSING_DEPOSITS:
        return None
    prior = sum(1 for use in history if use.service == HOUSING_DEPOSITS)
    base, extra = settings.deposit_approvals, settings.deposit_approvals_with_change
    if prior < base:
        return None
    rule = (
        f"{settings.label(HOUSING_DEPOSITS)} may be approved {base} time(s) in a lifetime, and {extra} more "
        f"time(s) only with documented change in circumstances"
    )
    if prior >= base + extra:
        return Violation(DEPOSIT_APPROVALS, f"{rule}; the member already has {prior} approval(s).", "service")
    if not request.change_in_circumstances:
        return Violation(
            DEPOSIT_APPROVALS,
            f"{rule}; the member already has {prior} approval(s) and this request documents no change.",
            "change_in_circumstances",
        )
    return None


def dollar_violation(request: Use, history: list[Use], settings: LimitSettings) -> Violation | None:
    """Lifetime dollar caps per service, summed over every use of that service."""
    cap = settings.lifetime_dollar_caps.get(request.service)
    if cap is None:
        return None
    used = _dollars_used(history, request.service)
    total = used + request.amount
    if total <= cap:
        return None
    message = (
        f"{settings.label(request.service)} would total {dollars(total)} over the member's lifetime; at most "
        f"{dollars(cap)} is allowed (requested {dollars(request.amount)}, already used {dollars(used)}, "
        f"{dollars(max(cap - used, Decimal(0)))} left)."
    )
    return Violation(f"{LIFETIME_DOLLARS}:{request.service}", message, "amount")


def _dollars_used(history: Iterable[Use], service: str) -> Decimal:
    return sum((use.amount for use in history if use.service == service), Decimal(0))


def deposits_remaining(history: list[Use], settings: LimitSettings) -> Remaining:
    used = sum(1 for use in history if use.service == HOUSING_DEPOSITS)
    base, extra = settings.deposit_approvals, settings.deposit_approvals_with_change
    allowed = base + extra
    left = max(allowed - used, 0)
    if used < base:
        note = f"{base - used} more without conditions, then {extra} with documented change in circumstances"
    elif left:
        note = f"{left} more only with documented change in circumstances"
    else:
        note = "no further approvals"
    label = settings.label(HOUSING_DEPOSITS)
    summary = f"{label}: {used} of {allowed} lifetime approvals used; {note}."
    return Remaining(DEPOSIT_APPROVALS, f"{label} approvals", used, allowed, left, "approvals", summary)


def dollars_remaining(history: list[Use], settings: LimitSettings, service: str, cap: Decimal) -> Remaining:
    used = _dollars_used(history, service)
    left = max(cap - used, Decimal(0))
    label = settings.label(service)
    summary = f"{label}: {dollars(used)} of the {dollars(cap)} lifetime maximum used; {dollars(left)} left."
    return Remaining(f"{LIFETIME_DOLLARS}:{service}", f"{label} lifetime dollars", used, cap, left, "dollars", summary)
