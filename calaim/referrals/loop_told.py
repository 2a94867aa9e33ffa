"""Who the closed loop tells of a step electronically, and in which words.

The referrer is the user who sent the referral or request (their inbox, and email to their address) and the
address the form named when it is another; the provider's staff are those of the roles the table's
`notify_provider` names, at the member's ECM provider or the request's CS provider. What they are told carries no
PHI: a reference, the day it was sent, what happened in plain words, and the path of the page that says more to a
signed-in user who may see it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from django.urls import reverse

from calaim.accounts.models import User
from calaim.core.clock import local_date
from calaim.ecm.models import ACTIVE_ENROLLMENT_STATUSES, Enrollment
from calaim.members.models import Member
from calaim.network.models import Program
from calaim.notices.models import Notification
from calaim.notices.notify import notification_send
from calaim.referrals.models import LoopEvent, LoopTransition, ReferralForm


class LoopSubject(Protocol):
    """A referral or Community Supports request: anything built on `calaim.referrals.models.ClosedLoop`."""

    pk: Any
    member: Member
    member_id: Any
    status: str
    received_at: dt.datetime
    status_changed_at: dt.datetime
    closure_reason: str
    loop_status: str
    loop_closure_reason: str
    referrer_name: str

    @property
    def loop_program(self) -> str: ...

    def get_status_display(self) -> str: ...
    def save(self, *, update_fields: list[str]) -> None: ...


# The audit action of a step names the record the loop belongs to, e.g. "referral.enrolled"; so does the event of
# the notifications it sends.
AUDIT_PREFIX: dict[str, str] = {Program.ECM: "referral", Program.CS: "cs_request"}
NOUN: dict[str, str] = {Program.ECM: "A referral", Program.CS: "A Community Supports request"}
# What happened, after "A referral you sent on <day> (reference <ref>)"; by cause first, then by status.
REFERRER_SAYS: dict[str, str] = {
    "provider_change": "now has another ECM provider",
    "presumptive_ended": "was not authorized, and the presumptive ECM enrollment has ended",
    "duplicate": "was closed as a duplicate of another referral",
    "linked": "was linked to a referral for the same member that was already open",
    "routed_to_delegate": "was sent on to the member's delegated health plan",
    "not_eligible": "was closed: the member does not qualify",
    "authorized": "was authorized",
    "denied": "was not authorized",
    "assigned": "was assigned to an ECM provider",
    "enrolled": "was completed: the member enrolled in ECM",
    "declined": "was closed: the member declined",
    "closed": "was closed",
    "in_service": "was completed: the services have begun",
    "completed": "was completed",
}
# What the provider's staff read, by program and cause or status; "{ref}" is the record's reference.
PROVIDER_SAYS: dict[tuple[str, str], str] = {
    (Program.ECM, "assigned"): "A member was assigned to your organization for ECM (referral {ref}).",
    (Program.ECM, "provider_change"): "A member moved to your organization for ECM (referral {ref}).",
    (Program.ECM, "presumptive_ended"): (
        "ECM was not authorized for a member your organization enrolled presumptively (referral {ref}); "
        "the enrollment has ended."
    ),
    (Program.CS, "authorized"): "A Community Supports request was authorized with your organization (request {ref}).",
}


def loop_reference_code(subject: LoopSubject) -> str:
    """The short reference a referrer and the plan quote for a record: R- or CS- and the first 8 digits of its id."""
    prefix = "CS" if subject.loop_program == Program.CS else "R"
    return f"{prefix}-{subject.pk.hex[:8].upper()}"


def loop_event_name(program: str, status: str) -> str:
    return f"{AUDIT_PREFIX[program]}.{status}"


def referrer_told(subject: LoopSubject, event: LoopEvent, *, cause: str = "") -> dict[str, Any]:
    """The referrer's notice's words, link and recipients (`calaim.notices.notify.notification_dispatch` reads them).

    Reads only the record's own columns, so the bulk import (calaim.exchange.import_enroll_bulk) runs no query.
    """
    program = subject.loop_program
    reference, sent_on = loop_reference_code(subject), local_date(subject.received_at).isoformat()
    said = REFERRER_SAYS.get(cause) or REFERRER_SAYS.get(event.status) or f"is now: {event.status_label}"
    # A plan-identified referral was "sent" by the analyst who ran the identification: the plan tells itself nothing.
    plan_identified = getattr(subject, "form", "") == ReferralForm.PLAN_IDENTIFICATION
    address = getattr(subject, "referrer_email", "")
    return {
        "reference": reference,
        "sent_on": sent_on,
        "event": loop_event_name(program, event.status),
        "message": f"{NOUN[program]} you sent on {sent_on} (reference {reference}) {said}.",
        "link": _record_path(subject),
        "notify_users": [] if plan_identified else [getattr(subject, "submitted_by_id")],  # noqa: B009  # both models
        "notify_emails": [address] if address else [],
    }


def provider_staff_tell(subject: LoopSubject, rule: LoopTransition, event: LoopEvent) -> list[Notification]:
    """Tell the provider's staff of the roles the table names (none when the record has no provider yet)."""
    if not rule.notify_provider:
        return []
    program = subject.loop_program
    found = _provider_and_path(subject)
    if found is None:
        return []
    provider_id, link = found
    words = PROVIDER_SAYS.get((program, rule.cause)) or PROVIDER_SAYS.get((program, event.status))
    reference = loop_reference_code(subject)
    message = (words or "A record your organization serves (reference {ref}) is now: " + event.status_label).format(
        ref=reference
    )
    staff = User.objects.filter(organization_id=provider_id, role__in=rule.notify_provider, is_active=True)
    return notification_send(
        users=staff.order_by("pk"), event=loop_event_name(program, event.status), message=message, link=link
    )


def _record_path(subject: LoopSubject) -> str:
    if subject.loop_program == Program.CS:
        return reverse("web:cs_request", args=[subject.pk])
    return reverse("web:referral", args=[subject.pk])


def _provider_and_path(subject: LoopSubject) -> tuple[Any, str] | None:
    """The provider whose staff are told, and the page they may open: the CS request itself; for ECM, the member's
    record while the provider serves the member, else their worklist."""
    if subject.loop_program == Program.CS:
        provider_id = getattr(subject, "provider_id", None)
        return (provider_id, _record_path(subject)) if provider_id else None
    latest = Enrollment.objects.filter(referral_id=subject.pk).order_by("-assigned_at").first()
    if latest is None:
        return None
    serving = latest.status in ACTIVE_ENROLLMENT_STATUSES
    return latest.provider_id, reverse("web:member", args=[subject.member_id]) if serving else reverse("web:home")
