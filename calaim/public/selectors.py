"""Reading a plan's public offer from the reference data: counties, Populations of Focus and their go-live dates,
contracted ECM providers, Community Supports and their dates, referral sources. Public facts only: no member, no
staff member and no count of either is ever read here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from calaim.community_supports.models import CsOffering
from calaim.community_supports.selectors import cs_service_names
from calaim.core.errors import NotFound
from calaim.network.models import Contract, OrganizationKind, Program
from calaim.plans.models import Dated, Plan, PofGoLive, PopulationOfFocus, ReferralSourceType
from calaim.plans.refcache import reference_cached


@dataclass(frozen=True)
class PofLive:
    """A Population of Focus live for the plan in a county from `live_from` (in the future: not live yet)."""

    code: str
    name: str
    live_from: dt.date
    live_to: dt.date | None
    upcoming: bool


@dataclass(frozen=True)
class EcmProvider:
    """A contracted ECM provider as the public may see it: its name, phone and the languages it serves in."""

    name: str
    phone: str
    languages: tuple[str, ...]


@dataclass(frozen=True)
class SupportOffered:
    """A Community Support the plan offers in a county from `offered_from` (in the future: not offered yet)."""

    code: str
    name: str
    offered_from: dt.date
    offered_to: dt.date | None
    upcoming: bool
    kaiser_provides: bool


@dataclass(frozen=True)
class CountyOffer:
    name: str
    pofs: tuple[PofLive, ...]
    providers: tuple[EcmProvider, ...]
    supports: tuple[SupportOffered, ...]


@dataclass(frozen=True)
class PlanOffer:
    """What a plan offers, county by county, on `as_of` (the plan's today)."""

    code: str
    name: str
    member_services_phone: str
    counties: tuple[CountyOffer, ...]
    referral_sources: tuple[tuple[str, str], ...]
    kaiser_delegated: bool
    as_of: dt.date


def public_plan_list() -> QuerySet[Plan]:
    """Every plan, with the counties it serves."""
    return Plan.objects.prefetch_related("counties").order_by("code")


def public_plan_get(code: str) -> Plan:
    try:
        return public_plan_list().get(code=code)
    except Plan.DoesNotExist:
        raise NotFound(f"No plan {code!r}.") from None


def _not_ended(day: dt.date) -> Q:
    return Q(effective_to__isnull=True) | Q(effective_to__gte=day)


@reference_cached
def _pof_names() -> dict[str, str]:
    """Each POF code's name in its latest version, so a go-live dated past a definition still shows a name."""
    return dict(PopulationOfFocus.objects.order_by("code", "effective_from").values_list("code", "name"))


def _pofs_by_county(plan: Plan, day: dt.date) -> dict[int, list[PofLive]]:
    names = _pof_names()
    found: dict[int, list[PofLive]] = {}
    rows = PofGoLive.objects.filter(_not_ended(day), plan=plan).order_by("effective_from", "pof_code")
    for row in rows:
        name = names.get(row.pof_code, row.pof_code)
        live = PofLive(row.pof_code, name, row.effective_from, row.effective_to, row.effective_from > day)
        found.setdefault(row.county_id, []).append(live)
    return found


def _providers_by_county(plan: Plan, day: dt.date) -> dict[int, list[EcmProvider]]:
    # One query for every county (network.selectors.contracts_in_force asks one county at a time).
    contracts = (
        Contract.objects.filter(plan=plan, program=Program.ECM, start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day), organization__kind=OrganizationKind.ECM_PROVIDER)
        .select_related("organization")
        .prefetch_related("counties")
        .order_by("organization__name")
    )
    found: dict[int, list[EcmProvider]] = {}
    for contract in contracts:
        org = contract.organization
        provider = EcmProvider(org.name, org.phone, tuple(contract.languages))
        for county in contract.counties.all():
            if provider not in found.setdefault(county.pk, []):
                found[county.pk].append(provider)
    return found


def _supports_by_county(plan: Plan, day: dt.date) -> dict[int, list[SupportOffered]]:
    names = cs_service_names()
    found: dict[int, list[SupportOffered]] = {}
    for row in CsOffering.objects.filter(_not_ended(day), plan=plan).order_by("effective_from", "service_code"):
        support = SupportOffered(
            code=row.service_code,
            name=names.get(row.service_code, row.service_code),
            offered_from=row.effective_from,
            offered_to=row.effective_to,
            upcoming=row.effective_from > day,
            kaiser_provides=row.delegate_provides,
        )
        found.setdefault(row.county_id, []).append(support)
    return {county: sorted(rows, key=lambda s: (s.offered_from, s.name)) for county, rows in found.items()}


def plan_offer(plan: Plan, day: dt.date) -> PlanOffer:
    """The plan's offer on `day` from its reference data: what is in force and what is coming, never what ended."""
    pofs, providers, supports = (
        _pofs_by_county(plan, day),
        _providers_by_county(plan, day),
        _supports_by_county(plan, day),
    )
    counties = tuple(
        CountyOffer(
            name=county.name,
            pofs=tuple(pofs.get(county.pk, [])),
            providers=tuple(providers.get(county.pk, [])),
            supports=tuple(supports.get(county.pk, [])),
        )
        for county in plan.counties.all()
    )
    # The latest version of each source wins (a later row overwrites an earlier one in the dict).
    in_force = ReferralSourceType.objects.filter(Dated.in_force_on(day)).order_by("code", "effective_from")
    sources: dict[str, str] = dict(in_force.values_list("code", "label"))
    return PlanOffer(
        code=plan.code,
        name=plan.name,
        member_services_phone=plan.member_services_phone,
        counties=counties,
        referral_sources=tuple(sources.items()),
        kaiser_delegated=any(s.kaiser_provides for county in counties for s in county.supports),
        as_of=day,
    )
