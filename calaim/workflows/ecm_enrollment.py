"""The ECM enrollment after authorization: assigning the provider, enrolling, the Lead Care Manager, changing
provider and ending ECM, each carried into the referrer's closed loop, the provider's tasks and the member's
letters."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from calaim.accounts.models import User
from calaim.authorizations.models import APPROVED, AuthorizationKind, AuthorizationRequest
from calaim.careplans.models import TaskKind
from calaim.careplans.services import (
    task_open,
    tasks_assign_unowned,
    tasks_cancel_open,
    tasks_complete_outreach,
    tasks_transfer,
)
from calaim.core.clock import add_business_days, plan_today
from calaim.core.errors import Conflict, ValidationFailed
from calaim.ecm.assignment import provider_choose
from calaim.ecm.models import AssignmentMethod, Enrollment
from calaim.ecm.policies import can_assign_lead_care_manager, can_change_provider
from calaim.ecm.selectors import current_enrollment_of, qualified_pofs
from calaim.ecm.services import (
    care_manager_of,
    enrollment_end,
    enrollment_end_check,
    enrollment_enroll,
    enrollment_lead_care_manager_set,
    enrollment_lock,
    enrollment_start,
    enrollment_transfer,
)
from calaim.network.models import Organization
from calaim.plans.models import DiscontinuationReason
from calaim.plans.selectors import discontinuation_reason_get, program_settings_for
from calaim.referrals.closed_loop import loop_status_set
from calaim.referrals.models import Referral, ReferralStatus
from calaim.referrals.policies import can_assign_provider
from calaim.referrals.services import referral_lock
from calaim.roster.fact_services import roster_facts_resolve_with


def provider_letter(enrollment: Enrollment, **extra: Any) -> dict[str, Any]:
    """What the member's letters about their ECM provider say: who it is and how to reach them."""
    return {
        "provider": enrollment.provider.name,
        "provider_phone": enrollment.provider.phone,
        "enrollment_id": str(enrollment.pk),
        **extra,
    }


def enrollment_begin(
    *,
    actor: User,
    referral: Referral,
    authorization: AuthorizationRequest,
    provider: Organization,
    method: str,
    reasons: list[str],
) -> Enrollment:
    """The member is assigned: the provider's outreach task, the referrer told, the member's assignment letter."""
    member = referral.member
    settings = program_settings_for(member.plan, plan_today())
    enrollment = enrollment_start(
        actor=actor,
        member=member,
        referral_id=referral.pk,
        authorization_id=authorization.pk,
        provider=provider,
        method=method,
        reasons=reasons,
    )
    task_open(
        actor=actor,
        enrollment=enrollment,
        kind=TaskKind.OUTREACH,
        description="Reach the member and offer ECM.",
        due_date=add_business_days(plan_today(), settings.welcome_call_business_days),
    )
    loop_status_set(
        referral,
        ReferralStatus.ASSIGNED,
        actor=actor,
        reason=f"Assigned to {provider.name}.",
        letter=provider_letter(enrollment),
    )
    return enrollment


def ecm_provider_assign(*, actor: User, referral: Referral, provider_id: object | None = None) -> Enrollment:
    """Assign an authorized referral's member to the provider they chose, or to the best fit."""
    with transaction.atomic():
        locked = referral_lock(referral)
        can_assign_provider(actor, locked).enforce()
        if current_enrollment_of(locked.member_id) is not None:
            raise Conflict("The member already has an ECM provider; change it instead.")
        authorization = (
            locked.authorizations.filter(status__in=APPROVED)
            .exclude(kind=AuthorizationKind.PRESUMPTIVE)
            .order_by("-decided_at")
            .first()
        )
        if authorization is None:
            raise Conflict("The referral has no approved authorization.")
        choice = provider_choose(locked.member, qualified_pofs(locked.pk), plan_today(), chosen_id=provider_id)
        method = AssignmentMethod.MEMBER_CHOICE if provider_id is not None else AssignmentMethod.AUTOMATIC
        return enrollment_begin(
            actor=actor,
            referral=locked,
            authorization=authorization,
            provider=choice.organization,
            method=method,
            reasons=choice.reasons,
        )


def ecm_enroll(*, actor: User, enrollment: Enrollment, enrolled_on: dt.date) -> Enrollment:
    """The member agreed: enrolled from `enrolled_on`; the welcome call is tracked work, outreach is done, the
    referrer's loop closes and the member's enrollment letter is owed."""
    with transaction.atomic():
        locked = enrollment_lock(enrollment)
        enrollment_enroll(actor=actor, enrollment=locked, enrolled_on=enrolled_on)
        settings = program_settings_for(locked.member.plan, plan_today())
        task_open(
            actor=actor,
            enrollment=locked,
            kind=TaskKind.WELCOME_CALL,
            description="Welcome call: introduce the Lead Care Manager and ECM.",
            due_date=add_business_days(plan_today(), settings.welcome_call_business_days),
            owner=locked.lead_care_manager,
        )
        tasks_complete_outreach(actor=actor, enrollment=locked)
        loop_status_set(
            locked.referral,
            ReferralStatus.ENROLLED,
            actor=actor,
            reason=f"Enrolled in ECM with {locked.provider.name} from {enrolled_on}.",
            letter=provider_letter(locked, enrolled_on=enrolled_on.isoformat()),
        )
    return locked


