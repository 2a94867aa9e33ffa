"""What a roster load's page shows, in plain words: its status, its progress, the counts by kind of change, sample
members of each kind with each field before and after, and the rejected rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from calaim.accounts.models import User
from calaim.members.models import Member
from calaim.roster.models import LoadStatus, RosterLoad
from calaim.roster.policies import (
    can_apply_roster_load,
    can_cancel_roster_load,
    can_download_rejects,
    can_rerun_allowing_mass_term,
)
from calaim.roster.selectors import load_cins, roster_sample_members
from calaim.roster.tasks import LoadProgress, roster_load_progress

RUNNING = frozenset({LoadStatus.UPLOADED, LoadStatus.PREVIEWING, LoadStatus.APPLYING})
# The most rejected rows a page lists; the rejects file has them all.
REJECTS_SHOWN = 200
# A load still waiting for the worker after this long says so, and what to check; so does a running step that has
# reported no progress for the longer while (a large roster's last statements report none for a minute or more).
WORKER_PATIENCE = dt.timedelta(minutes=2)
PROGRESS_PATIENCE = dt.timedelta(minutes=10)

COUNTS = (
    ("rows_read", "Rows read"),
    ("created", "New members"),
    ("updated", "Members updated"),
    ("unchanged", "Members unchanged"),
    ("termed", "Members termed (absent from the file)"),
    ("moved", "Members moved from another plan"),
    ("excluded", "Members entering an excluding program"),
    ("dsnp", "Members enrolling in a D-SNP"),
    ("delegated", "Members delegated"),
    ("rejected", "Rows rejected"),
)
KINDS = {
    "created": "New members",
    "updated": "Members updated",
    "termed": "Members termed",
    "moved": "Members moved from another plan",
    "excluded": "Members entering an excluding program",
    "dsnp": "Members enrolling in a D-SNP",
    "delegated": "Members delegated",
}
# A new member's CIN and name have their own columns.
NAMED_ELSEWHERE = frozenset({"cin", "first_name", "last_name"})
FIELDS = {
    "cin": "CIN",
    "pcp_organization": "PCP organization",
    "race_ethnicity": "Race or ethnicity",
    "birth_date": "Born",
    "dsnp": "D-SNP",
    "ccs_enrolled": "CCS",
    "pcp_npi": "PCP NPI",
    "pcp_name": "PCP",
    "bh_provider_npi": "Behavioral health provider NPI",
    "bh_provider_name": "Behavioral health provider",
    "other_programs": "Programs",
    "delegated_to": "Delegated to",
    "homeless_flag": "Experiencing homelessness",
    "experiencing_homelessness": "Experiencing homelessness",
    "zip_code": "ZIP code",
    "address_line": "Address",
    "plan_code": "Plan",
    "end_date": "Enrollment ends",
    "enrollment_end": "Enrollment ends",
    "enrollment_start": "Enrollment starts",
}
STATUS_SENTENCES = {
    LoadStatus.UPLOADED: "Waiting for the background worker to check the file. Nothing has changed.",
    LoadStatus.PREVIEWING: "Checking the file and working out what it would change. Nothing has changed yet.",
    LoadStatus.PREVIEWED: "Nothing has changed yet. Read what this roster would change, then apply it or cancel.",
    LoadStatus.APPLYING: "Applying the roster. It applies all at once: members change when it finishes.",
    LoadStatus.APPLIED: "Applied: the members below were changed.",
    LoadStatus.DRY_RUN: "A dry run from the command line: nothing was changed.",
    LoadStatus.REJECTED: "The file has errors, so nothing was changed. Correct the rows below and upload the file "
    "again, or upload it with “Accept the valid rows” ticked.",
    LoadStatus.REFUSED: "Refused: this file would term more of the plan's members than a roster load may. "
    "Nothing was changed. A truncated or partial extract looks like this.",
    LoadStatus.DUPLICATE: "This exact file was loaded before, so nothing was changed.",
    LoadStatus.CANCELLED: "Cancelled: nothing was changed.",
    LoadStatus.FAILED: "The load failed and nothing was changed.",
}


def label(name: str) -> str:
    return FIELDS.get(name) or name.replace("_", " ").capitalize()


def shown(value: Any) -> str:
    """A value as the page prints it: empty as "(blank)", none as "(none)", flags as Yes and No."""
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return "; ".join(shown(item) for item in value) or "(none)"
    return str(value) if str(value) != "" else "(blank)"


@dataclass
class SampleRow:
    cin: str
    name: str
    member: Member | None
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (field, before, after)
    facts: list[tuple[str, str]] = field(default_factory=list)  # (what, value): end date, program, delegate


def _sample_row(row: dict[str, Any], members: dict[str, Member], *, created: bool) -> SampleRow:
    """A member's row: a new member's values as the file gives them; anyone else's fields before and after."""
    cin = str(row.get("cin") or "")
    sample = SampleRow(cin=cin, name=str(row.get("name") or ""), member=members.get(cin))
    changes = row.get("changes") or {}
    if isinstance(changes, dict):
        for name, pair in changes.items():
            before, after = pair if isinstance(pair, list | tuple) and len(pair) == 2 else (None, pair)
            if created:
                if name not in NAMED_ELSEWHERE and after not in (None, "", []):
                    sample.facts.append((label(name), shown(after)))
            elif name != "cin":
                sample.changes.append((label(name), shown(before), shown(after)))
    for key, value in row.items():
        if key not in {"cin", "name", "changes", "member_id"}:
            sample.facts.append((label(key), shown(value)))
    return sample


