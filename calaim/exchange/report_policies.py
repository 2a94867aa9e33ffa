"""Who may see the plan's state reports (the QIMR) and its closed-loop monitoring, answered as Verdicts.

Both show the plan's members and the work of every provider and referrer it deals with, so only the plan's own
staff who answer for its reporting see them: its compliance officers and data analysts, for their own plan. Any
other role is refused (403: provider staff, referrers and the plan's intake, UM and member services staff); another
plan's staff asking for this plan find nothing (404), so one plan's figures never reach another.
"""

from __future__ import annotations

from calaim.access.scopes import plan_of
from calaim.accounts.models import Role, User
from calaim.accounts.policies import plan_staff_in, role_in
from calaim.core.policy import ALLOWED, Verdict, first_refusal, out_of_scope
from calaim.plans.models import Plan

REPORT_ROLES = frozenset({Role.PLAN_COMPLIANCE, Role.PLAN_DATA_ANALYST})


def can_view_plan_reports(user: User, plan: Plan | None = None) -> Verdict:
    """The plan's compliance officers and data analysts see its reports; another role may not (403); another plan's
    staff, or anyone without a plan, do not see the plan (404)."""
    action = "see the plan's state reports and closed-loop monitoring"
    if plan is not None:
        return plan_staff_in(user, REPORT_ROLES, plan.pk, action)
    return first_refusal(
        lambda: role_in(user, REPORT_ROLES, action),
        lambda: ALLOWED if plan_of(user) is not None else out_of_scope(),
    )


def report_plan_of(user: User) -> Plan:
    """The plan whose reports the caller sees: their own plan, once `can_view_plan_reports` allows them."""
    can_view_plan_reports(user).enforce()
    plan_id = plan_of(user)
    assert plan_id is not None  # can_view_plan_reports: plan staff
    return Plan.objects.get(pk=plan_id)
