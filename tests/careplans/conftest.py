"""A member enrolled with provider A, and a care plan the provider started for them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from calaim.authorizations.models import AuthorizationRequest
from calaim.core.clock import plan_today
from tests.conftest import referral_body

TODAY = plan_today()


def days(n: int) -> str:
    return (TODAY + dt.timedelta(days=n)).isoformat()


@pytest.fixture
def enrolled(api: Any, network: Any, member: Any) -> dict[str, Any]:
    """A member enrolled with provider A (cm_a as Lead Care Manager)."""
    rid = api("referrer").post("/referrals", referral_body(member)).json()["id"]
    api("intake").post(f"/referrals/{rid}/eligibility-determination")
    auth = AuthorizationRequest.objects.get(referral_id=rid)
    api("um").post(f"/authorizations/{auth.pk}/decision", {"outcome": "approve"})
    eid = api("intake").post(f"/referrals/{rid}/assignment", {"provider_id": str(network.provider_a.pk)}).json()["id"]
    api("sup_a").post(f"/enrollments/{eid}/lead-care-manager", {"care_manager": "cm_a"})
    api("cm_a").post(f"/enrollments/{eid}/enroll", {"enrolled_on": TODAY.isoformat()})
    return {"member": member, "enrollment": eid}


@pytest.fixture
def plan(api: Any, enrolled: dict[str, Any]) -> dict[str, Any]:
    """The care plan cm_a started, with one housing goal."""
    response = api("cm_a").post(f"/enrollments/{enrolled['enrollment']}/care-plan", {"next_review_on": days(90)})
    assert response.status_code == 201, response.json()
    plan = response.json()
    goal = api("cm_a").post(
        f"/care-plans/{plan['id']}/goals",
        {"description": "I want my own place by winter", "domain": "housing", "target_date": days(120)},
    )
    assert goal.status_code == 201, goal.json()
    return {**enrolled, "plan": plan["id"], "goal": goal.json()["id"]}
