"""Who may decide, extend or renew an authorization request, and when; answered as Verdicts."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from calaim.accounts.models import PROVIDER_ROLES, Role, User
from calaim.accounts.policies import UM_ROLES, plan_staff_in, role_in
from calaim.authorizations.clocks import is_overdue
from calaim.authorizations.models import APPROVED, UNDECIDED, AuthorizationKind, AuthorizationRequest
from calaim.core.clock import local_date
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


def can_extend(user: User, authorization: AuthorizationRequest, now: dt.datetime | None = None) -> Verdict:
    """The plan's UM reviewers extend an undecided request once, before its due time."""
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
        lambda: _not_overdue(authorization, now or timezone.now()),
    )


def _not_overdue(authorization: AuthorizationRequest, now: dt.datetime) -> Verdict:
    """An extension must be taken while time remains (42 CFR 438.210(d)): once the due time has passed, the
    decision is late, and extending it would hide that; undecided at its ceiling, it is denied by operation of
    law (42 CFR 438.404(c)(5))."""
    if not is_overdue(authorization.due_at, now):
        return ALLOWED
    due, ceiling = local_date(authorization.due_at), local_date(authorization.ceiling_at)
    refused = f"This request was due {due:%B %d, %Y} and is already overdue, so it can no longer be extended."
    if is_overdue(authorization.ceiling_at, now):
        return conflict(f"{refused} Its time ran out on {ceiling:%B %d, %Y}: it is denied by operation of law.")
    return conflict(
        f"{refused} Decide it now (it is recorded as decided late); still undecided at the end of "
        f"{ceiling:%B %d, %Y}, it is denied by operation of law, with a Notice of Action to the member."
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
