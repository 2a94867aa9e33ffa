"""The in-app inbox: a user's own notifications, read and marked read only by them.

`notification_scope` is the one way to read notifications for a user (anyone else's is out of scope: 404); marking
one or all read is audited with the user as the actor.
"""

from __future__ import annotations

import uuid

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from calaim.accounts.models import User
from calaim.core.audit import audit_record, audited_update
from calaim.core.errors import NotFound
from calaim.notices.models import Notification


def notification_scope(user: User | None, *, unread: bool = False) -> QuerySet[Notification]:
    """The user's own notifications, newest first (unread ones only if asked); nobody sees another's."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Notification.objects.none()
    rows = Notification.objects.filter(user=user)
    if unread:
        rows = rows.filter(read_at__isnull=True)
    return rows.order_by("-created_at", "-pk")


def notification_get(user: User | None, notification_id: uuid.UUID | str) -> Notification:
    try:
        return notification_scope(user).get(pk=notification_id)
    except (Notification.DoesNotExist, ValueError):
        raise NotFound("No notification with this id in your inbox.") from None


def notification_mark_read(*, actor: User, notification: Notification) -> Notification:
    """Mark one of the actor's notifications read (already read: unchanged)."""
    with transaction.atomic():
        locked = notification_scope(actor).select_for_update().get(pk=notification.pk)
        if locked.read_at is None:
            audited_update(
                locked,
                {"read_at": timezone.now()},
                actor=actor,
                action="notification.read",
                fields=["read_at"],
                member=None,
            )
    return locked


def notifications_mark_all_read(*, actor: User) -> int:
    """Mark every unread notification of the actor read; returns how many (one audit event for them all)."""
    with transaction.atomic():
        unread = notification_scope(actor, unread=True)
        marked = unread.update(read_at=timezone.now(), updated_at=timezone.now())
        if marked:
            audit_record(actor=actor, action="notification.read_all", obj=actor, after={"marked": marked})
    return marked


def inbox_unread_count(user: User | None) -> int:
    return notification_scope(user, unread=True).count()
