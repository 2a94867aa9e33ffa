"""Community Supports requests (the CSS referral form): checking the form, recording each service asked for,
its eligibility and limits, and its CS provider. Routing a new request on (eligibility, limits, authorization,
streamlined approval) and carrying a UM decision into it are workflows (calaim.workflows.community_supports);
deliveries and closing are in `deliveries.py`."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.db.models import Max, Min
from django.utils import timezone

from calaim.accounts.models import User
from calaim.authorizations.models import AuthorizationRequest
from calaim.community_supports import limits
from calaim.community_supports.eligibility import (
    ServiceEligibility,
    limit_settings_for,
    request_use,
    service_eligibility,
    services_in_force,
    usage_history,
)
from calaim.community_supports.models import (
    CS_OPEN_STATUSES,
    MAX_DOLLARS,
    MAX_UNITS,
    CsRequest,
    CsRequestStatus,
    DelegateReassignment,
)
from calaim.community_supports.policies import can_reassign_from_delegate
from calaim.core.audit import audit_record, audited_update, jsonable, snapshot
from calaim.core.clock import local_date, plan_today
from calaim.core.errors import Conflict, ValidationFailed
from calaim.ecm.models import Enrollment
from calaim.members.models import Member
from calaim.network.models import Organization, Program
from calaim.network.selectors import contracts_in_force
from calaim.referrals.closed_loop import loop_start, loop_status_set
from calaim.referrals.policies import can_refer_as
from calaim.referrals.services import attestation_date_check, member_resolve

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


def limit_refusal(result: limits.LimitResult, prefix: str = "") -> ValidationFailed:
    """A limit check's violations as one error on the field the first one names."""
    first = result.violations[0]
    return ValidationFailed(
        prefix + " ".join(v.message for v in result.violations), field=first.field, code=f"limit_{first.limit}"
    )


def service_item_check(index: int, item: ServiceRequestInput, known: set[str]) -> None:
    """Refuse one service of the form that is unknown, unjustified, backwards or out of bounds."""
    where = f"services[{index}]"
    if item.service_code not in known:
        raise ValidationFailed(f"Unknown Community Support {item.service_code!r}.", field=f"{where}.service_code")
    if not item.justification.strip():
        raise ValidationFailed("Give the justification for this service.", field=f"{where}.justification")
    if item.requested_end < item.requested_start:
        raise ValidationFailed("The end date is before the start date.", field=f"{where}.requested_end")
    for name, value, most in (("quantity", item.quantity, MAX_UNITS), ("amount", item.amount, MAX_DOLLARS)):
        if not 0 <= value <= most:
            raise ValidationFailed(f"The {name} must be from 0 to {most:,}.", field=f"{where}.{name}")


def _ecm_enrollment(actor: User, member: Member, enrollment_id: uuid.UUID | None) -> Enrollment | None:
    if enrollment_id is None:
        return None
    enrollment = member.ecm_enrollments.filter(pk=enrollment_id).first()
    if enrollment is None or (actor.is_provider_staff and enrollment.provider_id != actor.organization_id):
        raise ValidationFailed("No such ECM enrollment for this member.", field="ecm_enrollment_id")
    return enrollment


def cs_referral_check(*, actor: User, data: CsReferralInput, day: dt.date) -> tuple[Member, Enrollment | None]:
    """Refuse a CSS referral form the caller may not send or that is incomplete; answer its member (and the ECM
    enrollment a care manager sends it from)."""
    can_refer_as(actor, data.source_type).enforce()
    member = member_resolve(actor, data.member_cin, data.member_birth_date)
    attestation_date_check(data.attested_on, day)
    if not data.services:
        raise ValidationFailed("Request at least one Community Support.", field="services")
    known = set(services_in_force(day))
    for index, item in enumerate(data.services):
        service_item_check(index, item, known)
    return member, _ecm_enrollment(actor, member, data.ecm_enrollment_id)


def _fingerprint_value(value: object) -> str:
    # 100 and 100.00 dollars are the same form.
    return format(value.quantize(Decimal("0.01")), "f") if isinstance(value, Decimal) else str(value)


def cs_referral_fingerprint(data: CsReferralInput) -> str:
    """A hash of the whole form: a retry sends the same one."""
    return hashlib.sha256(json.dumps(asdict(data), sort_keys=True, default=_fingerprint_value).encode()).hexdigest()


def cs_requests_replayed(actor: User, idempotency_key: str, data: CsReferralInput) -> list[CsRequest]:
    """The requests a retry of the same form (same key, same form) already created; the key used before for another
    form is refused, as it is for ECM referrals."""
    if not idempotency_key:
        return []
    done = list(CsRequest.objects.filter(submitted_by=actor, idempotency_key=idempotency_key))
    fingerprint = cs_referral_fingerprint(data)
    # Requests recorded before fingerprints were kept have none; a retry of those is taken as the same form.
    if any(r.request_fingerprint not in ("", fingerprint) for r in done):
        raise Conflict(
            "This Idempotency-Key was used for a different Community Supports referral.", field="Idempotency-Key"
        )
    return done


