"""The QIMR template as configuration (`reference/qimr.yaml`, loaded as `QimrTab`): which values each tab's builder
fills, what a column asks for, and the tabs in force for a quarter.

A column names a value its tab's builder knows (`value`), the Populations of Focus it flags (`pofs`, Tab 1), or the
Community Supports it flags as approved or received (`approved` / `received`, Tab 4: service codes, or "other" for
every service no other column of that kind names). Headers are configuration, meanings are code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from calaim.core.errors import ValidationFailed
from calaim.exchange.models import QimrTab
from calaim.exchange.qimr_period import Quarter
from calaim.plans.models import Dated, Plan

TAB_COUNT = 6
_COMMON = frozenset({"plan_name", "plan_code", "county", "reporting_period"})
_MEMBER = frozenset({"member_cin", "member_last_name", "member_first_name", "member_birth_date"})
TAB_VALUES: dict[int, frozenset[str]] = {
    1: _COMMON
    | _MEMBER
    | {
        "benefit_start",
        "benefit_end",
        "discontinuation_reason",
        "provider_npi",
        "in_person_encounters",
        "telephonic_encounters",
    },
    2: _COMMON
    | {
        "members_requested",
        "members_authorized",
        "members_denied",
        "members_outreached",
        "outreach_attempts",
        "members_enrolled",
    },
    3: _COMMON | {"provider_npi", "provider_type", "members_serving", "capacity"},
    4: _COMMON | _MEMBER | {"received_any"},
    5: _COMMON | {"provider_npi", "provider_type", "service", "members_serving", "capacity"},
    6: _COMMON | {"members_requested", "members_denied"},
}
# The kinds of column each tab may have besides `value`.
TAB_FLAG_KINDS: dict[int, frozenset[str]] = {1: frozenset({"pofs"}), 4: frozenset({"approved", "received"})}
OTHER = "other"


@dataclass(frozen=True)
class Column:
    """One column: its header, and either a value key or a flag over codes (`other`: codes no sibling names)."""

    header: str
    kind: str  # "value", "pofs", "approved" or "received"
    value: str = ""
    codes: tuple[str, ...] = ()
    other: bool = False

    @classmethod
    def from_config(cls, spec: Mapping[str, Any]) -> Column:
        header = str(spec["header"])
        if "value" in spec:
            return cls(header, "value", value=str(spec["value"]))
        kind = next(k for k in ("pofs", "approved", "received") if k in spec)
        codes = spec[kind]
        if codes == OTHER:
            return cls(header, kind, other=True)
        return cls(header, kind, codes=tuple(str(code) for code in codes))


@dataclass(frozen=True)
class TabTemplate:
    """A tab as the quarter's configuration writes it."""

    tab: int
    name: str
    template_version: str
    confirmed: bool
    version: str
    columns: tuple[Column, ...]
    options: Mapping[str, Any]

    @property
    def headers(self) -> list[str]:
        return [column.header for column in self.columns]

    @property
    def status(self) -> str:
        return "confirmed" if self.confirmed else "to confirm"

    def named_codes(self, kind: str) -> frozenset[str]:
        """Every code a column of `kind` names: what an "other" column of that kind leaves out."""
        return frozenset(code for column in self.columns if column.kind == kind for code in column.codes)

    @cached_property
    def _cells(self) -> list[tuple[Column, frozenset[str]]]:
        """Each column with the codes it flags on; an "other" column with the codes it must not (worked out once)."""
        return [
            (column, self.named_codes(column.kind) if column.other else frozenset(column.codes))
            for column in self.columns
        ]

    def row(self, record: Mapping[str, Any], flags: Mapping[str, frozenset[str]] | None = None) -> list[Any]:
        """The tab's cells in order: values from `record`, 1/0 flags from the codes the record holds per kind."""
        cells: list[Any] = []
        for column, codes in self._cells:
            if column.kind == "value":
                cells.append(record.get(column.value, ""))
                continue
            held = (flags or {}).get(column.kind, frozenset())
            hit = bool(held - codes) if column.other else not held.isdisjoint(codes)
            cells.append(1 if hit else 0)
        return cells


