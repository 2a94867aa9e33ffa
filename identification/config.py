"""Rules configuration: a versioned YAML file the plan can edit, validated on load."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from identification.codes import CodeList, compile_code_lists
from identification.errors import RulesError

DEFAULT_RULES_PATH = Path(__file__).parent / "rules" / "default.yaml"
ROSTER_FLAGS = ("homeless_flag", "ccs_enrolled", "dsnp")
RACE_VALUES = ("black", "aian", "pacific_islander", "asian", "white", "hispanic", "other", "unknown")
PROGRAM_CODES = ("HOSPICE", "PACE", "CCM", "CCT", "MSSP", "HCBA", "ALW", "HCBS_DD", "SDP", "MCWP")
POF_CODE = re.compile(r"^[AC][0-9]+$")


@dataclass(frozen=True)
class Leaf:
    """One condition of a POF rule; `kind` says which roster fact or claims measure it tests."""

    kind: str
    value: Any = None
    months: int | None = None
    minimum: int | None = None
    primary: str | None = None


@dataclass(frozen=True)
class Group:
    """All (`all`) or at least one (`any`) of the children must hold."""

    op: str
    children: tuple[Group | Leaf, ...]


Node = Group | Leaf


@dataclass(frozen=True)
class Rules:
    """A validated rules configuration; `version` is recorded on every output row."""

    version: str
    adult_age: int
    stay_claim_type: str
    stay_bill_type_prefixes: tuple[str, ...]
    stay_admission_types: tuple[str, ...]
    stay_merge_gap_days: int
    ed_places_of_service: tuple[str, ...]
    ed_revenue_codes: tuple[str, ...]
    ed_procedure_codes: tuple[str, ...]
    code_lists: dict[str, CodeList]
    pofs: dict[str, Node]
    go_live: tuple[tuple[str, str, str, dt.date], ...]
    program_order: tuple[str, ...]
    dsnp_plans: tuple[str, ...]
    dsnp_reason: str


def load_rules(path: str | Path | None = None) -> Rules:
    """Load and validate a rules file; the default set ships with the package."""
    path = Path(path) if path else DEFAULT_RULES_PATH
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RulesError(f"rules file {path}: cannot be read ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise RulesError(f"rules file {path}: not valid YAML ({exc})") from exc
    try:
        return parse_rules(raw)
    except RulesError as exc:
        raise RulesError(f"rules file {path}: {exc}") from exc


def parse_rules(raw: Any) -> Rules:
    """Validate the parsed YAML document and build the typed configuration."""
    doc = _mapping(raw, "(top level)")
    ages = _mapping(_get(doc, "ages"), "ages")
    stay = _mapping(_get(doc, "unplanned_stay"), "unplanned_stay")
    ed = _mapping(_get(doc, "ed_visit"), "ed_visit")
    excl = _mapping(_get(doc, "exclusions"), "exclusions")
    code_lists = compile_code_lists(_mapping(_get(doc, "code_lists"), "code_lists"))
    version = _get(doc, "version")
    if not isinstance(version, str) or not version.strip():
        raise RulesError("key 'version': must be a non-empty string such as \"2026.1\"")
    pofs_raw = _mapping(_get(doc, "pofs"), "pofs")
    pofs = {}
    for code, body in pofs_raw.items():
        if not isinstance(code, str) or not POF_CODE.match(code):
            raise RulesError(f"key 'pofs.{code}': a POF code looks like A1 or C5")
        pofs[code] = _parse_node(body, f"pofs.{code}", code_lists)
    return Rules(
        version=version.strip(),
        adult_age=_positive_int(_get(ages, "adult", "ages"), "ages.adult"),
        stay_claim_type=_choice(_get(stay, "claim_type", "unplanned_stay"), "unplanned_stay.claim_type",
                                ("institutional", "professional", "pharmacy")),
        stay_bill_type_prefixes=_strings(_get(stay, "bill_type_prefixes", "unplanned_stay"),
                                         "unplanned_stay.bill_type_prefixes", r"[0-9]{1,3}"),
        stay_admission_types=_strings(_get(stay, "admission_types", "unplanned_stay"),
                                      "unplanned_stay.admission_types", r"[1-5]"),
        stay_merge_gap_days=_non_negative_int(_get(stay, "merge_gap_days", "unplanned_stay"),
                                              "unplanned_stay.merge_gap_days"),
        ed_places_of_service=_strings(_get(ed, "places_of_service", "ed_visit"),
                                      "ed_visit.places_of_service", r"[0-9]{2}"),
        ed_revenue_codes=_expand_exact(_get(ed, "revenue_codes", "ed_visit"), "ed_visit.revenue_codes",
                                       r"[0-9]{4}"),
        ed_procedure_codes=_expand_exact(_get(ed, "procedure_codes", "ed_visit"),
                                         "ed_visit.procedure_codes", r"[0-9A-Z]{5}"),
        code_lists=code_lists,
        pofs=pofs,
        go_live=_parse_go_live(_get(doc, "go_live")),
        program_order=_program_order(_get(excl, "program_order", "exclusions")),
        dsnp_plans=_strings(_get(excl, "dsnp_plans", "exclusions"), "exclusions.dsnp_plans", r".+"),
        dsnp_reason=_strings([_get(excl, "dsnp_reason", "exclusions")], "exclusions.dsnp_reason", r".+")[0],
    )


def _get(doc: dict[str, Any], key: str, parent: str = "") -> Any:
    """Return a required key, naming its full path when it is missing."""
    if key not in doc:
        raise RulesError(f"key '{f'{parent}.' if parent else ''}{key}': is missing")
    return doc[key]


def _mapping(value: Any, key: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise RulesError(f"key '{key}': must be a mapping")
    return value


def _positive_int(value: Any, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise RulesError(f"key '{key}': must be a positive whole number, got {value!r}")
    return value


def _non_negative_int(value: Any, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RulesError(f"key '{key}': must be a whole number >= 0, got {value!r}")
    return value


def _choice(value: Any, key: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise RulesError(f"key '{key}': must be one of {', '.join(allowed)}, got {value!r}")
    return str(value)


def _strings(value: Any, key: str, pattern: str) -> tuple[str, ...]:
    """A non-empty list of strings each matching `pattern`."""
    if not isinstance(value, list) or not value:
        raise RulesError(f"key '{key}': must be a non-empty list")
    for item in value:
        if not isinstance(item, str) or not re.fullmatch(pattern, item):
            raise RulesError(f"key '{key}': item {item!r} must be a string matching {pattern}")
    return tuple(value)


def _expand_exact(value: Any, key: str, pattern: str) -> tuple[str, ...]:
    """Exact codes, where "0450-0459" stands for every code of that range."""
    out: list[str] = []
    for item in _strings(value, key, rf"{pattern}(-{pattern})?"):
        low, _, high = item.partition("-")
        if not high:
            out.append(low)
            continue
        if not (low.isdigit() and high.isdigit() and low <= high):
            raise RulesError(f"key '{key}': range {item!r} must be numeric and ascending")
        out.extend(str(n).zfill(len(low)) for n in range(int(low), int(high) + 1))
    return tuple(out)


def _program_order(value: Any) -> tuple[str, ...]:
    order = _strings(value, "exclusions.program_order", r"[A-Z_]+")
    unknown = [p for p in order if p not in PROGRAM_CODES]
    if unknown or len(set(order)) != len(order) or set(order) != set(PROGRAM_CODES):
        raise RulesError(
            f"key 'exclusions.program_order': must list each of {', '.join(PROGRAM_CODES)} exactly once"
        )
    return order


def _parse_go_live(value: Any) -> tuple[tuple[str, str, str, dt.date], ...]:
    """Flatten the go-live table to (plan, county, pof, date) rows."""
    if not isinstance(value, list):
        raise RulesError("key 'go_live': must be a list of {plan, county, dates}")
    rows = []
    for i, entry in enumerate(value):
        key = f"go_live[{i}]"
        entry = _mapping(entry, key)
        plan, county = _get(entry, "plan", key), _get(entry, "county", key)
        if not isinstance(plan, str) or not isinstance(county, str) or not plan or not county:
            raise RulesError(f"key '{key}': plan and county must be non-empty strings")
        for pof, when in _mapping(_get(entry, "dates", key), f"{key}.dates").items():
            if not isinstance(pof, str) or not POF_CODE.match(pof):
                raise RulesError(f"key '{key}.dates.{pof}': a POF code looks like A1 or C5")
            rows.append((plan, county, pof, _date(when, f"{key}.dates.{pof}")))
    return tuple(rows)


def _date(value: Any, key: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise RulesError(f"key '{key}': must be a date YYYY-MM-DD, got {value!r}") from None


LEAF_KEYS = ("age", "flag", "foster_care", "race_in", "release_within_months", "codes", "primary_codes",
             "ed_visits", "unplanned_stays")


def _parse_node(body: Any, key: str, code_lists: dict[str, CodeList]) -> Node:
    """Parse one `all`/`any` group or condition of a POF rule."""
    body = _mapping(body, key)
    if "all" in body or "any" in body:
        op = "all" if "all" in body else "any"
        children = body[op]
        if len(body) != 1 or not isinstance(children, list) or not children:
            raise RulesError(f"key '{key}.{op}': must be the only key and hold a non-empty list")
        return Group(op, tuple(_parse_node(c, f"{key}.{op}[{i}]", code_lists) for i, c in enumerate(children)))
    kinds = [k for k in body if k in LEAF_KEYS]
    if len(kinds) != 1:
        raise RulesError(f"key '{key}': needs exactly one of all, any, {', '.join(LEAF_KEYS)}")
    return _parse_leaf(kinds[0], body, key, code_lists)


def _parse_leaf(kind: str, body: dict[str, Any], key: str, code_lists: dict[str, CodeList]) -> Leaf:
    """Validate one condition against the keys its kind allows."""
    allowed = {kind} | ({"months"} if kind in ("codes", "primary_codes", "ed_visits", "unplanned_stays")
                        else set()) | ({"primary"} if kind in ("ed_visits", "unplanned_stays") else set())
    extra = set(body) - allowed
    if extra:
        raise RulesError(f"key '{key}': unexpected key(s) {', '.join(sorted(map(str, extra)))} for {kind}")
    value = body[kind]
    months = _positive_int(_get(body, "months", key), f"{key}.months") if "months" in allowed else None
    if kind == "age":
        if value in ("adult", "child"):
            return Leaf("age", value)
        under = _mapping(value, f"{key}.age").get("under") if isinstance(value, dict) else None
        return Leaf("age_under", _positive_int(under, f"{key}.age.under"))
    if kind == "flag":
        return Leaf("flag", _choice(value, f"{key}.flag", ROSTER_FLAGS))
    if kind == "foster_care":
        return Leaf("foster_care", _choice(value, f"{key}.foster_care", ("current", "former")))
    if kind == "race_in":
        races = _strings(value, f"{key}.race_in", r"[a-z_]+")
        for race in races:
            _choice(race, f"{key}.race_in", RACE_VALUES)
        return Leaf("race_in", races)
    if kind == "release_within_months":
        return Leaf("release", months=_positive_int(value, f"{key}.release_within_months"))
    if kind in ("codes", "primary_codes"):
        return Leaf(kind, _list_name(value, f"{key}.{kind}", code_lists), months=months)
    primary = _list_name(body["primary"], f"{key}.primary", code_lists) if "primary" in body else None
    return Leaf(kind, None, months, _positive_int(value, f"{key}.{kind}"), primary)


def _list_name(value: Any, key: str, code_lists: dict[str, CodeList]) -> str:
    if value not in code_lists:
        raise RulesError(f"key '{key}': {value!r} is not a list under code_lists")
    return str(value)
