"""Authorization requests: opening them with their clocks, extending once, deciding, re-authorizing.

A decision is a pair: `authorization_decision_check` (who, what state, what input) then, on the locked row,
`authorization_decision_record` (write, audit, Notice of Action). The workflow that carries a decision into ECM
or Community Supports (calaim.workflows.authorization_decision) runs the pair in one transaction with its
program's steps around it; this module never calls into a program.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from calaim.accounts.models import User
from calaim.authorizations.clocks import ClockSettings, Deadlines, decision_deadlines, extended_deadlines
from calaim.authorizations.letters import authorization_extension_letter_queue, is_deemed_denial, requested_service
from calaim.authorizations.models import (
    APPROVED,
    AuthorizationKind,
    AuthorizationRequest,
    AuthorizationStatus,
    NoticeOfAction,
)
from calaim.authorizations.policies import can_decide, can_extend, can_reauthorize
from calaim.core.audit import audit_record, snapshot
from calaim.core.clock import local_date, plan_today
from calaim.core.errors import ValidationFailed
from calaim.members.models import Member
from calaim.network.models import Organization
from calaim.notices.models import NoticeKind, NoticeRecipient
from calaim.notices.services import notice_queue
from calaim.plans.models import ProgramSettings
from calaim.plans.selectors import program_settings_for
from calaim.referrals.models import Referral

_AUDIT_FIELDS = ["status", "due_at", "ceiling_at", "decision_reason", "period_start", "period_end", "overdue_at"]
APPEAL_WINDOW_DAYS = 60
Period = tuple[dt.date, dt.date]


def clock_settings(settings: ProgramSettings) -> ClockSettings:
    return ClockSettings(
        routine_business_days=settings.routine_decision_business_days,
        expedited_hours=settings.expedited_decision_hours,
        ceiling_calendar_days=settings.decision_ceiling_calendar_days,
        extension_calendar_days=settings.extension_calendar_days,
    )


def authorization_open(
    *,
    actor: User | None,
    member: Member,
    referral: Referral | None,
    received_at: dt.datetime,
    urgency: str = "routine",
    kind: str = AuthorizationKind.INITIAL,
    requesting_organization: Organization | None = None,
    renews: AuthorizationRequest | None = None,
    program: str = "ecm",
) -> AuthorizationRequest:
    """Open a request whose clock runs from its receipt, under the settings in force on that day."""
    settings = program_settings_for(member.plan, local_date(received_at))
    deadlines = decision_deadlines(received_at, urgency, clock_settings(settings))
    request = AuthorizationRequest.objects.create(
        member=member,
        referral=referral,
        program=program,
        kind=kind,
        urgency=urgency,
        received_at=received_at,
        due_at=deadlines.due_at,
        ceiling_at=deadlines.ceiling_at,
        renews=renews,
        requesting_organization=requesting_organization,
        settings_version=settings.version,
    )
    audit_record(
        actor=actor,
        action="authorization.open",
        obj=request,
        member=member,
        after=snapshot(request, ["kind", "urgency", "received_at", *_AUDIT_FIELDS]),
    )
    return request


def authorization_presumptive_grant(
    *, actor: User, member: Member, referral: Referral, organization: Organization
) -> AuthorizationRequest:
    """Presumptive authorization: approved at once for the configured days while the plan decides."""
    now = timezone.now()
    today = local_date(now)
    settings = program_settings_for(member.plan, today)
    request = AuthorizationRequest.objects.create(
        member=member,
        referral=referral,
        kind=AuthorizationKind.PRESUMPTIVE,
        received_at=now,
        due_at=now,
        ceiling_at=now,
        status=AuthorizationStatus.APPROVED,
        decided_at=now,
        requesting_organization=organization,
        decision_reason="Presumptive: a contracted ECM provider submitted the eligibility verification form.",
        period_start=today,
        period_end=today + dt.timedelta(days=settings.presumptive_days - 1),
        settings_version=settings.version,
    )
    audit_record(
        actor=actor,
        action="authorization.presumptive",
        obj=request,
        member=member,
        after=snapshot(request, _AUDIT_FIELDS),
    )
    return request


def authorization_lock(authorization: AuthorizationRequest | uuid.UUID) -> AuthorizationRequest:
    """The request's row, locked until the end of the caller's transaction."""
    pk = authorization.pk if isinstance(authorization, AuthorizationRequest) else authorization
    return (
        AuthorizationRequest.objects.select_for_update(of=("self",)).select_related("member__plan", "renews").get(pk=pk)
    )


def authorization_extend(*, actor: User, authorization: AuthorizationRequest, reason: str) -> AuthorizationRequest:
    """Extend an undecided request once, before its due time, with a reason, past its ceiling by the configured
    days; a request already overdue is refused (`can_extend`), so its lateness stays on record."""
    with transaction.atomic():
        locked = authorization_lock(authorization)
        can_extend(actor, locked).enforce()
        if not reason.strip():
            raise ValidationFailed("Give the reason for the extension.", field="reason")
        before = snapshot(locked, _AUDIT_FIELDS)
        settings = program_settings_for(locked.member.plan, local_date(locked.received_at))
        extended = extended_deadlines(Deadlines(locked.due_at, locked.ceiling_at), clock_settings(settings))
        locked.due_at, locked.ceiling_at = extended.due_at, extended.ceiling_at
        locked.extended_at, locked.extension_reason = timezone.now(), reason
        locked.save()
        audit_record(
            actor=actor,
            action="authorization.extend",
            obj=locked,
            member=locked.member,
            before=before,
            after=snapshot(locked, _AUDIT_FIELDS),
            reason=reason,
        )
        authorization_extension_letter_queue(actor=actor, authorization=locked, settings=settings)
    return locked


class Outcome:
    APPROVE = "approve"
    APPROVE_MODIFIED = "approve_modified"
    DENY = "deny"
    PEND = "pend"
    ALL = (APPROVE, APPROVE_MODIFIED, DENY, PEND)
    APPROVING = (APPROVE, APPROVE_MODIFIED)


def authorization_period(authorization: AuthorizationRequest, settings: ProgramSettings, months: int | None) -> Period:
    """A re-authorization runs on from the period it renews; any other approval starts today, for the months
    given or the plan's configured period."""
    if authorization.kind == AuthorizationKind.REAUTHORIZATION and authorization.renews is not None:
        assert authorization.renews.period_end is not None
        start = authorization.renews.period_end + dt.timedelta(days=1)
        default_months = settings.reauthorization_months
    else:
        start = plan_today()
        default_months = settings.authorization_months
    return start, start + relativedelta(months=months or default_months) - dt.timedelta(days=1)


