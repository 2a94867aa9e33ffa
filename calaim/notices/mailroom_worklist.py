"""The mailroom's worklist: the plan's member letters by where they stand, due dates read as the plan's local dates.

Due (today and overdue, not yet mailed), produced and waiting for the mail batch, planned and not yet produced (one
planned for longer than STUCK_AFTER is stuck: the mailroom's own task did not run), mailed recently, and returned.
Each list can be narrowed to one kind of letter. Read by member services and plan compliance for their own plan.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import models
from django.db.models import QuerySet

from calaim.accounts.models import User
from calaim.core.paging import count_upto
from calaim.notices.models import Notice, NoticeRecipient, NoticeStatus
from calaim.notices.selectors import address_missing, mailroom_flags, mailroom_plan_id, notices_with_letters

# A planned letter is produced within a minute or two of being owed (the sweep runs every few minutes); one planned
# for longer than this did not get its PDF and needs someone to look.
STUCK_AFTER = dt.timedelta(minutes=15)
RECENT_DAYS = 30
# The counts on the tabs stop here: "200+" says enough.
COUNT_BOUND = 200


class LetterList(models.TextChoices):
    DUE = "due", "Due today and overdue"
    PRODUCED = "produced", "Produced, awaiting mail"
    PLANNED = "planned", "Planned, not yet produced"
    SENT = "sent", f"Mailed in the last {RECENT_DAYS} days"
    RETURNED = "returned", "Returned mail"
    ALL = "all", "All letters"


@dataclass(frozen=True)
class MailroomAlerts:
    overdue: int
    stuck: int
    no_address: int
    open_flags: int


def mailroom_letters(user: User | None, show: str, kind: str, today: dt.date, now: dt.datetime) -> QuerySet[Notice]:
    """The plan's member letters in the list `show` (a LetterList), of one `kind` when given, in the list's order."""
    letters = _letters(user)
    if kind:
        letters = letters.filter(kind=kind)
    unmailed = (NoticeStatus.PLANNED, NoticeStatus.PRODUCED)
    lists: dict[str, tuple[QuerySet[Notice], tuple[str, ...]]] = {
        LetterList.DUE: (letters.filter(status__in=unmailed, due_date__lte=today), ("due_date", "created_at")),
        LetterList.PRODUCED: (letters.filter(status=NoticeStatus.PRODUCED), ("due_date", "created_at")),
        LetterList.PLANNED: (letters.filter(status=NoticeStatus.PLANNED), ("created_at",)),
        LetterList.SENT: (
            letters.filter(status=NoticeStatus.SENT, sent_at__gte=now - dt.timedelta(days=RECENT_DAYS)),
            ("-sent_at",),
        ),
        LetterList.RETURNED: (letters.filter(returned_at__isnull=False), ("-returned_at",)),
        LetterList.ALL: (letters, ("-created_at",)),
    }
    chosen, order = lists.get(show, lists[LetterList.DUE])
    return chosen.order_by(*order, "id")


def mailroom_counts(user: User | None, kind: str, today: dt.date, now: dt.datetime) -> dict[str, str]:
    """How many letters each list holds, counted no further than COUNT_BOUND (then "200+")."""
    counts = {}
    for choice in LetterList:
        counted = count_upto(mailroom_letters(user, choice, kind, today, now), COUNT_BOUND)
        counts[str(choice)] = f"{counted}+" if counted >= COUNT_BOUND else str(counted)
    return counts


def mailroom_alerts(user: User | None, today: dt.date, now: dt.datetime) -> MailroomAlerts:
    """What needs someone now: overdue letters, stuck ones, produced letters with no address, open address flags."""
    letters = _letters(user)
    unmailed = letters.filter(status__in=(NoticeStatus.PLANNED, NoticeStatus.PRODUCED))
    return MailroomAlerts(
        overdue=count_upto(unmailed.filter(due_date__lt=today), COUNT_BOUND),
        stuck=count_upto(letters.filter(status=NoticeStatus.PLANNED, created_at__lt=now - STUCK_AFTER), COUNT_BOUND),
        no_address=count_upto(letters.filter(address_missing(), status=NoticeStatus.PRODUCED), COUNT_BOUND),
        open_flags=count_upto(mailroom_flags(user), COUNT_BOUND),
    )


def is_stuck(notice: Notice, now: dt.datetime) -> bool:
    return notice.status == NoticeStatus.PLANNED and notice.created_at < now - STUCK_AFTER


def _letters(user: User | None) -> QuerySet[Notice]:
    """Every member letter of the caller's plan (none for anyone who sees no mailroom)."""
    plan_id = mailroom_plan_id(user)
    if plan_id is None:
        return Notice.objects.none()
    letters = Notice.objects.filter(member__plan_id=plan_id, recipient=NoticeRecipient.MEMBER)
    return notices_with_letters(letters).select_related("member", "mail_batch")
