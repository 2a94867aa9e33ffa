"""Loading the reference data (plans, counties, POFs, go-live dates, exclusions, discontinuation reasons,
referral sources, program settings) from the versioned YAML files in `calaim/plans/reference/`."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.db import models, transaction

from calaim.core.errors import ValidationFailed
from calaim.plans.models import (
    AgeGroup,
    County,
    Dated,
    DiscontinuationReason,
    ExcludedProgram,
    Plan,
    PofGoLive,
    PopulationOfFocus,
    ProgramSettings,
    ReferralSourceType,
)

REFERENCE_DIR = Path(__file__).with_name("reference")
DEFAULT_VERSION = "2026.1"
DEFAULT_FROM = dt.date(2022, 1, 1)
# The member data the eligibility engine can check; any other criterion rests on attestation.
MEMBER_FACTS = frozenset({"homeless", "released_within_12_months", "ccs_enrolled", "foster_care", "birth_equity_race"})
_CODE = re.compile(r"^[A-Z][A-Z0-9_]*$")
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


class ReferenceDataError(ValidationFailed):
    """A reference data file is malformed; the message names the file, the entry and the key."""


@dataclass(frozen=True)
class _Entry:
    """One mapping from a reference file, with where it came from so errors can point at it."""

    file: str
    index: int
    data: dict[str, Any]

    def fail(self, key: str | None, problem: str) -> ReferenceDataError:
        ident = next((f" ({k} {self.data[k]})" for k in ("code", "plan") if k in self.data), "")
        where = f"{self.file}, entry {self.index}{ident}" + (f", key {key!r}" if key else "")
        return ReferenceDataError(f"{where}: {problem}", field=key)

    def allow_only(self, keys: set[str]) -> None:
        unknown = sorted(set(self.data) - keys)
        if unknown:
            raise self.fail(unknown[0], f"unknown key; expected some of {', '.join(sorted(keys))}")

    def value(self, key: str, kind: type | tuple[type, ...], default: Any = ..., nullable: bool = False) -> Any:
        """The entry's `key`, checked against `kind`; missing means `default`, or an error if none."""
        if key not in self.data:
            if default is ...:
                raise self.fail(key, "required key is missing")
            return default
        found = self.data[key]
        if found is None and nullable:
            return None
        # bool is an int and datetime is a date in Python; neither may stand in for the other here.
        wrong_bool = isinstance(found, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,))
        if not isinstance(found, kind) or wrong_bool or isinstance(found, dt.datetime):
            names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            raise self.fail(key, f"expected {names}, got {found!r}")
        return found

    def text(self, key: str, default: Any = ..., pattern: re.Pattern[str] | None = None) -> str:
        found = self.value(key, str, default)
        if default is ... and not found.strip():
            raise self.fail(key, "must not be empty")
        if pattern is not None and not pattern.match(found):
            raise self.fail(key, f"{found!r} does not match {pattern.pattern}")
        return str(found)

    def strings(self, key: str, default: Any = ...) -> list[str]:
        found = self.value(key, list, default)
        if not all(isinstance(item, str) and item.strip() for item in found):
            raise self.fail(key, f"expected a list of non-empty strings, got {found!r}")
        return list(found)

    def dates(self) -> tuple[dt.date, dt.date | None]:
        start = self.value("effective_from", dt.date, DEFAULT_FROM)
        end = self.value("effective_to", dt.date, None, nullable=True)
        if end is not None and end < start:
            raise self.fail("effective_to", f"{end} is before effective_from {start}")
        return start, end


