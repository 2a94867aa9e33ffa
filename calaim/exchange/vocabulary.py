"""The value lists of the provider files, in force on a day: the closed-loop values (the referrals app's
`LoopVocabulary`, one list for calaim's own steps and the files) and the lists of `reference/exchange.yaml`
(Member ECM Status, discontinuation reason codes, outreach methods), dated and versioned.

Imports match a file's value case-insensitively (`columns.header_key`); exports write the first code listed for a
meaning. `exchange_reference_load` checks the YAML against the database when `manage.py load_reference` runs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from calaim.careplans.models import OutreachMethod
from calaim.ecm.models import EnrollmentStatus
from calaim.exchange.columns import header_key
from calaim.plans.models import Dated, DiscontinuationReason
from calaim.plans.reference import ReferenceDataError
from calaim.referrals.models import LoopVocabulary
from calaim.referrals.reference import LOOP_CLOSED

REFERENCE_DIR = Path(__file__).with_name("reference")
FILENAME = "exchange.yaml"
_LISTS = ("ecm_statuses", "discontinuation_codes", "outreach_methods")


@dataclass(frozen=True)
class Edition:
    """One edition of exchange.yaml: (code as written, meaning) pairs in the file's order."""

    version: str
    effective_from: dt.date
    ecm_statuses: tuple[tuple[str, str], ...]
    discontinuation_codes: tuple[tuple[str, str], ...]
    outreach_methods: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ExchangeVocabulary:
    """Every value list a provider file is checked against on one day; keys are `header_key`s of the values."""

    version: str
    loop_statuses: dict[str, str]  # key -> the Referral Status as the closed loop records it
    closure_reasons: dict[str, str]  # key -> the Reason for Referral Loop Closure as recorded
    loop_closed: str  # the Referral Status that needs a reason
    ecm_statuses: dict[str, tuple[str, str]]  # key -> (the code as configured, an EnrollmentStatus value)
    discontinuation: dict[str, str]  # key -> a DiscontinuationReason code
    outreach_methods: dict[str, tuple[str, str]]  # key -> (the code as configured, an OutreachMethod value)
    dhcs_codes: dict[str, str]  # DiscontinuationReason code -> the code written on export (its dhcs_code)

    def listed(self, name: str) -> str:
        """The configured values of a list, for an error message ("Accepted, Declined, ...")."""
        values: dict[str, Any] = getattr(self, name)
        shown = [v[0] if isinstance(v, tuple) else v for v in values.values()]
        if name == "discontinuation":
            shown = list(values)
        return ", ".join(dict.fromkeys(shown))

    def ecm_status_code(self, enrollment_status: str) -> str:
        """The Member ECM Status written on export for an enrollment status ("" when none is configured)."""
        return next((code for code, meaning in self.ecm_statuses.values() if meaning == enrollment_status), "")

    def outreach_method_code(self, method: str) -> str:
        """The Outreach Attempt Method written on export for an OutreachMethod value."""
        return next((code for code, meaning in self.outreach_methods.values() if meaning == method), method)

    def discontinuation_code(self, reason_code: str) -> str:
        """The Discontinuation Reason Code written on export for a plan's discontinuation reason."""
        return self.dhcs_codes.get(reason_code) or reason_code


def exchange_vocabulary(day: dt.date) -> ExchangeVocabulary:
    """The lists in force on `day`: the closed-loop values from the database, the rest from exchange.yaml."""
    edition = edition_on(day)
    loop = LoopVocabulary.objects.filter(Dated.in_force_on(day)).values_list("kind", "code")
    statuses = {header_key(code): code for kind, code in loop if kind == LoopVocabulary.Kind.STATUS}
    reasons = {header_key(code): code for kind, code in loop if kind == LoopVocabulary.Kind.CLOSURE_REASON}
    plan_reasons = dict(DiscontinuationReason.objects.filter(Dated.in_force_on(day)).values_list("code", "dhcs_code"))
    discontinuation = {header_key(code): code for code in plan_reasons}
    discontinuation |= {header_key(code): reason for code, reason in edition.discontinuation_codes}
    return ExchangeVocabulary(
        version=edition.version,
        loop_statuses=statuses,
        closure_reasons=reasons,
        loop_closed=LOOP_CLOSED,
        ecm_statuses={header_key(code): (code, meaning) for code, meaning in edition.ecm_statuses},
        discontinuation=discontinuation,
        outreach_methods={header_key(code): (code, meaning) for code, meaning in edition.outreach_methods},
        dhcs_codes={code: dhcs for code, dhcs in plan_reasons.items() if dhcs},
    )


