"""What ending ECM requires beyond the reason, read from the dated editions of `reference/ending.yaml`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from calaim.plans.reference import ReferenceDataError

REFERENCE_DIR = Path(__file__).with_name("reference")
FILENAME = "ending.yaml"


@dataclass(frozen=True)
class EndingRules:
    version: str
    effective_from: dt.date
    note_required_reasons: frozenset[str]
    note_max_chars: int

    def note_required(self, reason_code: str) -> bool:
        return reason_code in self.note_required_reasons


def ending_rules_on(day: dt.date, directory: Path | None = None) -> EndingRules:
    """The edition in force on `day` (the earliest one for a day before every edition)."""
    editions = _editions(directory or REFERENCE_DIR)
    in_force = [e for e in editions if e.effective_from <= day]
    return in_force[-1] if in_force else editions[0]


@lru_cache(maxsize=4)
def _editions(directory: Path) -> tuple[EndingRules, ...]:
    try:
        data = yaml.safe_load((directory / FILENAME).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ReferenceDataError(f"{FILENAME}: cannot be read: {exc}") from None
    raw = data.get("editions") if isinstance(data, dict) else None
    if not isinstance(raw, list) or not raw:
        raise ReferenceDataError(f"{FILENAME}: 'editions' must be a non-empty list")
    return tuple(sorted((_edition(i, e) for i, e in enumerate(raw, start=1)), key=lambda e: e.effective_from))


def _edition(index: int, entry: object) -> EndingRules:
    where = f"{FILENAME}, edition {index}"
    keys = {"version", "effective_from", "note_required_reasons", "note_max_chars"}
    if not isinstance(entry, dict) or set(entry) != keys:
        raise ReferenceDataError(f"{where}: expected exactly {', '.join(sorted(keys))}")
    start, reasons, limit = entry["effective_from"], entry["note_required_reasons"], entry["note_max_chars"]
    if not isinstance(start, dt.date) or isinstance(start, dt.datetime):
        raise ReferenceDataError(f"{where}, key 'effective_from': expected a date YYYY-MM-DD")
    if not isinstance(reasons, list) or not all(isinstance(code, str) for code in reasons):
        raise ReferenceDataError(f"{where}, key 'note_required_reasons': expected a list of reason codes")
    if not isinstance(limit, int) or limit < 1:
        raise ReferenceDataError(f"{where}, key 'note_max_chars': expected a positive whole number")
    return EndingRules(str(entry["version"]), start, frozenset(reasons), limit)
