"""Care team, outreach attempts and tasks; the care plan endpoints are in care_plan_api."""

import datetime as dt
import uuid
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from calaim.access.scopes import member_get
from calaim.api.auth import actor
from calaim.api.care_plans import router as care_plan_router
from calaim.api.errors import ERRORS, LIST_ERRORS, READ_ERRORS
from calaim.api.pagination import paginated
from calaim.api.referrals_schemas import EMAIL_PATTERN
from calaim.api.types import Day, Line, Note
from calaim.careplans import services
from calaim.careplans.models import MAX_OUTREACH_MINUTES, CareTeamMember, OutreachAttempt, Task
from calaim.careplans.selectors import care_team_get, care_team_scope, outreach_scope, task_get, task_scope
from calaim.ecm.selectors import enrollment_get

router = Router(tags=["care coordination"])
router.add_router("", care_plan_router)


class CareTeamIn(Schema):
    role: Literal[
        "pcp",
        "specialist",
        "behavioral_health",
        "pharmacist",
        "case_manager",
        "social_services",
        "family_caregiver",
        "other",
    ]
    name: Line = Field(..., min_length=1, max_length=200)
    organization_name: Line = Field("", max_length=200)
    phone: Line = Field("", max_length=20)
    email: str = Field("", max_length=254, pattern=EMAIL_PATTERN)


class CareTeamOut(Schema):
    id: uuid.UUID
    member_id: uuid.UUID
    role: str
    name: str
    organization_name: str
    phone: str
    email: str
    active: bool


class OutreachIn(Schema):
    attempted_on: Day
    method: Literal["in_person", "phone", "video", "text", "email", "mail", "other_electronic"]
    reached: bool
    minutes_spent: int = Field(..., ge=0, le=MAX_OUTREACH_MINUTES)
    notes: Note = Field("", max_length=4000)


class OutreachOut(Schema):
    id: uuid.UUID
    member_id: uuid.UUID
    enrollment_id: uuid.UUID
    organization_id: uuid.UUID
    attempted_on: dt.date
    method: str
    reached: bool
    minutes_spent: int
    performed_by: str = Field(..., alias="performed_by.username")
    notes: str


class TaskIn(Schema):
    kind: Literal[
        "welcome_call",
        "outreach",
        "assessment",
        "appointment",
        "medication_review",
        "transportation",
        "community_referral",
        "discharge_follow_up",
        "other",
    ]
    due_date: Day
    description: Note = Field("", max_length=2000)
    owner: Line | None = Field(
        None, max_length=150, description="Username of one of the provider's care staff; blank: unassigned."
    )


class TaskCancelIn(Schema):
    reason: Note = Field(..., min_length=1, max_length=2000)


class TaskOut(Schema):
    id: uuid.UUID
    member_id: uuid.UUID
    enrollment_id: uuid.UUID | None
    organization_id: uuid.UUID
    kind: str
    description: str
    status: str
    due_date: dt.date
    owner: str | None = None
    completed_at: dt.datetime | None

    @staticmethod
    def resolve_owner(obj: Task) -> str | None:
        return obj.owner.username if obj.owner else None


@router.get("/members/{member_id}/care-team", response={200: list[CareTeamOut], **READ_ERRORS})
def list_care_team(request: HttpRequest, member_id: uuid.UUID) -> object:
    member = member_get(actor(request), member_id)
    return care_team_scope(actor(request)).filter(member=member, active=True)


@router.post("/members/{member_id}/care-team", response={201: CareTeamOut, **ERRORS})
def add_care_team_member(request: HttpRequest, member_id: uuid.UUID, payload: CareTeamIn) -> Status[CareTeamMember]:
    """Record a care team member: PCP, specialist, behavioral health, pharmacist, case manager, family..."""
    member = member_get(actor(request), member_id)
    return Status(201, services.care_team_add(actor=actor(request), member=member, **payload.dict()))


@router.delete("/care-team/{person_id}", response={200: CareTeamOut, **ERRORS})
def remove_care_team_member(request: HttpRequest, person_id: uuid.UUID) -> CareTeamMember:
    person = care_team_get(actor(request), person_id)
    return services.care_team_remove(actor=actor(request), person=person)


@router.get("/enrollments/{enrollment_id}/outreach-attempts", response={200: list[OutreachOut], **READ_ERRORS})
def list_outreach(request: HttpRequest, enrollment_id: uuid.UUID) -> object:
    enrollment = enrollment_get(actor(request), enrollment_id)
    return outreach_scope(actor(request)).filter(member_id=enrollment.member_id).select_related("performed_by")


@router.post("/enrollments/{enrollment_id}/outreach-attempts", response={201: OutreachOut, **ERRORS})
def record_outreach(request: HttpRequest, enrollment_id: uuid.UUID, payload: OutreachIn) -> Status[OutreachAttempt]:
    """Record an outreach attempt (date, method, reached or not, minutes spent)."""
    enrollment = enrollment_get(actor(request), enrollment_id)
    return Status(201, services.outreach_record(actor=actor(request), enrollment=enrollment, **payload.dict()))


class TaskFilter(Schema):
    status: Line | None = Field(None, max_length=20)
    due_before: Day | None = None
    member_id: uuid.UUID | None = None


@router.get("/tasks", response={200: list[TaskOut], **LIST_ERRORS})
@paginated
def list_tasks(request: HttpRequest, filters: Query[TaskFilter]) -> object:
    """Tasks in your scope by due date (a provider sees its own)."""
    tasks = task_scope(actor(request)).select_related("owner")
    if filters.member_id:
        tasks = tasks.filter(member_id=filters.member_id)
    if filters.status:
        tasks = tasks.filter(status=filters.status)
    if filters.due_before:
        tasks = tasks.filter(due_date__lt=filters.due_before)
    return tasks


@router.post("/enrollments/{enrollment_id}/tasks", response={201: TaskOut, **ERRORS})
def create_task(request: HttpRequest, enrollment_id: uuid.UUID, payload: TaskIn) -> Status[Task]:
    """A task for the assigned provider: appointment, medication review or refill, NEMT ride, community
    referral, follow-up after a hospital discharge..."""
    enrollment = enrollment_get(actor(request), enrollment_id)
    return Status(201, services.task_create(actor=actor(request), enrollment=enrollment, **payload.dict()))


@router.post("/tasks/{task_id}/start", response={200: TaskOut, **ERRORS})
def start_task(request: HttpRequest, task_id: uuid.UUID) -> Task:
    return services.task_start(actor=actor(request), task=task_get(actor(request), task_id))


@router.post("/tasks/{task_id}/complete", response={200: TaskOut, **ERRORS})
def complete_task(request: HttpRequest, task_id: uuid.UUID) -> Task:
    return services.task_complete(actor=actor(request), task=task_get(actor(request), task_id))


@router.post("/tasks/{task_id}/cancel", response={200: TaskOut, **ERRORS})
def cancel_task(request: HttpRequest, task_id: uuid.UUID, payload: TaskCancelIn) -> Task:
    """Cancel an open task that is no longer needed, with the reason."""
    return services.task_cancel(actor=actor(request), task=task_get(actor(request), task_id), reason=payload.reason)
