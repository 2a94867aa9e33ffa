"""Authorization endpoints: the UM queue with its clocks, decisions, extensions and re-authorization."""

import datetime as dt
import uuid
from typing import Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from calaim.api.auth import actor
from calaim.api.errors import ERRORS, LIST_ERRORS, READ_ERRORS
from calaim.api.pagination import paginated
from calaim.api.types import Line, Note
from calaim.authorizations import services
from calaim.authorizations.models import UNDECIDED, AuthorizationRequest
from calaim.authorizations.selectors import (
    authorization_get,
    authorization_overdue,
    authorization_scope,
    overdue_condition,
)
from calaim.workflows.authorization_decision import authorization_decide

router = Router(tags=["authorizations"])


class NoticeOfActionOut(Schema):
    id: uuid.UUID
    determination: str
    reason: str
    criteria: str
    appeal_rights: str
    appeal_deadline: dt.date
    issued_at: dt.datetime


class AuthorizationOut(Schema):
    id: uuid.UUID
    member_id: uuid.UUID
    referral_id: uuid.UUID | None
    program: str = Field(description="ecm or cs.")
    kind: str
    urgency: str
    status: str
    received_at: dt.datetime
    due_at: dt.datetime
    ceiling_at: dt.datetime
    overdue: bool
    time_remaining_seconds: int | None
    extended_at: dt.datetime | None
    extension_reason: str
    information_requested: str
    decided_at: dt.datetime | None
    decision_reason: str
    criteria_used: str
    modification: str
    period_start: dt.date | None
    period_end: dt.date | None
    renews_id: uuid.UUID | None
    settings_version: str
    notice_of_action: NoticeOfActionOut | None = None

    @staticmethod
    def resolve_overdue(obj: AuthorizationRequest) -> bool:
        return authorization_overdue(obj)

    @staticmethod
    def resolve_time_remaining_seconds(obj: AuthorizationRequest) -> int | None:
        if obj.status not in UNDECIDED:
            return None
        return int((obj.due_at - timezone.now()).total_seconds())

    @staticmethod
    def resolve_notice_of_action(obj: AuthorizationRequest) -> object:
        return getattr(obj, "notice_of_action", None)


class AuthorizationFilter(Schema):
    status: Line | None = Field(None, max_length=30)
    overdue: bool | None = Field(None, description="Only undecided requests past their due time.")
    member_id: uuid.UUID | None = None
    referral_id: uuid.UUID | None = Field(None, description="The ECM referral the request was opened for.")
    program: Literal["ecm", "cs"] | None = None


class DecisionIn(Schema):
    outcome: Literal["approve", "approve_modified", "deny", "pend"]
    reason: Note = Field("", max_length=4000)
    criteria: Note = Field("", max_length=4000)
    modification: Note = Field("", max_length=4000)
    information_requested: Note = Field("", max_length=4000)
    period_months: int | None = Field(None, ge=1, le=24)


class ExtensionIn(Schema):
    reason: Note = Field(..., min_length=1, max_length=4000)


class ReauthorizationIn(Schema):
    urgency: Literal["routine", "expedited"] = "routine"


@router.get("/authorizations", response={200: list[AuthorizationOut], **LIST_ERRORS})
@paginated
def list_authorizations(request: HttpRequest, filters: Query[AuthorizationFilter]) -> object:
    """The authorization queue in your scope, most urgent first; `overdue=true` shows late ones."""
    requests = authorization_scope(actor(request)).select_related("notice_of_action").order_by("due_at")
    if filters.status:
        requests = requests.filter(status=filters.status)
    if filters.member_id:
        requests = requests.filter(member_id=filters.member_id)
    if filters.referral_id:
        requests = requests.filter(referral_id=filters.referral_id)
    if filters.program:
        requests = requests.filter(program=filters.program)
    if filters.overdue is not None:
        requests = requests.filter(overdue_condition()) if filters.overdue else requests.exclude(overdue_condition())
    return requests


@router.get("/authorizations/{authorization_id}", response={200: AuthorizationOut, **READ_ERRORS})
def get_authorization(request: HttpRequest, authorization_id: uuid.UUID) -> AuthorizationRequest:
    return authorization_get(actor(request), authorization_id)


@router.post("/authorizations/{authorization_id}/decision", response={200: AuthorizationOut, **ERRORS})
def decide(request: HttpRequest, authorization_id: uuid.UUID, payload: DecisionIn) -> AuthorizationRequest:
    """Approve, approve as modified, deny (issues a Notice of Action) or pend for information."""
    authorization = authorization_get(actor(request), authorization_id)
    return authorization_decide(actor=actor(request), authorization=authorization, **payload.dict())


@router.post("/authorizations/{authorization_id}/extension", response={200: AuthorizationOut, **ERRORS})
def extend(request: HttpRequest, authorization_id: uuid.UUID, payload: ExtensionIn) -> AuthorizationRequest:
    """Extend the decision deadline once, with a reason."""
    authorization = authorization_get(actor(request), authorization_id)
    return services.authorization_extend(actor=actor(request), authorization=authorization, reason=payload.reason)


@router.post("/authorizations/{authorization_id}/reauthorization", response={201: AuthorizationOut, **ERRORS})
def reauthorize(
    request: HttpRequest, authorization_id: uuid.UUID, payload: ReauthorizationIn
) -> Status[AuthorizationRequest]:
    """Request continued ECM after an approved period."""
    authorization = authorization_get(actor(request), authorization_id)
    return Status(
        201,
        services.authorization_reauthorize(actor=actor(request), authorization=authorization, urgency=payload.urgency),
    )
