"""Notifications by email, through Django's email API (SMTP in production), each emailed once.

`notification_email_task` is enqueued when the change that created the notification commits;
`notification_emails_sweep_task` runs with the periodic jobs for any whose enqueue was lost and retries those that
failed (the error is kept on the notification) until they are EMAIL_GIVE_UP old. Either may run more than once for a
notification, at the same time on two workers: its row is locked and `emailed_at` checked, so it is sent once.

The email says only what happened (the notification's message) and links to the page behind sign-in: no member
name, CIN, birth date, diagnosis or address.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import uuid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from calaim.core.audit import audited_update
from calaim.notices.models import Notification

logger = logging.getLogger("calaim.notices")
# The sweep leaves a just-created notification to its own task for this long, and a failed one this long between
# tries; after EMAIL_GIVE_UP it stops trying (the error stays on the notification, the inbox item stays unread).
SWEEP_GRACE = dt.timedelta(minutes=1)
RETRY_AFTER = dt.timedelta(minutes=15)
EMAIL_GIVE_UP = dt.timedelta(days=3)
ERROR_MAX = 300
EMAIL_FIELDS = ["email", "emailed_at", "email_error"]


def notification_url(notification: Notification) -> str:
    """The page the notification links to, as an absolute address (settings.CALAIM_BASE_URL)."""
    link = notification.link if notification.link.startswith("/") else "/inbox/"
    return settings.CALAIM_BASE_URL + link


def notification_message(notification: Notification) -> EmailMultiAlternatives:
    """The email: the message as its subject and first line, the link, and no PHI."""
    context = {"message": notification.message, "url": notification_url(notification)}
    subject = " ".join(notification.message.split())[:150]
    email = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("notices/email/notification.txt", context),
        to=[notification.email],
    )
    email.attach_alternative(render_to_string("notices/email/notification.html", context), "text/html")
    return email


def notification_email(*, notification_id: uuid.UUID | str) -> bool:
    """Email one notification unless it was emailed already; a failure is kept on it for the sweep to retry.

    True when it was sent now.
    """
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .filter(pk=notification_id, emailed_at__isnull=True)
            .exclude(email="")
            .first()
        )
        if notification is None:
            return False
        try:
            notification_message(notification).send(fail_silently=False)
        except (smtplib.SMTPException, OSError) as error:
            # Kept on the row for the people who look after calaim; the address and the error say nothing of the
            # member.
            failure = f"{type(error).__name__}: {error}"[:ERROR_MAX]
            logger.warning("Notification id=%s could not be emailed: %s", notification.pk, failure)
            _record(notification, {"email_error": failure}, "notification.email_failed")
            return False
        _record(notification, {"emailed_at": timezone.now(), "email_error": ""}, "notification.email")
    return True


def _record(notification: Notification, changes: dict[str, object], action: str) -> None:
    audited_update(notification, changes, actor=None, action=action, fields=EMAIL_FIELDS, member=None)


def notification_emails_unsent(*, now: dt.datetime, limit: int) -> list[uuid.UUID]:
    """Notifications still to be emailed: untried ones whose own task had its chance, failed ones RETRY_AFTER their
    last try; none older than EMAIL_GIVE_UP; oldest first."""
    untried = Q(email_error="", created_at__lt=now - SWEEP_GRACE)
    failed = ~Q(email_error="") & Q(updated_at__lt=now - RETRY_AFTER)
    rows = (
        Notification.objects.filter(untried | failed, emailed_at__isnull=True, created_at__gte=now - EMAIL_GIVE_UP)
        .exclude(email="")
        .order_by("created_at")
    )
    return list(rows.values_list("pk", flat=True)[:limit])


@task()
def notification_email_task(notification_id: str) -> bool:
    return notification_email(notification_id=notification_id)


@task()
def notification_emails_sweep_task(limit: int = 500) -> dict[str, int]:
    """Email the notifications whose task was lost or whose email failed; each failure is kept on its row."""
    sent = not_sent = 0
    for notification_id in notification_emails_unsent(now=timezone.now(), limit=limit):
        if notification_email(notification_id=notification_id):
            sent += 1
        else:
            not_sent += 1  # failed (kept on the row), or sent meanwhile by its own task
    return {"sent": sent, "not_sent": not_sent}
