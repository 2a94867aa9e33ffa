"""The care plan through the API: the assigned provider writes, plan staff read, everyone else gets 404 and
changes nothing; every change is audited with its actor; a plan is read-only once the enrollment ends."""

from __future__ import annotations

import uuid

import pytest

from calaim.careplans import care_plan_services
from calaim.careplans.models import CarePlan, Goal, Intervention
from calaim.core.errors import Conflict
from calaim.core.models import AuditEvent
from tests.careplans.conftest import days

pytestmark = pytest.mark.django_db


def _error(response, status: int, field: str | None = None) -> str:
    assert response.status_code == status, response.json()
    detail = response.json()["detail"][0]
    if field:
        assert detail["loc"][-1] == field, detail
    return detail["msg"]


def _audit(action: str, object_id: str) -> AuditEvent:
    return AuditEvent.objects.get(action=action, object_id=object_id)


def test_provider_creates_the_care_plan_once(api, network, enrolled):
    path = f"/enrollments/{enrolled['enrollment']}/care-plan"
    assert "after today" in _error(api("cm_a").post(path, {"next_review_on": days(0)}), 422, "next_review_on")
    response = api("cm_a").post(path, {"next_review_on": days(90), "summary": "Wants housing first"})
    assert response.status_code == 201
    body = response.json()
    assert body["member_id"] == str(enrolled["member"].pk) and body["organization_name"] == "Alpha Care Partners"
    assert body["version"] == 1 and body["last_reviewed_on"] == days(0) and body["next_review_on"] == days(90)
    assert body["goals"] == [] and body["read_only"] is False and body["review_overdue"] is False
    event = _audit("care_plan.create", body["id"])
    assert event.actor == network.users["cm_a"] and event.member == enrolled["member"]
    assert "already has a care plan" in _error(api("cm_a2").post(path, {"next_review_on": days(30)}), 409)
    assert CarePlan.objects.count() == 1


def test_plan_staff_read_the_care_plan_but_may_not_write(api, plan):
    listed = api("intake").get(f"/members/{plan['member'].pk}/care-plans").json()
    assert [p["id"] for p in listed] == [plan["plan"]]
    assert listed[0]["goals"][0]["description"] == "I want my own place by winter"
    assert api("um").get(f"/care-plans/{plan['plan']}").status_code == 200
    goal = {"description": "Eat well", "domain": "food", "target_date": days(30)}
    _error(api("intake").post(f"/care-plans/{plan['plan']}/goals", goal), 403)
    assert Goal.objects.count() == 1


@pytest.mark.parametrize("caller", ["cm_b", "hpsm_intake", "referrer", None])
def test_outside_scope_every_call_is_404_and_changes_nothing(api, plan, caller):
    client = api(caller)
    expected = 401 if caller is None else 404
    intervention = (
        api("cm_a")
        .post(
            f"/goals/{plan['goal']}/interventions",
            {"description": "Apply for housing voucher", "responsible_user": "cm_a", "due_date": days(7)},
        )
        .json()["id"]
    )
    events = AuditEvent.objects.count()
    calls = [
        client.get(f"/members/{plan['member'].pk}/care-plans"),
        client.get(f"/care-plans/{plan['plan']}"),
        client.post(f"/enrollments/{plan['enrollment']}/care-plan", {"next_review_on": days(90)}),
        client.post(f"/care-plans/{plan['plan']}/review", {"reviewed_on": days(0), "next_review_on": days(60)}),
        client.post(
            f"/care-plans/{plan['plan']}/goals", {"description": "x", "domain": "food", "target_date": days(9)}
        ),
        client.post(f"/goals/{plan['goal']}/status", {"status": "met"}),
        client.post(f"/goals/{plan['goal']}/interventions", {"description": "x", "responsible_name": "Me"}),
        client.post(f"/interventions/{intervention}/status", {"status": "completed"}),
        client.post(f"/enrollments/{plan['enrollment']}/tasks", {"kind": "appointment", "due_date": days(3)}),
    ]
    assert [c.status_code for c in calls] == [expected] * len(calls)
    assert all(plan["member"].cin not in c.content.decode() for c in calls)
    assert AuditEvent.objects.count() == events
    assert Goal.objects.get().status == "active" and Intervention.objects.get().status == "not-started"
    assert CarePlan.objects.get().version == 1


