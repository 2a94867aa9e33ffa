"""Authorization requests: opening them with their clocks, extending once, deciding, re-authorizing."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from calaim.accounts.models import User
from calaim.accounts.policies import UM_ROLES, require_plan_role
from calaim.authorizations.clocks import ClockSettings, Deadlines, decision_deadlines, extended_deadlines
from calaim.authorizations.models import (
    APPROVED,
    UNDECIDED,
    AuthorizationKind,
    AuthorizationRequest,
    AuthorizationStatus,
    NoticeOfAction,
)
from calaim.core.audit import audit_record, snapshot
from calaim.core.clock import local_date
from calaim.core.errors import Conflict, ValidationFailed
from calaim.members.models import Member
from calaim.network.models import Organization
from calaim.notices.models import Notice, NoticeKind, NoticeRecipient
from calaim.plans.models import ProgramSettings
from calaim.plans.selectors import program_settings_for
from calaim.referrals.models import Referral

_AUDIT_FIELDS = ["status", "due_at", "ceiling_at", "decision_reason", "period_start", "period_end"]
APPEAL_WINDOW_DAYS = 60


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


def authorization_extend(*, actor: User, authorization: AuthorizationRequest, reason: str) -> AuthorizationRequest:
    """Extend an undecided request once, with a reason, past its ceiling by the configured days."""
    require_plan_role(actor, UM_ROLES, authorization.member.plan_id, "extend authorization decisions")
    if not reason.strip():
        raise ValidationFailed("Give the reason for the extension.", field="reason")
    with transaction.atomic():
        locked = AuthorizationRequest.objects.select_for_update(of=("self",)).get(pk=authorization.pk)
        if locked.status not in UNDECIDED:
            raise Conflict("Only an undecided request can be extended.")
        if locked.extended_at is not None:
            raise Conflict("This request has already had its one extension.")
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
    return locked


class Outcome:
    APPROVE = "approve"
    APPROVE_MODIFIED = "approve_modified"
    DENY = "deny"
    PEND = "pend"
    ALL = (APPROVE, APPROVE_MODIFIED, DENY, PEND)


def _period(
    authorization: AuthorizationRequest, settings: ProgramSettings, months: int | None
) -> tuple[dt.date, dt.date]:
    if authorization.program == "cs" and months is None:
        # Community Supports are authorized for the dates asked for, not a standing period.
        asked = authorization.cs_requests.aggregate(start=Min("requested_start"), end=Max("requested_end"))
        if asked["start"] is not None:
            return asked["start"], asked["end"]
    if authorization.kind == AuthorizationKind.REAUTHORIZATION and authorization.renews is not None:
        assert authorization.renews.period_end is not None
        start = authorization.renews.period_end + dt.timedelta(days=1)
        default_months = settings.reauthorization_months
    else:
        start = local_date(timezone.now())
        default_months = settings.authorization_months
    return start, start + relativedelta(months=months or default_months) - dt.timedelta(days=1)


def _check_decision(outcome: str, reason: str, criteria: str, modification: str, information: str) -> None:
    if outcome not in Outcome.ALL:
        raise ValidationFailed(f"Outcome must be one of {', '.join(Outcome.ALL)}.", field="outcome")
    if outcome == Outcome.DENY and not (reason.strip() and criteria.strip()):
        raise ValidationFailed(
            "A denial needs the reason and the criteria used.", field="reason" if not reason.strip() else "criteria"
        )
    if outcome == Outcome.APPROVE_MODIFIED and not modification.strip():
        raise ValidationFailed("Say what was modified.", field="modification")
    if outcome == Outcome.PEND and not information.strip():
        raise ValidationFailed("Say what information is needed.", field="information_requested")


def authorization_decide(
    *,
    actor: User,
    authorization: AuthorizationRequest,
    outcome: str,
    reason: str = "",
    criteria: str = "",
    modification: str = "",
    information_requested: str = "",
    period_months: int | None = None,
) -> AuthorizationRequest:
    """Record the UM decision; a denial or modification issues a Notice of Action with appeal rights."""
    require_plan_role(actor, UM_ROLES, authorization.member.plan_id, "decide authorizations")
    _check_decision(outcome, reason, criteria, modification, information_requested)
    if period_months is not None and not 1 <= period_months <= 24:
        raise ValidationFailed("period_months must be between 1 and 24.", field="period_months")
    with transaction.atomic():
        locked = (
            AuthorizationRequest.objects.select_for_update(of=("self",))
            .select_related("member__plan", "renews")
            .get(pk=authorization.pk)
        )
        if locked.status not in UNDECIDED:
            raise Conflict(f"This request was already decided ({locked.get_status_display()}).")
        before = snapshot(locked, _AUDIT_FIELDS)
        if locked.program == "cs" and outcome in (Outcome.APPROVE, Outcome.APPROVE_MODIFIED):
            from calaim.community_supports.services import cs_before_approval

            cs_before_approval(locked)
        _apply_decision(locked, actor, outcome, reason, criteria, modification, information_requested, period_months)
        audit_record(
            actor=actor,
            action=f"authorization.{outcome}",
            obj=locked,
            member=locked.member,
            before=before,
            after=snapshot(locked, _AUDIT_FIELDS),
            reason=reason,
        )
        if locked.status in (AuthorizationStatus.DENIED, AuthorizationStatus.APPROVED_MODIFIED):
            notice_of_action_issue(actor=actor, authorization=locked)
        if locked.status not in UNDECIDED:
            _after_decision(actor, locked)
    return locked


def _after_decision(actor: User, authorization: AuthorizationRequest) -> None:
    """Carry the decision into the program that asked for it."""
    if authorization.program == "cs":
        from calaim.community_supports.services import cs_after_decision

        cs_after_decision(actor=actor, authorization=authorization)
    else:
        from calaim.ecm.services import after_authorization_decision

        after_authorization_decision(actor=actor, authorization=authorization)


def authorization_streamlined_approve(*, actor: User, authorization: AuthorizationRequest, reason: str) -> None:
    """Approve at once under a streamlined (presumptive) setting, e.g. recuperative care at discharge; the
    requester's own action, recorded as such, with the standard authorization period."""
    before = snapshot(authorization, _AUDIT_FIELDS)
    now = timezone.now()
    settings = program_settings_for(authorization.member.plan, local_date(now))
    authorization.status, authorization.decided_at, authorization.decision_reason = (
        AuthorizationStatus.APPROVED,
        now,
        reason,
    )
    authorization.period_start, authorization.period_end = _period(authorization, settings, None)
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
    _after_decision(actor, authorization)


