"""Matching a billed HCPCS code and its modifiers to the Community Supports catalog (DHCS Coding Options v1.3).

Plain Python with no Django import. A claim carries up to five modifiers in any order, so an entry matches when its
HCPCS is the claim's and every one of its modifiers is somewhere among the claim's (a position-locked match drops
claims silently). One HCPCS bills several services told apart by a modifier (S5165 U5 asthma, U6 home adaptations;
H0044 U2, U3, U5, U6; H0043 U2, U3, U6; S9977 U4 to U9), so the most specific match wins: the entries in force whose
modifier sets are largest. When those name more than one service (a claim with both U5 and U6 on S5165) the claim
is ambiguous and matches nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar

MAX_MODIFIERS = 5
HCPCS_PATTERN = re.compile(r"^[A-Z][0-9]{4}$")
MODIFIER_PATTERN = re.compile(r"^[A-Z0-9]{2}$")


class CodeError(ValueError):
    """A code or a modifier that no claim could carry."""


class CatalogEntry(Protocol):
    """What matching reads from a catalog row (`CsBillingCode` has these)."""

    @property
    def service_code(self) -> str: ...
    @property
    def hcpcs(self) -> str: ...
    @property
    def modifiers(self) -> Sequence[str]: ...
    @property
    def effective_from(self) -> dt.date: ...
    @property
    def effective_to(self) -> dt.date | None: ...


Entry = TypeVar("Entry", bound=CatalogEntry)


def hcpcs_normalized(hcpcs: str) -> str:
    """The code upper-cased without spaces; a letter then four digits (every ECM and CS code is a Level II code)."""
    found = (hcpcs or "").strip().upper()
    if not HCPCS_PATTERN.match(found):
        raise CodeError(f"{hcpcs!r} is not a HCPCS Level II code (a letter then four digits, e.g. T2033)")
    return found


def modifier_set(modifiers: Sequence[str | None]) -> frozenset[str]:
    """The modifiers of up to five positions as a set; empty positions are skipped, case and spaces ignored."""
    if len(modifiers) > MAX_MODIFIERS:
        raise CodeError(f"a service line has at most {MAX_MODIFIERS} modifiers, got {len(modifiers)}")
    found = set()
    for modifier in modifiers:
        text = (modifier or "").strip().upper()
        if not text:
            continue
        if not MODIFIER_PATTERN.match(text):
            raise CodeError(f"{modifier!r} is not a modifier (two letters or digits, e.g. U6)")
        found.add(text)
    return frozenset(found)


def modifier_key(modifiers: Iterable[str]) -> str:
    """A modifier set as one sorted string, e.g. "GQ+U8": the catalog's key does not depend on their order."""
    return "+".join(sorted(modifiers))


def in_force(entry: CatalogEntry, on: dt.date) -> bool:
    return entry.effective_from <= on and (entry.effective_to is None or on <= entry.effective_to)


def best_matches(entries: Iterable[Entry], hcpcs: str, modifiers: Sequence[str | None], on: dt.date) -> list[Entry]:
    """The most specific entries in force on `on` whose HCPCS is `hcpcs` and whose modifiers the claim all carries."""
    code, claimed = hcpcs_normalized(hcpcs), modifier_set(modifiers)
    found = [e for e in entries if e.hcpcs == code and in_force(e, on) and set(e.modifiers) <= claimed]
    if not found:
        return []
    most = max(len(e.modifiers) for e in found)
    return [e for e in found if len(e.modifiers) == most]


def service_of(matches: Sequence[CatalogEntry]) -> str | None:
    """The one service the best matches bill, or None when there are none or they name different services."""
    services = {e.service_code for e in matches}
    return services.pop() if len(services) == 1 else None
