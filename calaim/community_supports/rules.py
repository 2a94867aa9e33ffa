"""Community Supports eligibility rules: plain Python, no Django, deterministic, and explainable criterion by criterion.

The adapter (`calaim.community_supports.eligibility`) turns the catalog, the plan's offering, the member's
delegation and roster facts into these values. The result says whether the member may get one service on a day:
offered or not, routed to the delegate or not, each criterion met or not with its evidence, why not, and the
catalog version that defined the service (the rule version).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from calaim.members.facts import CriterionDef, CriterionResult, MemberFacts, criterion_result

ELIGIBLE = "eligible"
NOT_ELIGIBLE = "not_eligible"
NOT_OFFERED = "not_offered"
ROUTED_TO_DELEGATE = "routed_to_delegate"
DELEGATE_DOES_NOT_OFFER = "delegate_does_not_offer"
OUTCOMES = (ELIGIBLE, NOT_ELIGIBLE, NOT_OFFERED, ROUTED_TO_DELEGATE, DELEGATE_DOES_NOT_OFFER)


@dataclass(frozen=True)
class ServiceDef:
    """One Community Support as the catalog defines it: any one criterion qualifies unless `criteria_all`."""

    code: str
    name: str
    criteria: tuple[CriterionDef, ...]
    criteria_all: bool
    version: str


@dataclass(frozen=True)
class Offering:
    """The member's plan and county, and since when the plan offers the service there (None: not on the day)."""

    plan: str
    county: str
    offered_from: dt.date | None


@dataclass(frozen=True)
class Delegation:
    """The member's care is delegated (to Kaiser): the delegate as staff name it, and whether it provides the service.

    `MemberFacts.delegated_to` carries the delegate's code for ECM routing; the CS decision also needs to know what
    the delegate provides, so it reads delegation from here alone.
    """

    delegate: str
    provides_service: bool


@dataclass
class Eligibility:
    service: str
    name: str
    outcome: str  # one of OUTCOMES
    criteria: list[CriterionResult]
    why_not: list[str]
    offered_from: dt.date | None
    rule_version: str


def checklist_result(criterion: CriterionDef, member: MemberFacts, attested: frozenset[str]) -> CriterionResult:
    """A checklist item is met by the member's roster data, by the referrer's attestation, or both."""
    said = criterion.key in attested
    return criterion_result(criterion, member, attested=said, attestation="attested by the referrer")


def criteria_satisfied(service: ServiceDef, results: list[CriterionResult]) -> bool:
    """Every criterion when the service says `criteria_all`, otherwise at least one."""
    met = [result.met for result in results]
    return all(met) if service.criteria_all else any(met)


def _outcome(
    service: ServiceDef,
    member: MemberFacts,
    criteria: list[CriterionResult],
    offering: Offering,
    delegation: Delegation | None,
    day: dt.date,
) -> tuple[str, list[str]]:
    """Offered in the plan and county on the day, then delegate routing, then enrollment, then the checklist."""
    if offering.offered_from is None:
        return NOT_OFFERED, [f"{offering.plan} does not offer {service.name} in {offering.county} county on {day}"]
    if delegation is not None and delegation.provides_service:
        return ROUTED_TO_DELEGATE, [f"{delegation.delegate} provides {service.name} to its members"]
    if delegation is not None:
        return DELEGATE_DOES_NOT_OFFER, [
            f"{delegation.delegate} does not offer {service.name}; the member may choose reassignment "
            f"to {offering.plan} through member services"
        ]
    if not member.plan_enrolled:
        return NOT_ELIGIBLE, ["not enrolled in the plan on the date"]
    if not criteria_satisfied(service, criteria):
        rule = "every criterion" if service.criteria_all else "at least one criterion"
        return NOT_ELIGIBLE, [f"needs {rule}; not met: " + "; ".join(c.label for c in criteria if not c.met)]
    return ELIGIBLE, []


def evaluate(
    service: ServiceDef,
    member: MemberFacts,
    attested: frozenset[str],
    offering: Offering,
    delegation: Delegation | None,
    day: dt.date,
) -> Eligibility:
    """Whether the member may get the service from the plan on `day`, with every criterion explained."""
    criteria = [checklist_result(c, member, attested) for c in service.criteria]
    outcome, why_not = _outcome(service, member, criteria, offering, delegation, day)
    return Eligibility(
        service=service.code,
        name=service.name,
        outcome=outcome,
        criteria=criteria,
        why_not=why_not,
        offered_from=offering.offered_from,
        rule_version=service.version,
    )
