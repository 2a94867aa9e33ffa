"""Choosing the member's ECM provider: the member's choice when given, otherwise the best-fitting
contracted provider, preferring the member's own PCP or behavioral-health provider."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from calaim.core.errors import Conflict, ValidationFailed
from calaim.ecm.selectors import caseload_by_provider
from calaim.members.models import Member
from calaim.network.models import Contract, Organization
from calaim.network.selectors import contracts_in_force


@dataclass
class Choice:
    organization: Organization
    reasons: list[str]


def _relationship(member: Member, org: Organization) -> str | None:
    for label, related in (
        ("primary care provider", member.pcp_organization),
        ("behavioral health provider", member.behavioral_health_organization),
    ):
        if related is not None and (related.pk == org.pk or related.ecm_affiliate_id == org.pk):
            return f"the member's {label} ({related.name}) is or is affiliated with this ECM provider"
    return None


def _fit(member: Member, contract: Contract, pofs: list[str], free: int) -> tuple[tuple[int, ...], list[str]]:
    relation = _relationship(member, contract.organization)
    speaks = member.language in contract.languages
    serves = sorted(set(pofs) & set(contract.pof_codes))
    reasons = [f"contracted for ECM in {member.county.name} county for {member.plan.code}"]
    if relation:
        reasons.append(relation)
    reasons.append(
        f"serves the member's language ({member.language})"
        if speaks
        else f"does not list the member's language ({member.language})"
    )
    if pofs:
        reasons.append(
            f"serves Populations of Focus {', '.join(serves)}"
            if serves
            else "serves none of the member's Populations of Focus"
        )
    reasons.append(f"{free} places free")
    return (int(relation is not None), int(speaks), len(serves), free), reasons


def provider_candidates(member: Member, pofs: list[str], day: dt.date) -> list[tuple[Contract, int]]:
    """Contracted ECM providers for the member's plan and county, with their free capacity."""
    load = caseload_by_provider(member.plan_id)
    return [
        (c, c.capacity - load.get(c.organization_id, 0))
        for c in contracts_in_force(member.plan_id, member.county_id, day)
    ]


def provider_choose(
    member: Member, pofs: list[str], day: dt.date, chosen_id: object | None = None, exclude_id: object | None = None
) -> Choice:
    """The member's chosen provider if contracted and not full; otherwise the best fit with free places."""
    candidates = [(c, free) for c, free in provider_candidates(member, pofs, day) if c.organization_id != exclude_id]
    if chosen_id is not None:
        for contract, free in candidates:
            if str(contract.organization_id) == str(chosen_id):
                if free <= 0:
                    raise Conflict(f"{contract.organization.name} has no free places.", field="provider_id")
                _, reasons = _fit(member, contract, pofs, free)
                return Choice(contract.organization, ["chosen by the member", *reasons])
        raise ValidationFailed(
            "That provider is not contracted for ECM in the member's plan and county.", field="provider_id"
        )
    scored = [(_fit(member, c, pofs, free), c) for c, free in candidates if free > 0]
    if not scored:
        raise Conflict("No contracted ECM provider in the member's county has free places.")
    scored.sort(key=lambda item: (*(-x for x in item[0][0]), item[1].organization.name))
    (_, reasons), best = scored[0]
    return Choice(best.organization, ["assigned automatically", *reasons])
