"""Appeals fixtures: the appeals coordinator and compliance staff of each plan, and Notices of Action to appeal,
made through the real API the way the UM makes them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from calaim.accounts.models import Role
from calaim.authorizations.models import AuthorizationRequest, NoticeOfAction
from calaim.core.clock import PLAN_TIME_ZONE, plan_today
from calaim.referrals.models import ReferralStatus
from tests.community_supports.test_cs_flow import cs_provider  # noqa: F401 - a fixture for these tests
from tests.conftest import referral_body
from tests.factories import EnrollmentFactory, ReferralFactory, UserFactory

DENIAL = {"outcome": "deny", "reason": "Not homeless per HMIS", "criteria": "ECM Policy Guide A1"}


@pytest.fixture
def staff(network: Any) -> dict[str, Any]:
    """The network's users plus the appeals coordinators and compliance officers (the api and web fixtures find
    them by name)."""
    network.users |= {
        "appeals": UserFactory(username="appeals", role=Role.PLAN_APPEALS, organization=network.hpsj),
        "appeals2": UserFactory(username="appeals2", role=Role.PLAN_APPEALS, organization=network.hpsj),
        "compliance": UserFactory(username="compliance", role=Role.PLAN_COMPLIANCE, organization=network.hpsj),
        "hpsm_appeals": UserFactory(username="hpsm_appeals", role=Role.PLAN_APPEALS, organization=network.hpsm),
        "hpsm_ms": UserFactory(username="hpsm_ms", role=Role.MEMBER_SERVICES, organization=network.hpsm),
    }
    return network.users


def pending_ecm(api: Any, member: Any) -> AuthorizationRequest:
    """An ECM referral by the PCP's referrer, found eligible: its authorization request waits for the UM."""
    rid = api("referrer").post("/referrals", referral_body(member)).json()["id"]
    assert api("intake").post(f"/referrals/{rid}/eligibility-determination").status_code == 201
    return AuthorizationRequest.objects.get(referral_id=rid)


def deny(api: Any, authorization: AuthorizationRequest) -> NoticeOfAction:
    response = api("um").post(f"/authorizations/{authorization.pk}/decision", DENIAL)
    assert response.status_code == 200, response.content
    return NoticeOfAction.objects.select_related("member__plan", "authorization").get(authorization=authorization)


@pytest.fixture
def denied(api: Any, staff: Any, member: Any) -> NoticeOfAction:
    """The UM denied the member's ECM request; its Notice of Action, issued now."""
    return deny(api, pending_ecm(api, member))


def issued_days_ago(notice: NoticeOfAction, days: int) -> NoticeOfAction:
    """Date the notice `days` calendar days before today, just after that day's plan-time midnight (so an appeal
    received now is never before it)."""
    issued = dt.datetime.combine(plan_today() - dt.timedelta(days=days), dt.time(0, 0, 1), tzinfo=PLAN_TIME_ZONE)
    NoticeOfAction.objects.filter(pk=notice.pk).update(issued_at=issued)
    notice.refresh_from_db()
    return notice


def in_caseload(member: Any, provider: Any) -> None:
    """Put the member in the provider's caseload (an assigned ECM enrollment on another referral)."""
    referral = ReferralFactory(member=member, status=ReferralStatus.ASSIGNED)
    EnrollmentFactory(referral=referral, member=member, provider=provider)
