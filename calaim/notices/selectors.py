"""Scoped reads of notices, their letters, the mail batches and the address flags.

A notice is seen by whoever may see its member (`member_scope`); the mailroom's batches and flags by the plan staff
who may see the mailroom (`calaim.notices.policies.can_view_mailroom`), for their own plan. Whatever is out of scope
is not found (404). A letter's bytes are read only through its notice, so the notice's row puts its member on the
PHI read log.
"""

from __future__ import annotations

import uuid

from django.db.models import Q, QuerySet

from calaim.access.scopes import member_condition, member_scope, plan_of
from calaim.accounts.models import User
from calaim.core.errors import NotFound
from calaim.core.models import AuditEvent
from calaim.members.models import Member
from calaim.notices.models import AddressFlag, MailBatch, Notice, NoticeLetter
from calaim.notices.policies import can_view_mailroom
from calaim.plans.models import Plan

# The letter's columns a list shows; its PDF and the data it was made from stay unread until asked for.
LETTER_HEAVY = ("letter__pdf", "letter__data")


def notice_scope(user: User | None) -> QuerySet[Notice]:
    return Notice.objects.filter(member__in=member_scope(user))


def notice_get(user: User | None, notice_id: uuid.UUID | str) -> Notice:
    """The notice if the caller may see its member, else 404 whether or not it exists."""
    try:
        return notices_with_letters(notice_scope(user)).select_related("member", "member__plan").get(pk=notice_id)
    except (Notice.DoesNotExist, ValueError):
        raise NotFound("No notice with this id in your scope.") from None


def notice_letter_get(user: User | None, notice_id: uuid.UUID | str) -> tuple[Notice, NoticeLetter]:
    """The notice and its letter (PDF bytes included); 404 out of scope or before the letter is produced."""
    notice = notice_get(user, notice_id)
    letter = NoticeLetter.objects.filter(notice=notice).first()
    if letter is None:
        raise NotFound("This notice has no letter (yet): a member letter is produced shortly after it is owed.")
    return notice, letter


def notices_with_letters(notices: QuerySet[Notice]) -> QuerySet[Notice]:
    """`notices` with each one's letter facts (language, hash, pages, when produced) in the same query."""
    return notices.select_related("letter").defer(*LETTER_HEAVY)


def member_letters(user: User | None, member: Member) -> QuerySet[Notice]:
    """The member's notices the caller may see, with their letters' facts, the latest owed first."""
    return notices_with_letters(notice_scope(user).filter(member=member)).order_by("-due_date", "-created_at")


def address_flag_scope(user: User | None) -> QuerySet[AddressFlag]:
    """Address flags of the members the caller may see."""
    return AddressFlag.objects.filter(member_condition(user, through="member"))


def address_flag_get(user: User | None, flag_id: uuid.UUID | str) -> AddressFlag:
    try:
        return address_flag_scope(user).select_related("member", "notice").get(pk=flag_id)
    except (AddressFlag.DoesNotExist, ValueError):
        raise NotFound("No address flag with this id in your scope.") from None


def member_open_flags(user: User | None, member: Member) -> list[AddressFlag]:
    """The member's open address flags (mail came back, or a letter found no address), the latest first."""
    flags = address_flag_scope(user).filter(member=member, resolved_at__isnull=True)
    return list(flags.select_related("notice", "reported_by").order_by("-created_at"))


def mailroom_plan_id(user: User | None) -> int | None:
    """The plan whose mailroom the caller sees, None for anyone who sees none."""
    return plan_of(user) if can_view_mailroom(user) else None


def mailroom_plan(user: User | None) -> Plan:
    """The plan whose mailroom the caller sees; 404 for anyone who sees none."""
    plan_id = mailroom_plan_id(user)
    if plan_id is None:
        raise NotFound("No mailroom here.")
    return Plan.objects.get(pk=plan_id)


def mail_batch_scope(user: User | None) -> QuerySet[MailBatch]:
    """The mail batches of the caller's plan, for those who see its mailroom; none for anyone else."""
    plan_id = mailroom_plan_id(user)
    return MailBatch.objects.none() if plan_id is None else MailBatch.objects.filter(plan_id=plan_id)


def mail_batch_get(user: User | None, batch_id: uuid.UUID | str) -> MailBatch:
    try:
        return mail_batch_scope(user).select_related("plan", "created_by__organization").get(pk=batch_id)
    except (MailBatch.DoesNotExist, ValueError):
        raise NotFound("No mail batch with this id in your scope.") from None


def mail_batch_letters(batch: MailBatch) -> QuerySet[Notice]:
    """The letters a batch mailed, each with its member and letter facts: loading them puts every member the batch
    names on the PHI read log."""
    notices = notices_with_letters(Notice.objects.filter(mail_batch=batch)).select_related("member")
    return notices.order_by("due_date", "created_at", "id")


def mail_batch_members(batch: MailBatch) -> list[Member]:
    """The members a batch's letters name, loaded as rows so a download of the batch puts them on the PHI read log."""
    return list(Member.objects.filter(notices__mail_batch=batch).only("id", "plan_id").distinct())


def mail_batch_exceptions(user: User | None, batch: MailBatch) -> list[Notice]:
    """The letters the batch left out (no mailing address), as its audit event lists them, in the caller's scope."""
    event = AuditEvent.objects.filter(action="mail_batch.create", object_id=str(batch.pk)).first()
    ids = [item.get("notice") for item in (event.after or {}).get("exceptions", [])] if event is not None else []
    if not ids:
        return []
    return list(notice_scope(user).filter(pk__in=ids).select_related("member").order_by("due_date", "id"))


def mailroom_flags(user: User | None) -> QuerySet[AddressFlag]:
    """The open address flags of the caller's plan's members, oldest first (the longest waiting)."""
    if mailroom_plan_id(user) is None:
        return AddressFlag.objects.none()
    flags = address_flag_scope(user).filter(resolved_at__isnull=True)
    return flags.select_related("member", "notice", "reported_by__organization").order_by("created_at")


def address_missing(prefix: str = "member__") -> Q:
    """Rows whose member has no mailing address: a street line, a city and a ZIP are all needed."""
    return Q(**{f"{prefix}address_line": ""}) | Q(**{f"{prefix}city": ""}) | Q(**{f"{prefix}zip_code": ""})
