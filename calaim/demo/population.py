"""A synthetic member population for the demo, deterministic for a given seed, size and as-of date."""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Mapping
from random import Random
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import transaction

from calaim.core.errors import Conflict, ValidationFailed
from calaim.demo.member_facts import MemberDraft, care_links, program_facts
from calaim.demo.names import NAME_POOLS, POOL_BY_LANGUAGE, POOL_BY_RACE
from calaim.demo.network import AREA_CODES, SJ, SM, STAN, network_create
from calaim.demo.roster import demo_rosters_first
from calaim.demo.staff import staff_create
from calaim.members.models import EnrollmentSpan, Member, MemberProgram
from calaim.network.models import Organization
from calaim.plans.models import ExcludedProgram, Plan

# (plan, county, share of members): HPSJ about 70% split between its counties, HPSM about 30%.
PLAN_COUNTIES: tuple[tuple[str, str, float], ...] = (
    ("HPSJ", SJ, 0.40),
    ("HPSJ", STAN, 0.30),
    ("HPSM", SM, 0.30),
)
LANGUAGES: dict[str, dict[str, float]] = {
    SJ: {"en": 58, "es": 27, "vi": 4, "zh": 2, "tl": 3, "pa": 3, "hmn": 3},
    STAN: {"en": 60, "es": 29, "vi": 2, "zh": 1, "tl": 2, "pa": 3, "hmn": 3},
    SM: {"en": 61, "es": 22, "vi": 2, "zh": 7, "tl": 7, "pa": 0.5, "hmn": 0.5},
}
RACE_OF_ENGLISH_SPEAKERS = {
    "white": 38,
    "hispanic": 22,
    "black": 15,
    "asian": 10,
    "pacific_islander": 5,
    "aian": 4,
    "other": 3,
    "unknown": 3,
}
RACE_BY_LANGUAGE = {
    "es": "hispanic",
    "vi": "asian",
    "zh": "asian",
    "tl": "asian",
    "pa": "asian",
    "hmn": "asian",
}
CITIES: dict[str, tuple[tuple[str, str], ...]] = {
    SJ: (
        ("Stockton", "95202"),
        ("Stockton", "95205"),
        ("Stockton", "95206"),
        ("Lodi", "95240"),
        ("Tracy", "95376"),
        ("Manteca", "95336"),
        ("Lathrop", "95330"),
        ("Ripon", "95366"),
    ),
    STAN: (
        ("Modesto", "95350"),
        ("Modesto", "95351"),
        ("Modesto", "95354"),
        ("Turlock", "95380"),
        ("Ceres", "95307"),
        ("Riverbank", "95367"),
        ("Oakdale", "95361"),
        ("Patterson", "95363"),
    ),
    SM: (
        ("San Mateo", "94401"),
        ("Daly City", "94014"),
        ("Redwood City", "94063"),
        ("East Palo Alto", "94303"),
        ("South San Francisco", "94080"),
        ("San Bruno", "94066"),
        ("Half Moon Bay", "94019"),
    ),
}
STREETS: dict[str, tuple[str, ...]] = {
    SJ: ("El Dorado St", "Pacific Ave", "Hammer Ln", "March Ln", "Cherokee Ln", "Main St", "Oak St"),
    STAN: ("McHenry Ave", "Yosemite Blvd", "Coffee Rd", "Geer Rd", "Crows Landing Rd", "Main St", "Oak St"),
    SM: ("El Camino Real", "Bayshore Blvd", "Mission St", "Broadway", "University Ave", "Pine St", "Main St"),
}