def _entries(directory: Path, filename: str, list_key: str) -> tuple[list[_Entry], dict[str, Any]]:
    """The list under `list_key` in one file, as entries, and the file's other top-level values."""
    path = directory / filename
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ReferenceDataError(f"{filename}: cannot be read ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise ReferenceDataError(f"{filename}: not valid YAML: {exc}") from exc
    if not isinstance(document, dict) or not isinstance(document.get(list_key), list):
        raise ReferenceDataError(f"{filename}: expected a top-level key {list_key!r} holding a list")
    entries = []
    for index, data in enumerate(document[list_key], start=1):
        if not isinstance(data, dict):
            raise ReferenceDataError(f"{filename}, entry {index}: expected a mapping, got {data!r}")
        entries.append(_Entry(filename, index, data))
    # Two entries with the same natural key would silently overwrite each other.
    keys = [(e.data["code"], e.data.get("effective_from", DEFAULT_FROM)) for e in entries if "code" in e.data]
    duplicates = sorted({f"{code} from {start}" for code, start in keys if keys.count((code, start)) > 1})
    if duplicates:
        raise ReferenceDataError(f"{filename}: code {duplicates[0]} appears more than once")
    return entries, {k: v for k, v in document.items() if k != list_key}


def _load_counties_and_plans(directory: Path) -> dict[str, int]:
    """Counties by name with FIPS code, then plans with the counties they serve."""
    county_entries, _ = _entries(directory, "plans.yaml", "counties")
    counties: dict[str, County] = {}
    for entry in county_entries:
        entry.allow_only({"name", "fips"})
        fips = entry.text("fips", pattern=re.compile(r"^06[0-9]{3}$"))
        county, _ = County.objects.update_or_create(name=entry.text("name"), defaults={"fips": fips})
        counties[county.name] = county
    plan_entries, _ = _entries(directory, "plans.yaml", "plans")
    for entry in plan_entries:
        entry.allow_only({"code", "name", "member_services_phone", "counties"})
        plan, _ = Plan.objects.update_or_create(
            code=entry.text("code", pattern=_CODE),
            defaults={
                "name": entry.text("name"),
                "member_services_phone": entry.text("member_services_phone", ""),
            },
        )
        names = entry.strings("counties")
        missing = [name for name in names if name not in counties]
        if missing:
            raise entry.fail("counties", f"unknown county {missing[0]!r}; add it under 'counties' first")
        plan.counties.set([counties[name] for name in names])
    return {"counties": len(county_entries), "plans": len(plan_entries)}


def _criteria(entry: _Entry) -> list[dict[str, str | None]]:
    """A POF's criteria: each a short snake_case key, a label, and a member fact or null."""
    raw = entry.value("criteria", list)
    if not raw:
        raise entry.fail("criteria", "a Population of Focus needs at least one criterion")
    criteria: list[dict[str, str | None]] = []
    for position, item in enumerate(raw, start=1):
        if not isinstance(item, dict) or set(item) != {"key", "label", "member_fact"}:
            raise entry.fail("criteria", f"criterion {position} must have exactly key, label and member_fact")
        key, label, fact = item["key"], item["label"], item["member_fact"]
        if not isinstance(key, str) or not _KEY.match(key) or any(c["key"] == key for c in criteria):
            raise entry.fail("criteria", f"criterion {position} key {key!r} must be unique snake_case")
        if not isinstance(label, str) or not label.strip():
            raise entry.fail("criteria", f"criterion {position} ({key}) needs a label")
        if fact is not None and fact not in MEMBER_FACTS:
            raise entry.fail(
                "criteria",
                f"criterion {position} ({key}) member_fact {fact!r} is not one of "
                f"{', '.join(sorted(MEMBER_FACTS))} or null",
            )
        criteria.append({"key": key, "label": " ".join(label.split()), "member_fact": fact})
    return criteria


def _load_pofs(directory: Path) -> dict[str, int]:
    """Populations of Focus keyed by code and effective_from."""
    entries, rest = _entries(directory, "populations_of_focus.yaml", "populations_of_focus")
    version = str(rest.get("version", DEFAULT_VERSION))
    allowed = {
        "code",
        "name",
        "age_group",
        "max_age",
        "referral_only",
        "legacy",
        "criteria",
        "effective_from",
        "effective_to",
    }
    for entry in entries:
        entry.allow_only(allowed)
        age_group = entry.text("age_group")
        if age_group not in AgeGroup.values:
            raise entry.fail("age_group", f"{age_group!r} is not one of {', '.join(AgeGroup.values)}")
        start, end = entry.dates()
        PopulationOfFocus.objects.update_or_create(
            code=entry.text("code", pattern=_CODE),
            effective_from=start,
            defaults={
                "name": entry.text("name"),
                "age_group": age_group,
                "version": version,
                "effective_to": end,
                "max_age": entry.value("max_age", int, None, nullable=True),
                "referral_only": entry.value("referral_only", bool, False),
                "legacy": entry.value("legacy", bool, False),
                "criteria": _criteria(entry),
            },
        )
    return {"populations_of_focus": len(entries)}


def _load_go_live(directory: Path) -> dict[str, int]:
    """One go-live row per (plan, county, POF, effective_from); every POF code must be defined."""
    entries, _ = _entries(directory, "go_live.yaml", "go_live")
    plans = {p.code: p for p in Plan.objects.all()}
    counties = {c.name: c for c in County.objects.prefetch_related("plans")}
    pof_codes = set(PopulationOfFocus.objects.values_list("code", flat=True))
    rows = 0
    for entry in entries:
        entry.allow_only({"plan", "county", "pofs", "effective_from", "effective_to", "version"})
        plan, county = plans.get(entry.text("plan")), counties.get(entry.text("county"))
        if plan is None:
            raise entry.fail("plan", f"unknown plan {entry.data['plan']!r}")
        if county is None or plan not in county.plans.all():
            raise entry.fail("county", f"{entry.data['county']!r} is not a county served by {plan.code}")
        start, end = entry.dates()
        for code in entry.strings("pofs"):
            if code not in pof_codes:
                raise entry.fail("pofs", f"unknown Population of Focus code {code!r}")
            PofGoLive.objects.update_or_create(
                plan=plan,
                county=county,
                pof_code=code,
                effective_from=start,
                defaults={"effective_to": end, "version": entry.text("version", DEFAULT_VERSION)},
            )
            rows += 1
    return {"pof_go_lives": rows}


def _load_coded(
    directory: Path,
    filename: str,
    list_key: str,
    model: type[Dated],
    fields: dict[str, Callable[[_Entry], Any]],
) -> dict[str, int]:
    """Rows keyed by code and effective_from whose other fields are read by `fields`."""
    entries, _ = _entries(directory, filename, list_key)
    for entry in entries:
        entry.allow_only({"code", "effective_from", "effective_to", "version", *fields})
        start, end = entry.dates()
        defaults = {name: read(entry) for name, read in fields.items()}
        defaults |= {"effective_to": end, "version": entry.text("version", DEFAULT_VERSION)}
        model._default_manager.update_or_create(code=entry.text("code"), effective_from=start, defaults=defaults)
    return {list_key: len(entries)}


def _load_program_settings(directory: Path) -> dict[str, int]:
    """Each plan's clocks and periods keyed by plan and effective_from."""
    entries, _ = _entries(directory, "program_settings.yaml", "program_settings")
    plans = {p.code: p for p in Plan.objects.all()}
    numbers = [f.name for f in ProgramSettings._meta.concrete_fields if isinstance(f, models.PositiveSmallIntegerField)]
    for entry in entries:
        entry.allow_only(
            {
                "plan",
                "version",
                "effective_from",
                "effective_to",
                "dsnp_excludes_ecm",
                "knox_keene_licensed",
                "appeal_rights",
                "other_supports",
                *numbers,
            }
        )
        plan = plans.get(entry.text("plan"))
        if plan is None:
            raise entry.fail("plan", f"unknown plan {entry.data['plan']!r}")
        start, end = entry.dates()
        defaults: dict[str, Any] = {name: entry.value(name, int) for name in numbers}
        if not 0 <= defaults["roster_mass_term_percent"] <= 100:
            raise entry.fail("roster_mass_term_percent", "a percent must lie between 0 and 100")
        defaults |= {
            "version": entry.text("version", DEFAULT_VERSION),
            "effective_to": end,
            "dsnp_excludes_ecm": entry.value("dsnp_excludes_ecm", bool),
            "knox_keene_licensed": entry.value("knox_keene_licensed", bool, False),
            "appeal_rights": " ".join(entry.text("appeal_rights").split()),
            "other_supports": entry.strings("other_supports"),
        }
        ProgramSettings.objects.update_or_create(plan=plan, effective_from=start, defaults=defaults)
    return {"program_settings": len(entries)}


# (file, top-level key, model, how each non-key field is read) for the tables keyed by code.
_CODED_TABLES: tuple[tuple[str, str, type[Dated], dict[str, Callable[[_Entry], Any]]], ...] = (
    (
        "excluded_programs.yaml",
        "excluded_programs",
        ExcludedProgram,
        {"name": lambda e: e.text("name"), "priority": lambda e: e.value("priority", int)},
    ),
    (
        "discontinuation_reasons.yaml",
        "discontinuation_reasons",
        DiscontinuationReason,
        {
            "label": lambda e: e.text("label"),
            "dhcs_code": lambda e: e.text("dhcs_code", ""),
            "is_opt_out": lambda e: e.value("is_opt_out", bool, False),
            "other_supports": lambda e: e.strings("other_supports", []),
        },
    ),
    (
        "referral_sources.yaml",
        "referral_sources",
        ReferralSourceType,
        {"label": lambda e: e.text("label"), "description": lambda e: e.text("description", "")},
    ),
)


def reference_load(directory: Path | None = None) -> dict[str, int]:
    """Load every reference file idempotently in one transaction; a malformed file changes nothing."""
    source = directory or REFERENCE_DIR
    counts: dict[str, int] = {}
    with transaction.atomic():
        counts |= _load_counties_and_plans(source)
        counts |= _load_pofs(source)
        counts |= _load_go_live(source)
        for filename, list_key, model, fields in _CODED_TABLES:
            counts |= _load_coded(source, filename, list_key, model, fields)
        counts |= _load_program_settings(source)
    return counts
