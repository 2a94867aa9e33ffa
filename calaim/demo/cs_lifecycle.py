"""Demo Community Supports requests in every state, through the real services, including members near and
at their limits (room and board, deposits, meals)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from random import Random
from typing import Any

from django.db import transaction

from calaim.accounts.models import PROVIDER_ROLES, Role, User
from calaim.community_supports import deliveries
from calaim.community_supports import services as cs
from calaim.community_supports.models import CsRequest
from calaim.core.clock import plan_today
from calaim.core.errors import DomainError
from calaim.members.models import Member
from calaim.plans.models import Plan
from calaim.workflows.authorization_decision import authorization_decide
from calaim.workflows.community_supports import cs_request_submit

CRITERIA = {
    "recuperative_care": ["needs_recovery_care"],
    "stphh": ["leaving_institution", "no_residence", "high_needs"],
    "medically_tailored_meals": ["diet_sensitive_condition"],
    "htns": ["coordinated_entry"],
    "housing_deposits": ["housing_need", "receiving_htns", "resources_exhausted"],
    "respite": ["caregiver_needs_relief"],
    "sobering_center": ["intoxicated"],
    "personal_care": ["needs_adl_help"],
}


def _form(member: Member, submitter: User, code: str, start: dt.date, days: int, **extra: Any) -> cs.CsReferralInput:
    source = (
        "hospital_transition_of_care"
        if submitter.role == Role.REFERRER
        else ("member_self_family_phone" if submitter.role == Role.MEMBER_SERVICES else "hospital_concurrent_review")
    )
    item = cs.ServiceRequestInput(
        service_code=code,
        justification="Demo: need documented in the chart.",
        requested_start=start,
        requested_end=start + dt.timedelta(days=days - 1),
        criteria=CRITERIA.get(code, []),
        **extra,
    )
    return cs.CsReferralInput(
        member_cin=member.cin,
        member_birth_date=member.birth_date,
        source_type=source,
        referrer_name=submitter.get_full_name() or submitter.username,
        member_aware=True,
        attested_by=submitter.username,
        attested_on=plan_today(),
        services=[item],
    )


class _CsDriver:
    def __init__(self, plan: Plan, rng: Random) -> None:
        self.rng = rng
        self.intake = User.objects.get(role=Role.PLAN_INTAKE, organization__plan=plan)
        self.um = User.objects.get(role=Role.PLAN_UM, organization__plan=plan)
        self.ms = User.objects.get(role=Role.MEMBER_SERVICES, organization__plan=plan)
        self.hospital = (
            User.objects.filter(role=Role.REFERRER, organization__kind="hospital").order_by("username").first()
        )

    def submit(
        self, member: Member, code: str, start: dt.date, days: int, at_discharge: bool = False, **extra: Any
    ) -> CsRequest:
        submitter = self.intake if at_discharge else self.rng.choice([u for u in (self.hospital, self.ms) if u])
        return cs_request_submit(
            actor=submitter, data=_form(member, submitter, code, start, days, at_discharge=at_discharge, **extra)
        )[0]

    def deliver(self, request: CsRequest, start: dt.date, days: int, cost: Decimal, **extra: Any) -> None:
        request.refresh_from_db()
        staff = (
            User.objects.filter(organization_id=request.provider_id, role__in=PROVIDER_ROLES).first()
            if request.provider_id
            else None
        )
        if staff is None:
            return
        deliveries.cs_delivery_record(
            actor=staff,
            request=request,
            data=deliveries.DeliveryInput(
                start_date=start, end_date=start + dt.timedelta(days=days - 1), units=Decimal(days), cost=cost, **extra
            ),
        )

    def drive(self, member: Member, target: str, today: dt.date) -> str:
        if target == "at_room_board_limit":
            request = self.submit(member, "stphh", today - dt.timedelta(days=200), 183, at_discharge=True)
            self.deliver(request, today - dt.timedelta(days=200), 183, Decimal(18300))
            return target
        if target == "near_room_board_limit":
            request = self.submit(member, "recuperative_care", today - dt.timedelta(days=120), 90, at_discharge=True)
            self.deliver(request, today - dt.timedelta(days=120), 90, Decimal(16200))
            request2 = self.submit(member, "stphh", today - dt.timedelta(days=29), 80, at_discharge=True)
            self.deliver(request2, today - dt.timedelta(days=29), 20, Decimal(2000))
            return target
        if target == "deposit_used":
            request = self.submit(member, "housing_deposits", today - dt.timedelta(days=60), 30, amount=Decimal(2400))
            if request.authorization is None:
                return request.status
            authorization_decide(actor=self.um, authorization=request.authorization, outcome="approve")
            self.deliver(request, today - dt.timedelta(days=55), 1, Decimal(2400))
            return target
        if target in ("pending", "authorized", "denied", "in_service", "completed", "linked"):
            request = self.submit(member, "medically_tailored_meals", today, 84, quantity=Decimal(2))
            if target == "pending" or request.authorization is None:
                return "pending" if request.authorization else request.status
            if target == "linked":
                self.submit(member, "medically_tailored_meals", today, 84, quantity=Decimal(2))
                return target
            outcome = "deny" if target == "denied" else "approve"
            authorization_decide(
                actor=self.um,
                authorization=request.authorization,
                outcome=outcome,
                reason="Diet-sensitive condition not documented." if outcome == "deny" else "",
                criteria="CS Policy Guide, Medically Tailored Meals." if outcome == "deny" else "",
            )
            if target in ("in_service", "completed"):
                self.deliver(request, today, 1, Decimal(30), meals_per_day=2)
            if target == "completed":
                provider_id = CsRequest.objects.get(pk=request.pk).provider_id
                staff = User.objects.filter(organization_id=provider_id).first() if provider_id else None
                if staff:
                    deliveries.cs_request_complete(actor=staff, request=request, reason="Course of meals delivered.")
            return target
        request = self.submit(member, "respite", today, 30, quantity=Decimal(400))  # over 336 hours: refused
        return request.status


TARGETS = (
    "pending",
    "authorized",
    "denied",
    "in_service",
    "completed",
    "linked",
    "at_room_board_limit",
    "near_room_board_limit",
    "deposit_used",
    "over_limit",
)


def demo_cs_create(*, seed: int = 2026, per_plan: int = 30) -> dict[str, int]:
    """Drive members of each plan through the Community Supports states; delegated members go to Kaiser."""
    rng = Random(seed)
    today = plan_today()
    reached: Counter[str] = Counter()
    for plan in Plan.objects.order_by("code"):
        driver = _CsDriver(plan, rng)
        members = list(
            Member.objects.filter(
                plan=plan, programs__isnull=True, delegated_to__isnull=True, cs_requests__isnull=True
            ).order_by("cin")[:400]
        )
        rng.shuffle(members)
        for index, member in enumerate(members[:per_plan]):
            try:
                with transaction.atomic():
                    reached[driver.drive(member, TARGETS[index % len(TARGETS)], today)] += 1
            except DomainError as exc:  # a demo member who does not fit the path is simply left out
                reached[f"skipped ({exc.code})"] += 1
        for member in Member.objects.filter(plan=plan, delegated_to__isnull=False).order_by("cin")[:3]:
            with transaction.atomic():
                reached[driver.submit(member, "recuperative_care", today, 14).status] += 1
    return dict(reached)
