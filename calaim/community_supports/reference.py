"""Loading the Community Supports catalog, plan offerings and limit settings from versioned YAML."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import yaml
from django.db import transaction

from calaim.community_supports.billing_codes import (
    BillingCodeItem,
    billing_code_items,
    billing_codes_check,
    billing_codes_write,
    catalog_hcpcs,
)
from calaim.community_supports.delivery_units import delivery_units_parse
from calaim.community_supports.limits import RULE_SERVICES
from calaim.community_supports.models import CsLimitSettings, CsOffering, CsService
from calaim.plans.models import County, Plan

# The plans app's validating reader gives the same file/entry/key error messages for every reference file.
from calaim.plans.reference import MEMBER_FACTS, ReferenceDataError, _entries, _Entry

REFERENCE_DIR = Path(__file__).with_name("reference")
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
_SERVICE_KEYS = {
    "code",
    "name",
    "description",
    "criteria",
    "criteria_all",
    "hcpcs",
    "unit",
    "delivery_units",
    "retro_authorized",
    "streamlined",
    "limits_summary",
    "effective_from",
    "effective_to",
}


def _criteria(entry: _Entry) -> list[dict[str, str | None]]:
    found = []
    for item in entry.value("criteria", list):
        if (
            not isinstance(item, dict)
            or not {"key", "label"} <= set(item)
            or set(item) - {"key", "label", "member_fact"}
        ):
            raise entry.fail("criteria", f"each criterion has key, label and optional member_fact: {item!r}")
        if item.get("member_fact") not in (None, *MEMBER_FACTS):
            raise entry.fail("criteria", f"unknown member_fact {item['member_fact']!r}")
        found.append({"key": item["key"], "label": item["label"], "member_fact": item.get("member_fact")})
    if not found:
        raise entry.fail("criteria", "a service needs at least one criterion")
    return found


def _delivery_units(entry: _Entry) -> dict[str, object]:
    """The service's delivery unit and bound; every service states one, so no delivery goes unbounded."""
    try:
        parsed = delivery_units_parse(entry.value("delivery_units", dict))
    except ValueError as error:
        raise entry.fail("delivery_units", str(error)) from None
    return {"per": parsed.per, "most": parsed.most, "over": parsed.over}


def _load_services(directory: Path) -> tuple[int, set[str], int]:
    """The catalog's services, then the billing codes their `hcpcs` items list (checked across services)."""
    entries, meta = _entries(directory, "services.yaml", "services")
    version = str(meta.get("version", "2026.1"))
    codes: list[BillingCodeItem] = []
    for entry in entries:
        entry.allow_only(_SERVICE_KEYS)
        start, end = entry.dates()
        items = billing_code_items(entry, entry.text("unit", "service"), start, end)
        codes.extend(items)
        CsService.objects.update_or_create(
            code=entry.text("code", pattern=_CODE),
            effective_from=start,
            defaults={
                "name": entry.text("name"),
                "description": entry.text("description"),
                "version": version,
                "criteria": _criteria(entry),
                "criteria_all": entry.value("criteria_all", bool, False),
                "hcpcs": catalog_hcpcs(items),
                "unit": entry.text("unit", "service"),
                "delivery_units": _delivery_units(entry),
                "retro_authorized": entry.value("retro_authorized", bool, False),
                "streamlined": entry.value("streamlined", bool, False),
                "limits_summary": entry.text("limits_summary", ""),
                "effective_to": end,
            },
        )
    billing_codes = billing_codes_write(billing_codes_check(codes), version)
    return len(entries), {str(e.data["code"]) for e in entries}, billing_codes


def _load_offerings(directory: Path, services: set[str]) -> int:
    entries, meta = _entries(directory, "offerings.yaml", "offerings")
    kaiser = set(meta.get("kaiser_provides", []))
    if unknown := sorted(kaiser - services):
        raise ReferenceDataError(f"offerings.yaml: kaiser_provides names unknown service {unknown[0]!r}")
    count = 0
    for entry in entries:
        entry.allow_only({"plan", "counties", "services"})
        plan = Plan.objects.filter(code=entry.text("plan")).first()
        if plan is None:
            raise entry.fail("plan", f"unknown plan {entry.data['plan']!r}")
        for code in entry.strings("services"):
            if code not in services:
                raise entry.fail("services", f"unknown service {code!r}")
        for county_name, start in entry.value("counties", dict).items():
            county = County.objects.filter(name=county_name).first()
            if county is None or not isinstance(start, dt.date):
                raise entry.fail("counties", f"expected a known county and a date: {county_name!r}: {start!r}")
            for code in entry.strings("services"):
                CsOffering.objects.update_or_create(
                    plan=plan,
                    county=county,
                    service_code=code,
                    effective_from=start,
                    defaults={"delegate_provides": code in kaiser, "version": str(meta.get("version", "2026.1"))},
                )
                count += 1
    return count


