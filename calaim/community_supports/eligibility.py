"""Community Supports eligibility per service, explainable: offered where and when, each criterion met
or not and why, and whether Kaiser rather than the plan provides it to a delegated member."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from calaim.community_supports import limits
from calaim.community_supports.models import CsDelivery, CsLimitSettings, CsOffering, CsRequest, CsService
from calaim.core.clock import PLAN_TIME_ZONE
from calaim.core.errors import ValidationFailed
from calaim.members.models import Member
from calaim.members.selectors import member_facts
from calaim.plans.models import Dated
from calaim.plans.selectors import latest_by_code


@dataclass
class ServiceEligibility:
    service: str
    name: str
    outcome: str  # eligible | not_eligible | not_offered | routed_to_delegate | delegate_does_not_offer
    criteria: list[dict[str, object]]
    why_not: list[str]
    offered_from: dt.date | None
    version: str
    remaining: list[dict[str, object]] = field(default_factory=list)


def services_in_force(day: dt.date) -> dict[str, CsService]:
    return latest_by_code(CsService, day)


def offering_for(member: Member, code: str, day: dt.date) -> CsOffering | None:
    return (
        CsOffering.objects.filter(
            Dated.in_force_on(day), plan_id=member.plan_id, county_id=member.county_id, service_code=code
        )
        .order_by("-effective_from")
        .first()
    )


def _criteria(service: CsService, member: Member, attested: set[str], day: dt.date) -> list[dict[str, object]]:
    facts = member_facts(member, day)
    results = []
    for criterion in service.criteria:
        evidence = []
        if criterion.get("member_fact") and criterion["member_fact"] in facts.facts:
            evidence.append(f"member data: {facts.fact_details[criterion['member_fact']]}")
        if criterion["key"] in attested:
            evidence.append("attested by the referrer")
        results.append(
            {"key": criterion["key"], "label": criterion["label"], "met": bool(evidence), "evidence": evidence}
        )
    return results


def service_eligibility(member: Member, service: CsService, attested: set[str], day: dt.date) -> ServiceEligibility:
    """Offered in the member's plan and county on the day, enrolled, delegate routing, then the checklist."""
    criteria = _criteria(service, member, attested, day)
    met = [c["met"] for c in criteria]
    why_not: list[str] = []
    offering = offering_for(member, service.code, day)
    if offering is None:
        outcome = "not_offered"
        why_not.append(f"{member.plan.code} does not offer {service.name} in {member.county.name} county on {day}")
    elif member.delegated_to_id and offering.delegate_provides:
        outcome = "routed_to_delegate"
        why_not.append(f"{member.delegated_to} provides {service.name} to its members")
    elif member.delegated_to_id:
        outcome = "delegate_does_not_offer"
        why_not.append(
            f"{member.delegated_to} does not offer {service.name}; the member may choose reassignment "
            f"to {member.plan.code} through member services"
        )
    elif not any(span.covers(day) for span in member.enrollment_spans.all()):
        outcome = "not_eligible"
        why_not.append("not enrolled in the plan on the date")
    elif not (all(met) if service.criteria_all else any(met)):
        outcome = "not_eligible"
        rule = "every criterion" if service.criteria_all else "at least one criterion"
        why_not.append(f"needs {rule}; not met: " + "; ".join(str(c["label"]) for c in criteria if not c["met"]))
    else:
        outcome = "eligible"
    return ServiceEligibility(
        service.code,
        service.name,
        outcome,
        criteria,
        why_not,
        offering.effective_from if offering else None,
        service.version,
    )


def _service_names(day: dt.date) -> dict[str, str]:
    """Each service's name in the latest catalog version begun by `day`; a retired service keeps its last name."""
    rows = CsService.objects.filter(effective_from__lte=day).order_by("code", "effective_from")
    return dict(rows.values_list("code", "name"))


def _service_units() -> dict[str, str]:
    """Each service's unit (day, meal, hour, dollars or service) in its latest catalog version."""
    return dict(CsService.objects.order_by("code", "effective_from").values_list("code", "unit"))


