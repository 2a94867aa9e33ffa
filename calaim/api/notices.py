"""Notices: member letters and referrer notifications, tracked until sent."""

import datetime as dt
import uuid

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from calaim.api.auth import actor
from calaim.api.errors import LIST_ERRORS
from calaim.api.pagination import paginated
from calaim.api.types import Line
from calaim.notices.selectors import notice_scope

router = Router(tags=["notices"])


class NoticeOut(Schema):
    id: uuid.UUID
    member_id: uuid.UUID
    referral_id: uuid.UUID | None
    kind: str
    recipient: str
    recipient_name: str
    language: str
    status: str
    due_date: dt.date
    sent_at: dt.datetime | None
    content: dict[str, object]


class NoticeFilter(Schema):
    member_id: uuid.UUID | None = None
    kind: Line | None = Field(None, max_length=40)


@router.get("/notices", response={200: list[NoticeOut], **LIST_ERRORS})
@paginated
def list_notices(request: HttpRequest, filters: Query[NoticeFilter]) -> object:
    notices = notice_scope(actor(request))
    if filters.member_id:
        notices = notices.filter(member_id=filters.member_id)
    if filters.kind:
        notices = notices.filter(kind=filters.kind)
    return notices
