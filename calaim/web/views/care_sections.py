"""Member record sections for the care plan, tasks and care team, with their forms.

Each form has ids unique on the page (several goals each carry a form); a form that came back with errors
is passed in `bound` under the same key so the section shows it, errors and all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar, cast

from django import forms

from calaim.accounts.models import User
from calaim.careplans.models import (
    OPEN_TASK_STATUSES,
    CarePlan,
    Goal,
    GoalStatus,
    Intervention,
    InterventionStatus,
    Task,
    TaskStatus,
)
from calaim.careplans.policies import can_add_task, can_change_care_team, can_edit_care_plan, can_work_task
from calaim.careplans.selectors import care_plan_detail_scope, care_team_scope, provider_care_staff, task_scope
from calaim.core.clock import plan_today
from calaim.ecm.models import ACTIVE_ENROLLMENT_STATUSES, Enrollment
from calaim.ecm.selectors import enrollment_scope
from calaim.members.models import Member
from calaim.web.forms_care import (
    CarePlanForm,
    CarePlanReviewForm,
    CareTeamForm,
    GoalForm,
    GoalStatusForm,
    InterventionForm,
    InterventionStatusForm,
    TaskCancelForm,
    TaskForm,
)

Bound = dict[str, forms.Form]
F = TypeVar("F", bound=forms.Form)


def _form(bound: Bound, key: str, make: Callable[[], F]) -> F:
    """The form that came back with errors under `key`, else a fresh one."""
    return cast(F, bound[key]) if key in bound else make()


def auto_id(key: str) -> str:
    return f"{key}-%s"


def staff_choices(user: User) -> list[tuple[str, str]]:
    return [(u.username, f"{u.get_full_name() or u.username} ({u.username})") for u in provider_care_staff(user)]


def responsible_choices(user: User, member: Member) -> list[tuple[str, str]]:
    team = care_team_scope(user).filter(member=member, active=True).order_by("role", "name")
    return [
        *[(f"team:{p.pk}", f"{p.name} ({p.get_role_display()}, care team)") for p in team],
        *[(f"staff:{username}", label) for username, label in staff_choices(user)],
    ]


def own_active_enrollment(user: User, member: Member) -> Enrollment | None:
    """The enrollment through which a provider works with this member (and may add tasks); None for others."""
    if not user.is_provider_staff:
        return None
    enrollment = enrollment_scope(user).filter(member=member, status__in=ACTIVE_ENROLLMENT_STATUSES).first()
    return enrollment if enrollment is not None and can_add_task(user, enrollment) else None


# Form factories: the section and the action views build each form the same way, so ids match.
def care_plan_form(data: Any = None) -> CarePlanForm:
    return CarePlanForm(data, auto_id=auto_id("care-plan-new"))


def review_form(plan: CarePlan, data: Any = None) -> CarePlanReviewForm:
    initial = {"reviewed_on": plan_today()}
    return CarePlanReviewForm(data, initial=initial, auto_id=auto_id(f"review-{plan.pk}"))


def goal_form(plan: CarePlan, data: Any = None) -> GoalForm:
    return GoalForm(data, auto_id=auto_id(f"goal-new-{plan.pk}"))


def goal_status_form(goal: Goal, data: Any = None) -> GoalStatusForm:
    return GoalStatusForm(data, auto_id=auto_id(f"goal-{goal.pk}"))


def intervention_form(goal: Goal, choices: list[tuple[str, str]], data: Any = None) -> InterventionForm:
    return InterventionForm(data, responsible_choices=choices, auto_id=auto_id(f"intervention-new-{goal.pk}"))


def intervention_status_form(intervention: Intervention, data: Any = None) -> InterventionStatusForm:
    return InterventionStatusForm(data, auto_id=auto_id(f"intervention-{intervention.pk}"))


def task_form(user: User, data: Any = None) -> TaskForm:
    return TaskForm(data, owner_choices=staff_choices(user), auto_id=auto_id("task-new"))


def task_cancel_form(task: Task, data: Any = None) -> TaskCancelForm:
    return TaskCancelForm(data, auto_id=auto_id(f"task-{task.pk}-cancel"))


def care_team_form(data: Any = None) -> CareTeamForm:
    return CareTeamForm(data, auto_id=auto_id("care-team-new"))


@dataclass
class InterventionRow:
    intervention: Intervention
    status_form: InterventionStatusForm | None


@dataclass
class GoalCard:
    goal: Goal
    status_form: GoalStatusForm | None
    intervention_form: InterventionForm | None
    interventions: list[InterventionRow] = field(default_factory=list)


@dataclass
class PlanCard:
    plan: CarePlan
    ended: bool
    editable: bool
    review_overdue: bool
    review_form: CarePlanReviewForm | None
    goal_form: GoalForm | None
    goals: list[GoalCard] = field(default_factory=list)


def _plan_card(plan: CarePlan, user: User, choices: list[tuple[str, str]], bound: Bound) -> PlanCard:
    ended = plan.enrollment.status not in ACTIVE_ENROLLMENT_STATUSES
    editable = bool(can_edit_care_plan(user, plan))
    card = PlanCard(
        plan=plan,
        ended=ended,
        editable=editable,
        review_overdue=plan.next_review_on < plan_today(),
        review_form=_form(bound, f"review-{plan.pk}", lambda: review_form(plan)) if editable else None,
        goal_form=_form(bound, f"goal-new-{plan.pk}", lambda: goal_form(plan)) if editable else None,
    )
    for goal in plan.goals.all():
        card.goals.append(_goal_card(goal, editable, choices, bound))
    return card


def _goal_card(goal: Goal, editable: bool, choices: list[tuple[str, str]], bound: Bound) -> GoalCard:
    active = editable and goal.status == GoalStatus.ACTIVE
    card = GoalCard(
        goal=goal,
        status_form=_form(bound, f"goal-{goal.pk}", lambda: goal_status_form(goal)) if active else None,
        intervention_form=_form(bound, f"intervention-new-{goal.pk}", lambda: intervention_form(goal, choices))
        if active
        else None,
    )
    for item in goal.interventions.all():
        is_open = editable and item.status in (InterventionStatus.NOT_STARTED, InterventionStatus.IN_PROGRESS)
        form = _form(bound, f"intervention-{item.pk}", partial(intervention_status_form, item)) if is_open else None
        card.interventions.append(InterventionRow(item, form))
    return card


def care_plan_section(user: User, member: Member, bound: Bound | None = None) -> dict[str, Any]:
    bound = bound or {}
    plans = list(care_plan_detail_scope(user).filter(member=member))
    choices = responsible_choices(user, member) if user.is_provider_staff else []
    enrollment = own_active_enrollment(user, member)
    can_create = enrollment is not None and not any(p.enrollment_id == enrollment.pk for p in plans)
    return {
        "plans": [_plan_card(p, user, choices, bound) for p in plans],
        "enrollment": enrollment if can_create else None,
        "create_form": _form(bound, "care-plan-new", care_plan_form) if can_create else None,
    }


@dataclass
class TaskRow:
    task: Task
    overdue: bool
    due_today: bool
    can_act: bool
    cancel_form: TaskCancelForm | None


def tasks_section(user: User, member: Member, bound: Bound | None = None) -> dict[str, Any]:
    bound = bound or {}
    today = plan_today()
    tasks = task_scope(user).filter(member=member).select_related("owner").order_by("due_date", "created_at")
    rows = []
    for task in tasks:
        is_open = task.status in OPEN_TASK_STATUSES
        can_act = bool(can_work_task(user, task))
        cancel = partial(task_cancel_form, task)
        rows.append(
            TaskRow(
                task=task,
                overdue=is_open and task.due_date < today,
                due_today=is_open and task.due_date == today,
                can_act=can_act,
                cancel_form=_form(bound, f"task-{task.pk}-cancel", cancel) if can_act else None,
            )
        )
    enrollment = own_active_enrollment(user, member)
    return {
        "open_tasks": [r for r in rows if r.task.status in OPEN_TASK_STATUSES],
        "closed_tasks": [r for r in rows if r.task.status not in OPEN_TASK_STATUSES],
        "requested": TaskStatus.REQUESTED,
        "enrollment": enrollment,
        "task_form": _form(bound, "task-new", lambda: task_form(user)) if enrollment else None,
        "today": today,
    }


def care_team_section(user: User, member: Member, bound: Bound | None = None) -> dict[str, Any]:
    bound = bound or {}
    can_edit = bool(can_change_care_team(user, member))
    return {
        "care_team": care_team_scope(user).filter(member=member, active=True).order_by("role", "name"),
        "can_edit": can_edit,
        "care_team_form": _form(bound, "care-team-new", care_team_form) if can_edit else None,
    }
