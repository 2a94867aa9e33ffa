"""Choosing the member's ECM provider: only providers that fit the member (contracted with the member's plan in the
member's county, serving one of the member's Populations of Focus, with free places); the member's choice among
them when given, otherwise the best fit, preferring the member's own PCP or behavioral-health provider, then one
that speaks the member's language."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from calaim.core.errors import Conflict, ValidationFailed
from calaim.core.labels import language_name
from calaim.ecm.selectors import caseload_by_provider
from calaim.members.models import Member
from calaim.network.models import Contract, Organization, Program


@dataclass
class Choice:
    organization: Organization
    reasons: list[str]


@dataclass(frozen=True)
class ProviderFit:
    """One contracted ECM provider measured against the member: what it offers and why it does not fit, if so."""

    contract: Contract
    free: int
    speaks: bool
    serves: tuple[str, ...]  # the member's Populations of Focus it serves
    why_not: tuple[str, ...]  # empty when the provider fits

    @property
    def organization(self) -> Organization:
        return self.contract.organization

    @property
    def fits(self) -> bool:
        return not self.why_not

    def notes(self, member: Member) -> tuple[str, ...]:
        """Why it does not fit, and whether it lists the member's language (a preference, not a bar)."""
        language = () if self.speaks else (f"does not list the member's language ({language_name(member.language)})",)
        return (*self.why_not, *language)


def _plan_contracts(member: Member, day: dt.date) -> list[Contract]:
    """The plan's ECM contracts in force on `day`, one per provider: the one covering the member's county first."""
    rows = (
        Contract.objects.filter(plan_id=member.plan_id, program=Program.ECM, start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .select_related("organization")
        .prefetch_related("counties")
        .order_by("organization__name", "start_date")
    )
    by_provider: dict[object, Contract] = {}
    for contract in rows:
        here = any(county.pk == member.county_id for county in contract.counties.all())
        if contract.organization_id not in by_provider or here:
            by_provider[contract.organization_id] = contract
    return list(by_provider.values())


def _measure(member: Member, contract: Contract, pofs: list[str], free: int) -> ProviderFit:
    counties = [county.name for county in contract.counties.all()]
    serves = tuple(sorted(set(pofs) & set(contract.pof_codes)))
    why_not = []
    if member.county_id not in {county.pk for county in contract.counties.all()}:
        why_not.append(f"not contracted in {member.county.name} county (serves {', '.join(counties) or 'no county'})")
    if pofs and not serves:
        offered = ", ".join(contract.pof_codes) or "none listed"
        why_not.append(f"does not serve the member's Populations of Focus {', '.join(pofs)} (serves {offered})")
    if free <= 0:
        why_not.append(f"no free places (capacity {contract.capacity})")
    speaks = member.language in contract.languages
    return ProviderFit(contract, free, speaks, serves, tuple(why_not))


def provider_fits(member: Member, pofs: list[str], day: dt.date) -> list[ProviderFit]:
    """Every ECM provider contracted with the member's plan, measured against the member; best fits first."""
    load = caseload_by_provider(member.plan_id)
    measured = [
        _measure(member, c, pofs, c.capacity - load.get(c.organization_id, 0)) for c in _plan_contracts(member, day)
    ]
    measured.sort(key=lambda fit: (not fit.fits, *(-x for x in _score(member, fit)), fit.organization.name))
    return measured


def provider_candidates(member: Member, pofs: list[str], day: dt.date) -> list[tuple[Contract, int]]:
    """Contracted ECM providers that fit the member, with their free places."""
    return [(fit.contract, fit.free) for fit in provider_fits(member, pofs, day) if fit.fits]


def _relationship(member: Member, org: Organization) -> str | None:
    for label, related in (
        ("primary care provider", member.pcp_organization),
        ("behavioral health provider", member.behavioral_health_organization),
    ):
        if related is not None and (related.pk == org.pk or related.ecm_affiliate_id == org.pk):
            return f"the member's {label} ({related.name}) is or is affiliated with this ECM provider"
    return None


def _score(member: Member, fit: ProviderFit) -> tuple[int, ...]:
    related = _relationship(member, fit.organization) is not None
    return (int(related), int(fit.speaks), len(fit.serves), fit.free)


def _reasons(member: Member, fit: ProviderFit) -> list[str]:
    """Why this provider: the reasons recorded with the assignment."""
    language = language_name(member.language)
    reasons = [f"contracted for ECM in {member.county.name} county for {member.plan.code}"]
    relation = _relationship(member, fit.organization)
    if relation:
        reasons.append(relation)
    reasons.append(
        f"serves the member's language ({language})"
        if fit.speaks
        else f"does not list the member's language ({language})"
    )
    if fit.serves:
        reasons.append(f"serves Populations of Focus {', '.join(fit.serves)}")
    reasons.append(f"{fit.free} places free")
    return reasons


def _chosen(member: Member, fits: list[ProviderFit], chosen_id: object) -> Choice:
    for fit in fits:
        if str(fit.organization.pk) == str(chosen_id):
            if fit.free <= 0:
                raise Conflict(f"{fit.organization.name} has no free places.", field="provider_id")
            if not fit.fits:
                raise ValidationFailed(
                    f"{fit.organization.name} does not fit: {'; '.join(fit.why_not)}.", field="provider_id"
                )
            return Choice(fit.organization, ["chosen by the member", *_reasons(member, fit)])
    raise ValidationFailed(
        "That provider is not contracted for ECM in the member's plan and county.", field="provider_id"
    )


def provider_choose(
    member: Member, pofs: list[str], day: dt.date, chosen_id: object | None = None, exclude_id: object | None = None
) -> Choice:
    """The member's chosen provider if it fits; otherwise the best fit (the fits are already ranked)."""
    fits = [fit for fit in provider_fits(member, pofs, day) if fit.organization.pk != exclude_id]
    if chosen_id is not None:
        return _chosen(member, fits, chosen_id)
    fitting = [fit for fit in fits if fit.fits]
    if not fitting:
        raise Conflict(
            "No contracted ECM provider in the member's county serves the member's Populations of Focus with free "
            "places."
        )
    return Choice(fitting[0].organization, ["assigned automatically", *_reasons(member, fitting[0])])
