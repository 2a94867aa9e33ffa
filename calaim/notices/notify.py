"""Electronic notifications: the in-app inbox and email (through Django's SMTP backend), with no PHI in them.

`notification_dispatch(notice)` turns a referrer's or provider's notice into the notifications it owes (an inbox
item for each user to be told, an email to each address). `notification_send(...)` is the same for any other
event (an appeal filed, a letter returned). Both must be called inside the transaction of the change; the emails
are sent after it commits (`calaim.notices.email`).

A notice says whom to tell in its content, because the notices app sits below the apps that know who referred
whom: `notify_users` (user ids: their inbox, and email to their address), `notify_emails` (more addresses),
`event`, `message` (no PHI) and `link` (the path of the page that says more, behind sign-in).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import partial

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from calaim.accounts.models import User
from calaim.core.audit import audit_record, snapshot
from calaim.notices.email import notification_email_task
from calaim.notices.models import Notice, Notification

logger = logging.getLogger("calaim.notices")
NOTIFICATION_FIELDS = ["user", "email", "notice", "event", "message", "link"]
MESSAGE_MAX = 300
LINK_MAX = 300


def notification_dispatch(notice: Notice) -> list[Notification]:
    """Create the notice's notifications; the caller holds the notice's row lock inside a transaction."""
    content = notice.content
    user_ids = [pk for pk in content.get("notify_users", []) if pk is not None]
    emails = content.get("notify_emails", [])
    if not user_ids and not emails:
        return []
    return notification_send(
        users=User.objects.filter(pk__in=user_ids).order_by("pk"),
        emails=emails,
        event=str(content.get("event") or notice.kind),
        message=str(content.get("message") or notice.get_kind_display()),
        link=str(content.get("link", "")),
        notice=notice,
    )


def notification_send(
    *,
    users: Iterable[User],
    emails: Iterable[str] = (),
    event: str,
    message: str,
    link: str,
    notice: Notice | None = None,
) -> list[Notification]:
    """Tell these users (inbox, and email when they have an address) and these addresses (email) that `event`
    happened; `message` and `link` carry no PHI."""
    told = _recipients(users, emails)
    created = []
    for user, address in told:
        notification = Notification.objects.create(
            user=user,
            email=address,
            notice=notice,
            event=event[:60],
            message=message[:MESSAGE_MAX],
            link=link[:LINK_MAX],
        )
        audit_record(
            actor=None,
            action="notification.create",
            obj=notification,
            member=notice.member if notice is not None else None,
            after=snapshot(notification, NOTIFICATION_FIELDS),
        )
        if address:
            # Emailed once the change commits; if this enqueue is lost, the email sweep sends it.
            transaction.on_commit(partial(notification_email_task.enqueue, str(notification.pk)), robust=True)
        created.append(notification)
    return created


def _recipients(users: Iterable[User], emails: Iterable[str]) -> list[tuple[User | None, str]]:
    """Each active user once (with their address, if any), then each other valid address once."""
    told: list[tuple[User | None, str]] = []
    seen_users: set[object] = set()
    seen_addresses: set[str] = set()
    for user in users:
        if user.is_active and user.pk not in seen_users:
            seen_users.add(user.pk)
            address = _valid(user.email)
            told.append((user, address))
            seen_addresses.add(address.lower())
    for raw in emails:
        address = _valid(raw)
        if address and address.lower() not in seen_addresses:
            seen_addresses.add(address.lower())
            told.append((None, address))
    return told


def _valid(address: str | None) -> str:
    """The address if it is one an email can go to, else empty (logged: a typo on a form tells no one)."""
    address = (address or "").strip()
    if not address:
        return ""
    try:
        validate_email(address)
    except ValidationError:
        logger.warning("A notification was not emailed: its address is not a valid email address.")
        return ""
    return address
