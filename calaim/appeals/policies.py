"""Who may file, extend, resolve and withdraw appeals and grievances, and when; answered as Verdicts.

Member services and the plan's appeals coordinator file for the member; provider staff file an appeal on the
member's behalf for a member in their caseload; only the appeals coordinator extends and resolves; compliance
reads (calaim.appeals.selectors). The object is already scoped to the caller when a policy is asked.
"""

from __future__ import annotations

from calaim.access.scopes import member_visible
from calaim.accounts.models import PROVIDER_ROLES, Role, User
from calaim.accounts.policies import plan_staff_in, role_in
from calaim.appeals.models import OPEN_APPEAL, OPEN_GRIEVANCE, Appeal, AppealStatus, Grievance
from calaim.authorizations.models import NoticeOfAction
from calaim.core.policy import ALLOWED, Verdict, conflict, first_refusal, out_of_scope
from calaim.members.models import Member

FILING_ROLES = frozenset({Role.MEMBER_SERVICES, Role.PLAN_APPEALS})
APPEALS_COORDINATOR = frozenset({Role.PLAN_APPEALS})
# Who reads the plan's appeals and grievances (provider staff read the appeals their organization filed).
READING_ROLES = frozenset({Role.PLAN_APPEALS, Role.MEMBER_SERVICES, Role.PLAN_COMPLIANCE})


def can_file_appeal(user: User, notice: NoticeOfAction) -> Verdict:
    """Member services or the coordinator of the member's plan, or provider staff for a member in their caseload;
    a notice has one plan appeal (a withdrawn one may be filed again)."""
    if user.is_provider_staff:
        who = first_refusal(
            lambda: role_in(user, PROVIDER_ROLES, "file appeals"),
            lambda: ALLOWED if member_visible(user, notice.member_id) else out_of_scope(),
        )
    else:
        who = plan_staff_in(user, FILING_ROLES, notice.member.plan_id, "file appeals")
    return first_refusal(
        lambda: who,
        lambda: (
            conflict("This notice already has an appeal; after its resolution the member may ask for a hearing.")
            if notice.appeals.exclude(status=AppealStatus.WITHDRAWN).exists()
            else ALLOWED
        ),
    )


def _open(appeal: Appeal) -> Verdict:
    return ALLOWED if appeal.status in OPEN_APPEAL else conflict(f"This appeal is {appeal.get_status_display()}.")


def can_extend_appeal(user: User, appeal: Appeal) -> Verdict:
    """The coordinator extends an open appeal once."""
    return first_refusal(
        lambda: plan_staff_in(user, APPEALS_COORDINATOR, appeal.member.plan_id, "extend appeals"),
        lambda: _open(appeal),
        lambda: ALLOWED if appeal.extended_at is None else conflict("This appeal has already had its one extension."),
    )


def can_resolve_appeal(user: User, appeal: Appeal) -> Verdict:
    """The coordinator resolves an open appeal."""
    return first_refusal(
        lambda: plan_staff_in(user, APPEALS_COORDINATOR, appeal.member.plan_id, "resolve appeals"),
        lambda: _open(appeal),
    )


def can_withdraw_appeal(user: User, appeal: Appeal) -> Verdict:
    """The member withdraws an open appeal through member services or the coordinator."""
    return first_refusal(
        lambda: plan_staff_in(user, FILING_ROLES, appeal.member.plan_id, "withdraw appeals"),
        lambda: _open(appeal),
    )


def can_file_grievance(user: User, member: Member) -> Verdict:
    """Member services or the coordinator of the member's plan record a grievance."""
    return plan_staff_in(user, FILING_ROLES, member.plan_id, "file grievances")


def can_resolve_grievance(user: User, grievance: Grievance) -> Verdict:
    """The coordinator resolves an open grievance."""
    return first_refusal(
        lambda: plan_staff_in(user, APPEALS_COORDINATOR, grievance.member.plan_id, "resolve grievances"),
        lambda: (
            ALLOWED
            if grievance.status in OPEN_GRIEVANCE
            else conflict(f"This grievance is {grievance.get_status_display()}.")
        ),
    )