def _optional_decimal(value: int | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def limit_settings_for(member: Member, day: dt.date) -> limits.LimitSettings:
    """The member's plan's limits in force on `day`, named as the catalog names the services; a plan must have
    limit settings for every day it offers Community Supports."""
    row = (
        CsLimitSettings.objects.filter(Dated.in_force_on(day), plan_id=member.plan_id)
        .order_by("-effective_from")
        .first()
    )
    if row is None:
        raise ValidationFailed(f"Plan {member.plan.code} has no Community Supports limit settings in force on {day}.")
    return limits.LimitSettings(
        version=f"{member.plan.code} {row.version}",
        deposit_approvals=row.deposit_approvals,
        deposit_approvals_with_change=row.deposit_approvals_with_change,
        room_board_services=frozenset(row.room_board_services),
        room_board_max_days=row.room_board_max_days,
        room_board_window_days=row.room_board_window_days,
        recuperative_care_max_days=row.recuperative_care_max_days,
        stphh_max_days=row.stphh_max_days,
        transitional_rent_max_days=row.transitional_rent_max_days,
        sobering_max_hours=row.sobering_max_hours,
        mtm_max_meals_per_day=row.mtm_max_meals_per_day,
        mtm_weeks=row.mtm_weeks,
        mtm_extended_weeks=row.mtm_extended_weeks,
        respite_hours_per_year=_optional_decimal(row.respite_hours_per_year),
        lifetime_dollar_caps={code: Decimal(cap) for code, cap in row.dollar_caps.items()},
        labels=_service_names(day),
    )


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    # The engine reads calendar dates off these; they must be the plan's local dates, not UTC.
    return moment.astimezone(PLAN_TIME_ZONE) if moment is not None else None


def _delivered_uses(request: CsRequest, deliveries: list[CsDelivery], unit: str) -> list[limits.Use]:
    """A request's deliveries as uses.

    A Housing Deposit is one approval however many payments it took: that is the engine's rule about that one
    service (`limits.HOUSING_DEPOSITS`), so it is named here rather than inferred from the unit, which other
    dollar services share. A stay, a service the catalog counts in days, books the rest of its authorized dates.
    """
    if request.service_code == limits.HOUSING_DEPOSITS:
        return [
            limits.Use(
                request.service_code,
                min(d.start_date for d in deliveries),
                max(d.end_date for d in deliveries),
                amount=sum((d.cost for d in deliveries), Decimal(0)),
                change_in_circumstances=request.change_in_circumstances,
            )
        ]
    booked = []
    if request.status in ("authorized", "in_service") and unit == "day":
        # The rest of an authorized stay is still booked; its days overlap the delivered ones and count once.
        booked.append(limits.Use(request.service_code, request.requested_start, request.requested_end))
    return booked + [
        limits.Use(
            d.service_code,
            d.start_date,
            d.end_date,
            amount=d.cost,
            hours=d.hours,
            meals_per_day=d.meals_per_day,
            started_at=_local(d.started_at),
            ended_at=_local(d.ended_at),
            change_in_circumstances=request.change_in_circumstances,
        )
        for d in deliveries
    ]


def usage_history(member: Member, exclude_request_id: uuid.UUID | None = None) -> list[limits.Use]:
    """What counts against the limits: what was delivered, and approved requests not yet delivered."""
    from calaim.authorizations.models import APPROVED

    by_request: dict[uuid.UUID, list[CsDelivery]] = {}
    for delivery in CsDelivery.objects.filter(member=member).order_by("start_date"):
        by_request.setdefault(delivery.request_id, []).append(delivery)
    units = _service_units()
    history: list[limits.Use] = []
    requests = CsRequest.objects.filter(member=member)
    for request in requests.filter(pk__in=list(by_request)):
        history += _delivered_uses(request, by_request[request.pk], units.get(request.service_code, ""))
    # The request being checked counts through its deliveries only, never through its own approval.
    approved = requests.filter(authorization__status__in=APPROVED).exclude(pk__in=list(by_request))
    if exclude_request_id is not None:
        approved = approved.exclude(pk=exclude_request_id)
    history += [_request_use(r, units.get(r.service_code, "")) for r in approved]
    return history


def _request_use(r: CsRequest, unit: str) -> limits.Use:
    """The form's one `quantity` means what the catalog counts the service in: hours for a service counted in
    hours (respite, personal care), meals a day for one counted in meals; other services leave it aside."""
    return limits.Use(
        r.service_code,
        r.requested_start,
        r.requested_end,
        amount=r.amount,
        hours=r.quantity if unit == "hour" else Decimal(0),
        meals_per_day=int(r.quantity) if unit == "meal" else None,
        change_in_circumstances=r.change_in_circumstances,
        extended=r.extended,
    )


def request_use(r: CsRequest) -> limits.Use:
    """A request as a use: `quantity` is hours or meals a day, as the catalog's unit for the service says."""
    return _request_use(r, _service_units().get(r.service_code, ""))


def what_could_member_get(member: Member, day: dt.date) -> list[dict[str, object]]:
    """Each Community Support offered in the member's county today: may they be eligible, and what remains."""
    settings = limit_settings_for(member, day)
    remaining = [asdict(r) for r in limits.remaining(usage_history(member), settings, day)]
    answers = []
    for service in services_in_force(day).values():
        result = service_eligibility(member, service, set(), day)
        if result.outcome == "not_offered":
            continue
        needs_attestation = [c["label"] for c in result.criteria if not c["met"]]
        if result.outcome == "not_eligible" and result.why_not[0].startswith("needs"):
            # Data alone does not show the need; a referrer's attestation of the checklist can.
            result.outcome = "may_be_eligible"
        answers.append(
            {
                **asdict(result),
                "needs_attestation": needs_attestation,
                "remaining": [
                    r
                    for r in remaining
                    if service.code in str(r.get("limit"))
                    or (service.code in settings.room_board_services and r.get("limit") == limits.ROOM_BOARD)
                ],
            }
        )
    return answers
