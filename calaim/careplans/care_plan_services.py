"""The member's ECM care plan: person-centred goals and the interventions towards them.

Only staff of the enrollment's provider write, and only while that enrollment is active; every write is
atomic and audited.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction

from calaim.accounts.models import PROVIDER_ROLES, User
from calaim.careplans.models import (
    CarePlan,
    CareTeamMember,
    Goal,
    GoalDomain,
    GoalStatus,
    Intervention,
    InterventionStatus,
)
from calaim.careplans.policies import can_write_care_plan
from calaim.core.audit import audit_record, snapshot
from calaim.core.clock import plan_today
from calaim.core.errors import Conflict, ValidationFailed
from calaim.ecm.models import Enrollment

CARE_PLAN_FIELDS = ["enrollment", "organization", "summary", "version", "last_reviewed_on", "next_review_on"]
GOAL_FIELDS = ["care_plan", "description", "domain", "target_date", "status", "met_on"]
INTERVENTION_FIELDS = [
    "goal",
    "description",
    "responsible_care_team_member",
    "responsible_user",
    "responsible_name",
    "due_date",
    "frequency",
    "status",
]
# Where an intervention may go from each status; completed and cancelled are final.
INTERVENTION_MOVES = {
    InterventionStatus.NOT_STARTED: {
        InterventionStatus.IN_PROGRESS,
        InterventionStatus.COMPLETED,
        InterventionStatus.CANCELLED,
    },
    InterventionStatus.IN_PROGRESS: {InterventionStatus.COMPLETED, InterventionStatus.CANCELLED},
}



def _require_writer(actor: User, organization_id: object) -> None:
    """Staff of the provider that owns the plan; another organization's staff get 404."""
    can_write_care_plan(actor, organization_id).enforce()


def _lock_active(actor: User, enrollment_id: uuid.UUID) -> Enrollment:
    """Lock the enrollment; a care plan is read-only once its ECM enrollment has ended."""
    locked = Enrollment.objects.select_for_update(of=("self",)).get(pk=enrollment_id)
    can_write_care_plan(actor, locked.provider_id, locked).enforce()
    return locked


def _require_text(value: str, field: str, message: str, limit: int = 2000) -> str:
    value = value.strip()
    if not value:
        raise ValidationFailed(message, field=field)
    if len(value) > limit:
        raise ValidationFailed(f"Keep it under {limit} characters.", field=field)
    return value


def care_plan_create(
    *, actor: User, enrollment: Enrollment, next_review_on: dt.date, summary: str = ""
) -> CarePlan:
    """Start the care plan of an active ECM enrollment; one plan per enrollment."""
    _require_writer(actor, enrollment.provider_id)
    today = plan_today()
    if next_review_on <= today:
        raise ValidationFailed("The next review must be after today.", field="next_review_on")
    with transaction.atomic():
        locked = _lock_active(actor, enrollment.pk)
        if CarePlan.objects.filter(enrollment=locked).exists():
            raise Conflict("This ECM enrollment already has a care plan.")
        plan = CarePlan.objects.create(
            member_id=locked.member_id,
            enrollment=locked,
            organization_id=locked.provider_id,
            summary=summary.strip(),
            last_reviewed_on=today,
            next_review_on=next_review_on,
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action="care_plan.create",
            obj=plan,
            member=plan.member,
            after=snapshot(plan, CARE_PLAN_FIELDS),
        )
    return plan


def care_plan_review(
    *, actor: User, care_plan: CarePlan, reviewed_on: dt.date, next_review_on: dt.date, note: str = ""
) -> CarePlan:
    """Record a review with the member: a new version of the plan and the date of the next review."""
    _require_writer(actor, care_plan.organization_id)
    if reviewed_on > plan_today():
        raise ValidationFailed("A review cannot be in the future.", field="reviewed_on")
    if next_review_on <= max(reviewed_on, plan_today()):
        raise ValidationFailed("The next review must be after today and after this review.", field="next_review_on")
    with transaction.atomic():
        _lock_active(actor, care_plan.enrollment_id)
        locked = CarePlan.objects.select_for_update().get(pk=care_plan.pk)
        if reviewed_on < locked.last_reviewed_on:
            raise ValidationFailed(
                f"The last review was on {locked.last_reviewed_on:%Y-%m-%d}; this one cannot be earlier.",
                field="reviewed_on",
            )
        before = snapshot(locked, CARE_PLAN_FIELDS)
        locked.version += 1
        locked.last_reviewed_on, locked.next_review_on = reviewed_on, next_review_on
        locked.save(update_fields=["version", "last_reviewed_on", "next_review_on", "updated_at"])
        audit_record(
            actor=actor,
            action="care_plan.review",
            obj=locked,
            member=locked.member,
            before=before,
            after=snapshot(locked, CARE_PLAN_FIELDS),
            reason=note.strip(),
        )
    return locked


def goal_add(*, actor: User, care_plan: CarePlan, description: str, domain: str, target_date: dt.date) -> Goal:
    """A person-centred goal, in the member's own words, with a target date."""
    _require_writer(actor, care_plan.organization_id)
    description = _require_text(description, "description", "Write the goal in the member's own words.")
    if domain not in GoalDomain.values:
        raise ValidationFailed(f"domain must be one of {', '.join(GoalDomain.values)}.", field="domain")
    if target_date < plan_today():
        raise ValidationFailed("The target date cannot be in the past.", field="target_date")
    with transaction.atomic():
        _lock_active(actor, care_plan.enrollment_id)
        goal = Goal.objects.create(
            care_plan=care_plan, description=description, domain=domain, target_date=target_date, created_by=actor
        )
        audit_record(
            actor=actor,
            action="care_plan.goal_add",
            obj=goal,
            member=care_plan.member,
            after=snapshot(goal, GOAL_FIELDS),
        )
    return goal


