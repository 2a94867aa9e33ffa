"""Scoped reads of tasks, outreach attempts and care teams."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from calaim.accounts.models import User
from calaim.careplans.models import CareTeamMember, OutreachAttempt, Task
from calaim.core.errors import NotFound
from calaim.members.selectors import member_scope


def task_scope(user: User | None) -> QuerySet[Task]:
    """Provider staff: their organization's tasks for members still assigned to them. Plan staff: their plan's."""
    members = member_scope(user)
    tasks = Task.objects.filter(member__in=members)
    if user is not None and user.is_authenticated and user.is_provider_staff:
        assert user.organization_id is not None  # is_provider_staff
        tasks = tasks.filter(organization_id=user.organization_id)
    return tasks


def task_get(user: User | None, task_id: uuid.UUID | str) -> Task:
    try:
        return task_scope(user).get(pk=task_id)
    except (Task.DoesNotExist, ValueError):
        raise NotFound("No task with this id in your scope.") from None


def outreach_scope(user: User | None) -> QuerySet[OutreachAttempt]:
    return OutreachAttempt.objects.filter(member__in=member_scope(user))


def care_team_scope(user: User | None) -> QuerySet[CareTeamMember]:
    return CareTeamMember.objects.filter(member__in=member_scope(user))


def care_team_get(user: User | None, person_id: uuid.UUID | str) -> CareTeamMember:
    try:
        return care_team_scope(user).select_related("member").get(pk=person_id)
    except (CareTeamMember.DoesNotExist, ValueError):
        raise NotFound("No care team member with this id in your scope.") from None
