"""Who may record outreach, keep the care team, write the care plan and work tasks; answered as Verdicts.

The member's assigned ECM provider does the care work (its caseload: `calaim.ecm.selectors.provider_caseload`);
another organization's staff get 404. Plan intake and member services may keep the care team too.
"""

from __future__ import annotations

from calaim.accounts.models import PROVIDER_ROLES, Role, User
from calaim.accounts.policies import plan_staff_in, provider_staff_of
from calaim.careplans.models import OPEN_TASK_STATUSES, CarePlan, Task
from calaim.core.policy import ALLOWED, Verdict, conflict, first_refusal, out_of_scope
from calaim.ecm.models import ACTIVE_ENROLLMENT_STATUSES, Enrollment
from calaim.ecm.policies import serves
from calaim.ecm.selectors import in_caseload
from calaim.members.models import Member

CARE_TEAM_PLAN_ROLES = frozenset({Role.PLAN_INTAKE, Role.MEMBER_SERVICES})


def _enrollment_current(enrollment: Enrollment) -> Verdict:
    return ALLOWED if enrollment.status in ACTIVE_ENROLLMENT_STATUSES else conflict("This ECM enrollment has ended.")


def can_record_outreach(user: User, enrollment: Enrollment) -> Verdict:
    """Staff of the member's assigned provider record outreach while the enrollment is current."""
    return first_refusal(
        lambda: ALLOWED if serves(user, enrollment) else out_of_scope(),
        lambda: _enrollment_current(enrollment),
    )


def can_add_task(user: User, enrollment: Enrollment) -> Verdict:
    """Staff of the member's assigned provider add tasks while the enrollment is current."""
    return can_record_outreach(user, enrollment)


def can_work_task(user: User, task: Task) -> Verdict:
    """Staff of the task's organization start, complete or cancel it while it is open."""
    return first_refusal(
        lambda: (
            ALLOWED if user.role in PROVIDER_ROLES and user.organization_id == task.organization_id else out_of_scope()
        ),
        lambda: (
            ALLOWED
            if task.status in OPEN_TASK_STATUSES
            else conflict(f"This task is already {task.get_status_display().lower()}.")
        ),
    )


def can_change_care_team(user: User, member: Member) -> Verdict:
    """Staff of the member's assigned provider, or plan intake and member services of the member's plan."""
    if user.role in PROVIDER_ROLES:
        return ALLOWED if in_caseload(user.organization_id, member.pk) else out_of_scope()
    return plan_staff_in(user, CARE_TEAM_PLAN_ROLES, member.plan_id, "change the care team")


def can_write_care_plan(user: User, organization_id: object, enrollment: Enrollment | None = None) -> Verdict:
    """Staff of the provider that owns the plan, while its ECM enrollment is current."""
    return first_refusal(
        lambda: provider_staff_of(user, organization_id, "change a care plan"),
        lambda: (
            ALLOWED
            if enrollment is None or enrollment.status in ACTIVE_ENROLLMENT_STATUSES
            else conflict(
                f"This ECM enrollment has ended ({enrollment.get_status_display()}); its care plan is read-only."
            )
        ),
    )


def can_edit_care_plan(user: User, plan: CarePlan) -> Verdict:
    return can_write_care_plan(user, plan.organization_id, plan.enrollment)
