"""Every refusal of a CSS referral form found in one pass (calaim.community_supports.referral_review): the member,
the attestation, each service's values and each service's limits, each on its field; a request that would be linked
to an open one is not held to the limits here, as the routing would not hold it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from calaim.community_supports.referral_review import ReferralDraft, cs_referral_problems
from calaim.community_supports.services import ServiceRequestInput
from calaim.core.clock import plan_today
from tests.factories import CsRequestFactory

pytestmark = pytest.mark.django_db
TODAY = plan_today()


def meals(days: int) -> ServiceRequestInput:
    return ServiceRequestInput(
        service_code="medically_tailored_meals",
        justification="CHF, discharged yesterday.",
        requested_start=TODAY,
        requested_end=TODAY + dt.timedelta(days=days - 1),
        criteria=["diet_sensitive_condition"],
        quantity=Decimal(2),
    )


def draft(member: Any, *services: ServiceRequestInput | None, **changes: Any) -> ReferralDraft:
    values: dict[str, Any] = {
        "source_type": "pcp",
        "member_cin": member.cin,
        "member_birth_date": member.birth_date,
        "attested_on": TODAY,
        "services": list(services),
        **changes,
    }
    return ReferralDraft(**values)


def test_every_problem_at_once_each_on_its_field(network: Any, member: Any) -> None:
    backwards = ServiceRequestInput("respite", "Caregiver ill.", TODAY, TODAY - dt.timedelta(days=1))
    found = cs_referral_problems(
        actor=network.users["referrer"],
        draft=draft(member, backwards, meals(85), None, attested_on=TODAY + dt.timedelta(days=1)),
        day=TODAY,
    )
    assert [(p.field, p.code) for p in found] == [
        ("attested_on", "validation_error"),
        ("services[0].requested_end", "validation_error"),
        ("services[1].requested_end", "limit_mtm_weeks"),
    ]
    assert "Over a limit" in found[2].message and "12 weeks" in found[2].message


def test_an_unknown_member_stops_only_the_limit_checks(network: Any, member: Any) -> None:
    found = cs_referral_problems(
        actor=network.users["referrer"],
        draft=draft(member, meals(85), member_birth_date=dt.date(1950, 1, 1)),
        day=TODAY,
    )
    assert [p.field for p in found] == ["member_cin"]


def test_a_service_with_errors_of_its_own_is_still_held_to_its_limits(network: Any, member: Any) -> None:
    over = meals(85)
    over.justification = ""  # the form reports this one itself
    found = cs_referral_problems(actor=network.users["referrer"], draft=draft(member, over, incomplete={0}), day=TODAY)
    assert [p.field for p in found] == ["services[0].requested_end"]


def test_a_request_to_be_linked_is_not_held_to_the_limits(network: Any, member: Any) -> None:
    CsRequestFactory(member=member, service_code="medically_tailored_meals", status="pending_authorization")
    assert cs_referral_problems(actor=network.users["referrer"], draft=draft(member, meals(85)), day=TODAY) == []
