"""A plan-sized member population, written with COPY: the demo's member builder for everything but the names, and
names drawn as a real Medi-Cal roster has them (a long tail of surnames, with GARCIA among the most common).

The demo's name pools have a dozen or two surnames each, so at a million members every surname would be shared by
thousands and no search would ever be selective. Here each naming tradition gets a weighted list: the 2010 US
Census frequencies of the 1,000 most common surnames (as shipped in Faker's en_US provider, a dev dependency
through factory_boy) for Anglo, Black and Hispanic names, with Faker's Mexican surname list (accents folded, as
Medi-Cal's eligibility files carry names) as the Hispanic tail; the demo's own pools, Zipf-weighted, for the others.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from random import Random
from typing import Any

from django.db import connection
from faker.providers.person.en_US import Provider as EnglishNames
from faker.providers.person.es_MX import Provider as MexicanNames

from calaim.demo.names import NAME_POOLS, POOL_BY_LANGUAGE, POOL_BY_RACE
from calaim.demo.population import _member_draft
from calaim.members.models import Member
from calaim.network.models import Organization
from calaim.plans.models import County, Plan

# Below the rarest surname of the Census list: a Mexican surname outside the top 1,000.
HISPANIC_TAIL_WEIGHT = 0.0001
# Members drawn by the demo's own builder before drawn ones are reused with new names (see Roster._drawn).
POOL = 50_000
MEMBER_COLUMNS = (
    "id", "created_at", "updated_at", "cin", "first_name", "last_name", "birth_date", "sex", "race_ethnicity",
    "language", "phone", "address_line", "city", "zip_code", "experiencing_homelessness", "county_id", "plan_id",
    "delegated_to_id", "dsnp", "pcp_organization_id", "pcp_name", "behavioral_health_organization_id",
    "behavioral_health_provider_name", "release_date", "ccs_enrolled", "foster_care",
)  # fmt: skip
FOREIGN_KEYS = {"delegated_to": "delegated_to_id", "pcp_organization": "pcp_organization_id"}
FOREIGN_KEYS["behavioral_health_organization"] = "behavioral_health_organization_id"


def _ascii(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return " ".join(folded.split())


@dataclass(frozen=True)
class Weighted:
    names: tuple[str, ...]
    cumulative: tuple[float, ...]

    @classmethod
    def of(cls, weights: dict[str, float]) -> Weighted:
        total, cumulative = 0.0, []
        for weight in weights.values():
            total += weight
            cumulative.append(total)
        return cls(tuple(weights), tuple(cumulative))

    @classmethod
    def zipf(cls, names: Iterable[str]) -> Weighted:
        return cls.of({name: 1 / rank for rank, name in enumerate(names, start=1)})

    def draw(self, rng: Random) -> str:
        return rng.choices(self.names, cum_weights=self.cumulative)[0]


def _hispanic_surnames() -> dict[str, float]:
    census = EnglishNames.last_names
    names = [*NAME_POOLS["hispanic"].surnames, *(_ascii(n) for n in MexicanNames.last_names)]
    return {name: census.get(name, HISPANIC_TAIL_WEIGHT) for name in dict.fromkeys(names)}


def _uniform(names: Iterable[str]) -> dict[str, float]:
    return dict.fromkeys((_ascii(n) for n in names), 1.0)


@dataclass(frozen=True)
class Names:
    """Surnames per naming tradition, and first names per tradition and sex."""

    surnames: dict[str, Weighted]
    female: dict[str, Weighted]
    male: dict[str, Weighted]

    @classmethod
    def build(cls) -> Names:
        census = Weighted.of(dict(EnglishNames.last_names))
        surnames = {pool: Weighted.zipf(names.surnames) for pool, names in NAME_POOLS.items()}
        surnames |= {"anglo": census, "black": census, "hispanic": Weighted.of(_hispanic_surnames())}
        female = {pool: Weighted.zipf(names.female) for pool, names in NAME_POOLS.items()}
        male = {pool: Weighted.zipf(names.male) for pool, names in NAME_POOLS.items()}
        for pool in ("anglo", "black"):
            female[pool] = Weighted.of(dict(EnglishNames.first_names_female))
            male[pool] = Weighted.of(dict(EnglishNames.first_names_male))
        hispanic = NAME_POOLS["hispanic"]
        female["hispanic"] = Weighted.of(_uniform(hispanic.female) | _uniform(MexicanNames.first_names_female))
        male["hispanic"] = Weighted.of(_uniform(hispanic.male) | _uniform(MexicanNames.first_names_male))
        return cls(surnames, female, male)

    def draw(self, rng: Random, language: str, race: str, sex: str) -> tuple[str, str]:
        """(first, last) in the tradition the demo would pick for this language, race and sex."""
        pool = POOL_BY_LANGUAGE.get(language) or rng.choice(POOL_BY_RACE[race])
        female = sex == "F" or (sex in "XU" and rng.random() < 0.5)
        first = (self.female if female else self.male)[pool].draw(rng)
        return first, self.surnames[pool].draw(rng)


class Cins:
    """Unused Medi-Cal CINs (8 digits and a letter), all distinct from those already in the database."""

    def __init__(self, rng: Random) -> None:
        self.rng = rng
        self.taken = set(Member.objects.values_list("cin", flat=True))

    def next(self) -> str:
        while True:
            cin = f"{self.rng.randrange(10**8):08d}{chr(65 + self.rng.randrange(26))}"
            if cin not in self.taken:
                self.taken.add(cin)
                return cin


def _row(member_id: uuid.UUID, now: dt.datetime, fields: dict[str, Any]) -> tuple[Any, ...]:
    values = {**fields, "id": member_id, "created_at": now, "updated_at": now}
    return tuple(values.get(column) for column in MEMBER_COLUMNS)


def _copy(table: str, columns: Iterable[str], rows: Iterable[tuple[Any, ...]]) -> int:
    """COPY rows into table through Django's own psycopg connection (same transaction)."""
    written = 0
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            written += 1
    return written


