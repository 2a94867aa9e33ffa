"""What a provider file's load report shows, in plain words: its status, its progress while it runs, the counts of
what it did, and the rejected rows with their row, column, value and reason; and the member record's section of what
providers reported (Lead Care Manager, acuity, milestones, encounters)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from calaim.accounts.models import User
from calaim.exchange.models import FINISHED_STATUSES, ExchangeLoad, LoadStatus
from calaim.exchange.policies import can_download_load_rejects
from calaim.exchange.selectors import (
    ERRORS_SHOWN,
    encounter_counts_of,
    error_cin,
    exchange_load_members,
    load_progress,
    provider_reports_of,
)
from calaim.members.models import Member

# A load still waiting for the worker after this long says so, and what to check.
WORKER_PATIENCE = dt.timedelta(minutes=2)

COUNTS = (
    ("rows_read", "Rows read"),
    ("applied", "Rows applied"),
    ("unchanged", "Rows already on record (nothing new)"),
    ("rejected", "Rows rejected"),
    ("loop_steps", "Closed-loop statuses recorded"),
    ("enrolled", "Members enrolled"),
    ("discontinued", "Enrollments ended"),
    ("reports", "Lead Care Manager and milestone reports"),
    ("contact_updates", "Contact updates for member services"),
    ("encounter_counts", "Encounter counts"),
    ("attempts", "Outreach attempts recorded"),
)
STATUS_SENTENCES = {
    LoadStatus.UPLOADED: "Waiting for the background worker to read the file. Nothing has changed.",
    LoadStatus.RUNNING: "Reading, checking and applying the file. It applies all at once, when it finishes.",
    LoadStatus.APPLIED: "Applied: what the file reported is on record.",
    LoadStatus.NOTHING_NEW: "Nothing new: this file has no row that was not already on record, so nothing changed.",
    LoadStatus.REJECTED: "The file has errors, so nothing was changed. Correct the rows below and send the file "
    "again, or send it with “Accept the valid rows” ticked.",
    LoadStatus.DUPLICATE: "This exact file was loaded before, so nothing was changed.",
    LoadStatus.FAILED: "The load failed and nothing was changed.",
}


def running(load: ExchangeLoad) -> bool:
    """Whether the page should keep watching: the load is waiting for the worker or being applied."""
    return load.status not in FINISHED_STATUSES


def _stalled(load: ExchangeLoad) -> str:
    if load.status == LoadStatus.UPLOADED and timezone.now() - load.created_at > WORKER_PATIENCE:
        return "The background worker has not started on this file yet."
    return ""


def load_context(user: User, load: ExchangeLoad) -> dict[str, Any]:
    """Everything the load's report and its polled status part show."""
    is_running = running(load)
    counts = load.counts or {}
    context: dict[str, Any] = {
        "load": load,
        "running": is_running,
        "sentence": STATUS_SENTENCES.get(LoadStatus(load.status), ""),
        "progress": load_progress(load) if is_running else None,
        "stalled": _stalled(load) if is_running else "",
        "counts": [(text, counts[key]) for key, text in COUNTS if key in counts],
        "elapsed": counts.get("elapsed_seconds"),
        "rejected_by_reason": sorted((counts.get("rejected_by_reason") or {}).items(), key=lambda kv: -kv[1]),
        "may_download_rejects": bool(can_download_load_rejects(user, load)),
        "errors": [],
    }
    if not is_running:
        members = exchange_load_members(user, load)  # the members its rows name: on the PHI read log
        context["errors"] = [
            {**error, "member": members.get(error_cin(error))}
            for error in (load.errors or [])[:ERRORS_SHOWN]
            if isinstance(error, dict)
        ]
    return context


def provider_reports_section(user: User, member: Member) -> dict[str, Any]:
    """The member record's section: each enrollment's latest provider report and the encounters reported."""
    return {"reports": provider_reports_of(user, member), "encounter_counts": encounter_counts_of(user, member)}
