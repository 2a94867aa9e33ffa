"""Who may act on a member's ECM enrollment, and when; answered as Verdicts.

Provider staff act on the enrollments of their own organization (its caseload, `calaim.ecm.selectors.
provider_caseload`); another organization's staff get 404, as if the enrollment did not exist. Plan staff act by
role on their own plan's members.
"""

from __future__ import annotations

from calaim.accounts.models import PROVIDER_ROLES, Role, User
from calaim.accounts.policies import MEMBER_CHANGE_ROLES, plan_staff_in, provider_staff_of, role_in
from calaim.core.policy import ALLOWED, Verdict, conflict, first_refusal, out_of_scope
from calaim.ecm.models import ACTIVE_ENROLLMENT_STATUSES, Enrollment, EnrollmentStatus

ENROLLING_ROLES = frozenset({Role.PLAN_INTAKE})
# The provider's supervisor names (and changes) a member's Lead Care Manager; care managers work the caseload.
LEAD_CARE_MANAGER_ROLES = frozenset({Role.PROVIDER_SUPERVISOR})


def serves(user: User, enrollment: Enrollment) -> bool:
    """The user is staff of the enrollment's ECM provider: the caseload rule, for one enrollment."""
    return user.is_provider_staff and user.organization_id == enrollment.provider_id


def _acting_on(user: User, enrollment: Enrollment, plan_roles: frozenset[str], action: str) -> Verdict:
    """Staff of the enrollment's provider, or plan staff of the member's plan with one of `plan_roles`."""
    if user.role in PROVIDER_ROLES:
        return ALLOWED if serves(user, enrollment) else out_of_scope()
    return plan_staff_in(user, plan_roles, enrollment.member.plan_id, action)


def is_current(enrollment: Enrollment) -> Verdict:
    if enrollment.status in ACTIVE_ENROLLMENT_STATUSES:
        return ALLOWED
    return conflict(f"This ECM enrollment has ended ({enrollment.get_status_display()}).")


def can_enroll(user: User, enrollment: Enrollment) -> Verdict:
    """The provider (or plan intake) records that the assigned member agreed to ECM."""
    return first_refusal(
        lambda: _acting_on(user, enrollment, ENROLLING_ROLES, "enroll members"),
        lambda: is_current(enrollment),
        lambda: (
            ALLOWED if enrollment.status == EnrollmentStatus.ASSIGNED else conflict("The member is already enrolled.")
        ),
    )


def can_change_provider(user: User, enrollment: Enrollment) -> Verdict:
    """The provider, plan intake or member services move the member to another ECM provider."""
    return first_refusal(
        lambda: _acting_on(user, enrollment, MEMBER_CHANGE_ROLES, "change ECM providers"),
        lambda: is_current(enrollment),
    )


def can_end_ecm(user: User, enrollment: Enrollment) -> Verdict:
    """The provider, plan intake or member services end ECM (an opt-out at any time included)."""
    return first_refusal(
        lambda: _acting_on(user, enrollment, MEMBER_CHANGE_ROLES, "end ECM"),
        lambda: is_current(enrollment),
    )


def can_assign_lead_care_manager(user: User, enrollment: Enrollment) -> Verdict:
    """The provider's supervisor names the Lead Care Manager from its own staff (a care manager: 403)."""
    return first_refusal(
        lambda: provider_staff_of(user, enrollment.provider_id, "assign Lead Care Managers"),
        lambda: role_in(user, LEAD_CARE_MANAGER_ROLES, "assign Lead Care Managers"),
        lambda: is_current(enrollment),
    )


def can_record_languages(user: User, manager: User) -> Verdict:
    """The provider's supervisor records the languages of its own active care staff (another organization: 404)."""
    return first_refusal(
        lambda: provider_staff_of(user, manager.organization_id, "record care managers' languages"),
        lambda: role_in(user, LEAD_CARE_MANAGER_ROLES, "record care managers' languages"),
        lambda: ALLOWED if manager.is_active and manager.role in PROVIDER_ROLES else out_of_scope(),
    )
