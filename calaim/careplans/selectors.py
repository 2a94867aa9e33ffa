"""Scoped reads of care plans, tasks, outreach attempts and care teams."""

from __future__ import annotations

import uuid
from typing import TypeVar

from django.db.models import Count, Exists, Max, OuterRef, Prefetch, QuerySet

from calaim.access.scopes import member_scope
from calaim.accounts.models import PROVIDER_ROLES, User
from calaim.careplans.models import CarePlan, CareTeamMember, Goal, Intervention, OutreachAttempt, Task
from calaim.core.errors import NotFound
from calaim.ecm.models import Enrollment, EnrollmentStatus
from calaim.ecm.selectors import enrollment_scope

_M = TypeVar("_M", CarePlan, OutreachAttempt, Task)


# One rule for everything a provider writes about its work with a member (care plans, tasks, outreach attempts):
# provider staff see their own organization's records, for members still assigned to them; plan staff see their
# plan's, whoever wrote them. After a provider change the new provider starts from the member's record, care team
# and the plan's hand-off, not from the previous provider's working notes (minimum necessary); the plan, which
# sees both, carries what the new provider needs. The care team is the member's, so every provider in scope sees it.


def _own_organization(user: User | None, records: QuerySet[_M]) -> QuerySet[_M]:
    if user is not None and user.is_authenticated and user.is_provider_staff:
        assert user.organization_id is not None  # is_provider_staff
        return records.filter(organization_id=user.organization_id)
    return records


def task_scope(user: User | None) -> QuerySet[Task]:
    """Provider staff: their organization's tasks for members still assigned to them. Plan staff: their plan's."""
    return _own_organization(user, Task.objects.filter(member__in=member_scope(user)))


def task_get(user: User | None, task_id: uuid.UUID | str) -> Task:
    try:
        return task_scope(user).get(pk=task_id)
    except (Task.DoesNotExist, ValueError):
        raise NotFound("No task with this id in your scope.") from None


def outreach_scope(user: User | None) -> QuerySet[OutreachAttempt]:
    """Provider staff: their organization's attempts for members still assigned to them. Plan staff: their plan's."""
    return _own_organization(user, OutreachAttempt.objects.filter(member__in=member_scope(user)))


def care_team_scope(user: User | None) -> QuerySet[CareTeamMember]:
    return CareTeamMember.objects.filter(member__in=member_scope(user))


def care_team_get(user: User | None, person_id: uuid.UUID | str) -> CareTeamMember:
    try:
        return care_team_scope(user).select_related("member").get(pk=person_id)
    except (CareTeamMember.DoesNotExist, ValueError):
        raise NotFound("No care team member with this id in your scope.") from None


def care_plan_scope(user: User | None) -> QuerySet[CarePlan]:
    """Plan staff: their plan's care plans. Provider staff: their organization's, for members still assigned."""
    return _own_organization(user, CarePlan.objects.filter(member__in=member_scope(user)))


def care_plan_detail_scope(user: User | None) -> QuerySet[CarePlan]:
    """Care plans in scope with their goals and interventions loaded, newest first."""
    interventions = Intervention.objects.select_related("responsible_care_team_member", "responsible_user")
    goals = Goal.objects.prefetch_related(Prefetch("interventions", queryset=interventions))
    return (
        care_plan_scope(user)
        .select_related("enrollment", "organization", "created_by__organization")
        .prefetch_related(Prefetch("goals", queryset=goals))
        .order_by("-created_at")
    )


def care_plan_get(user: User | None, care_plan_id: uuid.UUID | str) -> CarePlan:
    try:
        return care_plan_detail_scope(user).get(pk=care_plan_id)
    except (CarePlan.DoesNotExist, ValueError):
        raise NotFound("No care plan with this id in your scope.") from None


def goal_get(user: User | None, goal_id: uuid.UUID | str) -> Goal:
    try:
        return Goal.objects.select_related("care_plan").get(pk=goal_id, care_plan__in=care_plan_scope(user))
    except (Goal.DoesNotExist, ValueError):
        raise NotFound("No care plan goal with this id in your scope.") from None


def intervention_get(user: User | None, intervention_id: uuid.UUID | str) -> Intervention:
    try:
        return Intervention.objects.select_related("goal__care_plan").get(
            pk=intervention_id, goal__care_plan__in=care_plan_scope(user)
        )
    except (Intervention.DoesNotExist, ValueError):
        raise NotFound("No intervention with this id in your scope.") from None


def outreach_pending_scope(user: User | None, *, attempted: bool) -> QuerySet[Enrollment]:
    """Assigned (not yet enrolled) members in scope never reached, with `attempts` and `last_attempt_on`.

    attempted=False: no outreach attempt yet (new assignments); True: tried and not yet reached (outreach due).
    """
    reached = OutreachAttempt.objects.filter(enrollment=OuterRef("pk"), reached=True)
    pending = (
        enrollment_scope(user)
        .filter(status=EnrollmentStatus.ASSIGNED)
        .exclude(Exists(reached))
        .annotate(attempts=Count("outreach_attempts"), last_attempt_on=Max("outreach_attempts__attempted_on"))
    )
    return pending.filter(attempts__gt=0) if attempted else pending.filter(attempts=0)


def provider_care_staff(user: User | None) -> QuerySet[User]:
    """The caller's own organization's active care staff: who a provider may name as owner or responsible."""
    if user is None or not user.is_authenticated or not user.is_provider_staff:
        return User.objects.none()
    assert user.organization_id is not None  # is_provider_staff
    return User.objects.filter(
        organization_id=user.organization_id, role__in=PROVIDER_ROLES, is_active=True
    ).order_by("last_name", "username")