def _pick(rng: Random, weights: Mapping[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _age(rng: Random) -> int:
    """A quarter children and youth (under 21), most adults of working age, about 15% 65 and over."""
    band = rng.random()
    if band < 0.25:
        return rng.randint(0, 20)
    if band < 0.85:
        return rng.randint(21, 64)
    return min(95, 65 + int(rng.expovariate(1 / 10)))


def _birth_date(rng: Random, age: int, as_of: dt.date) -> dt.date:
    """A birth date that makes the member exactly `age` whole years old on `as_of`."""
    latest = as_of - relativedelta(years=age)
    earliest = as_of - relativedelta(years=age + 1) + dt.timedelta(days=1)
    return earliest + dt.timedelta(days=rng.randrange((latest - earliest).days + 1))


def _identity(rng: Random, county: str) -> dict[str, Any]:
    """Language, race/ethnicity, sex and a name consistent with them."""
    language = _pick(rng, LANGUAGES[county])
    race = RACE_BY_LANGUAGE.get(language) or _pick(rng, RACE_OF_ENGLISH_SPEAKERS)
    sex = _pick(rng, {"F": 51, "M": 47, "X": 1, "U": 1})
    pool = NAME_POOLS[POOL_BY_LANGUAGE.get(language) or rng.choice(POOL_BY_RACE[race])]
    firsts = pool.female if sex == "F" or (sex in "XU" and rng.random() < 0.5) else pool.male
    return {
        "language": language,
        "race_ethnicity": race,
        "sex": sex,
        "first_name": rng.choice(firsts),
        "last_name": rng.choice(pool.surnames),
    }


def _contact(rng: Random, county: str, homeless: bool) -> dict[str, Any]:
    """A street address, or none for a member experiencing homelessness; most have a phone."""
    city, zip_code = rng.choice(CITIES[county])
    has_phone = rng.random() < (0.7 if homeless else 0.95)
    return {
        "address_line": "" if homeless else f"{rng.randint(100, 9999)} {rng.choice(STREETS[county])}",
        "city": city,
        "zip_code": zip_code,
        "experiencing_homelessness": homeless,
        "phone": f"+1{AREA_CODES[county]}555{rng.randrange(10_000):04d}" if has_phone else "",
    }


def _cin(rng: Random, taken: set[str]) -> str:
    """A Medi-Cal CIN (8 digits then an upper-case letter) not yet used in this population."""
    while True:
        cin = f"9{rng.randrange(10**7):07d}{rng.choice(string.ascii_uppercase)}"
        if cin not in taken:
            taken.add(cin)
            return cin


def _enrollment(rng: Random, birth_date: dt.date, as_of: dt.date) -> tuple[dt.date, dt.date | None]:
    """Enrolled for up to ten years (never before birth); about 3% of spans have already ended."""
    start = max(birth_date, as_of - dt.timedelta(days=rng.randint(30, 3650)))
    if rng.random() >= 0.03:
        return start, None
    end = as_of - dt.timedelta(days=rng.randint(1, 180))
    return min(start, end), end


def _member_draft(rng: Random, as_of: dt.date, taken: set[str], orgs: dict[str, Organization]) -> MemberDraft:
    """One member with identity, contact, program facts and care relationships, drawn from `rng`."""
    plan, county, _ = rng.choices(PLAN_COUNTIES, weights=[share for *_, share in PLAN_COUNTIES])[0]
    age = _age(rng)
    fields: dict[str, Any] = {"cin": _cin(rng, taken), **_identity(rng, county)}
    fields["birth_date"] = _birth_date(rng, age, as_of)
    homeless = rng.random() < (0.07 if age >= 21 else 0.03)
    fields |= _contact(rng, county, homeless)
    draft = MemberDraft(plan=plan, county=county, age=age, fields=fields)
    program_facts(rng, draft, as_of)
    care_links(rng, draft, orgs)
    draft.enrollment = _enrollment(rng, fields["birth_date"], as_of)
    return draft


def _counts() -> dict[str, int]:
    return {
        "members": Member.objects.count(),
        "enrollment_spans": EnrollmentSpan.objects.count(),
        "member_programs": MemberProgram.objects.count(),
    }


def demo_joiners_draw(*, seed: int, count: int, as_of: dt.date) -> list[MemberDraft]:
    """Members who join the plans this month (new CINs, enrolled from the first of the month), for the month's
    roster; the network must exist."""
    rng = Random(seed + 2)
    organizations = {o.code: o for o in Organization.objects.exclude(code="")}
    taken = set(Member.objects.values_list("cin", flat=True))
    drafts = [_member_draft(rng, as_of, taken, organizations) for _ in range(count)]
    for draft in drafts:
        draft.enrollment = (max(draft.fields["birth_date"], as_of.replace(day=1)), None)
        draft.programs = []
    return drafts


def demo_population_create(*, seed: int = 2026, members: int = 2000, as_of: dt.date) -> dict[str, int]:
    """Create the demo network, logins and `members` members, who enter through each plan's first roster file and
    the real roster load; needs reference data and no members yet."""
    if members < 1:
        raise ValidationFailed("The demo population needs at least one member.", field="members")
    if not Plan.objects.filter(code__in=["HPSJ", "HPSM"]).count() == 2 or not ExcludedProgram.objects.exists():
        raise ValidationFailed("Load the reference data first (manage.py load_reference).")
    if Member.objects.exists():
        raise Conflict("The database already has members; the demo population is only created once.")
    if Organization.objects.filter(code="DELTA").exists():
        raise Conflict("The demo network already exists; start from an empty database.")
    rng = Random(seed)
    with transaction.atomic():
        organizations = network_create()
        logins = staff_create(organizations)
        taken: set[str] = set()
        drafts = [_member_draft(rng, as_of, taken, organizations) for _ in range(members)]
        loaded = demo_rosters_first(drafts, as_of)
    return {"organizations": len(organizations), "users": logins, **_counts(), **loaded}