def test_unknown_ids_are_404(api, plan):
    assert api("cm_a").get(f"/care-plans/{uuid.uuid4()}").status_code == 404
    assert api("cm_a").post(f"/goals/{uuid.uuid4()}/status", {"status": "met"}).status_code == 404


def test_goal_validation(api, plan):
    path = f"/care-plans/{plan['plan']}/goals"
    base = {"description": "Walk every day", "domain": "physical_health", "target_date": days(30)}
    assert "past" in _error(api("cm_a").post(path, {**base, "target_date": days(-1)}), 422, "target_date")
    _error(api("cm_a").post(path, {**base, "domain": "wealth"}), 422, "domain")
    assert "own words" in _error(api("cm_a").post(path, {**base, "description": "   "}), 422, "description")
    response = api("cm_a").post(path, base)
    assert response.status_code == 201 and response.json()["status"] == "active"
    assert _audit("care_plan.goal_add", response.json()["id"]).actor_label == "cm_a"


def test_goal_closes_once_with_the_date_met(api, network, plan):
    path = f"/goals/{plan['goal']}/status"
    assert "Only a met goal" in _error(
        api("cm_a").post(path, {"status": "discontinued", "met_on": days(0)}), 422, "met_on"
    )
    assert "future" in _error(api("cm_a").post(path, {"status": "met", "met_on": days(2)}), 422, "met_on")
    _error(api("cm_a").post(path, {"status": "active"}), 422, "status")
    response = api("cm_a2").post(path, {"status": "met", "met_on": days(-1), "note": "Moved in Monday"})
    assert response.status_code == 200 and response.json()["met_on"] == days(-1)
    event = _audit("care_plan.goal_status", plan["goal"])
    assert event.actor == network.users["cm_a2"] and event.reason == "Moved in Monday"
    assert event.before["status"] == "active" and event.after["status"] == "met"
    assert "already closed" in _error(api("cm_a").post(path, {"status": "not_met"}), 409)
    more = {"description": "Sign the lease", "responsible_name": "Member", "due_date": days(3)}
    assert "closed" in _error(api("cm_a").post(f"/goals/{plan['goal']}/interventions", more), 409)


def test_intervention_responsible_is_exactly_one_known_person(api, network, plan):
    path = f"/goals/{plan['goal']}/interventions"
    pcp = api("cm_a").post(f"/members/{plan['member'].pk}/care-team", {"role": "pcp", "name": "Dr. Lee"}).json()
    base = {"description": "Book a visit", "due_date": days(5)}
    assert "Name one person" in _error(api("cm_a").post(path, base), 422, "responsible")
    both = {**base, "responsible_user": "cm_a", "responsible_name": "Someone"}
    _error(api("cm_a").post(path, both), 422, "responsible")
    assert "not on the provider" in _error(api("cm_a").post(path, {**base, "responsible_user": "cm_b"}), 422)
    stranger = {**base, "responsible_care_team_member_id": str(uuid.uuid4())}
    assert "not on this member's care team" in _error(api("cm_a").post(path, stranger), 422, "responsible")
    no_when = {"description": "Book a visit", "responsible_name": "Member"}
    assert "due date or a frequency" in _error(api("cm_a").post(path, no_when), 422, "due_date")
    by_pcp = api("cm_a").post(path, {**base, "responsible_care_team_member_id": pcp["id"]})
    assert by_pcp.status_code == 201 and by_pcp.json()["responsible"] == "Dr. Lee (Primary care provider)"
    by_staff = api("cm_a").post(path, {**base, "responsible_user": "cm_a2", "due_date": None, "frequency": "weekly"})
    assert by_staff.json()["responsible_user"] == "cm_a2" and by_staff.json()["frequency"] == "weekly"
    by_name = api("cm_a").post(path, {**base, "responsible_name": "Aunt Rosa"})
    assert by_name.json()["responsible"] == "Aunt Rosa"
    assert _audit("care_plan.intervention_add", by_name.json()["id"]).actor == network.users["cm_a"]
    goal = api("intake").get(f"/care-plans/{plan['plan']}").json()["goals"][0]
    assert [i["responsible"] for i in goal["interventions"]] == [
        "Dr. Lee (Primary care provider)",
        "cm_a2",
        "Aunt Rosa",
    ]


