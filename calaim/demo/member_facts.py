"""The program facts and care relationships of a synthetic member: D-SNP, release from incarceration,
CCS, foster care, ECM-excluding programs, Kaiser delegation, PCP and behavioral health provider."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from random import Random
from typing import Any

from calaim.demo.names import NAME_POOLS
from calaim.demo.network import KAISER, ORGANIZATIONS
from calaim.network.models import Organization, OrganizationKind

# (program code, minimum age, weight) for members in a program that excludes ECM.
EXCLUDING_PROGRAMS: tuple[tuple[str, int, float], ...] = (
    ("HOSPICE", 40, 2),
    ("PACE", 55, 2),
    ("CCM", 21, 4),
    ("CCT", 21, 1),
    ("MSSP", 65, 2),
    ("HCBA", 0, 1),
    ("ALW", 21, 1),
    ("HCBS_DD", 3, 1.5),
    ("SDP", 3, 1),
    ("MCWP", 21, 1),
)
CLINICIAN_POOLS = ("anglo", "hispanic", "chinese", "punjabi", "vietnamese", "filipino", "black")


@dataclass
class MemberDraft:
    """A member being drawn, before it is written: plan and county codes plus Member field values."""

    plan: str
    county: str
    age: int
    fields: dict[str, Any]
    programs: list[tuple[str, dt.date, dt.date | None]] = field(default_factory=list)
    enrollment: tuple[dt.date, dt.date | None] = (dt.date(2022, 1, 1), None)


def _days_before(rng: Random, as_of: dt.date, low: int, high: int) -> dt.date:
    return as_of - dt.timedelta(days=rng.randint(low, high))


def _release_date(rng: Random, age: int, as_of: dt.date) -> dt.date | None:
    """About 2% of adults (fewer teens) released within 12 months; 1% of adults released longer ago."""
    draw = rng.random()
    recent = 0.02 if age >= 21 else (0.015 if age >= 14 else 0.0)
    if draw < recent:
        return _days_before(rng, as_of, 1, 360)
    if age >= 21 and draw < recent + 0.01:
        return _days_before(rng, as_of, 400, 1800)
    return None


def _foster_care(rng: Random, age: int) -> str:
    """Current foster care for some minors and young adults; former for some youth up to 25."""
    draw = rng.random()
    if age < 18:
        return "current" if draw < 0.04 else ""
    if age <= 20:
        return "current" if draw < 0.03 else ("former" if draw < 0.08 else "")
    if age <= 25:
        return "former" if draw < 0.06 else ""
    return ""


def _excluding_programs(rng: Random, age: int, as_of: dt.date) -> list[tuple[str, dt.date, dt.date | None]]:
    """About 4% in a current ECM-excluding program (a few in two); about 1% in one that has ended."""
    eligible = [(code, weight) for code, min_age, weight in EXCLUDING_PROGRAMS if age >= min_age]
    codes, weights = [c for c, _ in eligible], [w for _, w in eligible]
    draw = rng.random()
    if draw < 0.04:
        count = 2 if rng.random() < 0.12 and len(codes) > 1 else 1
        chosen = sorted(set(rng.choices(codes, weights=weights, k=count)))
        return [(code, _days_before(rng, as_of, 10, 900), None) for code in chosen]
    if draw < 0.05:
        start = _days_before(rng, as_of, 400, 1500)
        return [(rng.choices(codes, weights=weights)[0], start, start + dt.timedelta(days=rng.randint(30, 300)))]
    return []


def program_facts(rng: Random, draft: MemberDraft, as_of: dt.date) -> None:
    """Set D-SNP (about 4%, mostly 65+), release date, CCS, foster care and excluding programs."""
    age = draft.age
    draft.fields["dsnp"] = rng.random() < (0.25 if age >= 65 else (0.004 if age >= 21 else 0.0))
    draft.fields["release_date"] = _release_date(rng, age, as_of)
    draft.fields["ccs_enrolled"] = age < 21 and rng.random() < 0.10
    draft.fields["foster_care"] = _foster_care(rng, age)
    draft.programs = _excluding_programs(rng, age, as_of)


def _clinician(rng: Random, suffix: str) -> str:
    pool = NAME_POOLS[rng.choice(CLINICIAN_POOLS)]
    return f"{rng.choice(pool.female + pool.male)} {rng.choice(pool.surnames)}, {suffix}"


def _codes(kind: str, county: str) -> list[str]:
    return [s.code for s in ORGANIZATIONS if s.kind == kind and s.county == county]


def care_links(rng: Random, draft: MemberDraft, orgs: dict[str, Organization]) -> None:
    """Kaiser delegation (about 5%, Kaiser is then the PCP), a PCP clinic for most, BH for some."""
    fields, county = draft.fields, draft.county
    if rng.random() < 0.05:
        fields |= {
            "delegated_to": orgs[KAISER],
            "pcp_organization": orgs[KAISER],
            "pcp_name": _clinician(rng, "MD"),
        }
    elif rng.random() < 0.9:
        clinic = orgs[rng.choice(_codes(OrganizationKind.PCP_CLINIC, county))]
        fields |= {
            "pcp_organization": clinic,
            "pcp_name": _clinician(rng, rng.choice(["MD", "DO", "NP", "PA-C"])),
        }
    if rng.random() < (0.12 if draft.age >= 21 else 0.07):
        bh = orgs[rng.choice(_codes(OrganizationKind.BEHAVIORAL_HEALTH, county))]
        fields |= {
            "behavioral_health_organization": bh,
            "behavioral_health_provider_name": _clinician(rng, rng.choice(["LCSW", "LMFT", "PsyD", "MD"])),
        }
