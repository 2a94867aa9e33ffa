"""Who may run identification on a plan's data and see or load its runs, answered as Verdicts.

A run reads the plan's whole membership and claims and can turn thousands of members into referrals, so only the
plan's own data analysts start runs, see them and load their candidates, and only for their own plan. To anyone
else (another role, another plan's analyst) the pages and runs do not exist: 404, so nothing about them leaks. A run
whose state does not allow a load now (not completed, or a load already under way) is a 409.
"""

from __future__ import annotations

from calaim.access.scopes import plan_of
from calaim.accounts.models import Role, User
from calaim.analytics.models import OPEN_LOAD_STATUSES, IdentificationRun, RunStatus
from calaim.core.policy import ALLOWED, Verdict, conflict, first_refusal, out_of_scope

ANALYST_ROLES = frozenset({Role.PLAN_DATA_ANALYST})


def can_run_identification(user: User | None) -> Verdict:
    """The plan's data analysts run identification on their plan's files; to anyone else there is no such page."""
    if user is None or plan_of(user) is None or user.role not in ANALYST_ROLES:
        return out_of_scope("No identification runs in your scope.")
    return ALLOWED


def can_view_identification_run(user: User | None, run: IdentificationRun) -> Verdict:
    """One run: to anyone but its plan's data analysts it does not exist (404)."""
    if not can_run_identification(user) or plan_of(user) != run.plan_id:
        return out_of_scope("No identification run with this id in your scope.")
    return ALLOWED


def can_load_identification_candidates(user: User | None, run: IdentificationRun) -> Verdict:
    """A completed run's candidates are loaded as referrals by its plan's data analysts, one load at a time."""
    return first_refusal(
        lambda: can_view_identification_run(user, run),
        lambda: (
            ALLOWED
            if run.status == RunStatus.COMPLETED
            else conflict(f"Only a completed run's candidates can be loaded; this run is {run.status}.")
        ),
        lambda: (
            conflict("A load of this run's candidates is already under way; wait for it to finish.")
            if run.loads.filter(status__in=OPEN_LOAD_STATUSES).exists()
            else ALLOWED
        ),
    )