def sample_tables(load: RosterLoad, members: dict[str, Member]) -> list[dict[str, Any]]:
    """One table per kind of change with rows, the known kinds first in a fixed order."""
    samples = load.samples or {}
    kinds = [kind for kind in KINDS if samples.get(kind)] + sorted(k for k in samples if k not in KINDS)
    counts = load.counts or {}
    return [
        {
            "kind": kind,
            "title": KINDS.get(kind, label(kind)),
            "count": counts.get(kind, len(samples[kind])),
            "rows": [
                _sample_row(row, members, created=kind == "created") for row in samples[kind] if isinstance(row, dict)
            ],
        }
        for kind in kinds
        if samples.get(kind)
    ]


def running(load: RosterLoad) -> bool:
    """Whether the page should keep watching: a step is waiting or running (an apply confirmed but not started)."""
    return load.status in RUNNING or (load.status == LoadStatus.PREVIEWED and load.confirmed_by_id is not None)


def load_context(user: User, load: RosterLoad) -> dict[str, Any]:
    """Everything the load's page and its polled status part show."""
    is_running = running(load)
    counts = load.counts or {}
    context: dict[str, Any] = {
        "load": load,
        "running": is_running,
        "sentence": STATUS_SENTENCES.get(LoadStatus(load.status), ""),
        "progress": _progress(load) if is_running else None,
        "stalled": _stalled(load) if is_running else "",
        "counts": [(text, counts[key]) for key, text in COUNTS if key in counts],
        "guard": {
            "termed": counts.get("termed"),
            "enrolled": counts.get("enrolled_before"),
            "percent": counts.get("term_percent"),
        },
        "rejected_by_reason": sorted((counts.get("rejected_by_reason") or {}).items(), key=lambda kv: -kv[1]),
        "may_apply": can_apply_roster_load(user, load),
        "may_cancel": can_cancel_roster_load(user, load),
        "may_rerun": can_rerun_allowing_mass_term(user, load),
        "may_download_rejects": can_download_rejects(user, load),
        "tables": [],
        "errors": [],
    }
    if not is_running:
        members = roster_sample_members(user, load_cins(load))  # a read of these members: the PHI log has it
        context["tables"] = sample_tables(load, members)
        context["errors"] = list(load.errors or [])[:REJECTS_SHOWN]
    return context


def _stalled(load: RosterLoad) -> str:
    """Why the page should say the load seems stuck ("" when it does not): the worker has not taken it, or its step
    has reported nothing for long."""
    now = timezone.now()
    if load.status == LoadStatus.UPLOADED and now - load.created_at > WORKER_PATIENCE:
        return "The background worker has not started on this file yet."
    if load.status == LoadStatus.PREVIEWED and now - load.updated_at > WORKER_PATIENCE:
        return "The background worker has not started applying this roster yet."
    if load.status in (LoadStatus.PREVIEWING, LoadStatus.APPLYING):
        last = roster_load_progress(load).at or load.started_at or load.updated_at
        if now - last > PROGRESS_PATIENCE:
            return f"No progress reported for {int((now - last).total_seconds() // 60)} minutes."
    return ""


def _progress(load: RosterLoad) -> LoadProgress:
    progress = roster_load_progress(load)
    if not progress.phase:
        waiting = "Waiting for the worker" if load.status == LoadStatus.UPLOADED else "Starting"
        return LoadProgress(waiting, 0, 0, None)
    return progress
