"""Care team, outreach attempts and tasks; the care plan endpoints are in care_plan_api."""

import datetime as dt
import uuid
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from calaim.access.scopes import member_get
from calaim.api.auth import actor
from calaim.api.care_plans import router as care_plan_router
from calaim.api.errors import ERRORS
from calaim.careplans import services
from calaim.careplans.models import CareTeamMember, OutreachAttempt, Task
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
    name: str = Field(..., min_length=1, max_length=200)
    organization_name: str = Field("", max_length=200)
    phone: str = Field("", max_length=20)
    email: str = Field("", max_length=254, pattern=r"^([^@\s]+@[^@\s]+\.[^@\s]+)?$")


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
    attempted_on: dt.date
    method: Literal["in_person", "phone", "video", "text", "email", "mail", "other_electronic"]
    reached: bool
    minutes_spent: int = Field(..., ge=0, le=1440)
    notes: str = Field("", max_length=4000)


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
    due_date: dt.date
    description: str = Field("", max_length=2000)
    owner: str | None = Field(None, description="Username of one of the provider's care staff; blank: unassigned.")


class TaskCancelIn(Schema):
    reason: str = Field(..., min_length=1, max_length=2000)


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


@router.get("/members/{member_id}/care-team", response={200: list[CareTeamOut], **ERRORS})
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


@router.get("/enrollments/{enrollment_id}/outreach-attempts", response={200: list[OutreachOut], **ERRORS})
def list_outreach(request: HttpRequest, enrollment_id: uuid.UUID) -> object:
    enrollment = enrollment_get(actor(request), enrollment_id)
    return outreach_scope(actor(request)).filter(member_id=enrollment.member_id).select_related("performed_by")


@router.post("/enrollments/{enrollment_id}/outreach-attempts", response={201: OutreachOut, **ERRORS})
def record_outreach(request: HttpRequest, enrollment_id: uuid.UUID, payload: OutreachIn) -> Status[OutreachAttempt]:
    """Record an outreach attempt (date, method, reached or not, minutes spent)."""
    enrollment = enrollment_get(actor(request), enrollment_id)
    return Status(201, services.outreach_record(actor=actor(request), enrollment=enrollment, **payload.dict()))


@router.get("/tasks", response=list[TaskOut])
@paginate
def list_tasks(
    request: HttpRequest,
    status: str | None = None,
    due_before: dt.date | None = None,
    member_id: uuid.UUID | None = None,
) -> object:
    """Tasks in your scope by due date (a provider sees its own)."""
    tasks = task_scope(actor(request)).select_related("owner")
    if member_id:
        tasks = tasks.filter(member_id=member_id)
    if status:
        tasks = tasks.filter(status=status)
    if due_before:
        tasks = tasks.filter(due_date__lt=due_before)
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
