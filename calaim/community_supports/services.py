"""Community Supports: requests from every source (the CSS referral form), eligibility, authorization with
limits, provider assignment, deliveries counted against the limits, and Kaiser members' reassignment."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from calaim.accounts.models import PROVIDER_ROLES, Role, User
from calaim.accounts.policies import require_plan_role
from calaim.authorizations.models import AuthorizationRequest
from calaim.authorizations.services import authorization_open
from calaim.community_supports import limits
from calaim.community_supports.eligibility import (
    limit_settings_for,
    request_use,
    service_eligibility,
    services_in_force,
    usage_history,
)
from calaim.community_supports.models import (
    CS_OPEN_STATUSES,
    CsDelivery,
    CsRequest,
    CsRequestStatus,
    CsStatusUpdate,
    DelegateReassignment,
)
from calaim.core.audit import audit_record, jsonable, snapshot
from calaim.core.clock import local_date
from calaim.core.errors import Conflict, NotFound, ValidationFailed
from calaim.ecm.models import Enrollment
from calaim.members.models import Member
from calaim.network.models import Organization
from calaim.network.selectors import contracts_in_force
from calaim.notices.models import Notice, NoticeKind, NoticeRecipient
from calaim.referrals.services import check_source, member_resolve

REQUEST_FIELDS = ["status", "closure_reason", "provider", "authorization", "linked_to"]


@dataclass
class ServiceRequestInput:
    service_code: str
    justification: str
    requested_start: dt.date
    requested_end: dt.date
    criteria: list[str] = field(default_factory=list)
    quantity: Decimal = Decimal(0)
    amount: Decimal = Decimal(0)
    change_in_circumstances: bool = False
    extended: bool = False
    at_discharge: bool = False


@dataclass
class CsReferralInput:
    member_cin: str
    member_birth_date: dt.date
    source_type: str
    referrer_name: str
    member_aware: bool
    attested_by: str
    attested_on: dt.date
    services: list[ServiceRequestInput]
    ecm_enrollment_id: uuid.UUID | None = None


def _violation_error(result: limits.LimitResult, prefix: str = "") -> ValidationFailed:
    first = result.violations[0]
    return ValidationFailed(
        prefix + " ".join(v.message for v in result.violations), field=first.field, code=f"limit_{first.limit}"
    )


def cs_status_set(request: CsRequest, status: str, *, actor: User | None, reason: str = "") -> None:
    """Move a request along; the referrer is told of each outcome (closed loop)."""
    before = snapshot(request, REQUEST_FIELDS)
    request.status, request.status_changed_at = status, timezone.now()
    if reason:
        request.closure_reason = reason
    request.save()
    CsStatusUpdate.objects.create(request=request, status=status, at=request.status_changed_at, reason=reason)
    if status != CsRequestStatus.RECEIVED:
        Notice.objects.create(
            member=request.member,
            kind=NoticeKind.REFERRER_OUTCOME,
            recipient=NoticeRecipient.REFERRER,
            recipient_name=request.referrer_name,
            due_date=local_date(request.status_changed_at),
            content={
                "cs_request_id": str(request.pk),
                "service": request.service_code,
                "status": status,
                "date": local_date(request.status_changed_at).isoformat(),
                "reason": reason,
            },
        )
    audit_record(
        actor=actor,
        action=f"cs_request.{status}",
        obj=request,
        member=request.member,
        before=before,
        after=snapshot(request, REQUEST_FIELDS),
        reason=reason,
    )


def _check_service(index: int, item: ServiceRequestInput, known: set[str], today: dt.date) -> None:
    where = f"services[{index}]"
    if item.service_code not in known:
        raise ValidationFailed(f"Unknown Community Support {item.service_code!r}.", field=f"{where}.service_code")
    if not item.justification.strip():
        raise ValidationFailed("Give the justification for this service.", field=f"{where}.justification")
    if item.requested_end < item.requested_start:
        raise ValidationFailed("The end date is before the start date.", field=f"{where}.requested_end")
    if item.quantity < 0 or item.amount < 0:
        raise ValidationFailed("Quantities and amounts cannot be negative.", field=f"{where}.quantity")


def _ecm_enrollment(actor: User, member: Member, enrollment_id: uuid.UUID | None) -> Enrollment | None:
    if enrollment_id is None:
        return None
    enrollment = member.ecm_enrollments.filter(pk=enrollment_id).first()
    if enrollment is None or (actor.is_provider_staff and enrollment.provider_id != actor.organization_id):
        raise ValidationFailed("No such ECM enrollment for this member.", field="ecm_enrollment_id")
    return enrollment


def cs_request_create(*, actor: User, data: CsReferralInput, idempotency_key: str = "") -> list[CsRequest]:
    """One request per service on the form, each routed at once: linked, to Kaiser, not eligible, or on to
    authorization (approved at once when streamlined at discharge and within the limits)."""
    today = local_date(timezone.now())
    check_source(actor, data.source_type)
    member = member_resolve(actor, data.member_cin, data.member_birth_date)
    if not data.services:
        raise ValidationFailed("Request at least one Community Support.", field="services")
    known = set(services_in_force(today))
    for index, item in enumerate(data.services):
        _check_service(index, item, known, today)
    enrollment = _ecm_enrollment(actor, member, data.ecm_enrollment_id)
    with transaction.atomic():
        Member.objects.select_for_update(of=("self",)).filter(pk=member.pk).first()
        if idempotency_key and (
            done := list(CsRequest.objects.filter(submitted_by=actor, idempotency_key=idempotency_key))
        ):
            return done
        return [_request_one(actor, member, data, item, enrollment, idempotency_key, today) for item in data.services]


def _request_one(
    actor: User,
    member: Member,
    data: CsReferralInput,
    item: ServiceRequestInput,
    enrollment: Enrollment | None,
    key: str,
    today: dt.date,
) -> CsRequest:
    now = timezone.now()
    request = CsRequest.objects.create(
        member=member,
        service_code=item.service_code,
        source_type=data.source_type,
        submitted_by=actor,
        referrer_organization=actor.organization,
        referrer_name=data.referrer_name,
        ecm_enrollment=enrollment,
        justification=item.justification,
        criteria_attested=item.criteria,
        at_discharge=item.at_discharge,
        requested_start=item.requested_start,
        requested_end=item.requested_end,
        quantity=item.quantity,
        amount=item.amount,
        change_in_circumstances=item.change_in_circumstances,
        extended=item.extended,
        member_aware=data.member_aware,
        attested_by=data.attested_by,
        attested_on=data.attested_on,
        received_at=now,
        status_changed_at=now,
        idempotency_key=key,
    )
    CsStatusUpdate.objects.create(request=request, status=CsRequestStatus.RECEIVED, at=now)
    audit_record(
        actor=actor,
        action="cs_request.create",
        obj=request,
        member=member,
        after=snapshot(request, ["service_code", "source_type", "requested_start", "requested_end"]),
    )
    open_one = (
        CsRequest.objects.filter(member=member, service_code=item.service_code, status__in=CS_OPEN_STATUSES)
        .exclude(pk=request.pk)
        .order_by("received_at")
        .first()
    )
    if open_one is not None:
        request.linked_to = open_one
        cs_status_set(
            request,
            CsRequestStatus.LINKED,
            actor=actor,
            reason=f"Linked to the open request received {local_date(open_one.received_at)}.",
        )
        return request
    _route(actor, request, today)
    request.refresh_from_db()  # a streamlined approval moved it on through another instance
    return request


def _route(actor: User, request: CsRequest, today: dt.date) -> None:
    service = services_in_force(today)[request.service_code]
    result = service_eligibility(request.member, service, set(request.criteria_attested), today)
    request.eligibility = jsonable(asdict(result))
    status = {"routed_to_delegate": CsRequestStatus.ROUTED_TO_DELEGATE}.get(result.outcome)
    if result.outcome != "eligible":
        cs_status_set(request, status or CsRequestStatus.NOT_ELIGIBLE, actor=actor, reason="; ".join(result.why_not))
        return
    check = limits.check_request(
        request_use(request),
        usage_history(request.member, request.pk),
        limit_settings_for(request.member, today),
        today,
    )
    if not check.allowed:
        cs_status_set(
            request,
            CsRequestStatus.NOT_ELIGIBLE,
            actor=actor,
            reason="Over a limit: " + " ".join(v.message for v in check.violations),
        )
        return
    request.authorization = authorization_open(
        actor=actor,
        member=request.member,
        referral=None,
        received_at=request.received_at,
        urgency="expedited" if request.at_discharge else "routine",
        requesting_organization=actor.organization,
        program="cs",
    )
    cs_status_set(request, CsRequestStatus.PENDING_AUTHORIZATION, actor=actor, reason=f"Eligible for {service.name}.")
    if request.at_discharge and service.streamlined:
        from calaim.authorizations.services import authorization_streamlined_approve

        authorization_streamlined_approve(
            actor=actor,
            authorization=request.authorization,
            reason=f"Streamlined: {service.name} requested at hospital discharge.",
        )


def cs_before_approval(authorization: AuthorizationRequest) -> None:
    """Refuse an approval that would take the member past a limit; the reviewer denies or modifies instead."""
    for request in authorization.cs_requests.all():
        today = local_date(timezone.now())
        check = limits.check_request(
            request_use(request),
            usage_history(request.member, request.pk),
            limit_settings_for(request.member, today),
            today,
        )
        if not check.allowed:
            raise _violation_error(check, "Approving would exceed a limit: ")


def cs_after_decision(*, actor: User, authorization: AuthorizationRequest) -> None:
    """Approved requests get a CS provider; denied ones close, and the referrer is told either way."""
    for request in authorization.cs_requests.select_related("member__plan", "member__county"):
        if authorization.status in ("approved", "approved_modified"):
            provider = cs_provider_choose(request)
            request.provider = provider
            reason = (
                f"Authorized; provider {provider.name}." if provider else "Authorized; no CS provider has room yet."
            )
            cs_status_set(request, CsRequestStatus.AUTHORIZED, actor=actor, reason=reason)
        elif authorization.status == "denied":
            cs_status_set(
                request, CsRequestStatus.DENIED, actor=actor, reason=f"Not authorized: {authorization.decision_reason}"
            )


def cs_provider_choose(request: CsRequest) -> Organization | None:
    """A CS provider contracted for the service in the member's county: language first, then free places."""
    member = request.member
    today = local_date(timezone.now())
    contracts = [
        c
        for c in contracts_in_force(member.plan_id, member.county_id, today, program="cs")
        if request.service_code in c.services
    ]
    active = CsRequest.objects.filter(status__in=[CsRequestStatus.AUTHORIZED, CsRequestStatus.IN_SERVICE])
    ranked = []
    for contract in contracts:
        free = contract.capacity - active.filter(provider_id=contract.organization_id).count()
        if free > 0:
            ranked.append((-int(member.language in contract.languages), -free, contract.organization.name, contract))
    return min(ranked, key=lambda item: item[:3])[3].organization if ranked else None


