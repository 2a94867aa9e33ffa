"""Care team, outreach attempts and tasks, recorded by the assigned provider (or the plan).

Care plans, goals and interventions are in care_plan_services."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction
from django.utils import timezone

from calaim.accounts.models import PROVIDER_ROLES, User
from calaim.careplans.models import (
    OPEN_TASK_STATUSES,
    CareTeamMember,
    CareTeamRole,
    OutreachAttempt,
    OutreachMethod,
    Task,
    TaskKind,
    TaskStatus,
)
from calaim.careplans.policies import can_add_task, can_change_care_team, can_record_outreach, can_work_task
from calaim.core.audit import audit_record, audited_update, snapshot
from calaim.core.clock import local_date, plan_today
from calaim.core.errors import Conflict, ValidationFailed
from calaim.core.phones import normalize_phone
from calaim.ecm.models import Enrollment
from calaim.ltc.nemt import ride_completion_check
from calaim.members.models import Member

CARE_TEAM_FIELDS = ["role", "name", "organization_name", "phone", "email", "active"]


def care_team_add(
    *, actor: User, member: Member, role: str, name: str, organization_name: str = "", phone: str = "", email: str = ""
) -> CareTeamMember:
    """Record someone on the member's care team (PCP, specialist, pharmacist, family...)."""
    can_change_care_team(actor, member).enforce()
    if role not in CareTeamRole.values:
        raise ValidationFailed(f"role must be one of {', '.join(CareTeamRole.values)}.", field="role")
    if not name.strip():
        raise ValidationFailed("Give the care team member's name.", field="name")
    phone = _care_team_phone(phone)
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


def _care_team_phone(raw: str) -> str:
    """A care team phone in E.164, or blank; "555-12" is refused, not stored to be dialled in vain."""
    if not raw.strip():
        return ""
    try:
        return normalize_phone(raw)
    except ValueError:
        raise ValidationFailed("Enter a valid phone number, e.g. (209) 555-0100.", field="phone") from None


