"""Tasks through the API: the assigned provider creates, starts, completes and cancels them with due dates
and an owner from its own staff; other organizations and plan staff get 404 and change nothing."""

from __future__ import annotations

import pytest

from calaim.careplans.models import Task, TaskKind
from calaim.careplans.services import task_create
from calaim.core.errors import Conflict
from calaim.core.models import AuditEvent
from calaim.ecm.models import Enrollment
from tests.careplans.conftest import days

pytestmark = pytest.mark.django_db

KINDS = ["appointment", "medication_review", "transportation", "community_referral", "discharge_follow_up"]


def _msg(response, status: int, field: str | None = None) -> str:
    assert response.status_code == status, response.json()
    detail = response.json()["detail"][0]
    if field:
        assert detail["loc"][-1] == field
    return detail["msg"]


@pytest.mark.parametrize("kind", KINDS)
def test_provider_creates_a_task_of_each_kind(api, network, enrolled, kind):
    response = api("cm_a").post(
        f"/enrollments/{enrolled['enrollment']}/tasks",
        {"kind": kind, "due_date": days(2), "description": "Cardiology at St. Joseph's", "owner": "cm_a2"},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["kind"] == kind and body["owner"] == "cm_a2" and body["status"] == "requested"
    assert body["organization_id"] == str(network.provider_a.pk) and body["due_date"] == days(2)
    event = AuditEvent.objects.get(action="task.create", object_id=body["id"])
    assert event.actor == network.users["cm_a"] and event.member == enrolled["member"]
    listed = api("cm_a").get("/tasks", member_id=str(enrolled["member"].pk)).json()["items"]
    assert body["id"] in [t["id"] for t in listed]


def test_task_validation(api, enrolled):
    path = f"/enrollments/{enrolled['enrollment']}/tasks"
    assert "past" in _msg(api("cm_a").post(path, {"kind": "appointment", "due_date": days(-1)}), 422, "due_date")
    assert "care staff" in _msg(
        api("cm_a").post(path, {"kind": "appointment", "due_date": days(1), "owner": "cm_b"}), 422, "owner"
    )
    assert "Describe" in _msg(api("cm_a").post(path, {"kind": "other", "due_date": days(1)}), 422, "description")
    _msg(api("cm_a").post(path, {"kind": "yoga", "due_date": days(1)}), 422, "kind")
    unassigned = api("cm_a").post(path, {"kind": "transportation", "due_date": days(0)})
    assert unassigned.status_code == 201 and unassigned.json()["owner"] is None


@pytest.mark.parametrize("caller", ["cm_b", "intake", "hpsm_intake"])
def test_others_cannot_create_or_move_tasks(api, enrolled, caller):
    task = Task.objects.get(member=enrolled["member"], kind=TaskKind.WELCOME_CALL)
    events = AuditEvent.objects.count()
    created = api(caller).post(
        f"/enrollments/{enrolled['enrollment']}/tasks", {"kind": "outreach", "due_date": days(1)}
    )
    assert created.status_code == 404
    for action, body in (("start", None), ("complete", None), ("cancel", {"reason": "no"})):
        assert api(caller).post(f"/tasks/{task.pk}/{action}", body).status_code == 404
    task.refresh_from_db()
    assert task.status == "requested" and AuditEvent.objects.count() == events
    assert Task.objects.filter(member=enrolled["member"]).count() == 2  # outreach (done) and welcome call


def test_task_start_complete_and_cancel(api, network, enrolled):
    task = Task.objects.get(member=enrolled["member"], kind=TaskKind.WELCOME_CALL)
    assert api("cm_a").post(f"/tasks/{task.pk}/start").json()["status"] == "in-progress"
    assert "in progress" in _msg(api("cm_a").post(f"/tasks/{task.pk}/start"), 409)
    done = api("cm_a").post(f"/tasks/{task.pk}/complete").json()
    assert done["status"] == "completed" and done["completed_at"]
    assert "completed" in _msg(api("cm_a").post(f"/tasks/{task.pk}/cancel", {"reason": "dup"}), 409)
    other = (
        api("cm_a")
        .post(f"/enrollments/{enrolled['enrollment']}/tasks", {"kind": "medication_review", "due_date": days(1)})
        .json()
    )
    _msg(api("cm_a").post(f"/tasks/{other['id']}/cancel", {"reason": ""}), 422)
    assert "reason" in _msg(api("cm_a").post(f"/tasks/{other['id']}/cancel", {"reason": "  "}), 422, "reason")
    cancelled = api("sup_a").post(f"/tasks/{other['id']}/cancel", {"reason": "Pharmacist already reviewed"})
    assert cancelled.json()["status"] == "cancelled"
    event = AuditEvent.objects.get(action="task.cancel", object_id=other["id"])
    assert event.actor == network.users["sup_a"] and event.reason == "Pharmacist already reviewed"
    actions = AuditEvent.objects.filter(object_id=str(task.pk)).values_list("action", flat=True)
    assert set(actions) >= {"task.start", "task.complete"}


def test_no_task_on_an_ended_enrollment(api, enrolled):
    api("cm_a").post(f"/enrollments/{enrolled['enrollment']}/disenroll", {"reason": "opted_out"})
    response = api("cm_a").post(
        f"/enrollments/{enrolled['enrollment']}/tasks", {"kind": "outreach", "due_date": days(1)}
    )
    assert response.status_code == 404  # no longer assigned to provider A


def test_task_service_refuses_an_ended_enrollment(api, network, enrolled):
    api("cm_a").post(f"/enrollments/{enrolled['enrollment']}/disenroll", {"reason": "opted_out"})
    enrollment = Enrollment.objects.get(pk=enrolled["enrollment"])
    created = AuditEvent.objects.filter(action="task.create").count()  # the outreach and welcome-call tasks
    with pytest.raises(Conflict):
        task_create(
            actor=network.users["cm_a"], enrollment=enrollment, kind="appointment", due_date=enrollment.ended_on
        )
    assert AuditEvent.objects.filter(action="task.create").count() == created
