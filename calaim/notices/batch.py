"""The day's mail batch: every produced, unmailed member letter of a plan, handed to the mail vendor as one PDF per
letter plus `manifest.csv` (calaim.notices.batch_files), and marked SENT.

`manage.py notices_print`, the mailroom page and `POST /api/mail-batches` all call `mail_batch_create`. It takes the
plan's letters produced on or before the mail date (mailing early is fine: the due date is a deadline), locks them,
writes the folder and marks them mailed in one transaction: if anything fails, no letter is marked sent and no
folder is left; a second run the same day takes only what the first did not. A letter whose member has no mailing
address is not mailed: it is listed as an exception and its member flagged for member services.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from calaim.accounts.models import User
from calaim.core.audit import audit_record, jsonable
from calaim.core.clock import PLAN_TIME_ZONE, plan_today
from calaim.core.errors import ValidationFailed
from calaim.core.models import AuditEvent
from calaim.notices.batch_files import AddressBlock, address_block, batch_folder_write, manifest_bytes, manifest_row
from calaim.notices.models import AddressFlag, MailBatch, Notice, NoticeRecipient, NoticeStatus
from calaim.notices.policies import can_make_batch
from calaim.plans.models import Plan

NO_ADDRESS = "No mailing address (street, city and ZIP) for a letter to mail"
# Notices marked mailed per UPDATE and audit INSERT, within every database's limit on query parameters.
WRITE_CHUNK = 500


@dataclass(frozen=True)
class BatchException:
    """A letter left out of the batch, and why."""

    notice_id: uuid.UUID
    reason: str


@dataclass(frozen=True)
class MailBatchResult:
    """The batch made (None when nothing was ready to mail), its folder, and the letters left out."""

    batch: MailBatch | None
    folder: Path | None
    exceptions: list[BatchException] = field(default_factory=list)


def mail_batch_root() -> Path:
    """Where a batch made in the web app or the API is kept for its ZIP."""
    return Path(settings.CALAIM_DATA_DIR) / "mail-batches"


def mail_batch_create(
    *, actor: User | None, plan: Plan, mail_date: dt.date, out_dir: Path | None = None, actor_label: str = ""
) -> MailBatchResult:
    """Mail the plan's produced letters into a folder under `out_dir` (default `mail_batch_root()`) and mark them
    SENT. Preconditions: the caller may (`can_make_batch`); `mail_date` is not after today. `actor` None with
    `actor_label` is the command run without --as."""
    can_make_batch(actor, plan.pk).enforce()
    if mail_date > plan_today():
        raise ValidationFailed("The mail date is in the future: mail today's letters today.", field="mail_date")
    label = actor.get_username() if actor is not None else (actor_label or "system")
    folder: Path | None = None
    try:
        with transaction.atomic():
            mailable, left_out = _addressed(_waiting(plan, mail_date))
            exceptions = [BatchException(notice.pk, NO_ADDRESS) for notice in left_out]
            _exceptions_flag(actor, left_out)
            if not mailable:
                return MailBatchResult(None, None, exceptions)
            batch = MailBatch.objects.create(
                plan=plan, mail_date=mail_date, created_by=actor, letter_count=len(mailable)
            )
            manifest = manifest_bytes([manifest_row(notice, block) for notice, block in mailable])
            _mark_mailed(mailable, batch, label, actor)
            name = f"{plan.code}-{mail_date.isoformat()}-{batch.pk.hex[:8]}"
            folder = batch_folder_write(out_dir or mail_batch_root(), name, [n for n, _ in mailable], manifest)
            _batch_record(batch, folder, manifest, exceptions, actor, label)
    except BaseException:
        if folder is not None:  # written, then the commit failed: nothing is marked sent, so no folder either
            shutil.rmtree(folder, ignore_errors=True)
        raise
    return MailBatchResult(batch, folder, exceptions)


def _waiting(plan: Plan, mail_date: dt.date) -> list[Notice]:
    """The plan's produced member letters not yet mailed, produced on or before `mail_date` (plan-local), locked,
    in ZIP order (the vendor presorts by it)."""
    next_day = dt.datetime.combine(mail_date + dt.timedelta(days=1), dt.time.min, tzinfo=PLAN_TIME_ZONE)
    notices = (
        Notice.objects.select_for_update(of=("self",))
        .filter(
            member__plan=plan,
            recipient=NoticeRecipient.MEMBER,
            status=NoticeStatus.PRODUCED,
            mail_batch__isnull=True,
            letter__produced_at__lt=next_day,
        )
        .select_related("member", "letter")
        .defer("letter__pdf", "letter__data")
        .order_by("member__zip_code", "due_date", "created_at", "id")
    )
    return list(notices)


def _addressed(notices: list[Notice]) -> tuple[list[tuple[Notice, AddressBlock]], list[Notice]]:
    """The letters with their address blocks, and those whose member has no mailing address."""
    mailable, left_out = [], []
    for notice in notices:
        block = address_block(notice, notice.member)
        if block is None:
            left_out.append(notice)
        else:
            mailable.append((notice, block))
    return mailable, left_out


def _exceptions_flag(actor: User | None, notices: list[Notice]) -> None:
    """Flag for member services each left-out letter's member, once per letter (reported by the batch's user, or by
    the system when the command runs without --as)."""
    if not notices:
        return
    flagged = set(
        AddressFlag.objects.filter(notice__in=notices, resolved_at__isnull=True).values_list("notice_id", flat=True)
    )
    for notice in notices:
        if notice.pk not in flagged:
            flag = AddressFlag.objects.create(member=notice.member, notice=notice, reason=NO_ADDRESS, reported_by=actor)
            audit_record(
                actor=actor, action="address_flag.open", obj=flag, member=notice.member, after={"reason": NO_ADDRESS}
            )


def _mark_mailed(mailable: list[tuple[Notice, AddressBlock]], batch: MailBatch, label: str, actor: User | None) -> None:
    """SENT, with the time and the batch, and one audit event per letter naming the address it was mailed to."""
    now = timezone.now()
    before = {"status": NoticeStatus.PRODUCED, "sent_at": None, "mail_batch": None}
    for start in range(0, len(mailable), WRITE_CHUNK):
        chunk = mailable[start : start + WRITE_CHUNK]
        Notice.objects.filter(pk__in=[notice.pk for notice, _ in chunk]).update(
            status=NoticeStatus.SENT, sent_at=now, mail_batch=batch, updated_at=now
        )
        events = [
            AuditEvent(
                at=now,
                actor=actor,
                actor_label=label,
                action="notice.mail",
                member_id=notice.member_id,
                object_type=Notice._meta.label_lower,
                object_id=str(notice.pk),
                before=before,
                after=jsonable(
                    {"status": NoticeStatus.SENT, "sent_at": now, "mail_batch": batch.pk, "address": block.lines()}
                ),
            )
            for notice, block in chunk
        ]
        AuditEvent.objects.bulk_create(events)
    for notice, _ in mailable:
        notice.status, notice.sent_at, notice.mail_batch = NoticeStatus.SENT, now, batch


def _batch_record(
    batch: MailBatch, folder: Path, manifest: bytes, exceptions: list[BatchException], actor: User | None, label: str
) -> None:
    """The batch's folder and manifest hash, and its own audit event listing the letters left out."""
    batch.manifest_sha256 = hashlib.sha256(manifest).hexdigest()
    batch.out_dir = str(folder)
    batch.save(update_fields=["manifest_sha256", "out_dir", "updated_at"])
    AuditEvent.objects.create(
        at=timezone.now(),
        actor=actor,
        actor_label=label,
        action="mail_batch.create",
        object_type=MailBatch._meta.label_lower,
        object_id=str(batch.pk),
        after=jsonable(
            {
                "plan": batch.plan.code,
                "mail_date": batch.mail_date,
                "letter_count": batch.letter_count,
                "manifest_sha256": batch.manifest_sha256,
                "folder": str(folder),
                "exceptions": [{"notice": e.notice_id, "reason": e.reason} for e in exceptions],
            }
        ),
    )
