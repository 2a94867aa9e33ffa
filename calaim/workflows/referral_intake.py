"""Taking an ECM referral from any source; a contracted ECM provider's verification form also starts ECM at once
under presumptive authorization while the plan's own request runs on the routine clock."""

from __future__ import annotations

from django.db import transaction

from calaim.accounts.models import User
from calaim.authorizations.services import authorization_open, authorization_presumptive_grant
from calaim.ecm.models import AssignmentMethod, Enrollment
from calaim.referrals.models import Referral, ReferralForm, ReferralStatus
from calaim.referrals.services import ReferralInput, referral_create
from calaim.workflows.ecm_enrollment import enrollment_begin


def referral_submit(*, actor: User, data: ReferralInput, idempotency_key: str = "") -> tuple[Referral, bool]:
    """Take a referral (see `referral_create`: a retry returns the first, a second referral for a member with an
    open one is linked to it); a verification form from a contracted ECM provider starts ECM presumptively."""
    with transaction.atomic():
        referral, created = referral_create(actor=actor, data=data, idempotency_key=idempotency_key)
        if (
            created
            and referral.form == ReferralForm.ELIGIBILITY_VERIFICATION
            and referral.status == ReferralStatus.RECEIVED
        ):
            presumptive_start(actor=actor, referral=referral)
    return referral, created


def presumptive_start(*, actor: User, referral: Referral) -> Enrollment:
    """Presumptive authorization, the verifying provider assigned at once, and the plan's own authorization
    request opened on the routine clock from the referral's receipt."""
    organization = actor.organization
    assert organization is not None  # referral_create checked the verification form's sender
    member = referral.member
    presumptive = authorization_presumptive_grant(
        actor=actor, member=member, referral=referral, organization=organization
    )
    authorization_open(
        actor=actor,
        member=member,
        referral=referral,
        received_at=referral.received_at,
        urgency=referral.urgency,
        requesting_organization=organization,
    )
    return enrollment_begin(
        actor=actor,
        referral=referral,
        authorization=presumptive,
        provider=organization,
        method=AssignmentMethod.PRESUMPTIVE,
        reasons=["identified by this contracted ECM provider (eligibility verification form)"],
    )