def care_team_remove(*, actor: User, person: CareTeamMember) -> CareTeamMember:
    can_change_care_team(actor, person.member).enforce()
    if not person.active:
        raise Conflict(f"{person.name} is no longer on the care team.")
    with transaction.atomic():
        changes = {"active": False}
        audited_update(
            person, changes, actor=actor, action="care_team.remove", fields=CARE_TEAM_FIELDS, member=person.member
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
    with transaction.atomic():
        locked = _enrollment_lock(enrollment)
        can_record_outreach(actor, locked).enforce()
        if method not in OutreachMethod.values:
            raise ValidationFailed(f"method must be one of {', '.join(OutreachMethod.values)}.", field="method")
        if attempted_on > plan_today():
            raise ValidationFailed("An outreach attempt cannot be in the future.", field="attempted_on")
        if not 0 <= minutes_spent <= 24 * 60:
            raise ValidationFailed("minutes_spent must be between 0 and 1440.", field="minutes_spent")
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


TASK_FIELDS = ["kind", "description", "status", "due_date", "owner", "completed_at"]


def _task_owner(username: str | None, organization_id: uuid.UUID) -> User | None:
    """A task's owner is one of the provider's active care staff; blank leaves the task unassigned."""
    if not username:
        return None
    owner = User.objects.filter(
        username=username, organization_id=organization_id, role__in=PROVIDER_ROLES, is_active=True
    ).first()
    if owner is None:
        raise ValidationFailed(f"{username} is not on your organization's care staff.", field="owner")
    return owner


def task_create(
    *,
    actor: User,
    enrollment: Enrollment,
    kind: str,
    due_date: dt.date,
    description: str = "",
    owner: str | None = None,
) -> Task:
    """A task for the assigned provider: appointment, medication review or refill, ride, referral, follow-up..."""
    with transaction.atomic():
        locked = _enrollment_lock(enrollment)
        can_add_task(actor, locked).enforce()
        description = description.strip()
        _check_task(kind, description, due_date)
        task_owner = _task_owner(owner, locked.provider_id)
        return task_open(
            actor=actor, enrollment=locked, kind=kind, due_date=due_date, description=description, owner=task_owner
        )


def _enrollment_lock(enrollment: Enrollment) -> Enrollment:
    return Enrollment.objects.select_for_update(of=("self",)).get(pk=enrollment.pk)


def _check_task(kind: str, description: str, due_date: dt.date) -> None:
    if kind not in TaskKind.values:
        raise ValidationFailed(f"kind must be one of {', '.join(TaskKind.values)}.", field="kind")
    if kind == TaskKind.OTHER and not description:
        raise ValidationFailed("Describe the task.", field="description")
    if len(description) > 2000:
        raise ValidationFailed("Keep the description under 2000 characters.", field="description")
    if due_date < plan_today():
        raise ValidationFailed("A new task cannot be due in the past.", field="due_date")


def task_open(
    *,
    actor: User | None,
    enrollment: Enrollment,
    kind: str,
    due_date: dt.date,
    description: str = "",
    owner: User | None = None,
) -> Task:
    """Write a task for the enrollment's provider: a person's checked request (`task_create`) or a step of a
    workflow (the outreach after an assignment, the welcome call after enrolling)."""
    task = Task.objects.create(
        member_id=enrollment.member_id,
        enrollment=enrollment,
        organization_id=enrollment.provider_id,
        owner=owner,
        kind=kind,
        description=description,
        due_date=due_date,
    )
    audit_record(actor=actor, action="task.create", obj=task, member=task.member, after=snapshot(task, TASK_FIELDS))
    return task


def _task_move(actor: User, task: Task, action: str, to: str, allowed_from: tuple[str, ...], reason: str = "") -> Task:
    """Move an open task of the caller's organization to `to`, audited as `action`."""
    with transaction.atomic():
        locked = Task.objects.select_for_update(of=("self",)).get(pk=task.pk)
        can_work_task(actor, locked).enforce()
        if locked.status not in allowed_from:
            raise Conflict(f"This task is already {locked.get_status_display().lower()}.")
        if to == TaskStatus.COMPLETED:
            ride_completion_check(locked)  # an NEMT ride is not arranged without a current PCS
        _task_set(actor, locked, action, reason, status=to)
    return locked


def _task_set(actor: User | None, task: Task, action: str, reason: str = "", **changes: object) -> None:
    """Change one task's fields, audited as `action`; a task completed now gets its completion time."""
    if changes.get("status") == TaskStatus.COMPLETED:
        changes["completed_at"] = timezone.now()
    fields = [*TASK_FIELDS, "enrollment", "organization"]
    audited_update(task, changes, actor=actor, action=action, fields=fields, member=task.member, reason=reason)


def task_start(*, actor: User, task: Task) -> Task:
    """A requested task is now being worked on."""
    return _task_move(actor, task, "task.start", TaskStatus.IN_PROGRESS, (TaskStatus.REQUESTED,))


def task_complete(*, actor: User, task: Task) -> Task:
    return _task_move(actor, task, "task.complete", TaskStatus.COMPLETED, OPEN_TASK_STATUSES)


def task_cancel(*, actor: User, task: Task, reason: str) -> Task:
    """An open task no longer needed; the reason is kept in the audit trail."""
    if not reason.strip():
        raise ValidationFailed("Give the reason for cancelling the task.", field="reason")
    return _task_move(actor, task, "task.cancel", TaskStatus.CANCELLED, OPEN_TASK_STATUSES, reason.strip())


def _open_tasks(enrollment: Enrollment) -> list[Task]:
    open_tasks = Task.objects.filter(enrollment=enrollment, status__in=OPEN_TASK_STATUSES)
    return list(open_tasks.select_for_update(of=("self",)).order_by("due_date", "created_at"))


def tasks_complete_outreach(*, actor: User | None, enrollment: Enrollment) -> int:
    """The member was reached and enrolled: the open outreach tasks are done."""
    tasks = [task for task in _open_tasks(enrollment) if task.kind == TaskKind.OUTREACH]
    for task in tasks:
        _task_set(actor, task, "task.complete", "The member enrolled.", status=TaskStatus.COMPLETED)
    return len(tasks)


def tasks_cancel_open(*, actor: User | None, enrollment: Enrollment, reason: str) -> int:
    """ECM ended: the enrollment's open tasks are cancelled, each with the reason."""
    tasks = _open_tasks(enrollment)
    for task in tasks:
        _task_set(actor, task, "task.cancel", reason, status=TaskStatus.CANCELLED)
    return len(tasks)


def tasks_transfer(*, actor: User | None, old: Enrollment, new: Enrollment, reason: str) -> int:
    """The member changed ECM provider: open tasks move to the new provider, unassigned."""
    tasks = _open_tasks(old)
    for task in tasks:
        _task_set(actor, task, "task.transfer", reason, enrollment=new, organization_id=new.provider_id, owner=None)
    return len(tasks)


def tasks_assign_unowned(*, actor: User | None, enrollment: Enrollment, owner: User) -> int:
    """A new Lead Care Manager takes the enrollment's open tasks that nobody owns yet."""
    tasks = [task for task in _open_tasks(enrollment) if task.owner_id is None]
    for task in tasks:
        _task_set(actor, task, "task.assign", "Lead Care Manager named.", owner=owner)
    return len(tasks)