def cs_request_insert(
    *,
    actor: User,
    member: Member,
    data: CsReferralInput,
    item: ServiceRequestInput,
    enrollment: Enrollment | None,
    key: str,
) -> CsRequest:
    """Record one service of the form, received; linked instead when the member has an open request for it.
    The caller holds the member's row lock, so two forms cannot both miss each other's open request."""
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
        request_fingerprint=cs_referral_fingerprint(data) if key else "",
    )
    audit_record(
        actor=actor,
        action="cs_request.create",
        obj=request,
        member=member,
        after=snapshot(request, ["service_code", "source_type", "requested_start", "requested_end"]),
    )
    loop_start(request, at=now)
    open_one = (
        CsRequest.objects.filter(member=member, service_code=item.service_code, status__in=CS_OPEN_STATUSES)
        .exclude(pk=request.pk)
        .order_by("received_at")
        .first()
    )
    if open_one is not None:
        _request_set(actor, request, "cs_request.link", linked_to=open_one)
        reason = f"Linked to the open request received {local_date(open_one.received_at)}."
        loop_status_set(request, CsRequestStatus.LINKED, actor=actor, reason=reason)
    return request


def _request_set(actor: User | None, request: CsRequest, action: str, **changes: object) -> None:
    audited_update(request, changes, actor=actor, action=action, fields=REQUEST_FIELDS, member=request.member)


def cs_eligibility_record(request: CsRequest, day: dt.date) -> ServiceEligibility:
    """Determine the request's eligibility on `day` and keep the explanation on the request."""
    service = services_in_force(day)[request.service_code]
    result = service_eligibility(request.member, service, set(request.criteria_attested), day)
    request.eligibility = jsonable(asdict(result))
    request.save(update_fields=["eligibility", "updated_at"])
    return result


def cs_limits_check(request: CsRequest, day: dt.date) -> limits.LimitResult:
    """Whether the request fits the member's limits given everything else counted against them."""
    return limits.check_request(
        request_use(request), usage_history(request.member, request.pk), limit_settings_for(request.member, day), day
    )


def cs_request_authorization_attach(*, actor: User, request: CsRequest, authorization: AuthorizationRequest) -> None:
    _request_set(actor, request, "cs_request.authorization", authorization=authorization)


def cs_requested_period(authorization: AuthorizationRequest) -> tuple[dt.date, dt.date] | None:
    """Community Supports are authorized for the dates asked for, not a standing period."""
    asked = authorization.cs_requests.aggregate(start=Min("requested_start"), end=Max("requested_end"))
    return (asked["start"], asked["end"]) if asked["start"] is not None else None


def cs_approval_check(authorization: AuthorizationRequest) -> None:
    """Refuse an approval that would take the member past a limit; the reviewer denies or modifies instead."""
    today = plan_today()
    for request in authorization.cs_requests.select_related("member__plan"):
        check = cs_limits_check(request, today)
        if not check.allowed:
            raise limit_refusal(check, "Approving would exceed a limit: ")


def cs_provider_choose(request: CsRequest) -> Organization | None:
    """A CS provider contracted for the service in the member's county: language first, then free places."""
    member = request.member
    today = plan_today()
    contracts = [
        c
        for c in contracts_in_force(member.plan_id, member.county_id, today, program=Program.CS)
        if request.service_code in c.services
    ]
    active = CsRequest.objects.filter(status__in=[CsRequestStatus.AUTHORIZED, CsRequestStatus.IN_SERVICE])
    ranked = []
    for contract in contracts:
        free = contract.capacity - active.filter(provider_id=contract.organization_id).count()
        if free > 0:
            ranked.append((-int(member.language in contract.languages), -free, contract.organization.name, contract))
    return min(ranked, key=lambda item: item[:3])[3].organization if ranked else None


def cs_request_provider_set(*, actor: User, request: CsRequest, provider: Organization | None) -> None:
    _request_set(actor, request, "cs_request.provider", provider=provider)


def delegate_reassignment_record(
    *, actor: User, member: Member, services_wanted: list[str], note: str = ""
) -> DelegateReassignment:
    """Record a delegated member's choice of the plan for services the delegate does not offer (the member's
    delegation itself ends in calaim.members.services)."""
    can_reassign_from_delegate(actor, member).enforce()
    known = set(services_in_force(plan_today()))
    if not services_wanted or set(services_wanted) - known:
        raise ValidationFailed(
            f"Name the Community Supports wanted, from: {', '.join(sorted(known))}.", field="services_wanted"
        )
    assert member.delegated_to is not None  # can_reassign_from_delegate
    record = DelegateReassignment.objects.create(
        member=member,
        from_delegate=member.delegated_to,
        reassigned_on=plan_today(),
        services_wanted=services_wanted,
        recorded_by=actor,
        note=note,
    )
    audit_record(
        actor=actor,
        action="member.delegate_reassign",
        obj=record,
        member=member,
        before={"delegated_to": str(member.delegated_to_id)},
        after={"delegated_to": None, "services_wanted": services_wanted},
        reason=note,
    )
    return record
