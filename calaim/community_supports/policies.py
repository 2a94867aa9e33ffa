"""Who may record a delivery, close a request or reassign a delegated member, and when; answered as Verdicts."""

from __future__ import annotations

from calaim.accounts.models import PROVIDER_ROLES, Role, User
from calaim.accounts.policies import plan_staff_in
from calaim.community_supports.models import CS_OPEN_STATUSES, CsRequest, CsRequestStatus
from calaim.core.policy import ALLOWED, Verdict, conflict, first_refusal, out_of_scope
from calaim.members.models import Member

DELIVERY_STATUSES = (CsRequestStatus.AUTHORIZED, CsRequestStatus.IN_SERVICE)
CLOSING_PLAN_ROLES = frozenset({Role.PLAN_INTAKE, Role.MEMBER_SERVICES})
REASSIGNING_ROLES = frozenset({Role.MEMBER_SERVICES, Role.PLAN_INTAKE})


def provides(user: User, request: CsRequest) -> bool:
    """The user is staff of the CS provider the request is assigned to."""
    return (
        user.role in PROVIDER_ROLES and request.provider_id is not None and user.organization_id == request.provider_id
    )


def can_record_delivery(user: User, request: CsRequest) -> Verdict:
    """The assigned CS provider records services delivered on an authorized request."""
    return first_refusal(
        lambda: ALLOWED if provides(user, request) else out_of_scope(),
        lambda: (
            ALLOWED
            if request.status in DELIVERY_STATUSES
            else conflict(f"Deliveries are recorded for authorized requests; this one is {request.status}.")
        ),
    )


def can_close_request(user: User, request: CsRequest) -> Verdict:
    """The assigned CS provider, or plan intake and member services, close an open request."""
    return first_refusal(
        lambda: (
            (ALLOWED if provides(user, request) else out_of_scope())
            if user.role in PROVIDER_ROLES
            else plan_staff_in(user, CLOSING_PLAN_ROLES, request.member.plan_id, "close Community Supports requests")
        ),
        lambda: (
            ALLOWED if request.status in CS_OPEN_STATUSES else conflict(f"This request is already {request.status}.")
        ),
    )


def can_reassign_from_delegate(user: User, member: Member) -> Verdict:
    """Member services (or intake) record a delegated member's choice to be served by the plan instead."""
    return first_refusal(
        lambda: plan_staff_in(user, REASSIGNING_ROLES, member.plan_id, "reassign delegated members"),
        lambda: ALLOWED if member.delegated_to_id else conflict("The member is not delegated."),
    )
