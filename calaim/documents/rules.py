"""What documents calaim takes on a day (largest size, types, title length), read from the dated editions of
`reference/documents.yaml`; nothing about them is frozen in code."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from calaim.documents.content import FILE_TYPES
from calaim.plans.reference import ReferenceDataError

REFERENCE_DIR = Path(__file__).with_name("reference")
FILENAME = "documents.yaml"
_KEYS = {"version", "effective_from", "max_size_mb", "types", "title_max_length"}


@dataclass(frozen=True)
class DocumentRules:
    version: str
    effective_from: dt.date
    max_size_mb: int
    types: tuple[str, ...]
    title_max_length: int

    @property
    def max_bytes(self) -> int:
        return self.max_size_mb * 1_000_000


def document_rules_on(day: dt.date, directory: Path | None = None) -> DocumentRules:
    """The edition in force on `day` (the earliest one for a day before every edition)."""
    editions = editions_read(directory or REFERENCE_DIR)
    in_force = [e for e in editions if e.effective_from <= day]
    return in_force[-1] if in_force else editions[0]


@lru_cache(maxsize=4)
def editions_read(directory: Path) -> tuple[DocumentRules, ...]:
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


def _edition(index: int, entry: object) -> DocumentRules:
    where = f"{FILENAME}, edition {index}"
    if not isinstance(entry, dict) or set(entry) != _KEYS:
        raise ReferenceDataError(f"{where}: expected exactly {', '.join(sorted(_KEYS))}")
    start = entry["effective_from"]
    if not isinstance(start, dt.date) or isinstance(start, dt.datetime):
        raise ReferenceDataError(f"{where}, key 'effective_from': expected a date YYYY-MM-DD")
    for key in ("max_size_mb", "title_max_length"):
        value = entry[key]
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ReferenceDataError(f"{where}, key {key!r}: expected a whole number of at least 1")
    types = entry["types"]
    if not isinstance(types, list) or not types or any(code not in FILE_TYPES for code in types):
        raise ReferenceDataError(f"{where}, key 'types': expected a list of {', '.join(FILE_TYPES)}")
    return DocumentRules(
        version=str(entry["version"]),
        effective_from=start,
        max_size_mb=entry["max_size_mb"],
        types=tuple(types),
        title_max_length=entry["title_max_length"],
    )
