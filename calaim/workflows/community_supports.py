"""Community Supports requests from the CSS referral form: each service routed at once (linked, to the delegate,
not eligible, over a limit, or on to authorization, approved at once when streamlined at discharge); a UM
decision carried into the requests; a delegated member's reassignment to the plan."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from calaim.accounts.models import User
from calaim.authorizations.models import APPROVED, AuthorizationRequest, AuthorizationStatus
from calaim.authorizations.services import authorization_open, authorization_streamlined_approve
from calaim.community_supports.deliveries import cs_request_complete
from calaim.community_supports.eligibility import services_in_force
from calaim.community_supports.models import CsRequest, CsRequestStatus, DelegateReassignment
from calaim.community_supports.services import (
    CsReferralInput,
    cs_eligibility_record,
    cs_limits_check,
    cs_provider_choose,
    cs_referral_check,
    cs_request_authorization_attach,
    cs_request_insert,
    cs_request_provider_set,
    cs_requested_period,
    cs_requests_replayed,
    delegate_reassignment_record,
)
from calaim.core.clock import plan_today
from calaim.members.models import Member
from calaim.members.services import member_delegation_end, member_lock
from calaim.network.models import Organization, Program
from calaim.referrals.closed_loop import loop_status_set
from calaim.roster.fact_services import roster_facts_resolve_with


def cs_request_submit(*, actor: User, data: CsReferralInput, idempotency_key: str = "") -> list[CsRequest]:
    """One request per service on the form, each routed at once; a retry with the same key returns the first."""
    today = plan_today()
    member, enrollment = cs_referral_check(actor=actor, data=data, day=today)
    with transaction.atomic():
        member_lock(member)
        if done := cs_requests_replayed(actor, idempotency_key, data):
            return done
        created = []
        for item in data.services:
            request = cs_request_insert(
                actor=actor, member=member, data=data, item=item, enrollment=enrollment, key=idempotency_key
            )
            if request.status == CsRequestStatus.RECEIVED:
                _route(actor, request, today)
            request.refresh_from_db()  # a streamlined approval moved it on through another instance
            created.append(request)
        return created


def _route(actor: User, request: CsRequest, today: dt.date) -> None:
    result = cs_eligibility_record(request, today)
    if result.outcome != "eligible":
        status = (
            CsRequestStatus.ROUTED_TO_DELEGATE
            if result.outcome == "routed_to_delegate"
            else CsRequestStatus.NOT_ELIGIBLE
        )
        loop_status_set(request, status, actor=actor, reason="; ".join(result.why_not))
        return
    check = cs_limits_check(request, today)
    if not check.allowed:
        reason = "Over a limit: " + " ".join(v.message for v in check.violations)
        loop_status_set(request, CsRequestStatus.NOT_ELIGIBLE, actor=actor, reason=reason)
        return
    authorization = authorization_open(
        actor=actor,
        member=request.member,
        referral=None,
        received_at=request.received_at,
        urgency="expedited" if request.at_discharge else "routine",
        requesting_organization=actor.organization,
        program=Program.CS,
    )
    cs_request_authorization_attach(actor=actor, request=request, authorization=authorization)
    loop_status_set(request, CsRequestStatus.PENDING_AUTHORIZATION, actor=actor, reason=f"Eligible for {result.name}.")
    if request.at_discharge and services_in_force(today)[request.service_code].streamlined:
        authorization_streamlined_approve(
            actor=actor,
            authorization=authorization,
            reason=f"Streamlined: {result.name} requested at hospital discharge.",
            period=cs_requested_period(authorization),
        )
        cs_after_decision(actor=actor, authorization=authorization)


def cs_request_end(*, actor: User, request: CsRequest, reason: str) -> CsRequest:
    """The provider or plan staff close a request (`cs_request_complete`); its open roster facts resolve with it."""
    with transaction.atomic():
        closed = cs_request_complete(actor=actor, request=request, reason=reason)
        roster_facts_resolve_with(actor=actor, cs_request=closed, resolution=f"Request closed: {reason}")
    return closed


def cs_after_decision(*, actor: User, authorization: AuthorizationRequest) -> None:
    """Approved requests get a CS provider; denied ones close (`cs_after_denial`); the referrer is told either way."""
    if authorization.status == AuthorizationStatus.DENIED:
        cs_after_denial(actor=actor, authorization=authorization)
        return
    for request in _requests_locked(authorization):
        if authorization.status in APPROVED:
            provider = cs_provider_choose(request)
            cs_request_provider_set(actor=actor, request=request, provider=provider)
            reason = (
                f"Authorized; provider {provider.name}." if provider else "Authorized; no CS provider has room yet."
            )
            letter = cs_authorization_letter(request, authorization, provider)
            loop_status_set(request, CsRequestStatus.AUTHORIZED, actor=actor, reason=reason, letter=letter)


def cs_authorization_letter(
    request: CsRequest, authorization: AuthorizationRequest, provider: Organization | None
) -> dict[str, Any]:
    """What the member's Community Supports authorization notice says: the service, the dates and units
    authorized (as modified, if they were), and the provider (blank while none has room)."""
    service = services_in_force(plan_today()).get(request.service_code)
    return {
        "service": service.name if service else request.service_code,
        "service_code": request.service_code,
        "start_date": (authorization.period_start or request.requested_start).isoformat(),
        "end_date": (authorization.period_end or request.requested_end).isoformat(),
        "units": _units(request.quantity, service.unit if service else ""),
        "provider_name": provider.name if provider else "",
        "provider_phone": provider.phone if provider else "",
        "cs_request_id": str(request.pk),
    }


def _units(quantity: Decimal, unit: str) -> str:
    """The quantity as the member reads it ("30 days", "1 meal", "500 dollars"); blank when none was named."""
    if not quantity:
        return ""
    amount = f"{quantity.normalize():f}"
    plural = quantity != 1 and unit and not unit.endswith("s")
    return f"{amount} {unit}{'s' if plural else ''}".strip()


def cs_after_denial(*, actor: User | None, authorization: AuthorizationRequest) -> None:
    """Denied requests close and the referrer is told; the actor is None for a denial by operation of law."""
    for request in _requests_locked(authorization):
        reason = f"Not authorized: {authorization.decision_reason}"
        loop_status_set(request, CsRequestStatus.DENIED, actor=actor, reason=reason)


def _requests_locked(authorization: AuthorizationRequest) -> QuerySet[CsRequest]:
    return authorization.cs_requests.select_for_update(of=("self",)).select_related("member__plan", "member__county")


def delegate_reassign(
    *, actor: User, member: Member, services_wanted: list[str], note: str = ""
) -> DelegateReassignment:
    """A Kaiser member who wants a service the plan offers and Kaiser does not may choose reassignment to the
    plan: member services records the choice and its date, and the member's care moves to the plan."""
    with transaction.atomic():
        locked = member_lock(member)
        record = delegate_reassignment_record(actor=actor, member=locked, services_wanted=services_wanted, note=note)
        member_delegation_end(actor=actor, member=locked, reason=note or "Chose the plan for Community Supports.")
    return record
