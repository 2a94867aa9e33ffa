"""Who may record long-term care facts and work a ride, answered as Verdicts.

Plan intake, UM and member services record a member's facility stays and PASRR (their own plan's members; another
plan's: 404). A Physician Certification Statement may also be recorded by the member's ECM provider, whose care
managers arrange the rides. A ride's mode is set by staff of the task's organization while the task is open.
"""

from __future__ import annotations

from typing import Any, Protocol

from calaim.accounts.models import PLAN_ROLES, PROVIDER_ROLES, Role, User
from calaim.accounts.policies import plan_staff_in
from calaim.core.policy import ALLOWED, Verdict, conflict, out_of_scope
from calaim.ecm.selectors import in_caseload
from calaim.members.models import Member

LTC_RECORD_ROLES = frozenset({Role.PLAN_INTAKE, Role.PLAN_UM, Role.MEMBER_SERVICES})
OPEN_TASK = ("requested", "in-progress")


class TaskLike(Protocol):
    """What a ride's policy reads of a care-plan task (calaim.careplans sits above this app)."""

    pk: Any
    member_id: Any
    organization_id: Any
    kind: Any
    status: Any


def can_view_ltc(user: User) -> Verdict:
    """The long-term care page is plan staff's: every plan role reads it for their own plan."""
    return ALLOWED if user.is_plan_staff and user.role in PLAN_ROLES else out_of_scope()


def can_record_stay(user: User, member: Member) -> Verdict:
    """Plan intake, UM and member services of the member's plan record stays and discharges."""
    return plan_staff_in(user, LTC_RECORD_ROLES, member.plan_id, "record long-term care stays")


def can_record_pasrr(user: User, member: Member) -> Verdict:
    return plan_staff_in(user, LTC_RECORD_ROLES, member.plan_id, "record PASRR screenings")


def can_record_pcs(user: User, member: Member) -> Verdict:
    """Those who record stays, or staff of the member's ECM provider (who arrange the member's rides)."""
    if user.role in PROVIDER_ROLES:
        return ALLOWED if in_caseload(user.organization_id, member.pk) else out_of_scope()
    return plan_staff_in(user, LTC_RECORD_ROLES, member.plan_id, "record Physician Certification Statements")


def can_set_ride(user: User, task: TaskLike) -> Verdict:
    """Staff of the task's organization say how its ride travels while the task is open."""
    if user.role not in PROVIDER_ROLES or user.organization_id != task.organization_id:
        return out_of_scope()
    return ALLOWED if task.status in OPEN_TASK else conflict("This task is no longer open.")