@dataclass(frozen=True)
class Decision:
    """What the UM reviewer decided, as the decision form and the API take it."""

    outcome: str
    reason: str = ""
    criteria: str = ""
    modification: str = ""
    information_requested: str = ""
    period_months: int | None = None


def authorization_decision_check(*, actor: User, authorization: AuthorizationRequest, decision: Decision) -> None:
    """On the locked request (`authorization_lock`): refuse a decision the caller may not make, on a request not
    open to one, or with incomplete input."""
    can_decide(actor, authorization).enforce()
    outcome, reason = decision.outcome, decision.reason
    if outcome not in Outcome.ALL:
        raise ValidationFailed(f"Outcome must be one of {', '.join(Outcome.ALL)}.", field="outcome")
    if outcome == Outcome.DENY and not (reason.strip() and decision.criteria.strip()):
        raise ValidationFailed(
            "A denial needs the reason and the criteria used.", field="reason" if not reason.strip() else "criteria"
        )
    if outcome == Outcome.APPROVE_MODIFIED and not decision.modification.strip():
        raise ValidationFailed("Say what was modified.", field="modification")
    if outcome == Outcome.PEND and not decision.information_requested.strip():
        raise ValidationFailed("Say what information is needed.", field="information_requested")
    if decision.period_months is not None and not 1 <= decision.period_months <= 24:
        raise ValidationFailed("period_months must be between 1 and 24.", field="period_months")


def authorization_decision_record(
    *, actor: User, authorization: AuthorizationRequest, decision: Decision, period: Period | None = None
) -> AuthorizationRequest:
    """Write a decision `authorization_decision_check` passed, on the same locked request; a denial or a
    modification issues a Notice of Action with the appeal rights. `period` overrides the standard one
    (Community Supports are authorized for the dates asked for)."""
    before = snapshot(authorization, _AUDIT_FIELDS)
    now = timezone.now()
    if decision.outcome == Outcome.PEND:
        authorization.status = AuthorizationStatus.PENDED
        authorization.information_requested = decision.information_requested
    else:
        settings = program_settings_for(authorization.member.plan, local_date(now))
        authorization.status = {
            Outcome.APPROVE: AuthorizationStatus.APPROVED,
            Outcome.APPROVE_MODIFIED: AuthorizationStatus.APPROVED_MODIFIED,
            Outcome.DENY: AuthorizationStatus.DENIED,
        }[decision.outcome]
        authorization.decided_at, authorization.decided_by = now, actor
        authorization.decision_reason, authorization.criteria_used = decision.reason, decision.criteria
        authorization.modification = decision.modification
        if authorization.status in APPROVED:
            authorization.period_start, authorization.period_end = period or authorization_period(
                authorization, settings, decision.period_months
            )
    authorization.save()
    audit_record(
        actor=actor,
        action=f"authorization.{decision.outcome}",
        obj=authorization,
        member=authorization.member,
        before=before,
        after=snapshot(authorization, _AUDIT_FIELDS),
        reason=decision.reason,
    )
    if authorization.status in (AuthorizationStatus.DENIED, AuthorizationStatus.APPROVED_MODIFIED):
        notice_of_action_issue(actor=actor, authorization=authorization)
    return authorization