def template_of(row: QimrTab) -> TabTemplate:
    return TabTemplate(
        tab=row.tab,
        name=row.name,
        template_version=row.template_version,
        confirmed=row.confirmed,
        version=row.version,
        columns=tuple(Column.from_config(spec) for spec in row.columns),
        options=dict(row.options or {}),
    )


def qimr_templates(quarter: Quarter) -> list[TabTemplate]:
    """The six tabs in force on the quarter's last day, in order; refused when any is missing (a tab the plan
    must file cannot be left out silently)."""
    rows = QimrTab.objects.filter(Dated.in_force_on(quarter.last_day)).order_by("tab", "-effective_from")
    chosen: dict[int, QimrTab] = {}
    for row in rows:
        chosen.setdefault(row.tab, row)
    missing = [str(tab) for tab in range(1, TAB_COUNT + 1) if tab not in chosen]
    if missing:
        raise ValidationFailed(
            f"No QIMR template in force for {quarter.label} for tab {', '.join(missing)}: load the reference data "
            "(manage.py load_reference) or add a version of the tab to calaim/exchange/reference/qimr.yaml.",
            field="quarter",
        )
    return [template_of(chosen[tab]) for tab in sorted(chosen)]


def column_problem(tab: int, spec: Any) -> str | None:
    """Why a column of the configuration is malformed, or None (the loader names the file and entry)."""
    if not isinstance(spec, dict) or not isinstance(spec.get("header"), str) or not spec["header"].strip():
        return f"a column must be a mapping with a non-empty header, got {spec!r}"
    kinds = [k for k in ("value", "pofs", "approved", "received") if k in spec]
    if len(kinds) != 1 or set(spec) - {"header", kinds[0] if kinds else ""}:
        return f"column {spec['header']!r} must have exactly one of value, pofs, approved, received"
    kind = kinds[0]
    if kind == "value":
        if spec["value"] not in TAB_VALUES[tab]:
            known = ", ".join(sorted(TAB_VALUES[tab]))
            return f"column {spec['header']!r}: tab {tab} knows no value {spec['value']!r} (known: {known})"
        return None
    if kind not in TAB_FLAG_KINDS.get(tab, frozenset()):
        return f"column {spec['header']!r}: tab {tab} has no {kind} columns"
    codes = spec[kind]
    if codes == OTHER and kind != "pofs":
        return None
    if not isinstance(codes, list) or not all(isinstance(code, str) and code.strip() for code in codes):
        return f"column {spec['header']!r}: {kind} must be a list of codes" + (" or 'other'" if kind != "pofs" else "")
    return None


def duplicate_header(columns: Iterable[Mapping[str, Any]]) -> str | None:
    seen: set[str] = set()
    for spec in columns:
        header = " ".join(str(spec["header"]).split()).casefold()
        if header in seen:
            return str(spec["header"])
        seen.add(header)
    return None


def template_summary(templates: Sequence[TabTemplate]) -> list[dict[str, Any]]:
    """What a page, the API or the command shows of the tabs: number, name, template version and its status."""
    return [
        {
            "tab": t.tab,
            "name": t.name,
            "template_version": t.template_version,
            "status": t.status,
            "columns": len(t.columns),
        }
        for t in templates
    ]


@dataclass(frozen=True)
class TabContext:
    """What every tab's builder is given: the plan, the quarter and the tab's template in force."""

    plan: Plan
    quarter: Quarter
    template: TabTemplate

    def common(self, county: str) -> dict[str, Any]:
        """The four columns every tab starts with."""
        return {
            "plan_name": self.plan.name,
            "plan_code": self.plan.code,
            "county": county,
            "reporting_period": self.quarter.label,
        }


@dataclass
class TabRows:
    """A tab's rows in the template's column order, and the members they name (for the PHI read log)."""

    rows: list[list[Any]] = field(default_factory=list)
    member_ids: set[Any] = field(default_factory=set)