def _apply_decision(
    request: AuthorizationRequest,
    actor: User,
    outcome: str,
    reason: str,
    criteria: str,
    modification: str,
    information: str,
    period_months: int | None,
) -> None:
    now = timezone.now()
    if outcome == Outcome.PEND:
        request.status = AuthorizationStatus.PENDED
        request.information_requested = information
        request.save()
        return
    settings = program_settings_for(request.member.plan, local_date(now))
    request.status = {
        Outcome.APPROVE: AuthorizationStatus.APPROVED,
        Outcome.APPROVE_MODIFIED: AuthorizationStatus.APPROVED_MODIFIED,
        Outcome.DENY: AuthorizationStatus.DENIED,
    }[outcome]
    request.decided_at, request.decided_by = now, actor
    request.decision_reason, request.criteria_used, request.modification = reason, criteria, modification
    if request.status in APPROVED:
        request.period_start, request.period_end = _period(request, settings, period_months)
    request.save()


def notice_of_action_issue(*, actor: User, authorization: AuthorizationRequest) -> NoticeOfAction:
    """The written notice of an adverse determination: reason, criteria and the member's appeal rights."""
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
    Notice.objects.create(
        member=authorization.member,
        kind=NoticeKind.NOTICE_OF_ACTION,
        recipient=NoticeRecipient.MEMBER,
        recipient_name=authorization.member.full_name,
        language=authorization.member.language,
        due_date=local_date(now),
        referral=authorization.referral,
        content={"notice_of_action_id": str(noa.pk), "determination": noa.determination},
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
    """Ask to continue ECM past an approved period; the new period starts the day after the old ends."""
    from calaim.accounts.models import PROVIDER_ROLES, Role

    if actor.role not in PROVIDER_ROLES | {Role.PLAN_INTAKE, Role.PLAN_UM}:
        from calaim.core.errors import Forbidden

        raise Forbidden("Your role may not request re-authorization.")
    if authorization.status not in APPROVED or authorization.kind == AuthorizationKind.PRESUMPTIVE:
        raise Conflict("Only an approved (not presumptive) authorization can be renewed.")
    if authorization.renewals.filter(status__in=[*UNDECIDED, *APPROVED]).exists():
        raise Conflict("A re-authorization for this period is already open or approved.")
    if urgency not in ("routine", "expedited"):
        raise ValidationFailed("urgency must be routine or expedited.", field="urgency")
    with transaction.atomic():
        return authorization_open(
            actor=actor,
            member=authorization.member,
            referral=authorization.referral,
            received_at=timezone.now(),
            urgency=urgency,
            kind=AuthorizationKind.REAUTHORIZATION,
            renews=authorization,
            requesting_organization=actor.organization,
        )