def edition_on(day: dt.date, directory: Path | None = None) -> Edition:
    """The edition in force on `day` (the earliest one for a day before every edition)."""
    editions = editions_read(directory or REFERENCE_DIR)
    in_force = [e for e in editions if e.effective_from <= day]
    return in_force[-1] if in_force else editions[0]


@lru_cache(maxsize=4)
def editions_read(directory: Path) -> tuple[Edition, ...]:
    """Every edition of exchange.yaml, oldest first; a malformed file raises ReferenceDataError naming the key."""
    path = directory / FILENAME
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ReferenceDataError(f"{FILENAME}: cannot be read: {exc}") from None
    raw = data.get("editions") if isinstance(data, dict) else None
    if not isinstance(raw, list) or not raw:
        raise ReferenceDataError(f"{FILENAME}: 'editions' must be a non-empty list")
    editions = sorted((_edition(i, entry) for i, entry in enumerate(raw, start=1)), key=lambda e: e.effective_from)
    starts = [e.effective_from for e in editions]
    if len(set(starts)) != len(starts):
        raise ReferenceDataError(f"{FILENAME}: two editions start on the same day")
    return tuple(editions)


def _edition(index: int, entry: object) -> Edition:
    where = f"{FILENAME}, edition {index}"
    if not isinstance(entry, dict):
        raise ReferenceDataError(f"{where}: expected a mapping")
    unknown = set(entry) - {"version", "effective_from", *_LISTS}
    if unknown:
        raise ReferenceDataError(f"{where}, key {sorted(unknown)[0]!r}: unknown key")
    start = entry.get("effective_from")
    if not isinstance(start, dt.date) or isinstance(start, dt.datetime):
        raise ReferenceDataError(f"{where}, key 'effective_from': expected a date YYYY-MM-DD")
    return Edition(
        version=str(entry.get("version") or "2026.1"),
        effective_from=start,
        ecm_statuses=_pairs(where, "ecm_statuses", entry.get("ecm_statuses"), EnrollmentStatus.values),
        discontinuation_codes=_pairs(where, "discontinuation_codes", entry.get("discontinuation_codes"), None),
        outreach_methods=_pairs(where, "outreach_methods", entry.get("outreach_methods"), OutreachMethod.values),
    )


def _pairs(where: str, key: str, value: object, meanings: list[str] | None) -> tuple[tuple[str, str], ...]:
    """A list of {code, meaning} (or a mapping code -> meaning) as pairs; codes unique once matched loosely."""
    if isinstance(value, dict):
        items = [(str(code), str(meaning)) for code, meaning in value.items()]
    elif isinstance(value, list) and all(isinstance(v, dict) and set(v) == {"code", "meaning"} for v in value):
        items = [(str(v["code"]), str(v["meaning"])) for v in value]
    else:
        raise ReferenceDataError(f"{where}, key {key!r}: expected a list of {{code, meaning}} or a mapping")
    if not items:
        raise ReferenceDataError(f"{where}, key {key!r}: must not be empty")
    seen: set[str] = set()
    for code, meaning in items:
        if not code.strip() or header_key(code) in seen:
            raise ReferenceDataError(f"{where}, key {key!r}: the code {code!r} is empty or listed twice")
        seen.add(header_key(code))
        if meanings is not None and meaning not in meanings:
            raise ReferenceDataError(
                f"{where}, key {key!r}: {meaning!r} (for {code!r}) is not one of {', '.join(meanings)}"
            )
    return tuple(items)


def exchange_reference_load(directory: Path | None = None) -> dict[str, int]:
    """Check exchange.yaml against the database (each discontinuation reason in force on its edition's first day,
    the closed-loop values loaded): run by `manage.py load_reference`; a problem raises ReferenceDataError."""
    editions_read.cache_clear()
    editions = editions_read(directory or REFERENCE_DIR)
    for edition in editions:
        known = set(
            DiscontinuationReason.objects.filter(Dated.in_force_on(edition.effective_from)).values_list(
                "code", flat=True
            )
        )
        for code, reason in edition.discontinuation_codes:
            if reason not in known:
                raise ReferenceDataError(
                    f"{FILENAME}, edition {edition.version}, key 'discontinuation_codes': "
                    f"{reason!r} (for {code!r}) is not a discontinuation reason in force on "
                    f"{edition.effective_from} (discontinuation_reasons.yaml)"
                )
    if not LoopVocabulary.objects.filter(kind=LoopVocabulary.Kind.STATUS, code=LOOP_CLOSED).exists():
        raise ReferenceDataError(f"{FILENAME}: the closed-loop values are not loaded (closed_loop.yaml)")
    values = sum(len(getattr(e, name)) for e in editions for name in _LISTS)
    return {"exchange_editions": len(editions), "exchange_values": values}
