"""The Community Supports billing codes: read from the catalog's `hcpcs` items, stored as `CsBillingCode` rows keyed
on (HCPCS, modifier set, effective dates), and matched from a claim's code and modifiers in any of five positions.

A code that ends keeps its row (`effective_to` set) and a new edition adds rows, so an encounter from any date still
finds the code in force then. Rows are never deleted: an item removed from the file stays as it was last loaded.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any

from calaim.community_supports.codes import (
    CodeError,
    best_matches,
    hcpcs_normalized,
    in_force,
    modifier_key,
    modifier_set,
    service_of,
)
from calaim.community_supports.models import CsBillingCode, CsService, UnitsFrom
from calaim.plans.models import Dated
from calaim.plans.reference import ReferenceDataError, _Entry

_ITEM_KEYS = {
    "code",
    "modifiers",
    "effective_from",
    "effective_to",
    "unit",
    "units_from",
    "unit_factor",
    "for_deliveries",
    "encounter_only",
    "note",
}
_MAX_UNIT_FACTOR = 96  # 15-minute units in a day


@dataclass(frozen=True)
class BillingCodeItem:
    """One `hcpcs` item of a catalog entry, checked; `where` names the entry for errors."""

    service_code: str
    hcpcs: str
    modifiers: tuple[str, ...]
    effective_from: dt.date
    effective_to: dt.date | None
    unit: str
    units_from: str
    unit_factor: int
    for_deliveries: bool
    encounter_only: bool
    note: str
    where: str = ""

    @property
    def label(self) -> str:
        return " ".join([self.hcpcs, *self.modifiers])

    def same_as(self, other: BillingCodeItem) -> bool:
        return all(getattr(self, f.name) == getattr(other, f.name) for f in fields(self) if f.name != "where")


def _item_value(entry: _Entry, item: dict[str, Any], key: str, kind: type, default: Any) -> Any:
    found = item.get(key, default)
    if not isinstance(found, kind) or (isinstance(found, bool) and kind is not bool) or isinstance(found, dt.datetime):
        raise entry.fail("hcpcs", f"{item.get('code')!r}: {key} expected {kind.__name__}, got {found!r}")
    return found


def _item_dates(entry: _Entry, item: dict[str, Any], start: dt.date, end: dt.date | None) -> tuple[dt.date, Any]:
    item_start = _item_value(entry, item, "effective_from", dt.date, start)
    item_end = item.get("effective_to", end)
    if item_end is not None and (not isinstance(item_end, dt.date) or item_end < item_start):
        raise entry.fail("hcpcs", f"{item['code']!r}: effective_to {item_end!r} is not a date on or after {item_start}")
    return item_start, item_end


def _item_modifiers(entry: _Entry, item: dict[str, Any]) -> tuple[str, ...]:
    listed = _item_value(entry, item, "modifiers", list, [])
    try:
        found = modifier_set(listed)
    except CodeError as exc:
        raise entry.fail("hcpcs", f"{item['code']!r}: {exc}") from exc
    if len(found) != len(listed):
        raise entry.fail("hcpcs", f"{item['code']!r}: a modifier is listed twice or empty in {listed!r}")
    return tuple(str(m).strip().upper() for m in listed)


def billing_code_items(entry: _Entry, service_unit: str, start: dt.date, end: dt.date | None) -> list[BillingCodeItem]:
    """The entry's `hcpcs` items, each checked; an item's dates default to the entry's."""
    found = []
    for item in entry.value("hcpcs", list, []):
        if not isinstance(item, dict) or "code" not in item:
            raise entry.fail("hcpcs", f"each item is a mapping with a code: {item!r}")
        if unknown := sorted(set(item) - _ITEM_KEYS):
            raise entry.fail("hcpcs", f"{item['code']!r}: unknown key {unknown[0]!r}")
        try:
            hcpcs = hcpcs_normalized(str(item["code"]))
        except CodeError as exc:
            raise entry.fail("hcpcs", str(exc)) from exc
        units_from = _item_value(entry, item, "units_from", str, _default_units_from(service_unit))
        if units_from not in UnitsFrom.values:
            raise entry.fail("hcpcs", f"{hcpcs!r}: units_from must be one of {', '.join(UnitsFrom.values)}")
        factor = _item_value(entry, item, "unit_factor", int, 1)
        if not 1 <= factor <= _MAX_UNIT_FACTOR:
            raise entry.fail("hcpcs", f"{hcpcs!r}: unit_factor must be from 1 to {_MAX_UNIT_FACTOR}, got {factor}")
        item_start, item_end = _item_dates(entry, item, start, end)
        found.append(
            BillingCodeItem(
                service_code=str(entry.data["code"]),
                hcpcs=hcpcs,
                modifiers=_item_modifiers(entry, item),
                effective_from=item_start,
                effective_to=item_end,
                unit=_item_value(entry, item, "unit", str, ""),
                units_from=units_from,
                unit_factor=factor,
                for_deliveries=_item_value(entry, item, "for_deliveries", bool, False),
                encounter_only=_item_value(entry, item, "encounter_only", bool, False),
                note=_item_value(entry, item, "note", str, ""),
                where=f"{entry.file}, entry {entry.index} ({entry.data['code']})",
            )
        )
    return found


