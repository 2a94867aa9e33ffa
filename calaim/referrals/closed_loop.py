"""The closed loop with the referrer, written once for ECM referrals and Community Supports requests.

Every step appends one dated `LoopEvent` with calaim's status and the DHCS Referral Status and closure reason it
maps to, and queues the notices the transition table (`closed_loop.yaml`, loaded as `LoopTransition`) says are
owed: to the referrer, and a letter to the member; the provider's staff it names are told in their inbox and by
email (`calaim.referrals.loop_told`). docs/architecture.md shows the table.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from calaim.core.audit import audited_update
from calaim.core.clock import local_date
from calaim.core.errors import ValidationFailed
from calaim.network.models import Program
from calaim.notices.models import NoticeKind, NoticeRecipient
from calaim.notices.services import member_letter_due, notice_queue
from calaim.plans.models import Dated
from calaim.plans.refcache import reference_cached
from calaim.referrals.loop_told import AUDIT_PREFIX, LoopSubject, provider_staff_tell, referrer_told
from calaim.referrals.models import LoopEvent, LoopTransition

LOOP_FIELDS = ["status", "closure_reason", "loop_status", "loop_closure_reason"]
SUBJECT_FIELD: dict[str, str] = {Program.ECM: "referral", Program.CS: "cs_request"}


@reference_cached
def transition_for(program: str, status: str, cause: str, day: dt.date) -> LoopTransition:
    """The table row for a step: the program's own row before "any", a row for the cause before the general one.

    Read once a minute per process and step (every intake and decision takes two); the row is shared, never changed.
    """
    rows = LoopTransition.objects.filter(
        Dated.in_force_on(day), status=status, program__in=[program, "any"], cause__in=[cause, ""]
    ).annotate(
        specific=Case(When(program=program, then=Value(2)), default=Value(0), output_field=IntegerField())
        + Case(When(cause=cause, then=Value(1)), default=Value(0), output_field=IntegerField())
    )
    found = rows.order_by("-specific", "-effective_from").first()
    if found is None:
        raise ValidationFailed(
            f"No closed-loop transition for {program} status {status!r} in force on {day}; "
            "load the reference data (manage.py load_reference)."
        )
    return found


def loop_start(subject: LoopSubject, *, at: dt.datetime) -> LoopEvent:
    """The first step of a new referral or request, recorded with its creation (whose audit event covers it)."""
    rule = transition_for(subject.loop_program, subject.status, "", local_date(at))
    subject.loop_status, subject.loop_closure_reason = rule.loop_status, rule.loop_closure_reason
    subject.save(update_fields=["loop_status", "loop_closure_reason"])
    return _event(subject, rule, at, reason="", actor_label="")


def loop_status_set(
    subject: LoopSubject,
    status: str,
    *,
    actor: AbstractBaseUser | None,
    reason: str = "",
    cause: str = "",
    letter: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> LoopEvent:
    """Move a referral or request to `status` (the same status again records a new step, e.g. a provider change):
    the dated step, its DHCS mapping, the audit event, and the notices the table says are owed.

    `cause` picks a more specific row of the table (a discontinuation reason, "duplicate"...); `letter` is the
    content of the member's letter when the row names one. The caller holds the subject's row lock.
    """
    at = at or timezone.now()
    rule = transition_for(subject.loop_program, status, cause, local_date(at))
    changes: dict[str, Any] = {"status": status, "status_changed_at": at}
    if reason:
        changes["closure_reason"] = reason
    changes |= {"loop_status": rule.loop_status, "loop_closure_reason": rule.loop_closure_reason}
    audited_update(
        subject,  # type: ignore[arg-type]  # a ClosedLoop model instance
        changes,
        actor=actor,
        action=f"{AUDIT_PREFIX[subject.loop_program]}.{status}",
        fields=LOOP_FIELDS,
        member=subject.member,
        reason=reason,
    )
    label = actor.get_username() if actor is not None else "system"
    event = _event(subject, rule, at, reason=reason, actor_label=label)
    _notify(subject, rule, event, actor, letter)
    return event


def _event(subject: LoopSubject, rule: LoopTransition, at: dt.datetime, *, reason: str, actor_label: str) -> LoopEvent:
    return LoopEvent.objects.create(
        **{SUBJECT_FIELD[subject.loop_program]: subject},
        program=subject.loop_program,
        status=subject.status,
        status_label=subject.get_status_display(),
        loop_status=rule.loop_status,
        loop_closure_reason=rule.loop_closure_reason,
        at=at,
        reason=reason,
        actor_label=actor_label,
        table_version=rule.version,
    )


def _notify(
    subject: LoopSubject,
    rule: LoopTransition,
    event: LoopEvent,
    actor: AbstractBaseUser | None,
    letter: dict[str, Any] | None,
) -> None:
    day = local_date(event.at)
    referral_id = subject.pk if subject.loop_program == Program.ECM else None
    if rule.notify_referrer:
        notice_queue(
            actor=actor,
            member=subject.member,
            kind=NoticeKind.REFERRER_OUTCOME,
            recipient=NoticeRecipient.REFERRER,
            recipient_name=subject.referrer_name,
            due_date=day,
            referral_id=referral_id,
            content=referrer_notice_content(subject, event, cause=rule.cause),
        )
    # Provider staff are told at once (their inbox now, email after the commit); the outbox of notices is for
    # what the member and the referrer are owed.
    provider_staff_tell(subject, rule, event)
    if rule.member_notice:
        notice_queue(
            actor=actor,
            member=subject.member,
            kind=rule.member_notice,
            recipient=NoticeRecipient.MEMBER,
            due_date=member_letter_due(subject.member, day, rule.member_notice, content=letter),
            referral_id=referral_id,
            content=dict(letter or {}),
        )


def referrer_notice_content(subject: LoopSubject, event: LoopEvent, *, cause: str = "") -> dict[str, Any]:
    """What a referrer's notice records: which record, the step, and whom it tells in which words."""
    return {**loop_reference(subject), **step_content(event), **referrer_told(subject, event, cause=cause)}


def loop_reference(subject: LoopSubject) -> dict[str, str]:
    """Which record a referrer's notice is about."""
    if subject.loop_program == Program.CS:
        return {"cs_request_id": str(subject.pk), "service": str(subject.service_code)}  # type: ignore[attr-defined]
    return {"referral_id": str(subject.pk)}


def step_content(event: LoopEvent) -> dict[str, str]:
    return {
        "status": event.status,
        "status_label": event.status_label,
        "loop_status": event.loop_status,
        "loop_closure_reason": event.loop_closure_reason,
        "date": local_date(event.at).isoformat(),
        "reason": event.reason,
    }