# Limits that may be null (not enforced), then numbers every plan must state; each fits a small integer column.
_OPTIONAL_LIMITS = (
    "room_board_max_days",
    "recuperative_care_max_days",
    "stphh_max_days",
    "transitional_rent_max_days",
    "sobering_max_hours",
    "mtm_max_meals_per_day",
    "mtm_weeks",
    "mtm_extended_weeks",
    "respite_hours_per_year",
)
_REQUIRED_LIMITS = {"room_board_window_days": 1, "deposit_approvals": 0, "deposit_approvals_with_change": 0}
_SMALL_INTEGER_MAX = 32767
_LIMIT_KEYS = {
    "plan",
    "effective_from",
    "effective_to",
    "room_board_services",
    "dollar_caps",
    *_OPTIONAL_LIMITS,
    *_REQUIRED_LIMITS,
}


def _whole_number(entry: _Entry, key: str, least: int, nullable: bool) -> int | None:
    """A required key holding a whole number from `least` up; null only when `nullable`."""
    found: int | None = entry.value(key, int, nullable=nullable)
    if found is not None and not least <= found <= _SMALL_INTEGER_MAX:
        raise entry.fail(key, f"expected a whole number from {least} to {_SMALL_INTEGER_MAX}, got {found}")
    return found


def _room_board_services(entry: _Entry, services: set[str]) -> list[str]:
    codes = entry.strings("room_board_services")
    if not codes:
        raise entry.fail("room_board_services", "name at least one service (a null room_board_max_days lifts the cap)")
    for code in codes:
        if code not in services:
            raise entry.fail("room_board_services", f"unknown service {code!r}; services.yaml does not define it")
        if codes.count(code) > 1:
            raise entry.fail("room_board_services", f"service {code!r} is named more than once")
    return codes


def _dollar_caps(entry: _Entry, services: set[str]) -> dict[str, int]:
    caps: dict[str, int] = entry.value("dollar_caps", dict)
    for code, cap in caps.items():
        if code not in services:
            raise entry.fail("dollar_caps", f"unknown service {code!r}; services.yaml does not define it")
        if not isinstance(cap, int) or isinstance(cap, bool) or cap < 0:
            raise entry.fail("dollar_caps", f"{code}: expected a whole number of dollars, got {cap!r}")
    return caps


def _limit_values(entry: _Entry, services: set[str]) -> dict[str, object]:
    """Every limit the plan states, checked; an entry that leaves one out is refused rather than defaulted."""
    values: dict[str, object] = {key: _whole_number(entry, key, 0, nullable=True) for key in _OPTIONAL_LIMITS}
    values.update({key: _whole_number(entry, key, least, nullable=False) for key, least in _REQUIRED_LIMITS.items()})
    values["room_board_services"] = _room_board_services(entry, services)
    values["dollar_caps"] = _dollar_caps(entry, services)
    return values


def _load_limits(directory: Path, services: set[str]) -> int:
    """Each plan's dated limits, every value stated; the catalog must define every service they name."""
    entries, meta = _entries(directory, "limits.yaml", "limits")
    seen: set[tuple[str, dt.date]] = set()
    for entry in entries:
        entry.allow_only(_LIMIT_KEYS)
        plan = Plan.objects.filter(code=entry.text("plan")).first()
        if plan is None:
            raise entry.fail("plan", f"unknown plan {entry.data['plan']!r}")
        start, end = entry.dates()
        if (plan.code, start) in seen:
            raise entry.fail("effective_from", f"{plan.code} already has limits from {start}")
        seen.add((plan.code, start))
        CsLimitSettings.objects.update_or_create(
            plan=plan,
            effective_from=start,
            defaults={
                **_limit_values(entry, services),
                "effective_to": end,
                "version": str(meta.get("version", "2026.1")),
            },
        )
    return len(entries)


def _require_rule_services(services: set[str]) -> None:
    """The limits engine's rules are about services by code; a catalog without one would silently skip its rule."""
    if missing := sorted(RULE_SERVICES - services):
        raise ReferenceDataError(f"services.yaml: the limits engine has rules for {missing[0]!r}, which is not defined")


def cs_reference_load(directory: Path | None = None) -> dict[str, int]:
    """Load the catalog, offerings and limits idempotently in one transaction (plans must exist)."""
    source = directory or REFERENCE_DIR
    with transaction.atomic():
        services, codes, billing_codes = _load_services(source)
        _require_rule_services(codes)
        return {
            "cs_services": services,
            "cs_billing_codes": billing_codes,
            "cs_offerings": _load_offerings(source, codes),
            "cs_limit_settings": _load_limits(source, codes),
        }


__all__ = ["cs_reference_load", "yaml"]