def _default_units_from(service_unit: str) -> str:
    return UnitsFrom.DELIVERY if service_unit == "dollars" else UnitsFrom.UNITS


def catalog_hcpcs(items: Iterable[BillingCodeItem]) -> list[dict[str, object]]:
    """The items as the catalog shows them (CsService.hcpcs)."""
    return [
        {
            "code": i.hcpcs,
            "modifiers": list(i.modifiers),
            "effective_from": i.effective_from.isoformat(),
            "effective_to": i.effective_to.isoformat() if i.effective_to else None,
        }
        for i in items
    ]


def _overlaps(items: list[BillingCodeItem]) -> tuple[BillingCodeItem, BillingCodeItem] | None:
    ordered = sorted(items, key=lambda i: i.effective_from)
    for before, after in itertools.pairwise(ordered):
        if before.effective_to is None or after.effective_from <= before.effective_to:
            return before, after
    return None


def billing_codes_check(items: Iterable[BillingCodeItem]) -> list[BillingCodeItem]:
    """The distinct items; refused when one (code, modifier set) is in force twice at once, or when a service has
    two codes for its deliveries on one day (a repeated identical item, as in two versions of a service, is one)."""
    distinct: dict[tuple[str, str, dt.date], BillingCodeItem] = {}
    for item in items:
        key = (item.hcpcs, modifier_key(item.modifiers), item.effective_from)
        if key in distinct and not distinct[key].same_as(item):
            raise ReferenceDataError(
                f"{item.where}: {item.label} from {item.effective_from} is also in {distinct[key].where}, differently"
            )
        distinct.setdefault(key, item)
    by_code, for_deliveries = defaultdict(list), defaultdict(list)
    for item in distinct.values():
        by_code[(item.hcpcs, modifier_key(item.modifiers))].append(item)
        if item.for_deliveries:
            for_deliveries[item.service_code].append(item)
    for group in by_code.values():
        if clash := _overlaps(group):
            first, second = clash
            raise ReferenceDataError(
                f"{second.where}: {second.label} from {second.effective_from} overlaps the same code and modifiers "
                f"from {first.effective_from} in {first.where}; end the earlier one first"
            )
    for group in for_deliveries.values():
        if clash := _overlaps(group):
            raise ReferenceDataError(
                f"{clash[1].where}: {clash[0].label} and {clash[1].label} are both for_deliveries on the same dates"
            )
    return list(distinct.values())


def billing_codes_write(items: Iterable[BillingCodeItem], version: str) -> int:
    """Create or update each item's row by (HCPCS, modifier set, effective_from); nothing is deleted."""
    count = 0
    for item in items:
        CsBillingCode.objects.update_or_create(
            hcpcs=item.hcpcs,
            modifier_key=modifier_key(item.modifiers),
            effective_from=item.effective_from,
            defaults={
                "service_code": item.service_code,
                "modifiers": list(item.modifiers),
                "effective_to": item.effective_to,
                "version": version,
                "unit": item.unit,
                "units_from": item.units_from,
                "unit_factor": item.unit_factor,
                "for_deliveries": item.for_deliveries,
                "encounter_only": item.encounter_only,
                "note": item.note,
            },
        )
        count += 1
    return count


# ---- Reads ------------------------------------------------------------------------------------------------------


def cs_billing_code_match(hcpcs: str, modifiers: Sequence[str | None], on: dt.date) -> CsBillingCode | None:
    """The one catalog code a claim line bills on `on`, its modifiers in any of five positions; None when none
    matches or the most specific matches tie. Raises CodeError for a code or modifier no claim could carry."""
    matches = best_matches(CsBillingCode.objects.filter(hcpcs=hcpcs_normalized(hcpcs)), hcpcs, modifiers, on)
    return matches[0] if len(matches) == 1 else None


def cs_code_match(hcpcs: str, modifiers: Sequence[str | None], on: dt.date) -> CsService | None:
    """The Community Support a claim line bills on `on` (the catalog's version in force then); None when no code
    matches or the modifiers name two services (S5165 with both U5 and U6). Raises CodeError for a malformed code."""
    matches = best_matches(CsBillingCode.objects.filter(hcpcs=hcpcs_normalized(hcpcs)), hcpcs, modifiers, on)
    service_code = service_of(matches)
    if service_code is None:
        return None
    versions = CsService.objects.filter(code=service_code).order_by("-effective_from")
    return versions.filter(Dated.in_force_on(on)).first() or versions.first()


def cs_delivery_codes() -> dict[str, list[CsBillingCode]]:
    """Each service's codes for recorded deliveries, all dates (one query; pick with `cs_delivery_code_on`)."""
    found: dict[str, list[CsBillingCode]] = defaultdict(list)
    for code in CsBillingCode.objects.filter(for_deliveries=True):
        found[code.service_code].append(code)
    return dict(found)


def cs_delivery_code_on(codes: dict[str, list[CsBillingCode]], service_code: str, on: dt.date) -> CsBillingCode | None:
    """The code a delivery of `service_code` on `on` is reported with, if the catalog has one in force."""
    return next((c for c in codes.get(service_code, []) if in_force(c, on)), None)