class Roster:
    """Writes members (drawn like the demo's, or copied from a template member) with their spans and programs."""

    def __init__(self, seed: int, as_of: dt.date) -> None:
        self.rng = Random(seed)
        self.as_of = as_of
        self.now = dt.datetime.now(dt.UTC)
        self.names = Names.build()
        self.cins = Cins(self.rng)
        self.orgs = {o.code: o for o in Organization.objects.all()}
        self.plans = {p.code: p.pk for p in Plan.objects.all()}
        self.counties = {c.name: c.pk for c in County.objects.all()}
        self.spans: list[tuple[Any, ...]] = []
        self.programs: list[tuple[Any, ...]] = []

    def _draft(self) -> dict[str, Any]:
        draft = _member_draft(self.rng, self.as_of, self.cins.taken, self.orgs)
        fields = draft.fields
        for name, column in FOREIGN_KEYS.items():
            org = fields.pop(name, None)
            fields[column] = org.pk if org else None
        fields |= {"plan_id": self.plans[draft.plan], "county_id": self.counties[draft.county]}
        fields.setdefault("pcp_name", "")
        fields.setdefault("behavioral_health_provider_name", "")
        fields["_enrollment"], fields["_programs"] = draft.enrollment, draft.programs
        return fields

    def _drawn(self, count: int) -> Iterator[tuple[Any, ...]]:
        """Members as the demo draws them. The demo's builder takes ~65 us a member, so past POOL members a drawn
        one is reused with its own name, CIN and a birth date moved by up to five months (same facts, spans)."""
        pool: list[dict[str, Any]] = []
        for index in range(count):
            if index < POOL:
                fields = self._draft()
                pool.append(fields)
            else:
                fields = dict(self.rng.choice(pool))
                fields["cin"] = self.cins.next()
                fields["birth_date"] = min(
                    self.as_of, fields["birth_date"] + dt.timedelta(days=self.rng.randint(-150, 150))
                )
            fields["first_name"], fields["last_name"] = self.names.draw(
                self.rng, fields["language"], fields["race_ethnicity"], fields["sex"]
            )
            member_id = uuid.uuid4()
            start, end = fields["_enrollment"]
            self.spans.append((member_id, fields["plan_id"], max(start, fields["birth_date"]), end))
            self.programs += [(member_id, code, begin, until) for code, begin, until in fields["_programs"]]
            yield _row(member_id, self.now, fields)

    def members_create(self, count: int) -> int:
        """COPY `count` new members drawn as the demo draws them, then their enrollment spans and programs."""
        written = _copy("members_member", MEMBER_COLUMNS, self._drawn(count))
        self._flush()
        return written

    def _flush(self) -> None:
        _copy("members_enrollmentspan", ("member_id", "plan_id", "start_date", "end_date"), self.spans)
        _copy("members_memberprogram", ("member_id", "program_code", "start_date", "end_date"), self.programs)
        self.spans, self.programs = [], []

    def copies_create(self, templates: dict[uuid.UUID, int]) -> list[tuple[uuid.UUID, int, uuid.UUID]]:
        """COPY `n` look-alikes of each template member (same facts, plan, county, birth date; their own name and
        CIN); returns (template, copy number, new member). Their spans and programs are cloned with their records."""
        mapping: list[tuple[uuid.UUID, int, uuid.UUID]] = []
        # Read before the COPY starts: the connection serves nothing else while a COPY is open.
        rows = list(Member.objects.filter(pk__in=list(templates)).values(*MEMBER_COLUMNS))

        def copies() -> Iterator[tuple[Any, ...]]:
            for template in rows:
                for k in range(1, templates[template["id"]] + 1):
                    fields = dict(template)
                    new_id = uuid.uuid4()
                    fields["cin"] = self.cins.next()
                    fields["first_name"], fields["last_name"] = self.names.draw(
                        self.rng, fields["language"], fields["race_ethnicity"], fields["sex"]
                    )
                    mapping.append((template["id"], k, new_id))
                    yield _row(new_id, self.now, fields)

        _copy("members_member", MEMBER_COLUMNS, copies())
        return mapping
