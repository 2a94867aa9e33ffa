"""Care plan, tasks and care team in the browser: the forms call the same services as the API, with or
without htmx; refusals show on their field; another organization gets 404 everywhere and changes nothing."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from calaim.careplans import care_plan_services
from calaim.careplans.models import CarePlan, CareTeamMember, Goal, Intervention, OutreachAttempt, Task, TaskKind
from calaim.core.clock import plan_today
from calaim.core.models import AuditEvent
from calaim.ecm.models import Enrollment

pytestmark = pytest.mark.django_db
TODAY = plan_today()
HTMX = {"HX-Request": "true"}


def day(n: int) -> str:
    return (TODAY + dt.timedelta(days=n)).isoformat()


@pytest.fixture
def care_plan(network: Any, enrolled: dict[str, Any]) -> dict[str, Any]:
    enrollment = Enrollment.objects.get(pk=enrolled["enrollment"])
    cm = network.users["cm_a"]
    plan = care_plan_services.care_plan_create(actor=cm, enrollment=enrollment, next_review_on=TODAY + dt.timedelta(90))
    goal = care_plan_services.goal_add(
        actor=cm,
        care_plan=plan,
        description="Get my blood pressure down",
        domain="physical_health",
        target_date=TODAY + dt.timedelta(60),
    )
    item = care_plan_services.intervention_add(
        actor=cm, goal=goal, description="Weekly BP check", responsible_username="cm_a", frequency="weekly"
    )
    return {**enrolled, "plan": plan, "goal": goal, "intervention": item}


def _field_error(response, field_id: str, text: str, status: int = 400) -> str:
    body = response.content.decode()
    assert response.status_code == status, body[:2000]
    assert f'id="{field_id}-error"' in body and text in body, body
    assert re.search(rf'aria-describedby="[^"]*{re.escape(field_id)}-error"', body)
    return body


def test_care_manager_creates_a_care_plan_without_javascript(web, network, enrolled):
    member = enrolled["member"]
    page = web("cm_a").get(f"/members/{member.pk}/").content.decode()
    assert "No care plan yet." in page and "Create a care plan" in page and 'for="care-plan-new-next_review_on"' in page
    path = f"/enrollments/{enrolled['enrollment']}/care-plan/"
    assert web("cm_a").get(path).status_code == 200
    _field_error(web("cm_a").post(path, {"next_review_on": day(0)}), "care-plan-new-next_review_on", "after today")
    assert not CarePlan.objects.exists()
    response = web("cm_a").post(path, {"next_review_on": day(90), "summary": "Housing first"})
    assert response.status_code == 302 and response["Location"] == f"/members/{member.pk}/#care-plan"
    plan = CarePlan.objects.get()
    assert AuditEvent.objects.get(action="care_plan.create", object_id=str(plan.pk)).actor == network.users["cm_a"]
    page = web("cm_a").get(response["Location"]).content.decode()
    assert "Care plan created." in page and "Housing first" in page and "Create a care plan" not in page
    assert "Add a goal" in page and "Record a care plan review" in page


def test_goal_added_with_htmx_returns_the_refreshed_section(web, network, care_plan):
    path = f"/care-plans/{care_plan['plan'].pk}/goals/"
    body = {"description": "Find a room I can afford", "domain": "housing", "target_date": day(120)}
    response = web("cm_a").post(path, body, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html and 'id="care-plan"' in html
    assert "Goal added." in html and "Find a room I can afford" in html
    goal = Goal.objects.get(description="Find a room I can afford")
    assert AuditEvent.objects.get(action="care_plan.goal_add", object_id=str(goal.pk)).actor_label == "cm_a"


def test_refused_goal_comes_back_in_the_section_with_its_error(web, care_plan):
    plan = care_plan["plan"]
    path = f"/care-plans/{plan.pk}/goals/"
    body = {"description": "Eat better", "domain": "food", "target_date": day(-3)}
    html = _field_error(web("cm_a").post(path, body, headers=HTMX), f"goal-new-{plan.pk}-target_date", "past", 200)
    assert "<html" not in html and "<details open>" in html
    _field_error(web("cm_a").post(path, body), f"goal-new-{plan.pk}-target_date", "cannot be in the past")
    _field_error(web("cm_a").post(path, {**body, "domain": ""}), f"goal-new-{plan.pk}-domain", "required")
    assert Goal.objects.count() == 1


def test_goal_status_and_interventions(web, network, care_plan):
    goal, item = care_plan["goal"], care_plan["intervention"]
    pcp = CareTeamMember.objects.create(
        member=care_plan["member"], role="pcp", name="Dr. Lee", added_by=network.users["cm_a"]
    )
    add = f"/goals/{goal.pk}/interventions/"
    page = web("cm_a").get(f"/members/{care_plan['member'].pk}/sections/care-plan/").content.decode()
    assert f'value="team:{pcp.pk}"' in page and 'value="staff:cm_a2"' in page and "Weekly BP check" in page
    none = {"description": "See the PCP", "due_date": day(7)}
    _field_error(web("cm_a").post(add, none), f"intervention-new-{goal.pk}-responsible", "Name one person")
    _field_error(
        web("cm_a").post(add, {"description": "See the PCP", "responsible_name": "Me"}),
        f"intervention-new-{goal.pk}-due_date",
        "due date or a frequency",
    )
    response = web("cm_a").post(add, {**none, "responsible": f"team:{pcp.pk}"})
    assert response.status_code == 302
    assert Intervention.objects.get(description="See the PCP").responsible_care_team_member == pcp
    web("cm_a").post(add, {"description": "Pill organizer", "responsible_name": "Daughter", "frequency": "daily"})
    assert Intervention.objects.get(description="Pill organizer").responsible == "Daughter"

    status = f"/interventions/{item.pk}/status/"
    _field_error(web("cm_a").post(status, {"status": ""}), f"intervention-{item.pk}-status", "required")
    html = web("cm_a").post(status, {"status": "in-progress"}, headers=HTMX).content.decode()
    assert "Intervention status updated." in html
    item.refresh_from_db()
    assert item.status == "in-progress"

    goal_path = f"/goals/{goal.pk}/status/"
    _field_error(
        web("cm_a").post(goal_path, {"status": "not_met", "met_on": day(0)}),
        f"goal-{goal.pk}-met_on",
        "Only a met goal",
    )
    assert web("cm_a").post(goal_path, {"status": "met", "note": "132/80 twice"}).status_code == 302
    goal.refresh_from_db()
    assert goal.status == "met" and goal.met_on == TODAY
    event = AuditEvent.objects.get(action="care_plan.goal_status", object_id=str(goal.pk))
    assert event.actor == network.users["cm_a"] and event.reason == "132/80 twice"
    page = web("cm_a").get(f"/members/{care_plan['member'].pk}/").content.decode()
    assert f"Met on {TODAY:%Y-%m-%d}" in page
    assert f'action="/goals/{goal.pk}/interventions/"' not in page  # closed goals take no new interventions


def test_care_plan_review(web, network, care_plan):
    plan = care_plan["plan"]
    path = f"/care-plans/{plan.pk}/review/"
    _field_error(
        web("cm_a").post(path, {"reviewed_on": day(0), "next_review_on": day(-1)}),
        f"review-{plan.pk}-next_review_on",
        "after today",
    )
    web("cm_a").post(path, {"reviewed_on": day(0), "next_review_on": day(30)})
    plan.refresh_from_db()
    assert plan.version == 2 and plan.next_review_on.isoformat() == day(30)
    assert AuditEvent.objects.get(action="care_plan.review").actor == network.users["cm_a"]


def test_plan_staff_see_the_care_plan_without_forms_and_cannot_write(web, care_plan):
    plan = care_plan["plan"]
    html = web("intake").get(f"/members/{care_plan['member'].pk}/sections/care-plan/").content.decode()
    assert "Get my blood pressure down" in html and "Weekly BP check" in html and "<form" not in html
    response = web("intake").post(
        f"/care-plans/{plan.pk}/goals/", {"description": "x", "domain": "food", "target_date": day(5)}
    )
    assert response.status_code == 400 and "may not change a care plan" in response.content.decode()
    assert Goal.objects.count() == 1


def test_read_only_once_the_enrollment_ends(web, api, care_plan):
    api("cm_a").post(f"/enrollments/{care_plan['enrollment']}/disenroll", {"reason": "opted_out"})
    html = web("intake").get(f"/members/{care_plan['member'].pk}/sections/care-plan/").content.decode()
    assert "ECM ended: read-only" in html and "<form" not in html


def test_tasks_added_started_completed_and_cancelled(web, network, enrolled):
    member = enrolled["member"]
    path = f"/enrollments/{enrolled['enrollment']}/tasks/"
    section = web("cm_a").get(f"/members/{member.pk}/sections/tasks/").content.decode()
    assert "Add a task" in section and 'for="task-new-kind"' in section and "Mark complete" in section
    _field_error(
        web("cm_a").post(path, {"kind": "appointment", "due_date": day(-1)}),
        "task-new-due_date",
        "cannot be due in the past",
    )
    _field_error(web("cm_a").post(path, {"kind": "other", "due_date": day(1)}), "task-new-description", "Describe")
    _field_error(web("cm_a").post(path, {"kind": "", "due_date": day(1)}), "task-new-kind", "required")
    for n, kind in enumerate(
        ["appointment", "medication_review", "transportation", "community_referral", "discharge_follow_up"]
    ):
        response = web("cm_a").post(path, {"kind": kind, "due_date": day(n), "owner": "cm_a2", "description": kind})
        assert response.status_code == 302 and response["Location"] == f"/members/{member.pk}/#tasks"
    assert web("cm_a").post(path, {"kind": "assessment", "due_date": day(3)}).status_code == 302
    assert "Unassigned" in web("cm_a").get(f"/members/{member.pk}/sections/tasks/").content.decode()
    ride = Task.objects.get(kind=TaskKind.TRANSPORTATION)
    assert ride.owner == network.users["cm_a2"]
    assert AuditEvent.objects.get(action="task.create", object_id=str(ride.pk)).actor == network.users["cm_a"]

    html = web("cm_a").post(f"/tasks/{ride.pk}/start/", headers=HTMX).content.decode()
    assert "Task started." in html and "In progress" in html
    cancel = f"/tasks/{ride.pk}/cancel/"
    _field_error(web("cm_a").post(cancel, {"reason": ""}), f"task-{ride.pk}-cancel-reason", "Give the reason")
    assert web("cm_a").post(cancel, {"reason": "Member has a ride"}).status_code == 302
    ride.refresh_from_db()
    assert ride.status == "cancelled"
    pills = Task.objects.get(kind=TaskKind.MEDICATION_REVIEW)
    assert web("cm_a").get(f"/tasks/{pills.pk}/complete/").status_code == 200  # the no-JS confirmation page
    assert web("cm_a").post(f"/tasks/{pills.pk}/complete/").status_code == 302
    pills.refresh_from_db()
    assert pills.status == "completed"
    again = web("cm_a").post(f"/tasks/{pills.pk}/complete/", headers=HTMX)
    assert again.status_code == 200 and 'role="alert"' in again.content.decode()
    assert "already completed" in again.content.decode()
    assert {
        e.actor_label for e in AuditEvent.objects.filter(action__in=["task.start", "task.cancel", "task.complete"])
    } == {"cm_a"}
    section = web("cm_a").get(f"/members/{member.pk}/sections/tasks/").content.decode()
    # The outreach task was closed at enrollment.
    assert "Completed and cancelled tasks (3)" in section and "Unassigned" in section


def test_care_team_added_and_removed(web, network, enrolled):
    member = enrolled["member"]
    path = f"/members/{member.pk}/care-team/"
    _field_error(
        web("cm_a").post(path, {"role": "pcp", "name": "Dr. Lee", "email": "nope"}),
        "care-team-new-email",
        "valid email",
    )
    html = (
        web("member_services")
        .post(path, {"role": "pharmacist", "name": "Sam Ortiz", "organization_name": "Rite Aid"}, headers=HTMX)
        .content.decode()
    )
    assert "Care team member added." in html and "Sam Ortiz" in html
    person = CareTeamMember.objects.get(name="Sam Ortiz")
    assert AuditEvent.objects.get(action="care_team.add").actor == network.users["member_services"]
    assert web("cm_a").get(f"/care-team/{person.pk}/remove/").status_code == 200
    response = web("cm_a").post(f"/care-team/{person.pk}/remove/")
    assert response.status_code == 302 and response["Location"].endswith("#care-team")
    person.refresh_from_db()
    assert not person.active
    assert AuditEvent.objects.get(action="care_team.remove").actor == network.users["cm_a"]
    assert web("cm_a").post(f"/care-team/{person.pk}/remove/").status_code == 400  # already removed


@pytest.mark.parametrize("caller", ["cm_b", "hpsm_intake", "referrer"])
def test_outside_scope_every_page_and_post_is_404_and_changes_nothing(web, network, care_plan, caller):
    member, plan, goal, item = care_plan["member"], care_plan["plan"], care_plan["goal"], care_plan["intervention"]
    task = Task.objects.get(member=member, kind=TaskKind.WELCOME_CALL)
    person = CareTeamMember.objects.create(member=member, role="pcp", name="Dr. Lee", added_by=network.users["cm_a"])
    events = AuditEvent.objects.count()
    for section in ("care-plan", "tasks", "care-team"):
        assert web(caller).get(f"/members/{member.pk}/sections/{section}/").status_code == 404
    posts = {
        f"/enrollments/{care_plan['enrollment']}/care-plan/": {"next_review_on": day(30)},
        f"/care-plans/{plan.pk}/review/": {"reviewed_on": day(0), "next_review_on": day(30)},
        f"/care-plans/{plan.pk}/goals/": {"description": "x", "domain": "food", "target_date": day(5)},
        f"/goals/{goal.pk}/status/": {"status": "discontinued"},
        f"/goals/{goal.pk}/interventions/": {"description": "x", "responsible_name": "Me", "due_date": day(2)},
        f"/interventions/{item.pk}/status/": {"status": "cancelled"},
        f"/enrollments/{care_plan['enrollment']}/tasks/": {"kind": "appointment", "due_date": day(2)},
        f"/tasks/{task.pk}/start/": {},
        f"/tasks/{task.pk}/complete/": {},
        f"/tasks/{task.pk}/cancel/": {"reason": "x"},
        f"/members/{member.pk}/care-team/": {"role": "pcp", "name": "Dr. Who"},
        f"/care-team/{person.pk}/remove/": {},
    }
    for path, body in posts.items():
        for response in (
            web(caller).get(path),
            web(caller).post(path, body),
            web(caller).post(path, body, headers=HTMX),
        ):
            assert response.status_code == 404, path
            assert member.cin.encode() not in response.content
    assert AuditEvent.objects.count() == events
    assert (CarePlan.objects.count(), Goal.objects.count(), Intervention.objects.count()) == (1, 1, 1)
    goal.refresh_from_db(), item.refresh_from_db(), task.refresh_from_db(), person.refresh_from_db()
    assert (goal.status, item.status, task.status, person.active) == ("active", "not-started", "requested", True)
    assert CareTeamMember.objects.count() == 1 and Task.objects.filter(member=member).count() == 2


def test_care_manager_worklist_separates_overdue_today_outreach_and_new(web, api, network, enrolled, pending):
    member = enrolled["member"]
    welcome = Task.objects.get(member=member, kind=TaskKind.WELCOME_CALL)
    Task.objects.filter(pk=welcome.pk).update(due_date=TODAY - dt.timedelta(days=2), description="Say hello")
    api("cm_a").post(
        f"/enrollments/{enrolled['enrollment']}/tasks",
        {"kind": "transportation", "due_date": day(0), "description": "NEMT ride to dialysis"},
    )
    api("cm_a").post(
        f"/enrollments/{enrolled['enrollment']}/tasks",
        {"kind": "appointment", "due_date": day(0), "owner": "cm_a2", "description": "Not mine"},
    )
    # Two members assigned to provider A: one never contacted, one tried twice without reaching them.
    api("um").post(f"/authorizations/{pending['authorization'].pk}/decision", {"outcome": "approve"})
    eid = (
        api("intake")
        .post(f"/referrals/{pending['referral']}/assignment", {"provider_id": str(network.provider_a.pk)})
        .json()["id"]
    )
    body = web("cm_a").get("/").content.decode()
    assert "Pendingson" in body.split("New assignments")[1].split("Outreach due")[0]
    for _ in range(2):
        api("cm_a").post(
            f"/enrollments/{eid}/outreach-attempts",
            {"attempted_on": day(0), "method": "phone", "reached": False, "minutes_spent": 5},
        )
    assert OutreachAttempt.objects.count() == 2
    body = web("cm_a").get("/").content.decode()
    new, rest = body.split("New assignments")[1].split("Outreach due")
    outreach, rest = rest.split("Open tasks")
    tasks, caseload = rest.split("Caseload")
    rows = {row.split("</td>")[1]: row for row in tasks.split("<tr")[1:] if "</td>" in row}
    overdue = next(row for label, row in rows.items() if "Say hello" in label)
    today = next(row for label, row in rows.items() if "NEMT ride to dialysis" in label)
    assert "Pendingson" not in new and "Pendingson" in outreach and ">2<" in outreach and day(0) in outreach
    assert "Overdue</strong>" in overdue and "Due today</strong>" in today and "Overdue</strong>" not in today
    assert "Not mine" not in body
    assert member.last_name in caseload and "No care plan yet" in caseload
    assert "Pendingson" not in web("cm_b").get("/").content.decode()
