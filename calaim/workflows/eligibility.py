"""Determining ECM eligibility for a received referral and routing it on: to authorization when eligible, to the
delegate when delegated, otherwise closed with other supports offered."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from calaim.accounts.models import User
from calaim.authorizations.services import authorization_open
from calaim.core.clock import plan_today
from calaim.ecm.eligibility import eligibility_evaluate
from calaim.ecm.models import EligibilityDetermination, EligibilityOutcome
from calaim.ecm.services import determination_record
from calaim.plans.selectors import program_settings_for
from calaim.referrals.closed_loop import loop_status_set
from calaim.referrals.models import Referral, ReferralStatus
from calaim.referrals.policies import can_determine_eligibility
from calaim.referrals.services import referral_lock


def eligibility_determine(*, actor: User, referral: Referral, day: dt.date | None = None) -> EligibilityDetermination:
    """Determine, keep the determination with its explanation, and move the referral on in one transaction."""
    day = day or plan_today()
    with transaction.atomic():
        locked = referral_lock(referral)
        can_determine_eligibility(actor, locked).enforce()
        result = eligibility_evaluate(locked.member, locked.pof_attestations, day)
        settings = program_settings_for(locked.member.plan, day)
        offered = [] if result.outcome == EligibilityOutcome.ELIGIBLE else list(settings.other_supports)
        determination = determination_record(
            actor=actor, member=locked.member, referral_id=locked.pk, day=day, result=result, other_supports=offered
        )
        _route(actor, locked, determination)
    return determination


def _route(actor: User, referral: Referral, determination: EligibilityDetermination) -> None:
    """Eligible referrals open an authorization request whose clock runs from the referral's receipt."""
    if determination.outcome == EligibilityOutcome.ELIGIBLE:
        loop_status_set(
            referral,
            ReferralStatus.PENDING_AUTHORIZATION,
            actor=actor,
            reason=f"Eligible: {', '.join(determination.qualified_pofs)}.",
        )
        authorization_open(
            actor=actor,
            member=referral.member,
            referral=referral,
            received_at=referral.received_at,
            urgency=referral.urgency,
            requesting_organization=referral.referrer_organization,
        )
    elif determination.outcome == EligibilityOutcome.ROUTED_TO_DELEGATE:
        route_to = determination.explanation.get("route_to")
        loop_status_set(
            referral,
            ReferralStatus.ROUTED_TO_DELEGATE,
            actor=actor,
            reason=f"The member's ECM is provided by {route_to}; the referral was sent there.",
        )
    else:
        failed = [c["detail"] for c in determination.explanation["checks"] if not c["passed"]]
        offered = "; ".join(determination.other_supports)
        loop_status_set(
            referral,
            ReferralStatus.NOT_ELIGIBLE,
            actor=actor,
            reason=f"Not eligible: {'; '.join(failed)}. Other supports offered: {offered or 'none'}.",
        )
