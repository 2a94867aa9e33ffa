"""Notices owed to members and referrers, recorded as an outbox.

A notice is written in the same transaction as the change that owes it, so a change that rolls back owes
nothing; the mailroom (calaim.notices.mailroom) sends what is recorded once the transaction has committed. Which
change owes which notice is the closed-loop table (`calaim/referrals/reference/closed_loop.yaml`) plus the Notice
of Action issued by an adverse authorization decision.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from functools import partial
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from calaim.core.audit import audit_record, snapshot
from calaim.core.clock import add_business_days
from calaim.members.models import Member
from calaim.notices.letters.timing import letter_due_for_content
from calaim.notices.mailroom import notice_send_task
from calaim.notices.models import Notice, NoticeRecipient
from calaim.plans.selectors import program_settings_for

NOTICE_FIELDS = ["kind", "recipient", "recipient_name", "language", "status", "due_date", "referral"]


def notice_queue(
    *,
    actor: AbstractBaseUser | None,
    member: Member,
    kind: str,
    recipient: str,
    due_date: dt.date,
    content: dict[str, Any],
    recipient_name: str = "",
    referral_id: uuid.UUID | None = None,
) -> Notice:
    """Record one notice owed; must be called inside the transaction of the change that owes it."""
    to_member = recipient == NoticeRecipient.MEMBER
    notice = Notice.objects.create(
        member=member,
        kind=kind,
        recipient=recipient,
        recipient_name=recipient_name or (member.full_name if to_member else ""),
        language=member.language if to_member else "en",
        due_date=due_date,
        referral_id=referral_id,
        content=content,
    )
    audit_record(actor=actor, action="notice.queue", obj=notice, member=member, after=snapshot(notice, NOTICE_FIELDS))
    # Sent once the change commits; if this enqueue is lost (a crash after the commit), the mailroom's sweep sends it.
    transaction.on_commit(partial(notice_send_task.enqueue, str(notice.pk)), robust=True)
    return notice


def member_letter_due(
    member: Member, day: dt.date, kind: str | None = None, *, content: Mapping[str, Any] | None = None
) -> dt.date:
    """When a letter to the member owed by an event on `day` is due: by its kind's timing (letters.yaml; an
    ending's date of action and cause read from `content`), or the plan's configured business days when the kind
    is not given."""
    settings = program_settings_for(member.plan, day)
    if kind is None:
        return add_business_days(day, settings.member_letter_business_days)
    return letter_due_for_content(
        kind=kind,
        day=day,
        plan_business_days=settings.member_letter_business_days,
        knox_keene_licensed=settings.knox_keene_licensed,
        content=content or {},
    )
