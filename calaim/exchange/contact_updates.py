"""Member services' review of the contact updates providers report in their RTF (a new address or phone).

The plan's roster stays the source of truth for a member's contact details: accepting an update records that member
services checked it with the member and will see it through the plan's own systems; dismissing one records why it
calls for nothing. Either way the update leaves the worklist, once, and the audit trail keeps who decided and why.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from calaim.accounts.models import User
from calaim.core.audit import audited_update
from calaim.core.errors import ValidationFailed
from calaim.core.inputs import control_character_problem
from calaim.core.policy import ALLOWED, Verdict, conflict, first_refusal, out_of_scope
from calaim.exchange.models import ContactUpdate, ContactUpdateStatus
from calaim.exchange.selectors import contact_update_scope

NOTE_MAX = 2000
_FIELDS = ["status", "reviewed_by", "reviewed_at", "review_note"]


def can_review_contact_update(user: User, update: ContactUpdate) -> Verdict:
    """Member services of the member's plan review an update, once; to anyone else, other plan staff included, it
    does not exist (404: contact_update_scope holds the role)."""
    return first_refusal(
        lambda: ALLOWED if _in_scope(user, update) else out_of_scope("No contact update with this id in your scope."),
        lambda: (
            ALLOWED
            if update.status == ContactUpdateStatus.PENDING
            else conflict(f"This contact update was already reviewed: {update.get_status_display().lower()}.")
        ),
    )


def _in_scope(user: User, update: ContactUpdate) -> bool:
    return contact_update_scope(user).filter(pk=update.pk).exists()


def contact_update_accept(*, actor: User, update: ContactUpdate, note: str = "") -> ContactUpdate:
    """Record that member services checked the reported address or phone with the member."""
    return _review(actor, update, ContactUpdateStatus.ACCEPTED, note, action="contact_update.accept")


def contact_update_dismiss(*, actor: User, update: ContactUpdate, note: str) -> ContactUpdate:
    """Dismiss a reported address or phone that calls for nothing (already known, wrong member), saying why."""
    if not note.strip():
        raise ValidationFailed("Say why the contact update is dismissed.", field="note")
    return _review(actor, update, ContactUpdateStatus.DISMISSED, note, action="contact_update.dismiss")


def _review(actor: User, update: ContactUpdate, status: str, note: str, *, action: str) -> ContactUpdate:
    note = note.strip()
    if problem := control_character_problem(note, multiline=True):
        raise ValidationFailed(problem, field="note")
    if len(note) > NOTE_MAX:
        raise ValidationFailed(f"At most {NOTE_MAX} characters (this has {len(note)}).", field="note")
    can_review_contact_update(actor, update).enforce()
    with transaction.atomic():
        locked = ContactUpdate.objects.select_for_update().select_related("member").get(pk=update.pk)
        can_review_contact_update(actor, locked).enforce()
        changes = {"status": status, "reviewed_by": actor, "reviewed_at": timezone.now(), "review_note": note}
        audited_update(locked, changes, actor=actor, action=action, fields=_FIELDS, member=locked.member)
    return locked
