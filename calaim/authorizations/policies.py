"""Who may decide, extend or renew an authorization request, and when; answered as Verdicts."""

from __future__ import annotations

from calaim.accounts.models import PROVIDER_ROLES, Role, User
from calaim.accounts.policies import UM_ROLES, plan_staff_in, role_in
from calaim.authorizations.models import APPROVED, UNDECIDED, AuthorizationKind, AuthorizationRequest
from calaim.core.policy import ALLOWED, Verdict, conflict, first_refusal

REAUTHORIZING_ROLES = PROVIDER_ROLES | {Role.PLAN_INTAKE, Role.PLAN_UM}


def can_decide(user: User, authorization: AuthorizationRequest) -> Verdict:
    """The plan's UM reviewers decide an undecided request of their own plan."""
    return first_refusal(
        lambda: plan_staff_in(user, UM_ROLES, authorization.member.plan_id, "decide authorizations"),
        lambda: (
            ALLOWED
            if authorization.status in UNDECIDED
            else conflict(f"This request was already decided ({authorization.get_status_display()}).")
        ),
    )


def can_extend(user: User, authorization: AuthorizationRequest) -> Verdict:
    """The plan's UM reviewers extend an undecided request once."""
    return first_refusal(
        lambda: plan_staff_in(user, UM_ROLES, authorization.member.plan_id, "extend authorization decisions"),
        lambda: (
            ALLOWED if authorization.status in UNDECIDED else conflict("Only an undecided request can be extended.")
        ),
        lambda: (
            ALLOWED
            if authorization.extended_at is None
            else conflict("This request has already had its one extension.")
        ),
    )


def can_reauthorize(user: User, authorization: AuthorizationRequest) -> Verdict:
    """Providers and plan intake or UM ask to continue past an approved (not presumptive) period, once."""
    return first_refusal(
        lambda: role_in(user, REAUTHORIZING_ROLES, "request re-authorization"),
        lambda: (
            ALLOWED
            if authorization.status in APPROVED and authorization.kind != AuthorizationKind.PRESUMPTIVE
            else conflict("Only an approved (not presumptive) authorization can be renewed.")
        ),
        lambda: (
            conflict("A re-authorization for this period is already open or approved.")
            if authorization.renewals.filter(status__in=[*UNDECIDED, *APPROVED]).exists()
            else ALLOWED
        ),
    )
