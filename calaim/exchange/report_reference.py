"""Loading the state-report configuration from versioned YAML: the QIMR's tabs (`reference/qimr.yaml`, as `QimrTab`)
and closed-loop monitoring's settings (`reference/monitoring.yaml`, as `LoopMonitoringSettings`).

`manage.py load_reference` runs this with the rest of the reference data (registered by the app when it is ready:
calaim.workflows may not import this layer). A malformed file changes nothing; the error names the file, the
entry and the key.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.db import transaction

from calaim.careplans.models import OutreachMethod
from calaim.exchange.models import LoopMonitoringSettings, QimrTab
from calaim.exchange.qimr_template import TAB_COUNT, column_problem, duplicate_header
from calaim.plans.models import Plan
from calaim.plans.reference import ReferenceDataError, _entries, _Entry

REFERENCE_DIR = Path(__file__).with_name("reference")
QIMR_FILE = "qimr.yaml"
MONITORING_FILE = "monitoring.yaml"
_TAB_KEYS = {"tab", "name", "template_version", "confirmed", "effective_from", "effective_to", "version", "source"}
_SETTINGS_KEYS = {"plan", "effective_from", "effective_to", "version", "open_loop_age_days"}
# Each tab's options: name -> (type, required).
_OPTIONS: dict[int, dict[str, tuple[type, bool]]] = {
    1: {
        "merge_gap_days": (int, True),
        "default_discontinuation_code": (str, True),
        "in_person_methods": (list, True),
        "telephonic_methods": (list, True),
        "count_unsuccessful": (bool, True),
    },
    5: {"service_names": (dict, False)},
    6: {"internal_source_types": (list, True)},
}


def report_reference_load(directory: Path | None = None) -> dict[str, int]:
    """Load both files idempotently, in one transaction."""
    with transaction.atomic():
        return qimr_tabs_load(directory) | monitoring_settings_load(directory)


def qimr_tabs_load(directory: Path | None = None) -> dict[str, int]:
    entries, meta = _entries(directory or REFERENCE_DIR, QIMR_FILE, "tabs")
    version = str(meta.get("version", "2026.1"))
    seen: set[tuple[int, dt.date]] = set()
    rows = []
    for entry in entries:
        row = _tab(entry, version)
        key = (row["tab"], row["effective_from"])
        if key in seen:
            raise entry.fail("effective_from", f"tab {key[0]} from {key[1]} appears more than once")
        seen.add(key)
        rows.append(row)
    missing = sorted(set(range(1, TAB_COUNT + 1)) - {tab for tab, _ in seen})
    if missing:
        raise ReferenceDataError(f"{QIMR_FILE}: no entry for tab {', '.join(map(str, missing))}")
    with transaction.atomic():
        for row in rows:
            QimrTab.objects.update_or_create(tab=row.pop("tab"), effective_from=row.pop("effective_from"), defaults=row)
    return {"qimr_tabs": len(rows)}


def _tab(entry: _Entry, version: str) -> dict[str, Any]:
    entry.allow_only(_TAB_KEYS | {"columns", "options"})
    tab = entry.value("tab", int)
    if not 1 <= tab <= TAB_COUNT:
        raise entry.fail("tab", f"{tab} is not a QIMR tab (1 to {TAB_COUNT})")
    name = entry.text("name")
    if len(name) > 31 or any(c in name for c in "[]:*?/\\"):
        raise entry.fail("name", f"{name!r} is no sheet name: at most 31 characters, none of []:*?/\\")
    columns = entry.value("columns", list)
    if not columns:
        raise entry.fail("columns", "a tab has at least one column")
    for spec in columns:
        if problem := column_problem(tab, spec):
            raise entry.fail("columns", problem)
    if duplicate := duplicate_header(columns):
        raise entry.fail("columns", f"the header {duplicate!r} appears twice")
    start, end = entry.dates()
    return {
        "tab": tab,
        "effective_from": start,
        "effective_to": end,
        "name": name,
        "template_version": entry.text("template_version"),
        "confirmed": entry.value("confirmed", bool),
        "source": " ".join(entry.text("source", "").split()),
        "version": entry.text("version", version),
        "columns": columns,
        "options": _options(entry, tab),
    }


def _options(entry: _Entry, tab: int) -> dict[str, Any]:
    options = entry.value("options", dict, {})
    known = _OPTIONS.get(tab, {})
    for name, value in options.items():
        if name not in known:
            raise entry.fail("options", f"tab {tab} has no option {name!r}; it knows {', '.join(known) or 'none'}")
        kind, _ = known[name]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise entry.fail("options", f"option {name!r} must be a {kind.__name__}, got {value!r}")
    if missing := [name for name, (_, required) in known.items() if required and name not in options]:
        raise entry.fail("options", f"tab {tab} needs the option {missing[0]!r}")
    for name in ("in_person_methods", "telephonic_methods"):
        if unknown := [m for m in options.get(name, []) if m not in OutreachMethod.values]:
            raise entry.fail("options", f"{name}: {unknown[0]!r} is not an outreach method")
    if tab == 1 and options["merge_gap_days"] < 0:
        raise entry.fail("options", "merge_gap_days must not be negative")
    return dict(options)


def monitoring_settings_load(directory: Path | None = None) -> dict[str, int]:
    entries, meta = _entries(directory or REFERENCE_DIR, MONITORING_FILE, "settings")
    version = str(meta.get("version", "2026.1"))
    seen: set[tuple[str, dt.date]] = set()
    with transaction.atomic():
        for entry in entries:
            entry.allow_only(_SETTINGS_KEYS)
            code = entry.text("plan", "")
            plan = Plan.objects.filter(code=code).first() if code else None
            if code and plan is None:
                raise entry.fail("plan", f"no plan with code {code!r} (plans.yaml)")
            start, end = entry.dates()
            if (code, start) in seen:
                raise entry.fail("effective_from", f"{code or 'every plan'} from {start} appears more than once")
            seen.add((code, start))
            days = entry.value("open_loop_age_days", int)
            if not 1 <= days <= 3650:
                raise entry.fail("open_loop_age_days", f"{days} is not a number of days from 1 to 3650")
            LoopMonitoringSettings.objects.update_or_create(
                plan=plan,
                effective_from=start,
                defaults={"effective_to": end, "open_loop_age_days": days, "version": entry.text("version", version)},
            )
    return {"loop_monitoring_settings": len(entries)}