def _require_provider_of(actor: User, request: CsRequest) -> None:
    if actor.role not in PROVIDER_ROLES or request.provider_id is None or actor.organization_id != request.provider_id:
        raise NotFound()


def _check_within_authorized_dates(request: CsRequest, data: DeliveryInput) -> None:
    """A delivery falls inside the dates the request was authorized for (its requested dates)."""
    start, end = request.requested_start, request.requested_end
    where = "start_date" if data.start_date < start else "end_date" if data.end_date > end else None
    if where:
        raise ValidationFailed(
            f"This request is authorized from {start:%Y-%m-%d} to {end:%Y-%m-%d}; the delivery "
            f"({data.start_date:%Y-%m-%d} to {data.end_date:%Y-%m-%d}) falls outside it. "
            "Ask for a new request or a re-authorization for more.",
            field=where,
        )


@dataclass
class DeliveryInput:
    start_date: dt.date
    end_date: dt.date
    units: Decimal
    cost: Decimal
    hours: Decimal = Decimal(0)
    meals_per_day: int | None = None
    started_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None


def cs_delivery_record(*, actor: User, request: CsRequest, data: DeliveryInput) -> CsDelivery:
    """The assigned CS provider records a service delivered; refused with the limit's message if over one."""
    _require_provider_of(actor, request)
    if data.end_date < data.start_date:
        raise ValidationFailed("The end date is before the start date.", field="end_date")
    if data.units < 0 or data.cost < 0:
        raise ValidationFailed("Units and cost cannot be negative.", field="units" if data.units < 0 else "cost")
    today = local_date(timezone.now())
    if data.start_date > today:
        raise ValidationFailed("A delivery cannot start in the future.", field="start_date")
    with transaction.atomic():
        locked = CsRequest.objects.select_for_update(of=("self",)).select_related("member__plan").get(pk=request.pk)
        if locked.status not in (CsRequestStatus.AUTHORIZED, CsRequestStatus.IN_SERVICE):
            raise Conflict(f"Deliveries are recorded for authorized requests; this one is {locked.status}.")
        _check_within_authorized_dates(locked, data)
        assert locked.provider is not None  # checked by _require_provider_of
        use = limits.Use(
            locked.service_code,
            data.start_date,
            data.end_date,
            amount=data.cost,
            hours=data.hours,
            meals_per_day=data.meals_per_day,
            started_at=data.started_at,
            ended_at=data.ended_at,
            change_in_circumstances=locked.change_in_circumstances,
            extended=locked.extended,
        )
        check = limits.check_request(
            use, usage_history(locked.member, locked.pk), limit_settings_for(locked.member, today), today
        )
        if not check.allowed:
            raise _violation_error(check)
        delivery = CsDelivery.objects.create(
            request=locked,
            member=locked.member,
            service_code=locked.service_code,
            provider=locked.provider,
            recorded_by=actor,
            **asdict(data),
        )
        audit_record(
            actor=actor,
            action="cs_delivery.record",
            obj=delivery,
            member=locked.member,
            after=snapshot(delivery, ["start_date", "end_date", "units", "cost", "hours"]),
        )
        if locked.status == CsRequestStatus.AUTHORIZED:
            cs_status_set(locked, CsRequestStatus.IN_SERVICE, actor=actor, reason="Services received.")
    return delivery


