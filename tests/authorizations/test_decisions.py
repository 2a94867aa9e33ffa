"""Authorization decisions: outcomes, Notice of Action, one extension, overdue queue, re-authorization,
and provider change with a clean hand-off."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from calaim.authorizations.models import AuthorizationRequest, NoticeOfAction
from calaim.careplans.models import Task
from calaim.core.clock import plan_today
from calaim.ecm.models import Enrollment
from tests.conftest import referral_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(api, member):
    rid = api("referrer").post("/referrals", referral_body(member)).json()["id"]
    api("intake").post(f"/referrals/{rid}/eligibility-determination")
    return AuthorizationRequest.objects.get(referral_id=rid)


def test_denial_issues_notice_of_action_and_tells_the_referrer(api, pending):
    response = api("um").post(
        f"/authorizations/{pending.pk}/decision",
        {"outcome": "deny", "reason": "Not homeless per HMIS", "criteria": "ECM Policy Guide A1"},
    )
    assert response.status_code == 200, response.content
    noa = response.json()["notice_of_action"]
    assert noa["reason"] == "Not homeless per HMIS" and noa["criteria"] == "ECM Policy Guide A1"
    assert "appeal within 60 calendar days" in noa["appeal_rights"]
    assert "State Fair Hearing within 120 calendar days" in noa["appeal_rights"]
    assert dt.date.fromisoformat(noa["appeal_deadline"]) == plan_today() + dt.timedelta(days=60)
    referral = api("referrer").get(f"/referrals/{pending.referral_id}").json()
    assert referral["status"] == "denied" and "Not homeless" in referral["closure_reason"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"outcome": "deny", "criteria": "x"}, "reason"),
        ({"outcome": "deny", "reason": "x"}, "criteria"),
        ({"outcome": "approve_modified"}, "modification"),
        ({"outcome": "pend"}, "information_requested"),
        ({"outcome": "maybe"}, "outcome"),
        ({"outcome": "approve", "period_months": 0}, "period_months"),
    ],
)
def test_invalid_decision_names_the_field_and_changes_nothing(api, pending, body, field):
    response = api("um").post(f"/authorizations/{pending.pk}/decision", body)
    assert response.status_code == 422
    assert any(field in [str(p) for p in item["loc"]] for item in response.json()["detail"])
    pending.refresh_from_db()
    assert pending.status == "pending" and not NoticeOfAction.objects.exists()


def test_pend_then_approve_as_modified(api, pending):
    pended = api("um").post(
        f"/authorizations/{pending.pk}/decision", {"outcome": "pend", "information_requested": "Discharge summary"}
    )
    assert pended.json()["status"] == "pended"
    modified = api("um").post(
        f"/authorizations/{pending.pk}/decision",
        {"outcome": "approve_modified", "modification": "6 months, then review", "period_months": 6},
    )
    assert modified.json()["status"] == "approved_modified"
    start, end = (dt.date.fromisoformat(modified.json()[k]) for k in ("period_start", "period_end"))
    assert 180 <= (end - start).days <= 184
    assert NoticeOfAction.objects.filter(authorization=pending).exists()


def test_one_extension_only_and_it_needs_a_reason(api, pending):
    assert api("um").post(f"/authorizations/{pending.pk}/extension", {"reason": ""}).status_code == 422
    first = api("um").post(f"/authorizations/{pending.pk}/extension", {"reason": "Awaiting PCP records"})
    assert first.status_code == 200
    assert dt.datetime.fromisoformat(first.json()["due_at"]) > pending.ceiling_at
    assert api("um").post(f"/authorizations/{pending.pk}/extension", {"reason": "again"}).status_code == 409


def test_overdue_requests_are_visible_as_such(api, pending):
    AuthorizationRequest.objects.filter(pk=pending.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    overdue = api("um").get("/authorizations", overdue="true").json()["items"]
    assert [a["id"] for a in overdue] == [str(pending.pk)]
    assert overdue[0]["overdue"] is True and overdue[0]["time_remaining_seconds"] < 0
    assert api("um").get("/authorizations", overdue="false").json()["items"] == []


def test_reauthorization_continues_from_the_end_of_the_period(api, pending):
    approved = api("um").post(f"/authorizations/{pending.pk}/decision", {"outcome": "approve"}).json()
    renewal = api("intake").post(f"/authorizations/{pending.pk}/reauthorization", {})
    assert renewal.status_code == 201
    assert api("intake").post(f"/authorizations/{pending.pk}/reauthorization", {}).status_code == 409
    decided = api("um").post(f"/authorizations/{renewal.json()['id']}/decision", {"outcome": "approve"}).json()
    assert dt.date.fromisoformat(decided["period_start"]) == dt.date.fromisoformat(
        approved["period_end"]
    ) + dt.timedelta(days=1)


def test_provider_change_moves_open_tasks_and_keeps_history(api, network, pending):
    api("um").post(f"/authorizations/{pending.pk}/decision", {"outcome": "approve"})
    first = (
        api("intake")
        .post(f"/referrals/{pending.referral_id}/assignment", {"provider_id": str(network.provider_a.pk)})
        .json()
    )
    assert first["assignment_reasons"][0] == "chosen by the member"
    open_task = Task.objects.get(enrollment_id=first["id"], kind="outreach")
    changed = api("cm_a").post(
        f"/enrollments/{first['id']}/provider-change",
        {"reason": "Member asked for a Vietnamese-speaking team", "provider_id": str(network.provider_b.pk)},
    )
    assert changed.status_code == 201, changed.content
    open_task.refresh_from_db()
    assert open_task.organization == network.provider_b and str(open_task.enrollment_id) == changed.json()["id"]
    old = Enrollment.objects.get(pk=first["id"])
    assert old.status == "transferred" and changed.json()["previous_id"] == first["id"]
    assert api("cm_a").get(f"/enrollments/{first['id']}").status_code == 404
    assert api("cm_b").get(f"/enrollments/{changed.json()['id']}").status_code == 200


def test_automatic_assignment_prefers_the_pcp_affiliated_provider(api, network, pending):
    member = pending.member
    member.pcp_organization = network.clinic  # affiliated with provider B
    member.language = "en"
    member.save()
    api("um").post(f"/authorizations/{pending.pk}/decision", {"outcome": "approve"})
    assigned = api("intake").post(f"/referrals/{pending.referral_id}/assignment", {}).json()
    assert assigned["provider_id"] == str(network.provider_b.pk)
    assert any("primary care provider" in r for r in assigned["assignment_reasons"])


def test_full_provider_is_not_assigned(api, network, pending):
    network.provider_a.contracts.update(capacity=0)
    api("um").post(f"/authorizations/{pending.pk}/decision", {"outcome": "approve"})
    chosen = api("intake").post(
        f"/referrals/{pending.referral_id}/assignment", {"provider_id": str(network.provider_a.pk)}
    )
    assert chosen.status_code == 409 and chosen.json()["detail"][0]["loc"] == ["body", "provider_id"]
    auto = api("intake").post(f"/referrals/{pending.referral_id}/assignment", {}).json()
    assert auto["provider_id"] == str(network.provider_b.pk)
