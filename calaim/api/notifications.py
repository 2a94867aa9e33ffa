"""Notifications: the caller's own inbox (what happened, in words with no PHI, and the page that says more), newest
first; marking one or all read. Nobody reads or marks another's (404)."""

import datetime as dt
import uuid

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from calaim.api.auth import actor
from calaim.api.errors import ERRORS, LIST_ERRORS
from calaim.api.pagination import paginated
from calaim.notices.email import notification_url
from calaim.notices.inbox import (
    notification_get,
    notification_mark_read,
    notification_scope,
    notifications_mark_all_read,
)
from calaim.notices.models import Notification

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: uuid.UUID
    event: str = Field(description="What happened, e.g. referral.authorized.")
    message: str = Field(description="What happened in plain words, with no PHI.")
    link: str = Field(description="The path of the page that says more.")
    url: str = Field(description="The same page as an absolute address.")
    created_at: dt.datetime
    read_at: dt.datetime | None
    emailed_at: dt.datetime | None

    @staticmethod
    def resolve_url(obj: Notification) -> str:
        return notification_url(obj)


class NotificationFilter(Schema):
    unread: bool = Field(False, description="Only the notifications not yet read.")


class MarkedOut(Schema):
    marked: int = Field(description="How many notifications were marked read.")


@router.get("/notifications", response={200: list[NotificationOut], **LIST_ERRORS})
@paginated
def list_notifications(request: HttpRequest, filters: Query[NotificationFilter]) -> object:
    """Your notifications, newest first; `unread=true` for those not yet read."""
    return notification_scope(actor(request), unread=filters.unread)


@router.post("/notifications/read-all", response={200: MarkedOut, **ERRORS})
def read_all_notifications(request: HttpRequest) -> dict[str, int]:
    """Mark every unread notification of yours read."""
    return {"marked": notifications_mark_all_read(actor=actor(request))}


@router.post("/notifications/{notification_id}/read", response={200: NotificationOut, **ERRORS})
def read_notification(request: HttpRequest, notification_id: uuid.UUID) -> Notification:
    """Mark one of your notifications read (already read: unchanged)."""
    notification = notification_get(actor(request), notification_id)
    return notification_mark_read(actor=actor(request), notification=notification)
