"""Long-term care facility types with their managed-care carve-in dates, and the NEMT rules a Physician Certification
Statement is held to, read from the dated editions of `reference/facility_types.yaml` and `reference/nemt.yaml`
(facts, sources and confidence tags there); nothing of them is frozen in code."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import yaml

from calaim.plans.reference import ReferenceDataError

REFERENCE_DIR = Path(__file__).with_name("reference")
FACILITY_FILE = "facility_types.yaml"
NEMT_FILE = "nemt.yaml"
ALL_COUNTIES = "all"


@dataclass(frozen=True)
class CarveIn:
    """When one facility type moved into managed care in some counties; `precision` "by" means no later than."""

    counties: tuple[str, ...]  # empty: every county no other row names
    date: dt.date
    precision: str  # "exact" or "by"
    confidence: str
    source: str

    def covers(self, day: dt.date) -> bool | None:
        """Whether managed care covered this type on `day`; None when the start was not read and `day` precedes it."""
        if day >= self.date:
            return True
        return False if self.precision == "exact" else None


@dataclass(frozen=True)
class FacilityType:
    code: str
    label: str
    level_of_care: str
    nursing_facility: bool  # an admission needs a PASRR Level I
    carve_in: tuple[CarveIn, ...]

    def carve_in_for(self, county: str) -> CarveIn:
        """The carve-in row for a county: the one naming it, else the row for all counties."""
        named = [row for row in self.carve_in if county in row.counties]
        return named[0] if named else next(row for row in self.carve_in if not row.counties)


@dataclass(frozen=True)
class FacilityEdition:
    version: str
    effective_from: dt.date
    types: tuple[FacilityType, ...]

    def get(self, code: str) -> FacilityType | None:
        return next((t for t in self.types if t.code == code), None)

    def nursing_facility_codes(self) -> tuple[str, ...]:
        return tuple(t.code for t in self.types if t.nursing_facility)


@dataclass(frozen=True)
class FormVersion:
    plan: str
    version: str
    accepted_from: dt.date
    accepted_through: dt.date | None

    def accepted_on(self, day: dt.date) -> bool:
        return self.accepted_from <= day and (self.accepted_through is None or day <= self.accepted_through)


@dataclass(frozen=True)
class NemtEdition:
    version: str
    effective_from: dt.date
    pcs_max_months: int
    modes: tuple[tuple[str, str, bool], ...]  # (code, label, is NEMT)
    signer_types: tuple[tuple[str, str], ...]
    form_versions: tuple[FormVersion, ...]

    def nemt_modes(self) -> tuple[tuple[str, str], ...]:
        return tuple((code, label) for code, label, nemt in self.modes if nemt)

    def is_nemt(self, mode: str) -> bool:
        return any(code == mode and nemt for code, _, nemt in self.modes)

    def mode_label(self, mode: str) -> str:
        return next((label for code, label, _ in self.modes if code == mode), mode)

    def forms_for(self, plan_code: str, day: dt.date) -> tuple[str, ...]:
        """The plan's PCS form versions accepted on `day` (empty when this edition configures none for the plan)."""
        return tuple(f.version for f in self.form_versions if f.plan == plan_code and f.accepted_on(day))

    def plan_configured(self, plan_code: str) -> bool:
        return any(f.plan == plan_code for f in self.form_versions)


_E = TypeVar("_E", "FacilityEdition", "NemtEdition")


def facility_types_on(day: dt.date, directory: Path | None = None) -> FacilityEdition:
    """The facility-type edition in force on `day` (the earliest one for a day before every edition)."""
    return _on(facility_editions(directory or REFERENCE_DIR), day)


def nemt_rules_on(day: dt.date, directory: Path | None = None) -> NemtEdition:
    """The NEMT edition in force on `day` (the earliest one for a day before every edition)."""
    return _on(nemt_editions(directory or REFERENCE_DIR), day)


def _on(editions: tuple[_E, ...], day: dt.date) -> _E:
    in_force = [e for e in editions if e.effective_from <= day]
    return in_force[-1] if in_force else editions[0]


@lru_cache(maxsize=4)
def facility_editions(directory: Path) -> tuple[FacilityEdition, ...]:
    """Every facility-type edition, oldest first; a malformed file raises ReferenceDataError naming the place."""
    return _editions(directory, FACILITY_FILE, {"facility_types"}, _facility_edition)


@lru_cache(maxsize=4)
def nemt_editions(directory: Path) -> tuple[NemtEdition, ...]:
    """Every NEMT edition, oldest first; a malformed file raises ReferenceDataError naming the place."""
    keys = {"pcs_max_months", "modes", "signer_types", "form_versions"}
    return _editions(directory, NEMT_FILE, keys, _nemt_edition)


