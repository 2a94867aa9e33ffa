"""Reading reference data in force on a date, each answer kept for a minute (calaim.plans.refcache)."""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

from calaim.core.errors import ValidationFailed
from calaim.plans.models import (
    Dated,
    DiscontinuationReason,
    ExcludedProgram,
    Plan,
    PofGoLive,
    PopulationOfFocus,
    ProgramSettings,
    ReferralSourceType,
)
from calaim.plans.refcache import reference_cached

D = TypeVar("D", bound=Dated)


@reference_cached
def program_settings_for(plan: Plan, day: dt.date) -> ProgramSettings:
    """The plan's settings in force on `day`; a plan must have settings for every day it operates."""
    found = ProgramSettings.objects.filter(Dated.in_force_on(day), plan=plan).order_by("-effective_from").first()
    if found is None:
        raise ValidationFailed(f"Plan {plan.code} has no program settings in force on {day}.")
    return found


@reference_cached
def latest_by_code(model: type[D], day: dt.date) -> dict[str, D]:
    """Code to the latest version in force on `day`, for dated reference data keyed by `code`."""
    latest: dict[str, D] = {}
    for row in model.objects.filter(Dated.in_force_on(day)).order_by("code", "-effective_from"):  # type: ignore[attr-defined]
        latest.setdefault(row.code, row)
    return latest


@reference_cached
def pofs_in_force(day: dt.date) -> list[PopulationOfFocus]:
    """Each POF code's definition in force on `day` (the latest version)."""
    return list(latest_by_code(PopulationOfFocus, day).values())


@reference_cached
def go_live_windows(plan_id: int, county_id: int) -> dict[str, list[tuple[dt.date, dt.date | None]]]:
    """POF code to the periods it is live for a plan and county (from, to inclusive or open)."""
    windows: dict[str, list[tuple[dt.date, dt.date | None]]] = {}
    for row in PofGoLive.objects.filter(plan_id=plan_id, county_id=county_id).order_by("effective_from"):
        windows.setdefault(row.pof_code, []).append((row.effective_from, row.effective_to))
    return windows


def discontinuation_reason_get(code: str, day: dt.date, *, field: str = "reason") -> DiscontinuationReason:
    found = DiscontinuationReason.objects.filter(Dated.in_force_on(day), code=code).first()
    if found is None:
        valid = ", ".join(DiscontinuationReason.objects.filter(Dated.in_force_on(day)).values_list("code", flat=True))
        raise ValidationFailed(f"Unknown discontinuation reason {code!r}; expected one of: {valid}.", field=field)
    return found


@reference_cached
def referral_source_get(code: str, day: dt.date, *, field: str = "source_type") -> ReferralSourceType:
    found = ReferralSourceType.objects.filter(Dated.in_force_on(day), code=code).first()
    if found is None:
        valid = ", ".join(ReferralSourceType.objects.filter(Dated.in_force_on(day)).values_list("code", flat=True))
        raise ValidationFailed(f"Unknown referral source {code!r}; expected one of: {valid}.", field=field)
    return found


@reference_cached
def excluded_program_order(day: dt.date) -> tuple[str, ...]:
    """Codes of the programs ECM may not duplicate, in force on `day`, in the order exclusions are reported."""
    return tuple(ExcludedProgram.objects.filter(Dated.in_force_on(day)).values_list("code", flat=True))
