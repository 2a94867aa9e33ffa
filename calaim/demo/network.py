"""The demo provider network: the plans' own organizations, ECM and CS providers with their contracts,
clinics, behavioral health organizations, CBOs, hospitals and the Kaiser delegate (all fictional)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from calaim.network.models import Contract, Organization, OrganizationKind, Program
from calaim.plans.models import County, Plan

SJ, STAN, SM = "San Joaquin", "Stanislaus", "San Mateo"
AREA_CODES = {SJ: "209", STAN: "209", SM: "650"}
KAISER = "KAISER"


@dataclass(frozen=True)
class OrgSpec:
    code: str
    name: str
    kind: str
    county: str | None
    plan: str | None = None
    ecm_affiliate: str | None = None


@dataclass(frozen=True)
class ContractSpec:
    org: str
    plan: str
    program: str
    counties: tuple[str, ...]
    pof_codes: tuple[str, ...]
    languages: tuple[str, ...]
    capacity: int
    start: dt.date
    end: dt.date | None = None


K = OrganizationKind
ADULT_POFS = ("A1", "A2", "A3", "A4", "A5", "A6", "A7")
CHILD_POFS = ("C1", "C2", "C3", "C4", "C5", "C6", "C7")

ORGANIZATIONS: tuple[OrgSpec, ...] = (
    OrgSpec("HPSJ", "Health Plan of San Joaquin", K.PLAN, SJ, plan="HPSJ"),
    OrgSpec("HPSM", "Health Plan of San Mateo", K.PLAN, SM, plan="HPSM"),
    OrgSpec(KAISER, "Kaiser Permanente Northern California", K.DELEGATE, None),
    # ECM providers
    OrgSpec("DELTA", "Delta Community Care Partners", K.ECM_PROVIDER, SJ),
    OrgSpec("VALLEY", "Valley Health Navigators", K.ECM_PROVIDER, STAN),
    OrgSpec("HARBOR", "Harbor Light Family Services", K.ECM_PROVIDER, SJ),
    OrgSpec("GOLDENOAK", "Golden Oak Senior Services", K.ECM_PROVIDER, SJ),
    OrgSpec("CVBW", "Central Valley Behavioral Wellness", K.ECM_PROVIDER, STAN),
    OrgSpec("BAYSIDE", "Bayside Whole Person Care", K.ECM_PROVIDER, SM),
    OrgSpec("COASTSIDE", "Coastside Children and Family Care", K.ECM_PROVIDER, SM),
    # Community Supports providers
    OrgSpec("HOUSINGBRIDGE", "Delta Housing Bridge", K.CS_PROVIDER, SJ),
    OrgSpec("RECUPCARE", "Valley Recuperative Care Center", K.CS_PROVIDER, STAN),
    OrgSpec("PENMEALS", "Peninsula Tailored Meals", K.CS_PROVIDER, SM),
    # Primary care clinics; an ECM affiliate is preferred when assigning the clinic's members.
    OrgSpec("STOCKTONFH", "Stockton Family Health Center", K.PCP_CLINIC, SJ, ecm_affiliate="DELTA"),
    OrgSpec("LODICC", "Lodi Community Clinic", K.PCP_CLINIC, SJ),
    OrgSpec("TRACYMG", "Tracy Medical Group", K.PCP_CLINIC, SJ, ecm_affiliate="HARBOR"),
    OrgSpec("MODESTOFP", "Modesto Family Practice", K.PCP_CLINIC, STAN, ecm_affiliate="VALLEY"),
    OrgSpec("TURLOCKHC", "Turlock Health Clinic", K.PCP_CLINIC, STAN),
    OrgSpec("PENINSULACC", "Peninsula Community Clinic", K.PCP_CLINIC, SM, ecm_affiliate="BAYSIDE"),
    OrgSpec("DALYCITYFM", "Daly City Family Medicine", K.PCP_CLINIC, SM),
    OrgSpec("EPAHC", "East Palo Alto Health Center", K.PCP_CLINIC, SM, ecm_affiliate="COASTSIDE"),
    # Behavioral health
    OrgSpec("SJBH", "San Joaquin County Behavioral Health Services", K.BEHAVIORAL_HEALTH, SJ),
    OrgSpec("STANBHRS", "Stanislaus County Behavioral Health and Recovery Services", K.BEHAVIORAL_HEALTH, STAN),
    OrgSpec("CVCOUNSEL", "Central Valley Counseling Center", K.BEHAVIORAL_HEALTH, STAN, ecm_affiliate="CVBW"),
    OrgSpec("SMCBHRS", "San Mateo County Behavioral Health and Recovery Services", K.BEHAVIORAL_HEALTH, SM),
    # Community-based organizations and hospitals (referrers)
    OrgSpec("STOCKTONSHELTER", "Stockton Shelter Alliance", K.CBO, SJ),
    OrgSpec("STANFRC", "Stanislaus Family Resource Network", K.CBO, STAN),
    OrgSpec("PENRESOURCE", "Peninsula Community Resource Center", K.CBO, SM),
    OrgSpec("STOCKTONGEN", "Stockton General Hospital", K.HOSPITAL, SJ),
    OrgSpec("MODESTORMC", "Modesto Regional Medical Center", K.HOSPITAL, STAN),
    OrgSpec("PENBAYHOSP", "Peninsula Bay Hospital", K.HOSPITAL, SM),
)

D = dt.date
# Community Supports each CS provider is contracted for (the demo's assumption, not real contracts).
CS_SERVICES: dict[str, tuple[str, ...]] = {
    "HOUSINGBRIDGE": (
        "htns",
        "housing_deposits",
        "htss",
        "transitional_rent",
        "day_habilitation",
        "personal_care",
        "respite",
        "environmental_accessibility",
        "asthma_remediation",
        "nf_transition_alf",
        "community_transition",
    ),
    "RECUPCARE": ("recuperative_care", "stphh", "sobering_center", "medically_tailored_meals"),
    "PENMEALS": (
        "medically_tailored_meals",
        "recuperative_care",
        "stphh",
        "htns",
        "housing_deposits",
        "htss",
        "transitional_rent",
        "personal_care",
        "respite",
        "environmental_accessibility",
        "asthma_remediation",
        "nf_transition_alf",
        "community_transition",
    ),
}

CONTRACTS: tuple[ContractSpec, ...] = (
    ContractSpec(
        "DELTA",
        "HPSJ",
        Program.ECM,
        (SJ, STAN),
        ("A1", "A2", "A3", "A4", "C1", "C2", "C3", "C6"),
        ("en", "es", "pa"),
        400,
        D(2022, 1, 1),
    ),
    ContractSpec(
        "VALLEY",
        "HPSJ",
        Program.ECM,
        (SJ, STAN),
        ("A1", "A2", "A3", "A5", "A6", "A7", "C4", "C5", "C7"),
        ("en", "es", "hmn"),
        250,
        D(2022, 7, 1),
    ),
    ContractSpec(
        "HARBOR",
        "HPSJ",
        Program.ECM,
        (SJ,),
        ("A1", "A3", "A4", "C1", "C6"),
        ("en", "es", "vi", "zh"),
        40,
        D(2022, 1, 1),
    ),
    ContractSpec("GOLDENOAK", "HPSJ", Program.ECM, (SJ,), ("A5", "A6"), ("en", "es", "zh", "tl"), 60, D(2023, 1, 1)),
    # An ended contract: Golden Oak stopped serving Stanislaus at the end of 2024.
    ContractSpec(
        "GOLDENOAK",
        "HPSJ",
        Program.ECM,
        (STAN,),
        ("A5", "A6"),
        ("en", "es"),
        30,
        D(2023, 1, 1),
        D(2024, 12, 31),
    ),
    ContractSpec(
        "CVBW", "HPSJ", Program.ECM, (STAN,), ("A2", "A3", "C3"), ("en", "es", "vi", "pa"), 150, D(2022, 7, 1)
    ),
    ContractSpec("CVBW", "HPSM", Program.ECM, (SM,), ("A3", "C3"), ("en", "es", "vi"), 60, D(2023, 1, 1)),
    ContractSpec(
        "BAYSIDE",
        "HPSM",
        Program.ECM,
        (SM,),
        ADULT_POFS + CHILD_POFS,
        ("en", "es", "zh", "tl"),
        300,
        D(2022, 1, 1),
    ),
    ContractSpec("COASTSIDE", "HPSM", Program.ECM, (SM,), CHILD_POFS, ("en", "es", "tl"), 80, D(2023, 7, 1)),
    ContractSpec("HOUSINGBRIDGE", "HPSJ", Program.CS, (SJ, STAN), (), ("en", "es"), 120, D(2022, 1, 1)),
    ContractSpec("RECUPCARE", "HPSJ", Program.CS, (SJ, STAN), (), ("en", "es", "pa"), 24, D(2022, 7, 1)),
    ContractSpec("PENMEALS", "HPSM", Program.CS, (SM,), (), ("en", "es", "zh", "tl"), 200, D(2022, 1, 1)),
)


def npi_for(index: int) -> str:
    """A well-formed NPI (Luhn check digit over the 80840 prefix) that is unique per index."""
    body = f"1{(310_000_00 + index * 7_919) % 10**8:08d}"
    digits = [int(c) for c in "80840" + body]
    total = 0
    for position, digit in enumerate(reversed(digits)):
        doubled = digit * 2 if position % 2 == 0 else digit
        total += doubled - 9 if doubled > 9 else doubled
    return body + str((10 - total % 10) % 10)


def _organization(index: int, spec: OrgSpec, plans: dict[str, Plan], counties: dict[str, County]) -> Organization:
    area = AREA_CODES.get(spec.county or "", "510")
    return Organization(
        name=spec.name,
        kind=spec.kind,
        code=spec.code,
        plan=plans[spec.plan] if spec.plan else None,
        county=counties[spec.county] if spec.county else None,
        npi="" if spec.kind == K.PLAN else npi_for(index),
        tin=f"94{1_000_000 + index * 3_571:07d}",
        phone=f"+1{area}555{100 + index:04d}",
        email=f"ecm@{spec.code.lower()}.example.org",
    )


def network_create() -> dict[str, Organization]:
    """Create the demo organizations and their contracts; returns organizations by code."""
    plans = {p.code: p for p in Plan.objects.all()}
    counties = {c.name: c for c in County.objects.all()}
    organizations = {s.code: _organization(i, s, plans, counties) for i, s in enumerate(ORGANIZATIONS, start=1)}
    Organization.objects.bulk_create(organizations.values())
    affiliated = []
    for spec in ORGANIZATIONS:
        if spec.ecm_affiliate:
            organizations[spec.code].ecm_affiliate = organizations[spec.ecm_affiliate]
            affiliated.append(organizations[spec.code])
    Organization.objects.bulk_update(affiliated, ["ecm_affiliate"])
    contracts = [
        Contract(
            plan=plans[c.plan],
            organization=organizations[c.org],
            program=c.program,
            pof_codes=list(c.pof_codes),
            services=list(CS_SERVICES.get(c.org, ())),
            languages=list(c.languages),
            capacity=c.capacity,
            start_date=c.start,
            end_date=c.end,
        )
        for c in CONTRACTS
    ]
    Contract.objects.bulk_create(contracts)
    Through = Contract.counties.through
    Through.objects.bulk_create(
        Through(contract_id=contract.pk, county_id=counties[name].pk)
        for contract, spec in zip(contracts, CONTRACTS, strict=True)
        for name in spec.counties
    )
    return organizations
