"""What the assigned CS provider delivers, counted against the member's limits, and closing a request."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.db import transaction

from calaim.accounts.models import User
from calaim.community_supports import limits
from calaim.community_supports.delivery_units import DeliveryUnits, delivery_units_parse
from calaim.community_supports.eligibility import limit_settings_for, services_in_force, usage_history
from calaim.community_supports.models import (
    MAX_DOLLARS,
    MAX_HOURS,
    MAX_MEALS_PER_DAY,
    MAX_UNITS,
    CsDelivery,
    CsRequest,
    CsRequestStatus,
)
from calaim.community_supports.policies import can_close_request, can_record_delivery
from calaim.community_supports.services import limit_refusal
from calaim.core.audit import audit_record, snapshot
from calaim.core.clock import plan_today
from calaim.core.errors import ValidationFailed
from calaim.referrals.closed_loop import loop_status_set


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
    # The provider confirmed the delivery is separate from another of the same service on one of its days.
    confirmed_repeat: bool = False


def _request_lock(request: CsRequest) -> CsRequest:
    return (
        CsRequest.objects.select_for_update(of=("self",)).select_related("member__plan", "provider").get(pk=request.pk)
    )


def _check_delivery(data: DeliveryInput, today: dt.date) -> None:
    if data.end_date < data.start_date:
        raise ValidationFailed("The end date is before the start date.", field="end_date")
    for name, value, most in (("units", data.units, MAX_UNITS), ("cost", data.cost, MAX_DOLLARS)):
        if not 0 <= value <= most:
            raise ValidationFailed(f"{name.capitalize()} must be from 0 to {most:,}.", field=name)
    if not 0 <= data.hours <= MAX_HOURS:
        raise ValidationFailed(f"Hours must be from 0 to {MAX_HOURS:,}.", field="hours")
    if data.meals_per_day is not None and not 0 <= data.meals_per_day <= MAX_MEALS_PER_DAY:
        raise ValidationFailed(f"Meals a day must be from 0 to {MAX_MEALS_PER_DAY}.", field="meals_per_day")
    if data.start_date > today:
        raise ValidationFailed("A delivery cannot start in the future.", field="start_date")


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


def _units_definition(request: CsRequest, data: DeliveryInput, today: dt.date) -> tuple[str, DeliveryUnits]:
    """The service's name and delivery unit in the catalog in force on the delivery's first day."""
    service = services_in_force(data.start_date).get(request.service_code) or services_in_force(today).get(
        request.service_code
    )
    if service is None or not service.delivery_units:
        raise ValidationFailed(f"The catalog has no delivery unit for {request.service_code!r}.", field="units")
    return service.name, delivery_units_parse(service.delivery_units)


def _check_units_bound(request: CsRequest, data: DeliveryInput, today: dt.date) -> None:
    """A delivery records no more units than its days allow: a per-day service one a day, a stay one a delivery."""
    name, unit = _units_definition(request, data, today)
    days = (data.end_date - data.start_date).days + 1
    most = unit.bound(days, data.meals_per_day)
    if data.units > most:
        span = f"{data.start_date:%Y-%m-%d} to {data.end_date:%Y-%m-%d}, {days} day{'s' if days != 1 else ''}"
        meals = " at the meals a day given" if unit.per == "meal" and data.meals_per_day is not None else ""
        raise ValidationFailed(
            f"{name} is delivered in {unit.plural}, {unit.rule()}: this delivery ({span}) may record at most "
            f"{most:f} {unit.per if most == 1 else unit.plural}{meals}; {data.units.normalize():f} were entered.",
            field="units",
            code="delivery_units_bound",
        )


def _check_repeat(request: CsRequest, data: DeliveryInput) -> bool:
    """A delivery of the service already recorded on one of these days is refused unless the provider confirms this
    one is separate (not the same delivery entered twice); answers whether it is such a confirmed repeat."""
    same = (
        CsDelivery.objects.filter(
            member_id=request.member_id,
            service_code=request.service_code,
            start_date__lte=data.end_date,
            end_date__gte=data.start_date,
        )
        .select_related("recorded_by__organization")
        .order_by("start_date", "created_at")
        .first()
    )
    if same is None or data.confirmed_repeat:
        return same is not None
    # Name and organization: a provider's coordinator may share a care manager's name.
    recorder = same.recorded_by
    who = (recorder.get_full_name() or recorder.username) + (
        f", {recorder.organization.name}" if recorder.organization else ""
    )
    units = f"{same.units.normalize():f} unit" + ("" if same.units == 1 else "s")
    raise ValidationFailed(
        f"A delivery of this service on these days is already recorded: {same.start_date:%Y-%m-%d} to "
        f"{same.end_date:%Y-%m-%d}, {units}, recorded by {who}. If this is a separate "
        "delivery, not the same one entered twice, tick “This is a separate delivery” and record it again.",
        field="confirmed_repeat",
        code="delivery_repeat",
    )


def _delivery_use(request: CsRequest, data: DeliveryInput) -> limits.Use:
    return limits.Use(
        request.service_code,
        data.start_date,
        data.end_date,
        amount=data.cost,
        hours=data.hours,
        meals_per_day=data.meals_per_day,
        started_at=data.started_at,
        ended_at=data.ended_at,
        change_in_circumstances=request.change_in_circumstances,
        extended=request.extended,
    )


def cs_delivery_record(*, actor: User, request: CsRequest, data: DeliveryInput) -> CsDelivery:
    """The assigned CS provider records a service delivered; refused with the limit's message if over one. The
    first delivery closes the referrer's loop as services received."""
    today = plan_today()
    with transaction.atomic():
        locked = _request_lock(request)
        can_record_delivery(actor, locked).enforce()
        _check_delivery(data, today)
        _check_within_authorized_dates(locked, data)
        _check_units_bound(locked, data, today)
        check = limits.check_request(
            _delivery_use(locked, data),
            usage_history(locked.member, locked.pk),
            limit_settings_for(locked.member, today),
            today,
        )
        if not check.allowed:
            raise limit_refusal(check)
        repeat = _check_repeat(locked, data)
        assert locked.provider is not None  # can_record_delivery
        delivery = CsDelivery.objects.create(
            request=locked,
            member=locked.member,
            service_code=locked.service_code,
            provider=locked.provider,
            recorded_by=actor,
            **{**asdict(data), "confirmed_repeat": repeat},
        )
        audit_record(
            actor=actor,
            action="cs_delivery.record",
            obj=delivery,
            member=locked.member,
            after=snapshot(delivery, ["start_date", "end_date", "units", "cost", "hours", "confirmed_repeat"]),
        )
        if locked.status == CsRequestStatus.AUTHORIZED:
            loop_status_set(locked, CsRequestStatus.IN_SERVICE, actor=actor, reason="Services received.")
    return delivery


def cs_request_complete(*, actor: User, request: CsRequest, reason: str) -> CsRequest:
    """The provider (or plan intake) closes a request: services completed, or why not."""
    with transaction.atomic():
        locked = _request_lock(request)
        can_close_request(actor, locked).enforce()
        if not reason.strip():
            raise ValidationFailed("Say why the request is closed.", field="reason")
        status = CsRequestStatus.COMPLETED if locked.deliveries.exists() else CsRequestStatus.CLOSED
        loop_status_set(locked, status, actor=actor, reason=reason)
    return locked
