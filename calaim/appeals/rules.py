"""The appeal and grievance clocks and the grievance categories in force on a day, read from the dated editions of
`reference/appeals.yaml` (facts and confidence tags there); nothing about them is frozen in code."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from calaim.plans.reference import ReferenceDataError

REFERENCE_DIR = Path(__file__).with_name("reference")
FILENAME = "appeals.yaml"
_APPEAL_KEYS = (
    "filing_window_days",
    "aid_paid_pending_days",
    "acknowledgment_days",
    "resolution_days",
    "expedited_resolution_hours",
    "extension_max_days",
    "extension_notice_days",
    "state_fair_hearing_days",
    "reminder_hours",
)
_GRIEVANCE_KEYS = ("acknowledgment_days", "resolution_days", "expedited_resolution_hours", "reminder_hours")


@dataclass(frozen=True)
class AppealRules:
    filing_window_days: int
    aid_paid_pending_days: int
    acknowledgment_days: int
    resolution_days: int
    expedited_resolution_hours: int
    extension_max_days: int
    extension_notice_days: int
    state_fair_hearing_days: int
    reminder_hours: int


@dataclass(frozen=True)
class GrievanceRules:
    acknowledgment_days: int
    resolution_days: int
    expedited_resolution_hours: int
    reminder_hours: int
    categories: tuple[tuple[str, str], ...]  # (code, label) in the file's order

    def category_label(self, code: str) -> str:
        """The label of a category code (the code itself when this edition does not list it)."""
        return dict(self.categories).get(code, code)


@dataclass(frozen=True)
class Edition:
    version: str
    effective_from: dt.date
    appeal: AppealRules
    grievance: GrievanceRules


def rules_on(day: dt.date, directory: Path | None = None) -> Edition:
    """The edition in force on `day` (the earliest one for a day before every edition)."""
    editions = editions_read(directory or REFERENCE_DIR)
    in_force = [e for e in editions if e.effective_from <= day]
    return in_force[-1] if in_force else editions[0]


def rules_version(version: str, directory: Path | None = None) -> Edition:
    """The edition an appeal or grievance was received under (its `rules_version`), so its clock never moves."""
    editions = editions_read(directory or REFERENCE_DIR)
    found = [e for e in editions if e.version == version]
    if not found:
        raise ReferenceDataError(f"{FILENAME}: no edition {version!r}")
    return found[0]


@lru_cache(maxsize=4)
def editions_read(directory: Path) -> tuple[Edition, ...]:
    """Every edition, oldest first; a malformed file raises ReferenceDataError naming the edition and the key."""
    try:
        data = yaml.safe_load((directory / FILENAME).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ReferenceDataError(f"{FILENAME}: cannot be read: {exc}") from None
    raw = data.get("editions") if isinstance(data, dict) else None
    if not isinstance(raw, list) or not raw:
        raise ReferenceDataError(f"{FILENAME}: 'editions' must be a non-empty list")
    editions = sorted((_edition(i, entry) for i, entry in enumerate(raw, start=1)), key=lambda e: e.effective_from)
    for key in ("effective_from", "version"):
        values = [getattr(e, key) for e in editions]
        if len(set(values)) != len(values):
            raise ReferenceDataError(f"{FILENAME}: two editions share one {key}")
    return tuple(editions)


def _edition(index: int, entry: object) -> Edition:
    where = f"{FILENAME}, edition {index}"
    if not isinstance(entry, dict) or set(entry) != {"version", "effective_from", "appeal", "grievance"}:
        raise ReferenceDataError(f"{where}: expected exactly version, effective_from, appeal and grievance")
    start = entry["effective_from"]
    if not isinstance(start, dt.date) or isinstance(start, dt.datetime):
        raise ReferenceDataError(f"{where}, key 'effective_from': expected a date YYYY-MM-DD")
    appeal = _counts(where, "appeal", entry["appeal"], _APPEAL_KEYS)
    grievance = _counts(where, "grievance", entry["grievance"], _GRIEVANCE_KEYS, extra=frozenset({"categories"}))
    return Edition(
        version=str(entry["version"]),
        effective_from=start,
        appeal=AppealRules(**appeal),
        grievance=GrievanceRules(**grievance, categories=_categories(where, entry["grievance"].get("categories"))),
    )


def _counts(
    where: str, name: str, value: object, keys: tuple[str, ...], extra: frozenset[str] = frozenset()
) -> dict[str, int]:
    if not isinstance(value, dict) or set(value) != {*keys, *extra}:
        raise ReferenceDataError(f"{where}, key {name!r}: expected exactly {', '.join(sorted({*keys, *extra}))}")
    counts: dict[str, Any] = {key: value[key] for key in keys}
    for key, count in counts.items():
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise ReferenceDataError(f"{where}, key '{name}.{key}': expected a whole number of at least 1")
    return counts


def _categories(where: str, value: object) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, list) or not value:
        raise ReferenceDataError(f"{where}, key 'grievance.categories': expected a non-empty list")
    found: list[tuple[str, str]] = []
    for item in value:
        if not (isinstance(item, dict) and set(item) == {"code", "label"} and str(item["code"]).strip()):
            raise ReferenceDataError(f"{where}, key 'grievance.categories': each is {{code, label}}: {item!r}")
        found.append((str(item["code"]), str(item["label"])))
    if len({code for code, _ in found}) != len(found):
        raise ReferenceDataError(f"{where}, key 'grievance.categories': a code is listed twice")
    return tuple(found)
