"""What the database knows that a roster names: the reader's `Vocabulary` (so it can name an unknown county, plan,
delegate or program by row and column), and the ids the apply step writes for those names."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from calaim.network.models import Organization, OrganizationKind
from calaim.plans.models import County, Plan
from calaim.plans.selectors import excluded_program_order
from calaim.roster.reader import Vocabulary


def roster_vocabulary(plan: Plan, day: dt.date) -> Vocabulary:
    """The plan being loaded, every plan code, the plan's counties, the delegates' codes and the excluding programs
    in force on `day` in the order identification-spec §1 lists them (their reporting priority)."""
    return Vocabulary(
        plan_code=plan.code,
        plan_codes=frozenset(Plan.objects.values_list("code", flat=True)),
        counties={name.casefold(): name for name in plan.counties.values_list("name", flat=True)},
        delegates={code.casefold(): code for code in _delegates()},
        programs=excluded_program_order(day),
    )


@dataclass(frozen=True)
class RosterKeys:
    """The ids behind the roster's names: county name, delegate code, and the organization an NPI names (a PCP
    clinic first for `pcp_npi`, a behavioral-health provider first for `bh_provider_npi`, then any, by name)."""

    county_ids: dict[str, int]
    delegate_ids: dict[str, uuid.UUID]
    pcp_ids: dict[str, uuid.UUID]
    bh_ids: dict[str, uuid.UUID]
    # For samples people read: an organization's code (delegates) or name, a county's name, a plan's code.
    organization_labels: dict[uuid.UUID, str]
    county_names: dict[int, str]
    plan_codes: dict[int, str]


def roster_keys(plan: Plan) -> RosterKeys:
    organizations = list(Organization.objects.order_by("name", "id").values_list("id", "kind", "code", "npi", "name"))
    delegates = _delegates()
    return RosterKeys(
        county_ids=dict(County.objects.filter(plans=plan).values_list("name", "id")),
        delegate_ids={
            code: org_id
            for org_id, kind, code, _npi, _name in reversed(organizations)  # the first by name wins
            if kind == OrganizationKind.DELEGATE and code in delegates
        },
        pcp_ids=_by_npi(organizations, OrganizationKind.PCP_CLINIC),
        bh_ids=_by_npi(organizations, OrganizationKind.BEHAVIORAL_HEALTH),
        organization_labels={org_id: code or name for org_id, _kind, code, _npi, name in organizations},
        county_names=dict(County.objects.values_list("id", "name")),
        plan_codes=dict(Plan.objects.values_list("id", "code")),
    )


def _delegates() -> set[str]:
    codes = Organization.objects.filter(kind=OrganizationKind.DELEGATE).exclude(code="").values_list("code", flat=True)
    return set(codes)


def _by_npi(organizations: list[tuple[uuid.UUID, str, str, str, str]], preferred: str) -> dict[str, uuid.UUID]:
    ranked = sorted(
        (org for org in organizations if org[3]),
        key=lambda org: (org[1] != preferred, org[4], str(org[0])),
    )
    found: dict[str, uuid.UUID] = {}
    for org_id, _kind, _code, npi, _name in ranked:
        found.setdefault(npi, org_id)
    return found
