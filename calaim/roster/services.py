"""Roster loads: record a file, preview it (a dry run), apply it. The command, the web app, the API and the tasks
all call these.

CONTRACT (the lead's stub; the apply step's author replaces the bodies, keeping the names and arguments)."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from calaim.accounts.models import User
from calaim.plans.models import Plan
from calaim.roster.models import LoadSource, RosterLoad
from calaim.roster.reader import Progress


def roster_load_create(
    *,
    actor: User | None,
    actor_label: str = "",
    plan: Plan,
    path: Path,
    file_name: str,
    as_of: dt.date,
    source: LoadSource,
    dry_run: bool = False,
    allow_mass_term: bool = False,
    accept_valid_rows: bool = False,
) -> RosterLoad:
    """Record a roster file offered for a plan and day (hash, size, who), status `uploaded`. Web and API callers
    must be the plan's data analysts (policies); `actor` None with `actor_label` is the command without --as."""
    raise NotImplementedError


def roster_load_preview(*, load_id: uuid.UUID, progress: Progress | None = None) -> RosterLoad:
    """Validate and diff without writing a member: status `previewed` (counts and samples set), `rejected`
    (errors, rejects file), `refused` (mass-term guard) or `duplicate` (same bytes applied before)."""
    raise NotImplementedError


def roster_load_apply(*, load_id: uuid.UUID, actor: User | None, progress: Progress | None = None) -> RosterLoad:
    """Validate again and apply in one transaction: status `applied`, or `rejected`/`refused`/`duplicate`/`failed`
    with nothing written; audit events per changed member; roster facts raised (consequences.facts_raise)."""
    raise NotImplementedError


def roster_load_cancel(*, load_id: uuid.UUID, actor: User) -> RosterLoad:
    """Cancel a load that is uploaded or previewed (not yet applying); its stored file is removed."""
    raise NotImplementedError
