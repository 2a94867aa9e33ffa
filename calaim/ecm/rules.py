"""ECM eligibility rules: plain Python, no Django, deterministic, and explainable criterion by criterion.

The caller turns members, referrals and reference data into these value objects; the result says, for
each Population of Focus, whether it is qualified and why or why not, with the evidence used.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from calaim.members.facts import CriterionDef, CriterionResult, MemberFacts, criterion_result

ADULT_AGE = 21


@dataclass(frozen=True)
class PofDef:
    code: str
    name: str
    age_group: str  # "adult" or "child"
    criteria: tuple[CriterionDef, ...]
    max_age: int | None = None
    referral_only: bool = False
    legacy: bool = False


@dataclass(frozen=True)
class Attestation:
    pof: str
    criteria: frozenset[str]
    facts: str


@dataclass(frozen=True)
class PlanRules:
    """The plan's configuration in force on the date: go-live periods, exclusions, version."""

    go_live: dict[str, tuple[tuple[dt.date, dt.date | None], ...]]
    dsnp_excludes_ecm: bool
    excluded_program_order: tuple[str, ...]
    version: str


@dataclass
class PofResult:
    code: str
    name: str
    qualified: bool
    criteria: list[CriterionResult]
    why_not: list[str]


@dataclass
class Determination:
    outcome: str  # eligible | not_eligible | excluded | routed_to_delegate
    qualified: list[str]
    pofs: list[PofResult]
    checks: list[dict[str, object]]
    route_to: str | None
    rule_version: str


def _live_on(windows: tuple[tuple[dt.date, dt.date | None], ...], day: dt.date) -> bool:
    return any(start <= day and (end is None or day <= end) for start, end in windows)


def _age_fits(pof: PofDef, age: int) -> bool:
    if pof.age_group == "adult":
        return age >= ADULT_AGE
    return age < (pof.max_age or ADULT_AGE)


def _criterion(c: CriterionDef, member: MemberFacts, attested: Attestation | None) -> CriterionResult:
    said = attested is not None and c.key in attested.criteria
    return criterion_result(c, member, attested=said, attestation=f"attested: {attested.facts}" if attested else "")


def evaluate_pof(
    pof: PofDef, member: MemberFacts, attested: Attestation | None, rules: PlanRules, day: dt.date
) -> PofResult:
    """A POF is qualified when the age fits, it is live in the member's county and every criterion is met."""
    criteria = [_criterion(c, member, attested) for c in pof.criteria]
    why_not: list[str] = []
    if not _age_fits(pof, member.age):
        group = "adults 21 and over" if pof.age_group == "adult" else f"members under {pof.max_age or ADULT_AGE}"
        why_not.append(f"for {group}; the member is {member.age}")
    windows = rules.go_live.get(pof.code, ())
    if not _live_on(windows, day):
        starts = [start.isoformat() for start, _ in windows if start > day]
        when = f"live from {starts[0]}" if starts else "not offered"
        why_not.append(f"not live in the member's plan and county on {day.isoformat()} ({when})")
    why_not.extend(f"criterion not met: {c.label}" for c in criteria if not c.met)
    return PofResult(code=pof.code, name=pof.name, qualified=not why_not, criteria=criteria, why_not=why_not)


def _exclusion(member: MemberFacts, rules: PlanRules) -> str | None:
    for program in rules.excluded_program_order:
        if program in member.programs:
            return program
    if member.dsnp and rules.dsnp_excludes_ecm:
        return "DSNP"
    return None


def determine(
    member: MemberFacts,
    pofs: list[PofDef],
    attestations: list[Attestation],
    rules: PlanRules,
    day: dt.date,
) -> Determination:
    """Decide ECM eligibility on `day`: enrollment, Populations of Focus, exclusions, then delegation."""
    by_pof = {a.pof: a for a in attestations}
    results = [evaluate_pof(p, member, by_pof.get(p.code), rules, day) for p in pofs]
    qualified = sorted(r.code for r in results if r.qualified)
    exclusion = _exclusion(member, rules)
    checks: list[dict[str, object]] = [
        {
            "check": "plan_enrollment",
            "passed": member.plan_enrolled,
            "detail": "enrolled in the plan on the date" if member.plan_enrolled else "not enrolled in the plan",
        },
        {
            "check": "population_of_focus",
            "passed": bool(qualified),
            "detail": ", ".join(qualified) or "no Population of Focus met",
        },
        {
            "check": "exclusions",
            "passed": exclusion is None,
            "detail": f"in {exclusion}, which ECM may not duplicate" if exclusion else "none",
        },
        {
            "check": "delegation",
            "passed": member.delegated_to is None,
            "detail": f"delegated to {member.delegated_to}" if member.delegated_to else "not delegated",
        },
    ]
    if not member.plan_enrolled or not qualified:
        outcome = "not_eligible"
    elif exclusion is not None:
        outcome = "excluded"
    elif member.delegated_to is not None:
        outcome = "routed_to_delegate"
    else:
        outcome = "eligible"
    return Determination(
        outcome=outcome,
        qualified=qualified if outcome in ("eligible", "routed_to_delegate") else [],
        pofs=results,
        checks=checks,
        route_to=member.delegated_to if outcome == "routed_to_delegate" else None,
        rule_version=rules.version,
    )
