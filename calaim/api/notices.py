"""Notices: member letters and referrer notifications, tracked until sent."""

import datetime as dt
import uuid

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from calaim.api.auth import actor
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


@router.get("/notices", response=list[NoticeOut])
@paginate
def list_notices(request: HttpRequest, member_id: uuid.UUID | None = None, kind: str | None = None) -> object:
    notices = notice_scope(actor(request))
    if member_id:
        notices = notices.filter(member_id=member_id)
    if kind:
        notices = notices.filter(kind=kind)
    return notices