def authorization_streamlined_approve(
    *, actor: User, authorization: AuthorizationRequest, reason: str, period: Period | None = None
) -> AuthorizationRequest:
    """Approve at once under a streamlined (presumptive) setting, e.g. recuperative care at discharge; the
    requester's own action, recorded as such, for the period given or the standard one."""
    before = snapshot(authorization, _AUDIT_FIELDS)
    now = timezone.now()
    settings = program_settings_for(authorization.member.plan, local_date(now))
    authorization.status, authorization.decided_at = AuthorizationStatus.APPROVED, now
    authorization.decision_reason = reason
    authorization.period_start, authorization.period_end = period or authorization_period(authorization, settings, None)
    authorization.save()
    audit_record(
        actor=actor,
        action="authorization.streamlined",
        obj=authorization,
        member=authorization.member,
        before=before,
        after=snapshot(authorization, _AUDIT_FIELDS),
        reason=reason,
    )
    return authorization


def notice_of_action_issue(
    *, actor: User | None, authorization: AuthorizationRequest, owed_on: dt.date | None = None
) -> NoticeOfAction:
    """The written notice of an adverse determination: reason, criteria and the member's appeal rights; the letter
    is owed on `owed_on` (a deemed denial's is owed on the day the time expired), else today. The appeal window
    runs from the day the notice is issued."""
    now = timezone.now()
    settings = program_settings_for(authorization.member.plan, local_date(now))
    noa = NoticeOfAction.objects.create(
        authorization=authorization,
        member=authorization.member,
        determination=authorization.status,
        reason=authorization.decision_reason or authorization.modification,
        criteria=authorization.criteria_used or "Approved with modification: " + authorization.modification,
        appeal_rights=settings.appeal_rights,
        issued_at=now,
        language=authorization.member.language,
        appeal_deadline=local_date(now) + dt.timedelta(days=APPEAL_WINDOW_DAYS),
    )
    notice_queue(
        actor=actor,
        member=authorization.member,
        kind=NoticeKind.NOTICE_OF_ACTION,
        recipient=NoticeRecipient.MEMBER,
        due_date=owed_on or local_date(now),
        referral_id=authorization.referral_id,
        content={
            **requested_service(authorization),
            "notice_of_action_id": str(noa.pk),
            "determination": noa.determination,
            "deemed": is_deemed_denial(authorization),
            "decided_late": authorization.decided_late,
            "decision_date": local_date(authorization.decided_at or now).isoformat(),
            "reason": noa.reason,
            "criteria": noa.criteria,
            "modification": authorization.modification,
            "appeal_deadline": noa.appeal_deadline.isoformat(),
            "appeal_rights": noa.appeal_rights,
        },
    )
    audit_record(
        actor=actor,
        action="notice_of_action.issue",
        obj=noa,
        member=authorization.member,
        after=snapshot(noa, ["determination", "reason", "appeal_deadline"]),
    )
    return noa


def authorization_reauthorize(
    *, actor: User, authorization: AuthorizationRequest, urgency: str = "routine"
) -> AuthorizationRequest:
    """Ask to continue past an approved period; the new period starts the day after the old ends."""
    with transaction.atomic():
        locked = authorization_lock(authorization)
        can_reauthorize(actor, locked).enforce()
        if urgency not in ("routine", "expedited"):
            raise ValidationFailed("urgency must be routine or expedited.", field="urgency")
        return authorization_open(
            actor=actor,
            member=locked.member,
            referral=locked.referral,
            received_at=timezone.now(),
            urgency=urgency,
            kind=AuthorizationKind.REAUTHORIZATION,
            renews=locked,
            requesting_organization=actor.organization,
        )
