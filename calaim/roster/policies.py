"""Who may load a plan's roster and who may see its loads, answered as Verdicts.

A roster load replaces what calaim knows of every member of a plan (identity, enrollment, programs, delegation), so
only the plan's own data analysts load it, and only for their own plan. The plan's data analysts and compliance
officers see that plan's loads (what changed, who loaded it); nobody else does, and to anyone else a load does not
exist (404). A role that may see a load but not act on it (compliance) gets 403 on the action; a load whose state
does not allow the action now gets 409.
"""

from __future__ import annotations

from calaim.access.scopes import plan_of
from calaim.accounts.models import Role, User
from calaim.accounts.policies import plan_staff_in, role_in
from calaim.core.policy import ALLOWED, Verdict, conflict, first_refusal, out_of_scope
from calaim.plans.models import Plan
from calaim.roster.models import LoadStatus, RosterLoad

LOADING_ROLES = frozenset({Role.PLAN_DATA_ANALYST})
VIEWING_ROLES = frozenset({Role.PLAN_DATA_ANALYST, Role.PLAN_COMPLIANCE})
# A load can be cancelled until its apply step starts; after that it runs to its end (all or nothing).
CANCELLABLE = frozenset({LoadStatus.UPLOADED, LoadStatus.PREVIEWED})


def can_load_roster(user: User, plan: Plan) -> Verdict:
    """The plan's data analysts upload and load its roster; another role may not (403), another plan's analyst
    does not see the plan (404)."""
    return plan_staff_in(user, LOADING_ROLES, plan.pk, "load the plan's roster")


def can_view_roster_loads(user: User) -> Verdict:
    """The history of roster loads: the plan's data analysts and compliance officers (any other role: 403)."""
    return first_refusal(
        lambda: role_in(user, VIEWING_ROLES, "see the plan's roster loads"),
        lambda: ALLOWED if plan_of(user) is not None else out_of_scope(),
    )


def can_view_roster_load(user: User, load: RosterLoad) -> Verdict:
    """One load: to anyone but its plan's data analysts and compliance officers it does not exist (404)."""
    if user.role in VIEWING_ROLES and plan_of(user) == load.plan_id:
        return ALLOWED
    return out_of_scope()


def _acting_on(user: User, load: RosterLoad, action: str) -> Verdict:
    return first_refusal(
        lambda: can_view_roster_load(user, load),
        lambda: role_in(user, LOADING_ROLES, action),
    )


def can_apply_roster_load(user: User, load: RosterLoad) -> Verdict:
    """A previewed load is applied by one of its plan's data analysts, once."""
    return first_refusal(
        lambda: _acting_on(user, load, "apply a roster"),
        lambda: _refused_by_guard(load),
        lambda: ALLOWED if load.status == LoadStatus.PREVIEWED else conflict(_not_now(load, "applied")),
        lambda: ALLOWED if load.confirmed_by_id is None else conflict("This roster is already being applied."),
    )


def can_cancel_roster_load(user: User, load: RosterLoad) -> Verdict:
    """A load is cancelled by one of its plan's data analysts until its apply step starts."""
    return first_refusal(
        lambda: _acting_on(user, load, "cancel a roster load"),
        lambda: ALLOWED if load.status in CANCELLABLE else conflict(_not_now(load, "cancelled")),
        lambda: ALLOWED if load.confirmed_by_id is None else conflict("This roster is already being applied."),
    )


def can_rerun_allowing_mass_term(user: User, load: RosterLoad) -> Verdict:
    """A load refused by the mass-termination guard is run again, allowing it, by one of the plan's analysts."""
    return first_refusal(
        lambda: _acting_on(user, load, "run a roster load again"),
        lambda: ALLOWED if load.status == LoadStatus.REFUSED else conflict(_not_now(load, "run again")),
    )


def can_download_rejects(user: User, load: RosterLoad) -> Verdict:
    """The rejected rows' file is shown to whoever may see the load, while it is kept."""
    return first_refusal(
        lambda: can_view_roster_load(user, load),
        lambda: ALLOWED if load.rejects_path else out_of_scope("This load has no rejected rows to download."),
    )


def _refused_by_guard(load: RosterLoad) -> Verdict:
    if load.status != LoadStatus.REFUSED:
        return ALLOWED
    return conflict(
        "The mass-termination guard refused this file: it would term too many of the plan's members. Check that it "
        "is the plan's complete roster, then run it again allowing mass termination."
    )


def _not_now(load: RosterLoad, what: str) -> str:
    return f"This roster load cannot be {what} now: it is {load.get_status_display().lower()}."
