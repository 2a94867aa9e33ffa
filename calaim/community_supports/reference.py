"""Loading the Community Supports catalog, plan offerings and limit settings from versioned YAML."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import yaml
from django.db import transaction

from calaim.community_supports.models import CsLimitSettings, CsOffering, CsService
from calaim.plans.models import County, Plan

# The plans app's validating reader gives the same file/entry/key error messages for every reference file.
from calaim.plans.reference import DEFAULT_FROM, MEMBER_FACTS, ReferenceDataError, _entries, _Entry

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
    "room_and_board",
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


def _load_services(directory: Path) -> tuple[int, set[str]]:
    entries, meta = _entries(directory, "services.yaml", "services")
    version = str(meta.get("version", "2026.1"))
    for entry in entries:
        entry.allow_only(_SERVICE_KEYS)
        start, end = entry.dates()
        CsService.objects.update_or_create(
            code=entry.text("code", pattern=_CODE),
            effective_from=start,
            defaults={
                "name": entry.text("name"),
                "description": entry.text("description"),
                "version": version,
                "criteria": _criteria(entry),
                "criteria_all": entry.value("criteria_all", bool, False),
                "hcpcs": entry.value("hcpcs", list, []),
                "unit": entry.text("unit", "service"),
                "room_and_board": entry.value("room_and_board", bool, False),
                "retro_authorized": entry.value("retro_authorized", bool, False),
                "streamlined": entry.value("streamlined", bool, False),
                "limits_summary": entry.text("limits_summary", ""),
                "effective_to": end,
            },
        )
    return len(entries), {str(e.data["code"]) for e in entries}


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


def _load_limits(directory: Path, services: set[str]) -> int:
    entries, meta = _entries(directory, "limits.yaml", "limits")
    for entry in entries:
        entry.allow_only({"plan", "dollar_caps", "effective_from", "effective_to"})
        plan = Plan.objects.filter(code=entry.text("plan")).first()
        if plan is None:
            raise entry.fail("plan", f"unknown plan {entry.data['plan']!r}")
        caps = entry.value("dollar_caps", dict, {})
        if bad := sorted(k for k, v in caps.items() if k not in services or not isinstance(v, int) or v < 0):
            raise entry.fail("dollar_caps", f"{bad[0]!r}: a known service and a whole number of dollars")
        start, end = entry.dates()
        CsLimitSettings.objects.update_or_create(
            plan=plan,
            effective_from=start or DEFAULT_FROM,
            defaults={"dollar_caps": caps, "effective_to": end, "version": str(meta.get("version", "2026.1"))},
        )
    return len(entries)


def cs_reference_load(directory: Path | None = None) -> dict[str, int]:
    """Load the catalog, offerings and limits idempotently in one transaction (plans must exist)."""
    source = directory or REFERENCE_DIR
    with transaction.atomic():
        services, codes = _load_services(source)
        return {
            "cs_services": services,
            "cs_offerings": _load_offerings(source, codes),
            "cs_limit_settings": _load_limits(source, codes),
        }


__all__ = ["cs_reference_load", "yaml"]
