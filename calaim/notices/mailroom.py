"""The mailroom: produces and sends the notices the outbox holds, each exactly once.

A member's notice becomes a PDF letter (`calaim.notices.letters`), stored immutable and left PRODUCED for the day's
mail batch (`calaim.notices.batch`), which marks it SENT. A referrer's or provider's notice becomes notifications
(`calaim.notices.notify`: the inbox and email) and is SENT at once.

`notice_queue` enqueues `notice_send_task` when the transaction that owed the notice commits; `notices_sweep_task`
runs every few minutes for any whose enqueue was lost (a crash between the commit and the enqueue). Either may run
more than once for a notice, at the same time on two workers: the notice's row is locked and its status checked,
so it is generated and marked sent once.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from calaim.core.audit import audited_update
from calaim.core.clock import local_date
from calaim.notices.letters import letter_produce
from calaim.notices.models import Notice, NoticeRecipient, NoticeStatus
from calaim.notices.notify import notification_dispatch

logger = logging.getLogger("calaim.notices")
# The sweep leaves a just-queued notice to its own task for this long.
SWEEP_GRACE = dt.timedelta(minutes=1)


def notice_render(notice: Notice, *, on: dt.date) -> str:
    """The letter's text: to whom, about what, dated, and what the step that owed it recorded."""
    lines = [
        f"Date: {on.isoformat()}",
        f"To: {notice.recipient_name or notice.get_recipient_display()}",
        f"Re: {notice.get_kind_display()}",
        f"Language: {notice.language}",
        "",
    ]
    lines += [f"{key.replace('_', ' ').capitalize()}: {value}" for key, value in sorted(notice.content.items())]
    return "\n".join(lines) + "\n"


def notice_send(*, notice_id: uuid.UUID | str) -> bool:
    """Produce a planned notice's letter, or send its notifications, once; False when it was already done (or
    cancelled, or is gone)."""
    with transaction.atomic():
        notice = Notice.objects.select_for_update(of=("self",)).select_related("member").filter(pk=notice_id).first()
        if notice is None or notice.status != NoticeStatus.PLANNED:
            return False
        now = timezone.now()
        changes: dict[str, object] = {"document": notice_render(notice, on=local_date(now))}
        if notice.recipient == NoticeRecipient.MEMBER:
            letter_produce(notice)
            changes["status"] = NoticeStatus.PRODUCED
            action = "notice.produce"
        else:
            notification_dispatch(notice)
            changes.update(status=NoticeStatus.SENT, sent_at=now)
            action = "notice.send"
        audited_update(
            notice,
            changes,
            actor=None,
            action=action,
            fields=["kind", "recipient", "status", "sent_at"],
            member=notice.member,
        )
    return True


def notices_unsent(*, before: dt.datetime, limit: int) -> list[uuid.UUID]:
    """Planned notices queued before `before`, the oldest first."""
    rows = Notice.objects.filter(status=NoticeStatus.PLANNED, created_at__lt=before).order_by("created_at")
    return list(rows.values_list("pk", flat=True)[:limit])


@task()
def notice_send_task(notice_id: str) -> bool:
    return notice_send(notice_id=notice_id)


@task()
def notices_sweep_task(limit: int = 500) -> int:
    """Send the planned notices whose own task has not (yet) run; one notice's failure does not stop the rest,
    and fails the sweep at the end so it is retried."""
    sent, failed = 0, []
    for notice_id in notices_unsent(before=timezone.now() - SWEEP_GRACE, limit=limit):
        try:
            sent += notice_send(notice_id=notice_id)
        except Exception:
            logger.exception("Notice id=%s could not be sent", notice_id)
            failed.append(notice_id)
    if failed:
        raise RuntimeError(f"{len(failed)} notice(s) could not be sent; {sent} were.")
    return sent