def cs_request_complete(*, actor: User, request: CsRequest, reason: str) -> CsRequest:
    """The provider (or plan intake) closes a request: services completed, or why not."""
    if actor.role in PROVIDER_ROLES:
        _require_provider_of(actor, request)
    else:
        require_plan_role(
            actor,
            frozenset({Role.PLAN_INTAKE, Role.MEMBER_SERVICES}),
            request.member.plan_id,
            "close Community Supports requests",
        )
    if not reason.strip():
        raise ValidationFailed("Say why the request is closed.", field="reason")
    with transaction.atomic():
        locked = CsRequest.objects.select_for_update(of=("self",)).get(pk=request.pk)
        if locked.status not in CS_OPEN_STATUSES:
            raise Conflict(f"This request is already {locked.status}.")
        status = CsRequestStatus.COMPLETED if locked.deliveries.exists() else CsRequestStatus.CLOSED
        cs_status_set(locked, status, actor=actor, reason=reason)
    return locked


def delegate_reassign(
    *, actor: User, member: Member, services_wanted: list[str], note: str = ""
) -> DelegateReassignment:
    """A Kaiser member who wants a service the plan offers and Kaiser does not may choose reassignment to the
    plan; member services records the choice and its date, and the member's care moves to the plan."""
    require_plan_role(
        actor, frozenset({Role.MEMBER_SERVICES, Role.PLAN_INTAKE}), member.plan_id, "reassign delegated members"
    )
    if member.delegated_to is None:
        raise Conflict("The member is not delegated.")
    known = set(services_in_force(local_date(timezone.now())))
    if not services_wanted or set(services_wanted) - known:
        raise ValidationFailed(
            f"Name the Community Supports wanted, from: {', '.join(sorted(known))}.", field="services_wanted"
        )
    with transaction.atomic():
        before = {"delegated_to": str(member.delegated_to_id)}
        record = DelegateReassignment.objects.create(
            member=member,
            from_delegate=member.delegated_to,
            reassigned_on=local_date(timezone.now()),
            services_wanted=services_wanted,
            recorded_by=actor,
            note=note,
        )
        member.delegated_to = None
        member.save(update_fields=["delegated_to", "updated_at"])
        audit_record(
            actor=actor,
            action="member.delegate_reassign",
            obj=record,
            member=member,
            before=before,
            after={"delegated_to": None, "services_wanted": services_wanted},
            reason=note,
        )
    return record
