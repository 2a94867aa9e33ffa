"""The provider care manager's care plan path, driven only through the member record's sections in a browser:
care plan, goal (refused first on its field), intervention, goal met; a NEMT ride task started and completed;
a care team member added and removed. Each step is checked on the page, in the database and in the audit trail,
and another organization's care manager gets 404 for the member."""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import expect

from calaim.careplans.models import CarePlan, CareTeamMember, Goal, GoalStatus, Intervention, Task, TaskStatus
from calaim.core.clock import plan_today
from calaim.core.models import AuditEvent
from tests.browser.conftest import SCREENSHOTS

TODAY = plan_today()
GOAL = "I want my own apartment before my daughter's birthday"
INTERVENTION = "Help with the housing application and documents"
RIDE = "Transportation (NEMT/NMT)"


def _form(region, button: str):
    """The form in a section that carries this submit button."""
    return region.locator("form").filter(has=region.page.get_by_role("button", name=button, exact=True))


def _audited(action: str, obj, actor) -> None:
    event = AuditEvent.objects.get(action=action, object_id=str(obj.pk))
    assert event.actor == actor, f"{action} was recorded as {event.actor_label}"


def test_care_manager_builds_the_care_plan_and_works_tasks_and_care_team(signed_in, network, enrolled, shot):
    member, cm_a = enrolled["member"], network.users["cm_a"]
    cm = signed_in("cm_a")
    cm.goto(f"/members/{member.pk}/")
    expect(cm.get_by_role("heading", level=1)).to_contain_text(member.cin)

    # 1. The care plan.
    section = cm.get_by_role("region", name="Care plan", exact=True)
    expect(section).to_contain_text("No care plan yet.")
    section.get_by_text("Create a care plan", exact=True).click()
    create = _form(section, "Create care plan")
    create.get_by_label("Next review due").fill((TODAY + dt.timedelta(days=90)).isoformat())
    create.get_by_label("Summary: the member's priorities").fill("Stable housing; keeps cardiology visits")
    create.get_by_role("button", name="Create care plan").click()
    section = cm.get_by_role("region", name="Care plan", exact=True)
    expect(section.get_by_role("status")).to_have_text("Care plan created.")
    expect(section.get_by_role("heading", level=3)).to_have_text("Care plan, version 1 · Alpha Care Partners")
    expect(section).to_contain_text("No goals yet.")
    plan = CarePlan.objects.get(member=member)
    assert plan.next_review_on == TODAY + dt.timedelta(days=90) and plan.created_by == cm_a
    _audited("care_plan.create", plan, cm_a)

    # 2. A goal whose target date is past is refused on that field, and nothing is saved.
    section.get_by_text("Add a goal", exact=True).click()
    goal_form = _form(section, "Add goal")
    goal_form.get_by_label("Goal, in the member's own words").fill(GOAL)
    goal_form.get_by_label("Domain").select_option(label="Housing")
    goal_form.get_by_label("Target date").fill((TODAY - dt.timedelta(days=1)).isoformat())
    goal_form.get_by_role("button", name="Add goal").click()
    section = cm.get_by_role("region", name="Care plan", exact=True)
    goal_form = _form(section, "Add goal")
    expect(goal_form).to_be_visible()  # the panel stays open with the member's words kept
    expect(goal_form.get_by_role("alert")).to_contain_text("Please correct the fields marked below")
    target = goal_form.get_by_label("Target date")
    expect(target).to_have_attribute("aria-invalid", "true")
    error_id = (target.get_attribute("aria-describedby") or "").split()[-1]
    expect(cm.locator(f"#{error_id}")).to_contain_text("The target date cannot be in the past.")
    expect(goal_form.get_by_label("Goal, in the member's own words")).to_have_value(GOAL)
    assert not Goal.objects.exists()
    assert not AuditEvent.objects.filter(action="care_plan.goal_add").exists()

    target_date = TODAY + dt.timedelta(days=120)
    target.fill(target_date.isoformat())
    goal_form.get_by_role("button", name="Add goal").click()
    section = cm.get_by_role("region", name="Care plan", exact=True)
    expect(section.get_by_role("status")).to_have_text("Goal added.")
    expect(section.get_by_role("heading", level=5)).to_have_text(f"“{GOAL}”")
    expect(section).to_contain_text(f"Target date{target_date:%Y-%m-%d}")
    expect(section).to_contain_text("Goals (1)")
    goal = Goal.objects.get(care_plan=plan)
    assert (goal.description, goal.domain, goal.target_date, goal.status) == (GOAL, "housing", target_date, "active")
    _audited("care_plan.goal_add", goal, cm_a)

    # 3. An intervention towards it, by someone outside the provider's staff, with a due date.
    section.get_by_text("Add an intervention", exact=False).click()
    add = _form(section, "Add intervention")
    add.get_by_label("What will be done").fill(INTERVENTION)
    expect(add.get_by_label(re.compile("^Responsible"))).to_have_value("")  # blank: the name below
    add.get_by_label("Or someone else (name)").fill("Maria Lopez, housing navigator")
    due = TODAY + dt.timedelta(days=14)
    add.get_by_label("Due date").fill(due.isoformat())
    add.get_by_role("button", name="Add intervention").click()
    section = cm.get_by_role("region", name="Care plan", exact=True)
    expect(section.get_by_role("status")).to_have_text("Intervention added.")
    row = section.get_by_role("table", name=re.compile("^Interventions for the goal")).get_by_role("row").nth(1)
    expect(row).to_contain_text(INTERVENTION)
    expect(row).to_contain_text("Maria Lopez, housing navigator")
    expect(row).to_contain_text(f"{due:%Y-%m-%d}")
    expect(row).to_contain_text("Not started")
    intervention = Intervention.objects.get(goal=goal)
    assert intervention.responsible_name == "Maria Lopez, housing navigator" and intervention.due_date == due
    _audited("care_plan.intervention_add", intervention, cm_a)

    # 4. The goal is met (today, the date left blank); a closed goal takes no more interventions.
    section.get_by_text("Update goal status", exact=False).first.click()
    status = _form(section, "Update goal status")
    status.get_by_label("New goal status").select_option(label="Met")
    status.get_by_label("Note").fill("Moved in on the first of the month")
    status.get_by_role("button", name="Update goal status").click()
    section = cm.get_by_role("region", name="Care plan", exact=True)
    expect(section.get_by_role("status")).to_have_text("Goal status updated.")
    expect(section).to_contain_text(f"StatusMet on {TODAY:%Y-%m-%d}")
    expect(section.get_by_text("Add an intervention")).to_have_count(0)
    expect(section.get_by_role("button", name="Update goal status")).to_have_count(0)
    goal.refresh_from_db()
    assert goal.status == GoalStatus.MET and goal.met_on == TODAY
    event = AuditEvent.objects.get(action="care_plan.goal_status", object_id=str(goal.pk))
    assert event.actor == cm_a and event.reason == "Moved in on the first of the month"
    assert event.before["status"] == "active" and event.after["status"] == "met"
    section.scroll_into_view_if_needed()
    section.screenshot(path=str(SCREENSHOTS / "care_plan-section.png"))
    shot(cm, "record")

    # 5. A NEMT ride: added, started, completed.
    tasks = cm.get_by_role("region", name="Tasks", exact=True)
    expect(tasks).to_contain_text("Open tasks (1)")  # the welcome call from enrollment
    tasks.get_by_text("Add a task", exact=True).click()
    task_form = _form(tasks, "Add task")
    task_form.get_by_label("Kind of task").select_option(label=RIDE)
    ride_day = TODAY + dt.timedelta(days=3)
    task_form.get_by_label("Due date").fill(ride_day.isoformat())
    task_form.get_by_label("Owner").select_option("cm_a")
    task_form.get_by_label("Description").fill("Ride to the cardiology appointment")
    task_form.get_by_role("button", name="Add task").click()
    tasks = cm.get_by_role("region", name="Tasks", exact=True)
    expect(tasks.get_by_role("status")).to_have_text("Task added.")
    expect(tasks).to_contain_text("Open tasks (2)")
    ride = tasks.get_by_role("row").filter(has_text=RIDE)
    expect(ride).to_contain_text("Ride to the cardiology appointment")
    expect(ride).to_contain_text("Requested")
    task = Task.objects.get(member=member, kind="transportation")
    assert task.owner == cm_a and task.due_date == ride_day and task.status == TaskStatus.REQUESTED
    _audited("task.create", task, cm_a)

    ride.get_by_role("button", name=f"Start task: {RIDE} due {ride_day:%Y-%m-%d}").click()
    tasks = cm.get_by_role("region", name="Tasks", exact=True)
    expect(tasks.get_by_role("status")).to_have_text("Task started.")
    ride = tasks.get_by_role("row").filter(has_text=RIDE)
    expect(ride).to_contain_text("In progress")
    expect(ride.get_by_role("button", name=re.compile("^Start"))).to_have_count(0)
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS
    _audited("task.start", task, cm_a)

    # ("/" escaped: Playwright's selector parser ends a regular expression at a bare slash.)
    kind = re.escape(RIDE).replace("/", r"\/")
    ride.get_by_role("button", name=re.compile(rf"^Mark complete task: {kind} due {ride_day:%Y-%m-%d}$")).click()
    tasks = cm.get_by_role("region", name="Tasks", exact=True)
    expect(tasks.get_by_role("status")).to_have_text("Task completed.")
    expect(tasks).to_contain_text("Open tasks (1)")
    tasks.get_by_text("Completed and cancelled tasks").click()
    expect(tasks.get_by_role("row").filter(has_text=RIDE)).to_contain_text(f"Completed {TODAY:%Y-%m-%d}")
    task.refresh_from_db()
    assert task.status == TaskStatus.COMPLETED and task.completed_at is not None
    _audited("task.complete", task, cm_a)

    # 6. The member's PCP joins the care team, then is removed (after confirming).
    team = cm.get_by_role("region", name="Care team", exact=True)
    expect(team).to_contain_text("No care team recorded.")
    team.get_by_text("Add a care team member", exact=True).click()
    join = _form(team, "Add to care team")
    join.get_by_label("Role").select_option(label="Primary care provider")
    join.get_by_label("Name").fill("Dr. Ana Rivera")
    join.get_by_label("Organization").fill("Valley PCP Clinic")
    join.get_by_label("Phone").fill("209-555-0142")
    join.get_by_role("button", name="Add to care team").click()
    team = cm.get_by_role("region", name="Care team", exact=True)
    expect(team.get_by_role("status")).to_have_text("Care team member added.")
    expect(team.get_by_role("listitem")).to_contain_text(
        "Primary care provider: Dr. Ana Rivera, Valley PCP Clinic · (209) 555-0142"
    )
    person = CareTeamMember.objects.get(member=member)
    assert person.active and person.role == "pcp"
    _audited("care_team.add", person, cm_a)

    dialogs: list[str] = []

    def accept(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.accept()

    cm.once("dialog", accept)
    team.get_by_role("button", name="Remove Dr. Ana Rivera from the care team").click()
    team = cm.get_by_role("region", name="Care team", exact=True)
    expect(team.get_by_role("status")).to_have_text("Dr. Ana Rivera removed from the care team.")
    expect(team).to_contain_text("No care team recorded.")
    assert dialogs == ["Remove Dr. Ana Rivera from the care team?"]
    person.refresh_from_db()
    assert not person.active
    _audited("care_team.remove", person, cm_a)

    # 7. Another organization's care manager finds nothing there, and changes nothing.
    events = AuditEvent.objects.count()
    other = signed_in("cm_b")
    response = other.goto(f"/members/{member.pk}/")
    assert response is not None and response.status == 404
    expect(other.get_by_role("heading", name="Not Found")).to_be_visible()
    expect(other.locator("body")).not_to_contain_text(member.last_name)
    assert other.request.get(f"/members/{member.pk}/sections/care-plan/").status == 404
    response = other.goto(f"/goals/{goal.pk}/interventions/")
    assert response is not None and response.status == 404
    response = other.goto(f"/enrollments/{enrolled['enrollment']}/tasks/")
    assert response is not None and response.status == 404
    assert AuditEvent.objects.count() == events
