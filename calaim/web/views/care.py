"""Care plan, task and care team actions on the member record.

Each view loads its object through a scoped selector (outside scope: 404), parses one form and calls one
service. Posted with htmx, the answer is the refreshed section; without JavaScript, a redirect back to the
member record with a message, or the form again with its errors.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import partial
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from calaim.careplans import care_plan_services, services
from calaim.careplans.selectors import care_plan_get, care_team_get, goal_get, intervention_get, task_get
from calaim.ecm.selectors import enrollment_get
from calaim.members.models import Member
from calaim.web.access import or_404, staff, verified_required
from calaim.web.forms_care import ConfirmForm
from calaim.web.views import care_sections as cs
from calaim.web.views.actions import Action, act, posted
from calaim.web.views.members import SECTIONS, scoped_member

BUILDERS = {"care-plan": cs.care_plan_section, "tasks": cs.tasks_section, "care-team": cs.care_team_section}


def _section(
    request: HttpRequest,
    member: Member,
    section: str,
    bound: cs.Bound | None = None,
    flash: str = "",
    refusal: str = "",
) -> HttpResponse:
    title = SECTIONS[section][0]
    ctx: dict[str, Any] = {"member": member, "section": section, "title": title, "flash": flash, "refusal": refusal}
    ctx.update(BUILDERS[section](staff(request), member, bound))
    page = {"ctx": ctx, "member": member, "section": section, "title": title}
    return render(request, "web/partials/section.html", page)


def _act(
    request: HttpRequest,
    *,
    member: Member,
    section: str,
    key: str,
    form: forms.Form,
    call: Callable[[dict[str, Any]], object],
    done: str,
    title: str,
    submit: str,
) -> HttpResponse:
    """An action of a member record section: htmx answers with the section, a plain post with the record."""
    return act(
        request,
        Action(
            form=form,
            call=call,
            title=title,
            submit=submit,
            done=done,
            next_url=f"{reverse('web:member', args=[member.pk])}#{section}",
            context={"member": member},
            section=partial(_section, request, member, section),
            section_key=key,
        ),
    )


@verified_required
def care_plan_create(request: HttpRequest, enrollment_id: uuid.UUID) -> HttpResponse:
    enrollment = or_404(lambda: enrollment_get(staff(request), enrollment_id))
    return _act(
        request,
        member=enrollment.member,
        section="care-plan",
        key="care-plan-new",
        form=cs.care_plan_form(posted(request)),
        call=lambda d: care_plan_services.care_plan_create(actor=staff(request), enrollment=enrollment, **d),
        done="Care plan created.",
        title=f"Create a care plan for {enrollment.member}",
        submit="Create care plan",
    )


@verified_required
def care_plan_review(request: HttpRequest, care_plan_id: uuid.UUID) -> HttpResponse:
    plan = or_404(lambda: care_plan_get(staff(request), care_plan_id))
    return _act(
        request,
        member=plan.member,
        section="care-plan",
        key=f"review-{plan.pk}",
        form=cs.review_form(plan, posted(request)),
        call=lambda d: care_plan_services.care_plan_review(actor=staff(request), care_plan=plan, **d),
        done="Care plan review recorded.",
        title=f"Record a care plan review for {plan.member}",
        submit="Record review",
    )


@verified_required
def goal_add(request: HttpRequest, care_plan_id: uuid.UUID) -> HttpResponse:
    plan = or_404(lambda: care_plan_get(staff(request), care_plan_id))
    return _act(
        request,
        member=plan.member,
        section="care-plan",
        key=f"goal-new-{plan.pk}",
        form=cs.goal_form(plan, posted(request)),
        call=lambda d: care_plan_services.goal_add(actor=staff(request), care_plan=plan, **d),
        done="Goal added.",
        title=f"Add a goal to {plan.member}'s care plan",
        submit="Add goal",
    )


@verified_required
def goal_status(request: HttpRequest, goal_id: uuid.UUID) -> HttpResponse:
    goal = or_404(lambda: goal_get(staff(request), goal_id))
    return _act(
        request,
        member=goal.care_plan.member,
        section="care-plan",
        key=f"goal-{goal.pk}",
        form=cs.goal_status_form(goal, posted(request)),
        call=lambda d: care_plan_services.goal_update_status(actor=staff(request), goal=goal, **d),
        done="Goal status updated.",
        title=f"Update the goal “{goal}”",
        submit="Update goal status",
    )


@verified_required
def intervention_add(request: HttpRequest, goal_id: uuid.UUID) -> HttpResponse:
    goal = or_404(lambda: goal_get(staff(request), goal_id))
    member = goal.care_plan.member
    form = cs.intervention_form(goal, cs.responsible_choices(staff(request), member), posted(request))
    return _act(
        request,
        member=member,
        section="care-plan",
        key=f"intervention-new-{goal.pk}",
        form=form,
        call=lambda d: care_plan_services.intervention_add(actor=staff(request), goal=goal, **form.service_kwargs()),
        done="Intervention added.",
        title=f"Add an intervention to the goal “{goal}”",
        submit="Add intervention",
    )


@verified_required
def intervention_status(request: HttpRequest, intervention_id: uuid.UUID) -> HttpResponse:
    item = or_404(lambda: intervention_get(staff(request), intervention_id))
    return _act(
        request,
        member=item.goal.care_plan.member,
        section="care-plan",
        key=f"intervention-{item.pk}",
        form=cs.intervention_status_form(item, posted(request)),
        call=lambda d: care_plan_services.intervention_update_status(actor=staff(request), intervention=item, **d),
        done="Intervention status updated.",
        title=f"Update the intervention “{item}”",
        submit="Update status",
    )


@verified_required
def task_create(request: HttpRequest, enrollment_id: uuid.UUID) -> HttpResponse:
    enrollment = or_404(lambda: enrollment_get(staff(request), enrollment_id))
    return _act(
        request,
        member=enrollment.member,
        section="tasks",
        key="task-new",
        form=cs.task_form(staff(request), posted(request)),
        call=lambda d: services.task_create(actor=staff(request), enrollment=enrollment, **d),
        done="Task added.",
        title=f"Add a task for {enrollment.member}",
        submit="Add task",
    )


def _task_action(request: HttpRequest, task_id: uuid.UUID, verb: str) -> HttpResponse:
    task = or_404(lambda: task_get(staff(request), task_id))
    service = {"start": services.task_start, "complete": services.task_complete}[verb]
    label = {"start": ("Task started.", "Start task"), "complete": ("Task completed.", "Mark complete")}[verb]
    return _act(
        request,
        member=task.member,
        section="tasks",
        key=f"task-{task.pk}-{verb}",
        form=ConfirmForm(posted(request)),
        call=lambda d: service(actor=staff(request), task=task),
        done=label[0],
        title=f"{label[1]}: {task.get_kind_display()} due {task.due_date:%Y-%m-%d}",
        submit=label[1],
    )


@verified_required
def task_start(request: HttpRequest, task_id: uuid.UUID) -> HttpResponse:
    return _task_action(request, task_id, "start")


@verified_required
def task_complete(request: HttpRequest, task_id: uuid.UUID) -> HttpResponse:
    return _task_action(request, task_id, "complete")


@verified_required
def task_cancel(request: HttpRequest, task_id: uuid.UUID) -> HttpResponse:
    task = or_404(lambda: task_get(staff(request), task_id))
    return _act(
        request,
        member=task.member,
        section="tasks",
        key=f"task-{task.pk}-cancel",
        form=cs.task_cancel_form(task, posted(request)),
        call=lambda d: services.task_cancel(actor=staff(request), task=task, **d),
        done="Task cancelled.",
        title=f"Cancel the task: {task.get_kind_display()} due {task.due_date:%Y-%m-%d}",
        submit="Cancel task",
    )


@verified_required
def care_team_add(request: HttpRequest, member_id: uuid.UUID) -> HttpResponse:
    member = scoped_member(request, member_id)
    return _act(
        request,
        member=member,
        section="care-team",
        key="care-team-new",
        form=cs.care_team_form(posted(request)),
        call=lambda d: services.care_team_add(actor=staff(request), member=member, **d),
        done="Care team member added.",
        title=f"Add someone to {member}'s care team",
        submit="Add to care team",
    )


@verified_required
def care_team_remove(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    person = or_404(lambda: care_team_get(staff(request), person_id))
    return _act(
        request,
        member=person.member,
        section="care-team",
        key=f"care-team-{person.pk}-remove",
        form=ConfirmForm(posted(request)),
        call=lambda d: services.care_team_remove(actor=staff(request), person=person),
        done=f"{person.name} removed from the care team.",
        title=f"Remove {person.name} ({person.get_role_display()}) from the care team",
        submit="Remove from care team",
    )
