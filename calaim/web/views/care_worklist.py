"""The provider care manager's worklist: new assignments, outreach due, open tasks and the caseload, each a queue
(calaim.web.queues) the care manager filters, sorts, pages and downloads."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import F, Q, QuerySet
from django.http import HttpRequest

from calaim.accounts.models import Role, User
from calaim.careplans.models import OPEN_TASK_STATUSES, TaskKind
from calaim.careplans.selectors import outreach_pending_scope, task_scope
from calaim.core.clock import local_date, plan_today
from calaim.ecm.models import EnrollmentStatus
from calaim.ecm.selectors import enrollment_scope
from calaim.web.queues import Column, MemberFilters, Queue, queue_page, queue_register
from calaim.web.views.roster_facts import worklist_context

NAME_ORDER = ("member__last_name", "member__first_name")
MEMBER_CSV: tuple[tuple[str, Any], ...] = (
    ("Last name", lambda row: row.member.last_name),
    ("First name", lambda row: row.member.first_name),
    ("CIN", lambda row: row.member.cin),
)


def _care_manager(user: User) -> bool:
    return user.role == Role.PROVIDER_CARE_MANAGER and user.is_provider_staff


def _day(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


class OutreachFilters(MemberFilters):
    attempts = forms.IntegerField(label="At least this many attempts", required=False, min_value=1, max_value=99)
    lookups = {**MemberFilters.lookups, "attempts": "attempts__gte"}


def _tasks_due(items: QuerySet[Any], due: str) -> QuerySet[Any]:
    today = plan_today()
    return {
        "overdue": items.filter(due_date__lt=today),
        "today": items.filter(due_date=today),
        "by_today": items.filter(due_date__lte=today),
        "week": items.filter(due_date__lte=today + dt.timedelta(days=7)),
    }.get(due, items)


def _tasks_owner(items: QuerySet[Any], owner: str) -> QuerySet[Any]:
    # The queue holds the caller's own tasks and the unassigned ones: "mine" is those with an owner.
    return items.filter(owner__isnull=True) if owner == "unassigned" else items.exclude(owner__isnull=True)


class TaskFilters(MemberFilters):
    due = forms.ChoiceField(
        label="Due",
        required=False,
        choices=[
            ("by_today", "Today or overdue"),
            ("overdue", "Overdue"),
            ("today", "Today"),
            ("week", "Within 7 days, or overdue"),
            ("", "Any date"),
        ],
    )
    kind = forms.ChoiceField(label="Task", required=False, choices=[("", "Any task"), *TaskKind.choices])
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any open status"), *((s.value, s.label) for s in OPEN_TASK_STATUSES)],
    )
    owner = forms.ChoiceField(
        label="Owner",
        required=False,
        choices=[("", "Mine and unassigned"), ("mine", "Mine"), ("unassigned", "Unassigned")],
    )
    lookups = {**MemberFilters.lookups, "due": _tasks_due, "kind": "kind", "status": "status", "owner": _tasks_owner}
    defaults = {"due": "by_today"}


def _review_due(items: QuerySet[Any], review: str) -> QuerySet[Any]:
    today = plan_today()
    return {
        "overdue": items.filter(next_review_on__lt=today),
        "month": items.filter(next_review_on__lte=today + dt.timedelta(days=30)),
        "no_plan": items.filter(next_review_on__isnull=True),
    }.get(review, items)


class CaseloadFilters(MemberFilters):
    status = forms.ChoiceField(
        label="ECM status",
        required=False,
        choices=[
            ("", "Assigned or enrolled"),
            (EnrollmentStatus.ASSIGNED, "Assigned"),
            (EnrollmentStatus.ENROLLED, "Enrolled"),
        ],
    )
    review = forms.ChoiceField(
        label="Care plan review",
        required=False,
        choices=[
            ("", "Any"),
            ("overdue", "Overdue"),
            ("month", "Due within 30 days, or overdue"),
            ("no_plan", "No care plan yet"),
        ],
    )
    lookups = {**MemberFilters.lookups, "status": "status", "review": _review_due}


NEW_ASSIGNMENTS = queue_register(
    Queue(
        name="cm_new",
        filename="new-assignments",
        source=lambda user: outreach_pending_scope(user, attempted=False).select_related("member"),
        allowed=_care_manager,
        columns=(Column("Member", "name"), Column("CIN"), Column("Assigned", "assigned")),
        sorts={"name": NAME_ORDER, "assigned": ("assigned_at",)},
        default_sort="-assigned",
        filters=MemberFilters,
        csv=(*MEMBER_CSV, ("Assigned", lambda e: _day(e.assigned_at and local_date(e.assigned_at)))),
    )
)
OUTREACH_DUE = queue_register(
    Queue(
        name="cm_outreach",
        filename="outreach-due",
        source=lambda user: outreach_pending_scope(user, attempted=True).select_related("member"),
        allowed=_care_manager,
        columns=(
            Column("Member", "name"),
            Column("Assigned", "assigned"),
            Column("Attempts", "attempts"),
            Column("Last attempt", "last_attempt"),
        ),
        sorts={
            "name": NAME_ORDER,
            "assigned": ("assigned_at",),
            "attempts": ("attempts",),
            "last_attempt": ("last_attempt_on", "assigned_at"),
        },
        default_sort="last_attempt",
        filters=OutreachFilters,
        csv=(
            *MEMBER_CSV,
            ("Assigned", lambda e: _day(e.assigned_at and local_date(e.assigned_at))),
            ("Attempts", lambda e: e.attempts),
            ("Last attempt", lambda e: _day(e.last_attempt_on)),
        ),
    )
)


def _open_tasks(user: User) -> QuerySet[Any]:
    """The caller's own open tasks and the unassigned ones of their organization."""
    mine = task_scope(user).filter(status__in=OPEN_TASK_STATUSES).filter(Q(owner=user) | Q(owner__isnull=True))
    return mine.select_related("member", "owner")