def _editions(directory: Path, filename: str, keys: set[str], build: Any) -> Any:
    try:
        data = yaml.safe_load((directory / filename).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ReferenceDataError(f"{filename}: cannot be read: {exc}") from None
    raw = data.get("editions") if isinstance(data, dict) else None
    if not isinstance(raw, list) or not raw:
        raise ReferenceDataError(f"{filename}: 'editions' must be a non-empty list")
    editions = []
    for index, entry in enumerate(raw, start=1):
        where = f"{filename}, edition {index}"
        if not isinstance(entry, dict) or set(entry) != {"version", "effective_from", *keys}:
            raise ReferenceDataError(
                f"{where}: expected exactly {', '.join(sorted({'version', 'effective_from', *keys}))}"
            )
        editions.append(
            build(where, str(entry["version"]), _date(where, "effective_from", entry["effective_from"]), entry)
        )
    editions.sort(key=lambda e: e.effective_from)
    for key in ("effective_from", "version"):
        if len({getattr(e, key) for e in editions}) != len(editions):
            raise ReferenceDataError(f"{filename}: two editions share one {key}")
    return tuple(editions)


def _date(where: str, key: str, value: object) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ReferenceDataError(f"{where}, key {key!r}: expected a date YYYY-MM-DD")
    return value


def _items(
    where: str, key: str, value: object, required: set[str], optional: frozenset[str] = frozenset()
) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not value:
        raise ReferenceDataError(f"{where}, key {key!r}: expected a non-empty list")
    for item in value:
        if not isinstance(item, dict) or not required <= set(item) <= required | optional:
            raise ReferenceDataError(f"{where}, key {key!r}: each needs {', '.join(sorted(required))}: {item!r}")
    return value


def _facility_edition(where: str, version: str, start: dt.date, entry: dict[str, Any]) -> FacilityEdition:
    required = {"code", "label", "level_of_care", "nursing_facility", "carve_in"}
    types = tuple(
        _facility_type(where, item) for item in _items(where, "facility_types", entry["facility_types"], required)
    )
    if len({t.code for t in types}) != len(types):
        raise ReferenceDataError(f"{where}, key 'facility_types': a code is listed twice")
    return FacilityEdition(version=version, effective_from=start, types=types)


def _facility_type(where: str, item: dict[str, Any]) -> FacilityType:
    where = f"{where}, facility type {item['code']}"
    rows = []
    for row in _items(where, "carve_in", item["carve_in"], {"counties", "date", "precision", "confidence", "source"}):
        counties = row["counties"]
        if row["precision"] not in ("exact", "by"):
            raise ReferenceDataError(f"{where}, key 'carve_in.precision': expected exact or by")
        if counties != ALL_COUNTIES and not (isinstance(counties, list) and counties):
            raise ReferenceDataError(f"{where}, key 'carve_in.counties': expected a list of counties or 'all'")
        named = () if counties == ALL_COUNTIES else tuple(str(c) for c in counties)
        date = _date(where, "carve_in.date", row["date"])
        rows.append(CarveIn(named, date, row["precision"], str(row["confidence"]), str(row["source"])))
    if sum(1 for row in rows if not row.counties) != 1:
        raise ReferenceDataError(f"{where}, key 'carve_in': expected exactly one row for all counties")
    if not isinstance(item["nursing_facility"], bool):
        raise ReferenceDataError(f"{where}, key 'nursing_facility': expected true or false")
    return FacilityType(
        str(item["code"]), str(item["label"]), str(item["level_of_care"]), item["nursing_facility"], tuple(rows)
    )


def _nemt_edition(where: str, version: str, start: dt.date, entry: dict[str, Any]) -> NemtEdition:
    months = entry["pcs_max_months"]
    if not isinstance(months, int) or isinstance(months, bool) or not 1 <= months <= 24:
        raise ReferenceDataError(f"{where}, key 'pcs_max_months': expected a whole number from 1 to 24")
    modes = tuple(
        (str(m["code"]), str(m["label"]), bool(m["nemt"]))
        for m in _items(where, "modes", entry["modes"], {"code", "label", "nemt"})
    )
    signers = tuple(
        (str(s["code"]), str(s["label"]))
        for s in _items(where, "signer_types", entry["signer_types"], {"code", "label"})
    )
    forms = tuple(
        FormVersion(
            plan=str(f["plan"]),
            version=str(f["version"]),
            accepted_from=_date(where, "form_versions.accepted_from", f["accepted_from"]),
            accepted_through=_date(where, "form_versions.accepted_through", f["accepted_through"])
            if "accepted_through" in f
            else None,
        )
        for f in _items(
            where,
            "form_versions",
            entry["form_versions"],
            {"plan", "version", "accepted_from"},
            frozenset({"accepted_through"}),
        )
    )
    return NemtEdition(version, start, months, modes, signers, forms)
