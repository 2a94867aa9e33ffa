"""The provider care manager's worklist: new assignments, outreach due, tasks due today and overdue, caseload."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q

from calaim.accounts.models import User
from calaim.careplans.models import OPEN_TASK_STATUSES
from calaim.careplans.selectors import outreach_pending_scope, task_scope
from calaim.core.clock import plan_today
from calaim.core.paging import WORKLIST_ROWS, shown
from calaim.ecm.selectors import enrollment_scope
from calaim.web.views.roster_facts import worklist_context


def care_manager_worklist(user: User) -> dict[str, Any]:
    """Tasks are the caller's own and the unassigned ones of their organization; the caseload is theirs to lead."""
    today = plan_today()
    tasks = (
        task_scope(user)
        .filter(status__in=OPEN_TASK_STATUSES, due_date__lte=today)
        .filter(Q(owner=user) | Q(owner__isnull=True))
        .select_related("member", "owner")
        .order_by("due_date", "member__last_name")
    )
    caseload = (
        enrollment_scope(user)
        .filter(lead_care_manager=user)
        .select_related("member")
        .annotate(next_review_on=F("care_plan__next_review_on"))
        .order_by("member__last_name", "member__first_name")
    )
    # Each list shows its first WORKLIST_ROWS with its count: a provider with thousands of members is not one page.
    return {
        "new_assignments": shown(
            outreach_pending_scope(user, attempted=False).select_related("member").order_by("-assigned_at"),
            WORKLIST_ROWS,
        ),
        "outreach_due": shown(
            outreach_pending_scope(user, attempted=True)
            .select_related("member")
            .order_by("last_attempt_on", "assigned_at"),
            WORKLIST_ROWS,
        ),
        "tasks_overdue": shown(tasks.filter(due_date__lt=today), WORKLIST_ROWS),
        "tasks_today": shown(tasks.filter(due_date=today), WORKLIST_ROWS),
        "caseload": shown(caseload, WORKLIST_ROWS),
        "today": today,
        **worklist_context(user),
    }
