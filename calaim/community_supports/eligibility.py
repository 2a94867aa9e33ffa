"""Community Supports eligibility and limits, the adapter: database reads turned into the pure rules' inputs.

Eligibility is decided by `calaim.community_supports.rules` (offered where and when, Kaiser routing, each
criterion met or not and why) and limits by `calaim.community_supports.limits`; this module reads the catalog, the
plan's offerings and dated limit settings, the member and what they have used, and hands them over.

Which quantities a request carries comes from the catalog, not from lists of codes here: the form's one
`quantity` is hours for a service the catalog counts in hours and meals a day for one counted in meals, and a
service counted in days is a stay whose authorized dates stay booked. The one rule about a single service kept by
name is that a Housing Deposit counts as one approval however many payments it took (`limits.HOUSING_DEPOSITS`),
because that is what the engine's deposit-approvals rule counts and other dollar services share its unit.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from calaim.authorizations.models import APPROVED
from calaim.community_supports import limits, rules
from calaim.community_supports.models import CsDelivery, CsLimitSettings, CsOffering, CsRequest, CsService
from calaim.core.clock import PLAN_TIME_ZONE
from calaim.core.errors import ValidationFailed
from calaim.members.facts import CriterionDef, MemberFacts
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


def service_definition(service: CsService) -> rules.ServiceDef:
    """The catalog row as the rules read it."""
    return rules.ServiceDef(
        code=service.code,
        name=service.name,
        criteria=tuple(CriterionDef(c["key"], c["label"], c.get("member_fact")) for c in service.criteria),
        criteria_all=service.criteria_all,
        version=service.version,
    )


def _delegation(member: Member, offering: CsOffering | None) -> rules.Delegation | None:
    if member.delegated_to is None:
        return None
    return rules.Delegation(str(member.delegated_to), offering is not None and offering.delegate_provides)


def offerings_for(member: Member, day: dt.date) -> dict[str, CsOffering]:
    """Each service offered in the member's plan and county on `day`, its latest offering (`offering_for` for all)."""
    rows = CsOffering.objects.filter(Dated.in_force_on(day), plan_id=member.plan_id, county_id=member.county_id)
    return {row.service_code: row for row in rows.order_by("service_code", "effective_from")}


def service_eligibility(
    member: Member,
    service: CsService,
    attested: set[str],
    day: dt.date,
    *,
    known: tuple[MemberFacts, dict[str, CsOffering]] | None = None,
) -> ServiceEligibility:
    """Offered in the member's plan and county on the day, delegate routing, enrolled, then the checklist. `known`
    is the member's facts and offerings on `day` when the caller asks about every service at once."""
    if known:
        facts, offering = known[0], known[1].get(service.code)
    else:
        facts, offering = member_facts(member, day), offering_for(member, service.code, day)
    result = rules.evaluate(
        service_definition(service),
        facts,
        frozenset(attested),
        rules.Offering(member.plan.code, member.county.name, offering.effective_from if offering else None),
        _delegation(member, offering),
        day,
    )
    return ServiceEligibility(
        result.service,
        result.name,
        result.outcome,
        [asdict(criterion) for criterion in result.criteria],
        result.why_not,
        result.offered_from,
        result.rule_version,
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
    known = (member_facts(member, day), offerings_for(member, day))  # read once, not once per service
    for service in services_in_force(day).values():
        result = service_eligibility(member, service, set(), day, known=known)
        if result.outcome == rules.NOT_OFFERED:
            continue
        needs_attestation = [c["label"] for c in result.criteria if not c["met"]]
        if result.outcome == rules.NOT_ELIGIBLE and result.why_not[0].startswith("needs"):
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