def test_intervention_status_moves_forward_only(api, network, plan):
    made = (
        api("cm_a")
        .post(
            f"/goals/{plan['goal']}/interventions",
            {"description": "CalFresh application", "responsible_name": "Member", "due_date": days(4)},
        )
        .json()
    )
    path = f"/interventions/{made['id']}/status"
    _error(api("cm_a").post(path, {"status": "not-started"}), 422, "status")
    assert api("cm_a").post(path, {"status": "in-progress"}).json()["status"] == "in-progress"
    assert api("cm_a").post(path, {"status": "completed", "note": "Approved"}).json()["status"] == "completed"
    assert "cannot become cancelled" in _error(api("cm_a").post(path, {"status": "cancelled"}), 409)
    events = AuditEvent.objects.filter(action="care_plan.intervention_status", object_id=made["id"]).order_by("at")
    assert [e.after["status"] for e in events] == ["in-progress", "completed"]
    assert {e.actor for e in events} == {network.users["cm_a"]}


def test_review_makes_a_new_version(api, network, plan):
    path = f"/care-plans/{plan['plan']}/review"
    _error(api("cm_a").post(path, {"reviewed_on": days(1), "next_review_on": days(60)}), 422, "reviewed_on")
    _error(api("cm_a").post(path, {"reviewed_on": days(0), "next_review_on": days(0)}), 422, "next_review_on")
    body = api("sup_a").post(path, {"reviewed_on": days(0), "next_review_on": days(60), "note": "With member"}).json()
    assert body["version"] == 2 and body["next_review_on"] == days(60)
    event = _audit("care_plan.review", plan["plan"])
    assert event.actor == network.users["sup_a"] and event.before["version"] == 1 and event.after["version"] == 2


def test_care_plan_is_read_only_once_the_enrollment_ends(api, network, plan):
    api("cm_a").post(f"/enrollments/{plan['enrollment']}/disenroll", {"reason": "opted_out"})
    listed = api("intake").get(f"/members/{plan['member'].pk}/care-plans").json()
    assert listed[0]["read_only"] is True
    assert api("cm_a").get(f"/care-plans/{plan['plan']}").status_code == 404  # no longer assigned
    care_plan = CarePlan.objects.get()
    with pytest.raises(Conflict, match="read-only"):
        care_plan_services.goal_add(
            actor=network.users["cm_a"],
            care_plan=care_plan,
            description="Stay housed",
            domain="housing",
            target_date=care_plan.next_review_on,
        )
    with pytest.raises(Conflict, match="read-only"):
        care_plan_services.goal_update_status(
            actor=network.users["cm_a"], goal=Goal.objects.get(), status="discontinued"
        )
    assert Goal.objects.filter(status="active").count() == 1


def test_care_plans_appear_in_the_openapi_document(api):
    paths = api("intake").client.get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/members/{member_id}/care-plans",
        "/api/enrollments/{enrollment_id}/care-plan",
        "/api/care-plans/{care_plan_id}/goals",
        "/api/goals/{goal_id}/status",
        "/api/goals/{goal_id}/interventions",
        "/api/interventions/{intervention_id}/status",
        "/api/enrollments/{enrollment_id}/tasks",
        "/api/tasks/{task_id}/cancel",
    ):
        assert path in paths, path