def goal_update_status(
    *, actor: User, goal: Goal, status: str, met_on: dt.date | None = None, note: str = ""
) -> Goal:
    """Close an active goal as met (on a date), not met or discontinued."""
    care_plan = goal.care_plan
    _require_writer(actor, care_plan.organization_id)
    if status not in GoalStatus.values or status == GoalStatus.ACTIVE:
        raise ValidationFailed("Choose met, not met or discontinued.", field="status")
    if status != GoalStatus.MET and met_on is not None:
        raise ValidationFailed("Only a met goal has a date it was met.", field="met_on")
    if status == GoalStatus.MET:
        met_on = met_on or plan_today()
        if met_on > plan_today():
            raise ValidationFailed("The date met cannot be in the future.", field="met_on")
    with transaction.atomic():
        _lock_active(actor, care_plan.enrollment_id)
        locked = Goal.objects.select_for_update().get(pk=goal.pk)
        if locked.status != GoalStatus.ACTIVE:
            raise Conflict(f"This goal is already closed ({locked.get_status_display()}).")
        before = snapshot(locked, GOAL_FIELDS)
        locked.status, locked.met_on = status, met_on
        locked.save(update_fields=["status", "met_on", "updated_at"])
        audit_record(
            actor=actor,
            action="care_plan.goal_status",
            obj=locked,
            member=care_plan.member,
            before=before,
            after=snapshot(locked, GOAL_FIELDS),
            reason=note.strip(),
        )
    return locked


def _responsible(
    care_plan: CarePlan, care_team_member_id: uuid.UUID | str | None, username: str | None, name: str
) -> tuple[CareTeamMember | None, User | None, str]:
    """Exactly one of: someone on the member's care team, a staff user of the provider, or a name."""
    given = [bool(care_team_member_id), bool(username), bool(name.strip())]
    if sum(given) != 1:
        raise ValidationFailed(
            "Name one person responsible: a care team member, a staff member or someone else.", field="responsible"
        )
    if care_team_member_id:
        person = CareTeamMember.objects.filter(pk=care_team_member_id, member_id=care_plan.member_id, active=True)
        if not person.exists():
            raise ValidationFailed("That person is not on this member's care team.", field="responsible")
        return person.get(), None, ""
    if username:
        user = User.objects.filter(
            username=username, organization_id=care_plan.organization_id, role__in=PROVIDER_ROLES, is_active=True
        ).first()
        if user is None:
            raise ValidationFailed(f"{username} is not on the provider's staff.", field="responsible")
        return None, user, ""
    return None, None, _require_text(name, "responsible", "Name the person responsible.", limit=200)


def intervention_add(
    *,
    actor: User,
    goal: Goal,
    description: str,
    responsible_care_team_member_id: uuid.UUID | str | None = None,
    responsible_username: str | None = None,
    responsible_name: str = "",
    due_date: dt.date | None = None,
    frequency: str = "",
) -> Intervention:
    """What will be done towards an active goal, by whom, and when or how often."""
    care_plan = goal.care_plan
    _require_writer(actor, care_plan.organization_id)
    description = _require_text(description, "description", "Describe the intervention.")
    frequency = frequency.strip()
    if due_date is None and not frequency:
        raise ValidationFailed("Give a due date or a frequency.", field="due_date")
    if due_date is not None and due_date < plan_today():
        raise ValidationFailed("The due date cannot be in the past.", field="due_date")
    if len(frequency) > 100:
        raise ValidationFailed("Keep the frequency under 100 characters.", field="frequency")
    person, user, name = _responsible(
        care_plan, responsible_care_team_member_id, responsible_username, responsible_name
    )
    with transaction.atomic():
        _lock_active(actor, care_plan.enrollment_id)
        if Goal.objects.select_for_update().get(pk=goal.pk).status != GoalStatus.ACTIVE:
            raise Conflict("This goal is closed; add interventions to active goals only.")
        intervention = Intervention.objects.create(
            goal=goal,
            description=description,
            responsible_care_team_member=person,
            responsible_user=user,
            responsible_name=name,
            due_date=due_date,
            frequency=frequency,
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action="care_plan.intervention_add",
            obj=intervention,
            member=care_plan.member,
            after=snapshot(intervention, INTERVENTION_FIELDS),
        )
    return intervention


def intervention_update_status(*, actor: User, intervention: Intervention, status: str, note: str = "") -> Intervention:
    """Start, complete or cancel an intervention; completed and cancelled ones are final."""
    care_plan = intervention.goal.care_plan
    _require_writer(actor, care_plan.organization_id)
    if status not in InterventionStatus.values or status == InterventionStatus.NOT_STARTED:
        raise ValidationFailed("Choose in progress, completed or cancelled.", field="status")
    with transaction.atomic():
        _lock_active(actor, care_plan.enrollment_id)
        locked = Intervention.objects.select_for_update().get(pk=intervention.pk)
        if status not in INTERVENTION_MOVES.get(InterventionStatus(locked.status), set()):
            raise Conflict(f"This intervention is {locked.get_status_display().lower()}; it cannot become {status}.")
        before = snapshot(locked, INTERVENTION_FIELDS)
        locked.status = status
        locked.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor,
            action="care_plan.intervention_status",
            obj=locked,
            member=care_plan.member,
            before=before,
            after=snapshot(locked, INTERVENTION_FIELDS),
            reason=note.strip(),
        )
    return locked
