"""The ECM enrollment aggregate, and the eligibility determination on record: every function is audited and
writes only ECM's own rows. The flows that carry these steps into referrals, authorizations, tasks and letters
are in calaim.workflows (eligibility, provider_assignment, enrollment)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction
from django.utils import timezone

from calaim.accounts.models import PROVIDER_ROLES, User
from calaim.core.audit import audit_record, audited_update, snapshot
from calaim.core.clock import local_date, plan_today
from calaim.core.errors import ValidationFailed
from calaim.ecm import rules
from calaim.ecm.assignment import Choice
from calaim.ecm.eligibility import explanation_json
from calaim.ecm.ending import ending_rules_on
from calaim.ecm.models import (
    AssignmentMethod,
    CareManagerLanguages,
    EligibilityDetermination,
    Enrollment,
    EnrollmentStatus,
)
from calaim.ecm.policies import (
    can_assign_lead_care_manager,
    can_change_provider,
    can_end_ecm,
    can_enroll,
    can_record_languages,
)
from calaim.members.models import Member
from calaim.network.models import Organization
from calaim.plans.models import DiscontinuationReason

ENROLLMENT_FIELDS = [
    "status",
    "provider",
    "enrolled_on",
    "ended_on",
    "discontinuation_reason",
    "lead_care_manager",
    "authorization",
    "other_supports_offered",
]


def determination_record(
    *,
    actor: User,
    member: Member,
    referral_id: uuid.UUID | None,
    day: dt.date,
    result: rules.Determination,
    other_supports: list[str],
) -> EligibilityDetermination:
    """Keep an eligibility determination with its explanation and the rule version that made it."""
    determination = EligibilityDetermination.objects.create(
        member=member,
        referral_id=referral_id,
        determined_on=day,
        determined_by=actor,
        outcome=result.outcome,
        qualified_pofs=result.qualified,
        explanation=explanation_json(result),
        other_supports=other_supports,
        rule_version=result.rule_version,
    )
    audit_record(
        actor=actor,
        action="eligibility.determine",
        obj=determination,
        member=member,
        after={"outcome": result.outcome, "qualified_pofs": result.qualified},
    )
    return determination


def enrollment_lock(enrollment: Enrollment) -> Enrollment:
    """The enrollment's row, locked until the end of the caller's transaction."""
    return (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("member__plan", "member__county", "provider", "authorization", "referral")
        .get(pk=enrollment.pk)
    )


def enrollment_start(
    *,
    actor: User,
    member: Member,
    referral_id: uuid.UUID,
    authorization_id: uuid.UUID,
    provider: Organization,
    method: str,
    reasons: list[str],
) -> Enrollment:
    """The member is assigned to an ECM provider, which now reaches out (outreach is tracked work)."""
    enrollment = Enrollment.objects.create(
        member=member,
        referral_id=referral_id,
        authorization_id=authorization_id,
        provider=provider,
        assignment_method=method,
        assignment_reasons=reasons,
        assigned_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action="enrollment.assign",
        obj=enrollment,
        member=member,
        after=snapshot(enrollment, [*ENROLLMENT_FIELDS, "assignment_method", "assignment_reasons"]),
    )
    return enrollment


def _update(actor: User | None, enrollment: Enrollment, action: str, reason: str = "", **changes: object) -> None:
    fields = ENROLLMENT_FIELDS
    audited_update(
        enrollment, changes, actor=actor, action=action, fields=fields, member=enrollment.member, reason=reason
    )


def enrollment_authorize(*, actor: User, enrollment: Enrollment, authorization_id: uuid.UUID) -> None:
    """The enrollment now runs under another authorization (the plan's own after a presumptive one, or a renewal)."""
    _update(actor, enrollment, "enrollment.authorize", authorization_id=authorization_id)


def enrollment_enroll(*, actor: User, enrollment: Enrollment, enrolled_on: dt.date) -> Enrollment:
    """On the locked enrollment: the member agreed to ECM from `enrolled_on`, inside the authorized period."""
    can_enroll(actor, enrollment).enforce()
    auth = enrollment.authorization
    if enrolled_on > plan_today():
        raise ValidationFailed("The enrollment date cannot be in the future.", field="enrolled_on")
    if auth.period_start and auth.period_end and not auth.period_start <= enrolled_on <= auth.period_end:
        raise ValidationFailed(
            f"The enrollment date must fall within the authorization period {auth.period_start} to {auth.period_end}.",
            field="enrolled_on",
        )
    _update(actor, enrollment, "enrollment.enroll", status=EnrollmentStatus.ENROLLED, enrolled_on=enrolled_on)
    return enrollment


def enrollment_transfer(
    *, actor: User, enrollment: Enrollment, choice: Choice, reason: str, chosen: bool
) -> Enrollment:
    """On the locked enrollment: it ends as transferred and a new one starts with `choice`, keeping the referral,
    the authorization and the enrollment date; history stays with the old one."""
    can_change_provider(actor, enrollment).enforce()
    changes = {"status": EnrollmentStatus.TRANSFERRED, "ended_on": plan_today()}
    _update(actor, enrollment, "enrollment.transfer_out", reason, **changes)
    new = Enrollment.objects.create(
        member=enrollment.member,
        referral=enrollment.referral,
        authorization=enrollment.authorization,
        provider=choice.organization,
        status=EnrollmentStatus.ENROLLED if enrollment.enrolled_on else EnrollmentStatus.ASSIGNED,
        enrolled_on=enrollment.enrolled_on,
        previous=enrollment,
        assigned_at=timezone.now(),
        assignment_reasons=choice.reasons,
        assignment_method=AssignmentMethod.MEMBER_CHOICE if chosen else AssignmentMethod.AUTOMATIC,
    )
    audit_record(
        actor=actor,
        action="enrollment.transfer_in",
        obj=new,
        member=new.member,
        reason=reason,
        after={**snapshot(new, ENROLLMENT_FIELDS), "reasons": choice.reasons},
    )
    return new


def care_manager_of(enrollment: Enrollment, username: str) -> User:
    """An active care manager of the enrollment's provider, by username."""
    manager = User.objects.filter(
        username=username, organization_id=enrollment.provider_id, role__in=PROVIDER_ROLES, is_active=True
    ).first()
    if manager is None:
        raise ValidationFailed("Choose an active care manager of this ECM provider.", field="care_manager")
    return manager


def enrollment_lead_care_manager_set(*, actor: User, enrollment: Enrollment, manager: User) -> Enrollment:
    """On the locked enrollment: the provider names one Lead Care Manager from its own staff."""
    can_assign_lead_care_manager(actor, enrollment).enforce()
    _update(actor, enrollment, "enrollment.lead_care_manager", lead_care_manager=manager)
    return enrollment


def enrollment_end_check(
    *, actor: User, enrollment: Enrollment, effective_on: dt.date, reason_code: str = "", note: str = ""
) -> None:
    """Refuse ending ECM for a caller who may not, on a date before the enrollment began, or for a reason that
    needs a note (ending.yaml) without one."""
    can_end_ecm(actor, enrollment).enforce()
    start = enrollment.enrolled_on or local_date(enrollment.assigned_at)
    if effective_on < start:
        raise ValidationFailed(f"The end date cannot be before {start}.", field="effective_on")
    rules = ending_rules_on(plan_today())
    if rules.note_required(reason_code) and not note.strip():
        raise ValidationFailed("Say what happened: this reason needs a note.", field="note")
    if len(note) > rules.note_max_chars:
        raise ValidationFailed(f"Keep the note to {rules.note_max_chars:,} characters.", field="note")


def enrollment_end(
    *, actor: User | None, enrollment: Enrollment, reason: DiscontinuationReason, note: str, effective_on: dt.date
) -> Enrollment:
    """On the locked enrollment: ECM ends for a configured reason; an opt-out before enrolling is a decline."""
    declined = enrollment.status == EnrollmentStatus.ASSIGNED and reason.is_opt_out
    _update(
        actor,
        enrollment,
        "enrollment.end",
        f"{reason.label}. {note}".strip(),
        status=EnrollmentStatus.DECLINED if declined else EnrollmentStatus.DISENROLLED,
        ended_on=effective_on,
        discontinuation_reason=reason.code,
        discontinuation_note=note,
        other_supports_offered=list(reason.other_supports),
    )
    return enrollment


def care_manager_languages_set(*, actor: User, manager: User, languages: list[str]) -> CareManagerLanguages:
    """The supervisor records the languages one of their own care staff speaks."""
    can_record_languages(actor, manager).enforce()
    with transaction.atomic():
        record, _ = CareManagerLanguages.objects.select_for_update().get_or_create(user=manager)
        before = list(record.languages)
        record.languages = sorted(set(languages))
        record.save(update_fields=["languages", "updated_at"])
        audit_record(
            actor=actor,
            action="care_manager.languages",
            obj=record,
            before={"user": manager.username, "languages": before},
            after={"user": manager.username, "languages": record.languages},
        )
    return record
