"""The member's ECM care plan: goals in the member's own words and the interventions towards them."""

import datetime as dt
import uuid
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from calaim.access.scopes import member_get
from calaim.api.auth import actor
from calaim.api.errors import ERRORS, READ_ERRORS
from calaim.api.types import Day, Line, Note
from calaim.careplans import care_plan_services as services
from calaim.careplans.models import CarePlan, Goal, Intervention
from calaim.careplans.selectors import care_plan_detail_scope, care_plan_get, goal_get, intervention_get
from calaim.core.clock import plan_today
from calaim.ecm.models import ACTIVE_ENROLLMENT_STATUSES
from calaim.ecm.selectors import enrollment_get

router = Router(tags=["care plans"])

GoalDomainCode = Literal["physical_health", "behavioral_health", "housing", "food", "social", "other"]


class CarePlanIn(Schema):
    next_review_on: Day = Field(..., description="When the plan is next reviewed with the member.")
    summary: Note = Field("", max_length=4000, description="The member's priorities and strengths, in brief.")


class CarePlanReviewIn(Schema):
    reviewed_on: Day
    next_review_on: Day
    note: Note = Field("", max_length=4000)


class GoalIn(Schema):
    description: Note = Field(..., min_length=1, max_length=2000, description="The goal in the member's own words.")
    domain: GoalDomainCode
    target_date: Day


class GoalStatusIn(Schema):
    status: Literal["met", "not_met", "discontinued"]
    met_on: Day | None = Field(None, description="For a met goal; blank means today.")
    note: Note = Field("", max_length=4000)


class InterventionIn(Schema):
    """Name exactly one person responsible: a care team member, a staff user, or anyone else by name."""

    description: Note = Field(..., min_length=1, max_length=2000)
    responsible_care_team_member_id: uuid.UUID | None = None
    responsible_user: Line | None = Field(
        None, max_length=150, description="Username of one of the provider's care staff."
    )
    responsible_name: Line = Field("", max_length=200)
    due_date: Day | None = None
    frequency: Line = Field("", max_length=100, description="For example: weekly, every month.")


class InterventionStatusIn(Schema):
    status: Literal["in-progress", "completed", "cancelled"]
    note: Note = Field("", max_length=4000)


class InterventionOut(Schema):
    id: uuid.UUID
    goal_id: uuid.UUID
    description: str
    responsible: str
    responsible_care_team_member_id: uuid.UUID | None
    responsible_user: str | None = None
    responsible_name: str
    due_date: dt.date | None
    frequency: str
    status: str

    @staticmethod
    def resolve_responsible_user(obj: Intervention) -> str | None:
        return obj.responsible_user.username if obj.responsible_user else None


class GoalOut(Schema):
    id: uuid.UUID
    care_plan_id: uuid.UUID
    description: str
    domain: str
    target_date: dt.date
    status: str
    met_on: dt.date | None
    interventions: list[InterventionOut]

    @staticmethod
    def resolve_interventions(obj: Goal) -> list[Intervention]:
        return list(obj.interventions.all())


class CarePlanOut(Schema):
    id: uuid.UUID
    member_id: uuid.UUID
    enrollment_id: uuid.UUID
    organization_id: uuid.UUID
    organization_name: str = Field(..., alias="organization.name")
    summary: str
    version: int
    last_reviewed_on: dt.date
    next_review_on: dt.date
    review_overdue: bool
    read_only: bool = Field(..., description="True once the ECM enrollment has ended.")
    goals: list[GoalOut]

    @staticmethod
    def resolve_review_overdue(obj: CarePlan) -> bool:
        return obj.next_review_on < plan_today()

    @staticmethod
    def resolve_read_only(obj: CarePlan) -> bool:
        return obj.enrollment.status not in ACTIVE_ENROLLMENT_STATUSES

    @staticmethod
    def resolve_goals(obj: CarePlan) -> list[Goal]:
        return list(obj.goals.all())


@router.get("/members/{member_id}/care-plans", response={200: list[CarePlanOut], **READ_ERRORS})
def list_care_plans(request: HttpRequest, member_id: uuid.UUID) -> object:
    """The member's care plans in your scope, newest first (a provider sees only its own)."""
    member = member_get(actor(request), member_id)
    return care_plan_detail_scope(actor(request)).filter(member=member)


@router.post("/enrollments/{enrollment_id}/care-plan", response={201: CarePlanOut, **ERRORS})
def create_care_plan(request: HttpRequest, enrollment_id: uuid.UUID, payload: CarePlanIn) -> Status[CarePlan]:
    """Start the care plan of an active ECM enrollment (the assigned provider's staff; one per enrollment)."""
    enrollment = enrollment_get(actor(request), enrollment_id)
    plan = services.care_plan_create(actor=actor(request), enrollment=enrollment, **payload.dict())
    return Status(201, care_plan_get(actor(request), plan.pk))


@router.get("/care-plans/{care_plan_id}", response={200: CarePlanOut, **READ_ERRORS})
def get_care_plan(request: HttpRequest, care_plan_id: uuid.UUID) -> CarePlan:
    return care_plan_get(actor(request), care_plan_id)


@router.post("/care-plans/{care_plan_id}/review", response={200: CarePlanOut, **ERRORS})
def review_care_plan(request: HttpRequest, care_plan_id: uuid.UUID, payload: CarePlanReviewIn) -> CarePlan:
    """Record a review with the member: the version goes up and the next review date is set."""
    plan = care_plan_get(actor(request), care_plan_id)
    services.care_plan_review(actor=actor(request), care_plan=plan, **payload.dict())
    return care_plan_get(actor(request), care_plan_id)


@router.post("/care-plans/{care_plan_id}/goals", response={201: GoalOut, **ERRORS})
def add_goal(request: HttpRequest, care_plan_id: uuid.UUID, payload: GoalIn) -> Status[Goal]:
    """Add a person-centred goal (physical or behavioral health, housing, food, social, other)."""
    plan = care_plan_get(actor(request), care_plan_id)
    return Status(201, services.goal_add(actor=actor(request), care_plan=plan, **payload.dict()))


@router.post("/goals/{goal_id}/status", response={200: GoalOut, **ERRORS})
def update_goal_status(request: HttpRequest, goal_id: uuid.UUID, payload: GoalStatusIn) -> Goal:
    """Close an active goal: met (with the date), not met, or discontinued."""
    goal = goal_get(actor(request), goal_id)
    return services.goal_update_status(actor=actor(request), goal=goal, **payload.dict())


@router.post("/goals/{goal_id}/interventions", response={201: InterventionOut, **ERRORS})
def add_intervention(request: HttpRequest, goal_id: uuid.UUID, payload: InterventionIn) -> Status[Intervention]:
    """Add an intervention to an active goal: what, who is responsible, and a due date or a frequency."""
    goal = goal_get(actor(request), goal_id)
    data = payload.dict()
    intervention = services.intervention_add(
        actor=actor(request),
        goal=goal,
        description=data["description"],
        responsible_care_team_member_id=data["responsible_care_team_member_id"],
        responsible_username=data["responsible_user"],
        responsible_name=data["responsible_name"],
        due_date=data["due_date"],
        frequency=data["frequency"],
    )
    return Status(201, intervention)


@router.post("/interventions/{intervention_id}/status", response={200: InterventionOut, **ERRORS})
def update_intervention_status(
    request: HttpRequest, intervention_id: uuid.UUID, payload: InterventionStatusIn
) -> Intervention:
    """Start, complete or cancel an intervention."""
    intervention = intervention_get(actor(request), intervention_id)
    return services.intervention_update_status(actor=actor(request), intervention=intervention, **payload.dict())