TASKS = queue_register(
    Queue(
        name="cm_tasks",
        filename="open-tasks",
        source=_open_tasks,
        allowed=_care_manager,
        columns=(
            Column("Due", "due"),
            Column("Task", "kind"),
            Column("Member", "name"),
            Column("Owner"),
            Column("Status", "status"),
        ),
        sorts={
            "due": ("due_date", *NAME_ORDER),
            "kind": ("kind", "due_date"),
            "name": NAME_ORDER,
            "status": ("status", "due_date"),
        },
        default_sort="due",
        filters=TaskFilters,
        csv=(
            ("Due", lambda t: _day(t.due_date)),
            ("Task", lambda t: t.get_kind_display()),
            ("Description", lambda t: t.description),
            *MEMBER_CSV,
            ("Owner", lambda t: (t.owner.get_full_name() or t.owner.username) if t.owner else "Unassigned"),
            ("Status", lambda t: t.get_status_display()),
        ),
    )
)
CASELOAD = queue_register(
    Queue(
        name="cm_caseload",
        filename="caseload",
        source=lambda user: (
            enrollment_scope(user)
            .filter(lead_care_manager=user)
            .select_related("member")
            .annotate(next_review_on=F("care_plan__next_review_on"))
        ),
        allowed=_care_manager,
        columns=(
            Column("Member", "name"),
            Column("CIN"),
            Column("Status", "status"),
            Column("Care plan review due", "review"),
        ),
        sorts={"name": NAME_ORDER, "status": ("status", *NAME_ORDER), "review": ("next_review_on", *NAME_ORDER)},
        default_sort="name",
        filters=CaseloadFilters,
        csv=(
            *MEMBER_CSV,
            ("ECM status", lambda e: e.get_status_display()),
            ("Care plan review due", lambda e: _day(e.next_review_on) or "No care plan yet"),
        ),
    )
)


def care_manager_worklist(user: User, request: HttpRequest) -> dict[str, Any]:
    """Tasks are the caller's own and the unassigned ones of their organization; the caseload is theirs to lead."""
    return {
        "new_assignments": queue_page(request, NEW_ASSIGNMENTS),
        "outreach_due": queue_page(request, OUTREACH_DUE),
        "tasks": queue_page(request, TASKS),
        "caseload": queue_page(request, CASELOAD),
        "today": plan_today(),
        **worklist_context(user),
    }
