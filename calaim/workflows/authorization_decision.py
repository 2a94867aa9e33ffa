"""A UM decision and what follows from it, in one transaction: a Community Supports approval is first checked
against the member's limits (which may veto it); the decision is recorded (a Notice of Action for a denial or a
modification); then ECM or Community Supports carries it into the referral, the enrollment and the closed loop."""

from __future__ import annotations

from django.db import transaction

from calaim.accounts.models import User
from calaim.authorizations.models import APPROVED, UNDECIDED, AuthorizationKind, AuthorizationRequest
from calaim.authorizations.models import AuthorizationStatus as Status
from calaim.authorizations.services import (
    Decision,
    Outcome,
    authorization_decision_check,
    authorization_decision_record,
    authorization_lock,
)
from calaim.community_supports.services import cs_approval_check, cs_requested_period
from calaim.core.clock import plan_today
from calaim.ecm.selectors import current_enrollment_of
from calaim.ecm.services import enrollment_authorize, enrollment_lock
from calaim.network.models import Program
from calaim.referrals.closed_loop import loop_status_set
from calaim.referrals.models import ReferralStatus
from calaim.workflows.community_supports import cs_after_decision
from calaim.workflows.ecm_enrollment import discontinuation_reason, ecm_end, ended_letter


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
    """Approve, approve as modified, deny (with a Notice of Action) or pend for information."""
    decision = Decision(outcome, reason, criteria, modification, information_requested, period_months)
    with transaction.atomic():
        locked = authorization_lock(authorization)
        authorization_decision_check(actor=actor, authorization=locked, decision=decision)
        period = None
        if locked.program == Program.CS:
            if outcome in Outcome.APPROVING:
                cs_approval_check(locked)
            period = cs_requested_period(locked) if period_months is None else None
        decided = authorization_decision_record(actor=actor, authorization=locked, decision=decision, period=period)
        if decided.status not in UNDECIDED:
            if decided.program == Program.CS:
                cs_after_decision(actor=actor, authorization=decided)
            else:
                ecm_after_decision(actor=actor, authorization=decided)
    return decided


def ecm_after_decision(*, actor: User, authorization: AuthorizationRequest) -> None:
    """An approval covers the member's current enrollment when it renews it or replaces a presumptive one, and
    moves a pending referral to authorized; a denial is `ecm_after_denial`."""
    if authorization.status not in APPROVED:
        ecm_after_denial(actor=actor, authorization=authorization)
        return
    referral = authorization.referral
    current = current_enrollment_of(authorization.member_id)
    if current is not None and (
        authorization.kind == AuthorizationKind.REAUTHORIZATION
        or current.authorization.kind == AuthorizationKind.PRESUMPTIVE
    ):
        enrollment_authorize(actor=actor, enrollment=enrollment_lock(current), authorization_id=authorization.pk)
    if referral is not None and referral.status == ReferralStatus.PENDING_AUTHORIZATION:
        loop_status_set(
            referral,
            ReferralStatus.AUTHORIZED,
            actor=actor,
            reason=f"Authorized {authorization.period_start} to {authorization.period_end}.",
        )


def ecm_after_denial(*, actor: User | None, authorization: AuthorizationRequest) -> None:
    """A denial of an initial request ends the presumptive enrollment it was covering and closes the referral; the
    actor is None for a denial by operation of law (calaim.workflows.authorization_clock)."""
    if authorization.status != Status.DENIED or authorization.kind == AuthorizationKind.REAUTHORIZATION:
        return
    referral = authorization.referral
    current = current_enrollment_of(authorization.member_id)
    cause, letter = "", None
    if current is not None and referral is not None and current.referral_id == referral.pk:
        ended = enrollment_lock(current)
        other = discontinuation_reason("other")
        ecm_end(actor, ended, other, "ECM was not authorized.", plan_today())
        cause, letter = "presumptive_ended", ended_letter(ended, other)
    if referral is not None:
        loop_status_set(
            referral,
            ReferralStatus.DENIED,
            actor=actor,
            reason=f"Not authorized: {authorization.decision_reason}",
            cause=cause,
            letter=letter,
        )
