"""An appeal that overturns a denial, or a modification, authorizes the service through the same steps a UM approval
takes: the decision is recorded by `authorization_decision_record` (status, period, audit), then ECM or Community
Supports carries it on as for any approval (the referral or request authorized, the closed loop told, a Community
Supports provider chosen, the letters the closed-loop table owes). The UM services refuse to decide a request that
is already decided, so this is the one path that approves a decided request, and only the appeals coordinator's
resolution (calaim.appeals.services.appeal_resolve) calls it, inside its transaction.
"""

from __future__ import annotations

from calaim.accounts.models import User
from calaim.authorizations.models import AuthorizationRequest, AuthorizationStatus
from calaim.authorizations.services import (
    Decision,
    Outcome,
    Period,
    authorization_decision_record,
    authorization_lock,
    authorization_period,
)
from calaim.community_supports.services import cs_approval_check, cs_requested_period
from calaim.core.clock import plan_today
from calaim.core.errors import Conflict
from calaim.network.models import Program
from calaim.plans.selectors import program_settings_for
from calaim.referrals.closed_loop import loop_status_set
from calaim.referrals.models import ReferralStatus
from calaim.workflows.authorization_decision import ecm_after_decision
from calaim.workflows.community_supports import cs_after_decision

OVERTURNABLE = (AuthorizationStatus.DENIED, AuthorizationStatus.APPROVED_MODIFIED)


def authorization_overturn(*, actor: User, authorization: AuthorizationRequest, reason: str) -> AuthorizationRequest:
    """Approve, on appeal, a denied or modified request; the caller holds the transaction and has checked that
    `actor` may resolve the appeal."""
    locked = authorization_lock(authorization)
    if locked.status not in OVERTURNABLE:
        raise Conflict(f"The decision appealed is no longer in force ({locked.get_status_display()}).")
    was_denied = locked.status == AuthorizationStatus.DENIED
    if locked.program == Program.CS and was_denied:
        cs_approval_check(locked)  # the limits veto an approval on appeal as they veto the UM's
    decided = authorization_decision_record(
        actor=actor,
        authorization=locked,
        decision=Decision(Outcome.APPROVE, reason=reason),
        period=_period(locked, was_denied),
    )
    if was_denied:
        _carry_approval(actor, decided)
    return decided


def _period(authorization: AuthorizationRequest, was_denied: bool) -> Period | None:
    """Community Supports: the dates asked for. ECM: the standard period, from today after a denial, or from the
    modified approval's own start (the member keeps the days already authorized)."""
    if authorization.program == Program.CS:
        return cs_requested_period(authorization)
    if was_denied or authorization.period_start is None:
        return None
    settings = program_settings_for(authorization.member.plan, plan_today())
    start, end = authorization_period(authorization, settings, None)
    return authorization.period_start, authorization.period_start + (end - start)


def _carry_approval(actor: User, authorization: AuthorizationRequest) -> None:
    """What follows an approval, for a request the denial had closed: ECM's steps and then the referral, which the
    denial left "not authorized", authorized again; a Community Supports request authorized with its provider."""
    if authorization.program == Program.CS:
        cs_after_decision(actor=actor, authorization=authorization)
        return
    ecm_after_decision(actor=actor, authorization=authorization)
    referral = authorization.referral
    if referral is not None and referral.status == ReferralStatus.DENIED:
        loop_status_set(
            referral,
            ReferralStatus.AUTHORIZED,
            actor=actor,
            reason=f"Authorized on appeal {authorization.period_start} to {authorization.period_end}.",
        )