def ecm_provider_change(
    *, actor: User, enrollment: Enrollment, reason: str, provider_id: object | None = None
) -> Enrollment:
    """Move the member to another ECM provider: open tasks move with them, history stays where it was."""
    with transaction.atomic():
        old = enrollment_lock(enrollment)
        can_change_provider(actor, old).enforce()
        if not reason.strip():
            raise ValidationFailed("Give the reason for the change.", field="reason")
        if provider_id is not None and str(provider_id) == str(old.provider_id):
            raise ValidationFailed("That is already the member's ECM provider.", field="provider_id")
        choice = provider_choose(
            old.member, qualified_pofs(old.referral_id), plan_today(), chosen_id=provider_id, exclude_id=old.provider_id
        )
        new = enrollment_transfer(
            actor=actor, enrollment=old, choice=choice, reason=reason, chosen=provider_id is not None
        )
        tasks_transfer(actor=actor, old=old, new=new, reason=reason)
        loop_status_set(
            new.referral,
            new.referral.status,
            actor=actor,
            reason=f"ECM provider changed to {choice.organization.name}.",  # the staff's reason stays with them
            cause="provider_change",
            letter=provider_letter(new, change=True, previous_provider=old.provider.name),
        )
    return new


def ecm_lead_care_manager_assign(*, actor: User, enrollment: Enrollment, care_manager: str) -> Enrollment:
    """The provider names one Lead Care Manager from its own staff; their unowned open tasks follow."""
    with transaction.atomic():
        locked = enrollment_lock(enrollment)
        can_assign_lead_care_manager(actor, locked).enforce()
        manager = care_manager_of(locked, care_manager)
        enrollment_lead_care_manager_set(actor=actor, enrollment=locked, manager=manager)
        tasks_assign_unowned(actor=actor, enrollment=locked, owner=manager)
    return locked


def ecm_disenroll(
    *, actor: User, enrollment: Enrollment, reason_code: str, effective_on: dt.date | None = None, note: str = ""
) -> tuple[Enrollment, list[str]]:
    """End ECM for any configured reason (opt-out at any time included); returns the other supports to offer."""
    effective_on = effective_on or plan_today()
    with transaction.atomic():
        locked = enrollment_lock(enrollment)
        enrollment_end_check(
            actor=actor, enrollment=locked, effective_on=effective_on, reason_code=reason_code, note=note
        )
        reason = discontinuation_reason_get(reason_code, plan_today())
        ecm_end(actor, locked, reason, note, effective_on)
        ecm_loop_close(actor, locked, reason)
    return locked, list(reason.other_supports)


def ecm_loop_close(actor: User | None, enrollment: Enrollment, reason: DiscontinuationReason) -> None:
    """The referrer's loop closes with the reason's category only: the staff note stays with the enrollment (the
    plan and the provider see it), because the referrer is outside the member's care team."""
    loop_status_set(
        enrollment.referral,
        ReferralStatus.DECLINED if reason.is_opt_out else ReferralStatus.CLOSED,
        actor=actor,
        reason=f"{reason.label}.",
        cause=reason.code,
        letter=ended_letter(enrollment, reason),
    )


def ecm_end(
    actor: User | None, enrollment: Enrollment, reason: DiscontinuationReason, note: str, effective_on: dt.date
) -> None:
    """ECM ends on the locked enrollment, its open tasks are cancelled and its roster facts resolved; the caller
    moves the referral on."""
    enrollment_end(actor=actor, enrollment=enrollment, reason=reason, note=note, effective_on=effective_on)
    tasks_cancel_open(actor=actor, enrollment=enrollment, reason=f"ECM ended: {reason.label}.")
    roster_facts_resolve_with(actor=actor, enrollment=enrollment, resolution=f"ECM ended: {reason.label}")


def ended_letter(enrollment: Enrollment, reason: DiscontinuationReason) -> dict[str, Any]:
    """The discontinuation letter: why, from when (the date of action, which sets when the letter is due), and the
    other supports offered."""
    ended_on = enrollment.ended_on.isoformat() if enrollment.ended_on else None
    return provider_letter(
        enrollment,
        reason=reason.label,
        reason_code=reason.code,
        effective_on=ended_on,
        other_supports=list(reason.other_supports),
    )


def discontinuation_reason(code: str) -> DiscontinuationReason:
    return discontinuation_reason_get(code, plan_today())
