"""Care team, outreach attempts and tasks, recorded by the assigned provider (or the plan)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from calaim.accounts.models import PROVIDER_ROLES, Role, User
from calaim.accounts.policies import require_plan_role
from calaim.careplans.models import (
    OPEN_TASK_STATUSES,
    CareTeamMember,
    CareTeamRole,
    OutreachAttempt,
    OutreachMethod,
    Task,
    TaskStatus,
)
from calaim.core.audit import audit_record, snapshot
from calaim.core.clock import local_date
from calaim.core.errors import Conflict, NotFound, ValidationFailed
from calaim.ecm.models import ACTIVE_ENROLLMENT_STATUSES, Enrollment
from calaim.members.models import Member

CARE_TEAM_FIELDS = ["role", "name", "organization_name", "phone", "email", "active"]


def _require_member_actor(actor: User, member: Member) -> None:
    """Staff of the member's assigned ECM provider, or plan intake / member services of the plan."""
    if actor.role in PROVIDER_ROLES:
        assigned = Enrollment.objects.filter(
            member=member, provider_id=actor.organization_id, status__in=ACTIVE_ENROLLMENT_STATUSES
        ).exists()
        if not assigned:
            raise NotFound()
        return
    require_plan_role(
        actor, frozenset({Role.PLAN_INTAKE, Role.MEMBER_SERVICES}), member.plan_id, "change the care team"
    )


def care_team_add(
    *, actor: User, member: Member, role: str, name: str, organization_name: str = "", phone: str = "", email: str = ""
) -> CareTeamMember:
    """Record someone on the member's care team (PCP, specialist, pharmacist, family...)."""
    _require_member_actor(actor, member)
    if role not in CareTeamRole.values:
        raise ValidationFailed(f"role must be one of {', '.join(CareTeamRole.values)}.", field="role")
    if not name.strip():
        raise ValidationFailed("Give the care team member's name.", field="name")
    with transaction.atomic():
        person = CareTeamMember.objects.create(
            member=member,
            role=role,
            name=name.strip(),
            phone=phone,
            organization_name=organization_name,
            email=email,
            added_by=actor,
        )
        audit_record(
            actor=actor, action="care_team.add", obj=person, member=member, after=snapshot(person, CARE_TEAM_FIELDS)
        )
    return person


def care_team_remove(*, actor: User, person: CareTeamMember) -> CareTeamMember:
    _require_member_actor(actor, person.member)
    with transaction.atomic():
        before = snapshot(person, CARE_TEAM_FIELDS)
        person.active = False
        person.save(update_fields=["active", "updated_at"])
        audit_record(
            actor=actor,
            action="care_team.remove",
            obj=person,
            member=person.member,
            before=before,
            after=snapshot(person, CARE_TEAM_FIELDS),
        )
    return person


def outreach_record(
    *,
    actor: User,
    enrollment: Enrollment,
    attempted_on: dt.date,
    method: str,
    reached: bool,
    minutes_spent: int,
    notes: str = "",
) -> OutreachAttempt:
    """One outreach attempt by the assigned provider's staff, counted whether or not the member was reached."""
    if actor.role not in PROVIDER_ROLES or actor.organization_id != enrollment.provider_id:
        raise NotFound()
    if method not in OutreachMethod.values:
        raise ValidationFailed(f"method must be one of {', '.join(OutreachMethod.values)}.", field="method")
    if attempted_on > local_date(timezone.now()):
        raise ValidationFailed("An outreach attempt cannot be in the future.", field="attempted_on")
    if not 0 <= minutes_spent <= 24 * 60:
        raise ValidationFailed("minutes_spent must be between 0 and 1440.", field="minutes_spent")
    with transaction.atomic():
        locked = Enrollment.objects.select_for_update(of=("self",)).get(pk=enrollment.pk)
        if locked.status not in ACTIVE_ENROLLMENT_STATUSES:
            raise Conflict("This ECM enrollment has ended.")
        if attempted_on < local_date(locked.assigned_at):
            raise ValidationFailed("The attempt predates the assignment.", field="attempted_on")
        attempt = OutreachAttempt.objects.create(
            member=locked.member,
            enrollment=locked,
            organization_id=locked.provider_id,
            attempted_on=attempted_on,
            method=method,
            reached=reached,
            minutes_spent=minutes_spent,
            performed_by=actor,
            notes=notes,
        )
        audit_record(
            actor=actor,
            action="outreach.record",
            obj=attempt,
            member=locked.member,
            after=snapshot(attempt, ["attempted_on", "method", "reached", "minutes_spent"]),
        )
    return attempt


def task_complete(*, actor: User, task: Task) -> Task:
    if actor.role not in PROVIDER_ROLES or actor.organization_id != task.organization_id:
        raise NotFound()
    with transaction.atomic():
        locked = Task.objects.select_for_update(of=("self",)).get(pk=task.pk)
        if locked.status not in OPEN_TASK_STATUSES:
            raise Conflict(f"This task is already {locked.status}.")
        before = snapshot(locked, ["status"])
        locked.status, locked.completed_at = TaskStatus.COMPLETED, timezone.now()
        locked.save(update_fields=["status", "completed_at", "updated_at"])
        audit_record(
            actor=actor,
            action="task.complete",
            obj=locked,
            member=locked.member,
            before=before,
            after=snapshot(locked, ["status", "completed_at"]),
        )
    return locked
