"""Returned mail and the address flags it raises: member services record that a mailed letter came back, which flags
the member's address; once they have checked it (and corrected it where calaim keeps it), they resolve the flag with
a note. A reprint of a letter is recorded here too: the same stored bytes, the letter itself never changes."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from calaim.accounts.models import User
from calaim.core.audit import audit_record, audited_update
from calaim.core.errors import ValidationFailed
from calaim.core.inputs import control_character_problem
from calaim.notices.models import AddressFlag, Notice
from calaim.notices.policies import can_record_return, can_reprint, can_resolve_flag

REASON_MAX = 200
NOTE_MAX = 2000


def notice_return_record(*, actor: User, notice: Notice, reason: str) -> AddressFlag:
    """Record that the mailed letter came back undelivered and open an address flag for its member; the caller has
    scoped `notice` (`notice_get`)."""
    reason = _text(reason, "reason", REASON_MAX, multiline=False)
    with transaction.atomic():
        locked = Notice.objects.select_for_update().select_related("member").get(pk=notice.pk)
        can_record_return(actor, locked).enforce()
        audited_update(
            locked,
            {"returned_at": timezone.now(), "return_reason": reason},
            actor=actor,
            action="notice.return",
            fields=["status", "returned_at", "return_reason"],
            member=locked.member,
            reason=reason,
        )
        flag = AddressFlag.objects.create(
            member=locked.member, notice=locked, reason=f"Returned mail: {reason}"[:REASON_MAX], reported_by=actor
        )
        audit_record(actor=actor, action="address_flag.open", obj=flag, member=locked.member, after={"reason": reason})
    notice.returned_at, notice.return_reason = locked.returned_at, locked.return_reason
    return flag


def address_flag_resolve(*, actor: User, flag: AddressFlag, note: str) -> AddressFlag:
    """Close an open address flag with what member services found or did; the caller has scoped `flag`."""
    note = _text(note, "note", NOTE_MAX, multiline=True)
    with transaction.atomic():
        locked = AddressFlag.objects.select_for_update().select_related("member").get(pk=flag.pk)
        can_resolve_flag(actor, locked).enforce()
        audited_update(
            locked,
            {"resolved_at": timezone.now(), "resolved_by": actor, "resolution_note": note},
            actor=actor,
            action="address_flag.resolve",
            fields=["resolved_at", "resolved_by", "resolution_note"],
            member=locked.member,
            reason=note,
        )
    return locked


def notice_letter_reprint(*, actor: User, notice: Notice) -> None:
    """Record a reprint of the letter (who, when); the caller then serves the stored bytes unchanged."""
    with transaction.atomic():
        can_reprint(actor, notice).enforce()
        audit_record(actor=actor, action="notice.reprint", obj=notice, member=notice.member)


def _text(value: str, name: str, limit: int, *, multiline: bool) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed(f"Give the {name}.", field=name)
    if len(text) > limit:
        raise ValidationFailed(f"At most {limit} characters (this has {len(text)}).", field=name)
    if problem := control_character_problem(text, multiline=multiline):
        raise ValidationFailed(problem, field=name)
    return text
