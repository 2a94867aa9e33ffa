"""Appeals and grievances API schemas: what a client sends to file, extend, resolve and withdraw, and what it reads."""

import datetime as dt
import uuid
from typing import Literal, get_args

from django.utils import timezone
from ninja import Field, Schema

from calaim.api.types import Line, Moment, Note
from calaim.appeals.models import Appeal, Grievance
from calaim.appeals.selectors import Show, appeal_overdue, grievance_overdue

ChannelIn = Literal["phone", "mail", "in_person", "portal"]
ShowIn = Literal["open", "overdue", "resolved", "withdrawn", "all"]
assert set(get_args(ShowIn)) == set(Show.CHOICES)  # one list of what a list shows


class ListFilter(Schema):
    show: ShowIn = Field("open", description="open (the default), overdue, resolved, withdrawn or all.")
    expedited: bool | None = None
    member_id: uuid.UUID | None = None


class AppealIn(Schema):
    notice_of_action_id: uuid.UUID
    channel: ChannelIn
    received_at: Moment | None = Field(None, description="When the plan received it; omit for now.")
    expedited: bool = False
    aid_paid_pending: bool = Field(False, description="The member asks for services to continue pending the appeal.")
    on_behalf: Literal["member", "provider"] = Field(
        "member", description="Plan staff: for the member, or for the provider that asked for the service."
    )
    description: Note = Field("", max_length=4000)


class AppealExtensionIn(Schema):
    extension_days: int = Field(..., ge=1, le=366, description="Calendar days; the configured maximum applies (14).")
    reason: Note = Field(..., min_length=1, max_length=4000)


class AppealResolutionIn(Schema):
    outcome: Literal["upheld", "overturned"]
    reason: Note = Field(..., min_length=1, max_length=4000)


class AppealWithdrawalIn(Schema):
    reason: Note = Field(..., min_length=1, max_length=4000)


def _seconds_left(due_at: dt.datetime, open_now: bool) -> int | None:
    return int((due_at - timezone.now()).total_seconds()) if open_now else None


class AppealOut(Schema):
    id: uuid.UUID
    reference: str
    member_id: uuid.UUID
    notice_of_action_id: uuid.UUID
    authorization_id: uuid.UUID
    on_behalf: str
    provider_organization_id: uuid.UUID | None
    channel: str
    description: str
    received_at: dt.datetime
    expedited: bool
    late: bool
    aid_paid_pending_requested: bool
    aid_paid_pending_timely: bool | None
    status: str
    acknowledged_at: dt.datetime | None
    resolution_due_at: dt.datetime
    overdue: bool
    time_remaining_seconds: int | None
    extended_at: dt.datetime | None
    extension_days: int | None
    extension_reason: str
    outcome: str
    resolution_reason: str
    resolved_at: dt.datetime | None
    hearing_deadline: dt.date | None
    withdrawn_at: dt.datetime | None
    withdrawal_reason: str
    rules_version: str

    @staticmethod
    def resolve_overdue(obj: Appeal) -> bool:
        return appeal_overdue(obj)

    @staticmethod
    def resolve_time_remaining_seconds(obj: Appeal) -> int | None:
        return _seconds_left(obj.resolution_due_at, obj.resolved_at is None and obj.withdrawn_at is None)


class GrievanceIn(Schema):
    member_id: uuid.UUID
    category: Line = Field(..., min_length=1, max_length=40, description="A code of GET /grievance-categories.")
    description: Note = Field(..., min_length=1, max_length=4000)
    channel: ChannelIn
    received_at: Moment | None = Field(None, description="When the plan received it; omit for now.")
    expedited: bool = False
    authorization_id: uuid.UUID | None = None
    referral_id: uuid.UUID | None = None
    cs_request_id: uuid.UUID | None = None


class GrievanceResolutionIn(Schema):
    resolution: Note = Field(..., min_length=1, max_length=4000)


class GrievanceOut(Schema):
    id: uuid.UUID
    reference: str
    member_id: uuid.UUID
    category: str
    description: str
    channel: str
    received_at: dt.datetime
    expedited: bool
    status: str
    acknowledged_at: dt.datetime | None
    resolution_due_at: dt.datetime
    overdue: bool
    time_remaining_seconds: int | None
    resolution: str
    resolved_at: dt.datetime | None
    authorization_id: uuid.UUID | None
    referral_id: uuid.UUID | None
    cs_request_id: uuid.UUID | None
    rules_version: str

    @staticmethod
    def resolve_overdue(obj: Grievance) -> bool:
        return grievance_overdue(obj)

    @staticmethod
    def resolve_time_remaining_seconds(obj: Grievance) -> int | None:
        return _seconds_left(obj.resolution_due_at, obj.resolved_at is None)


class CategoryOut(Schema):
    code: str
    label: str
