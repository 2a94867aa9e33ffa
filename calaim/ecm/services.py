"""The ECM lifecycle after eligibility: authorization follow-up, provider assignment and change,
enrollment, Lead Care Manager, and disenrollment. Every function is atomic and audited."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from calaim.accounts.models import PROVIDER_ROLES, Role, User
from calaim.accounts.policies import require_plan_role, require_role
from calaim.authorizations.models import APPROVED, AuthorizationKind, AuthorizationRequest, AuthorizationStatus
from calaim.authorizations.services import authorization_open, authorization_presumptive_grant
from calaim.careplans.models import OPEN_TASK_STATUSES, Task, TaskKind, TaskStatus
from calaim.core.audit import audit_record, snapshot
from calaim.core.clock import add_business_days, local_date
from calaim.core.errors import Conflict, NotFound, ValidationFailed
from calaim.ecm.assignment import provider_choose
from calaim.ecm.models import (
    ACTIVE_ENROLLMENT_STATUSES,
    AssignmentMethod,
    EligibilityDetermination,
    EligibilityOutcome,
    Enrollment,
    EnrollmentStatus,
)
from calaim.network.models import Organization
from calaim.notices.models import Notice, NoticeKind, NoticeRecipient
from calaim.plans.selectors import discontinuation_reason_get, program_settings_for
from calaim.referrals.models import Referral, ReferralStatus
from calaim.referrals.services import referral_status_set

ENROLLMENT_FIELDS = [
    "status",
    "provider",
    "enrolled_on",
    "ended_on",
    "discontinuation_reason",
    "lead_care_manager",
    "authorization",
]
ASSIGNING_ROLES = frozenset({Role.PLAN_INTAKE, Role.MEMBER_SERVICES})


def _today() -> dt.date:
    return local_date(timezone.now())


def after_eligibility(*, actor: User, referral: Referral, determination: EligibilityDetermination) -> None:
    """Eligible referrals open an authorization request whose clock runs from the referral's receipt."""
    outcome = determination.outcome
    if outcome == EligibilityOutcome.ELIGIBLE:
        referral_status_set(
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
    elif outcome == EligibilityOutcome.ROUTED_TO_DELEGATE:
        route_to = determination.explanation.get("route_to")
        referral_status_set(
            referral,
            ReferralStatus.ROUTED_TO_DELEGATE,
            actor=actor,
            reason=f"The member's ECM is provided by {route_to}; the referral was sent there.",
        )
    else:
        failed = [c["detail"] for c in determination.explanation["checks"] if not c["passed"]]
        offered = "; ".join(determination.other_supports)
        referral_status_set(
            referral,
            ReferralStatus.NOT_ELIGIBLE,
            actor=actor,
            reason=f"Not eligible: {'; '.join(failed)}. Other supports offered: {offered or 'none'}.",
        )


def presumptive_start(*, actor: User, referral: Referral) -> Enrollment:
    """A contracted ECM provider's verification form: presumptive authorization, the provider assigned at
    once, and the plan's own authorization request opened on the routine clock."""
    assert actor.organization is not None
    member = referral.member
    presumptive = authorization_presumptive_grant(
        actor=actor, member=member, referral=referral, organization=actor.organization
    )
    authorization_open(
        actor=actor,
        member=member,
        referral=referral,
        received_at=referral.received_at,
        urgency=referral.urgency,
        requesting_organization=actor.organization,
    )
    reasons = ["identified by this contracted ECM provider (eligibility verification form)"]
    return _enrollment_start(actor, referral, presumptive, actor.organization, AssignmentMethod.PRESUMPTIVE, reasons)


def _enrollment_start(
    actor: User,
    referral: Referral,
    authorization: AuthorizationRequest,
    provider: Organization,
    method: str,
    reasons: list[str],
) -> Enrollment:
    member = referral.member
    settings = program_settings_for(member.plan, _today())
    enrollment = Enrollment.objects.create(
        member=member,
        referral=referral,
        authorization=authorization,
        provider=provider,
        assignment_method=method,
        assignment_reasons=reasons,
        assigned_at=timezone.now(),
    )
    Task.objects.create(
        member=member,
        enrollment=enrollment,
        organization=provider,
        kind=TaskKind.OUTREACH,
        description="Reach the member and offer ECM.",
        due_date=add_business_days(_today(), settings.welcome_call_business_days),
    )
    _member_notice(enrollment, NoticeKind.ECM_ASSIGNMENT_LETTER, settings.member_letter_business_days)
    audit_record(
        actor=actor,
        action="enrollment.assign",
        obj=enrollment,
        member=member,
        after=snapshot(enrollment, [*ENROLLMENT_FIELDS, "assignment_method", "assignment_reasons"]),
    )
    referral_status_set(referral, ReferralStatus.ASSIGNED, actor=actor, reason=f"Assigned to {provider.name}.")
    return enrollment


def _member_notice(enrollment: Enrollment, kind: str, business_days: int, **extra: object) -> Notice:
    member = enrollment.member
    return Notice.objects.create(
        member=member,
        kind=kind,
        recipient=NoticeRecipient.MEMBER,
        recipient_name=member.full_name,
        language=member.language,
        referral=enrollment.referral,
        due_date=add_business_days(_today(), business_days),
        content={
            "provider": enrollment.provider.name,
            "provider_phone": enrollment.provider.phone,
            "enrollment_id": str(enrollment.pk),
            **extra,
        },
    )


def after_authorization_decision(*, actor: User, authorization: AuthorizationRequest) -> None:
    """Carry a decision into the referral and any presumptive or current enrollment."""
    referral = authorization.referral
    active = Enrollment.objects.filter(member=authorization.member, status__in=ACTIVE_ENROLLMENT_STATUSES).first()
    if authorization.status in APPROVED:
        if active is not None and (
            authorization.kind == AuthorizationKind.REAUTHORIZATION
            or active.authorization.kind == AuthorizationKind.PRESUMPTIVE
        ):
            before = snapshot(active, ENROLLMENT_FIELDS)
            active.authorization = authorization
            active.save(update_fields=["authorization", "updated_at"])
            audit_record(
                actor=actor,
                action="enrollment.authorize",
                obj=active,
                member=active.member,
                before=before,
                after=snapshot(active, ENROLLMENT_FIELDS),
            )
        if referral is not None and referral.status == ReferralStatus.PENDING_AUTHORIZATION:
            referral_status_set(
                referral,
                ReferralStatus.AUTHORIZED,
                actor=actor,
                reason=f"Authorized {authorization.period_start} to {authorization.period_end}.",
            )
        return
    if authorization.status != AuthorizationStatus.DENIED or authorization.kind == AuthorizationKind.REAUTHORIZATION:
        return
    if active is not None and active.referral_id == getattr(referral, "pk", None):
        _enrollment_end(actor, active, "other", "ECM was not authorized.", _today())
    if referral is not None:
        referral_status_set(
            referral, ReferralStatus.DENIED, actor=actor, reason=f"Not authorized: {authorization.decision_reason}"
        )


def ecm_provider_assign(*, actor: User, referral: Referral, provider_id: object | None = None) -> Enrollment:
    """Assign an authorized referral's member to the provider they chose, or to the best fit."""
    member = referral.member
    require_plan_role(actor, ASSIGNING_ROLES, member.plan_id, "assign ECM providers")
    with transaction.atomic():
        locked = (
            Referral.objects.select_for_update(of=("self",))
            .select_related("member__plan", "member__county")
            .get(pk=referral.pk)
        )
        if locked.status != ReferralStatus.AUTHORIZED:
            raise Conflict(f"Only an authorized referral can be assigned; this one is {locked.status}.")
        if Enrollment.objects.filter(member=member, status__in=ACTIVE_ENROLLMENT_STATUSES).exists():
            raise Conflict("The member already has an ECM provider; change it instead.")
        authorization = (
            locked.authorizations.filter(status__in=APPROVED)
            .exclude(kind=AuthorizationKind.PRESUMPTIVE)
            .order_by("-decided_at")
            .first()
        )
        if authorization is None:
            raise Conflict("The referral has no approved authorization.")
        determination = locked.determinations.order_by("-created_at").first()
        pofs = determination.qualified_pofs if determination else []
        choice = provider_choose(locked.member, pofs, _today(), chosen_id=provider_id)
        method = AssignmentMethod.MEMBER_CHOICE if provider_id is not None else AssignmentMethod.AUTOMATIC
        return _enrollment_start(actor, locked, authorization, choice.organization, method, choice.reasons)


def _require_enrollment_actor(actor: User, enrollment: Enrollment, plan_roles: frozenset[str], action: str) -> None:
    """Plan staff of the member's plan with one of `plan_roles`, or staff of the assigned provider."""
    if actor.role in PROVIDER_ROLES:
        if actor.organization_id != enrollment.provider_id:
            raise NotFound()
        return
    require_plan_role(actor, plan_roles, enrollment.member.plan_id, action)


def _lock(enrollment: Enrollment) -> Enrollment:
    locked = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("member__plan", "member__county", "provider")
        .get(pk=enrollment.pk)
    )
    if locked.status not in ACTIVE_ENROLLMENT_STATUSES:
        raise Conflict(f"This ECM enrollment has ended ({locked.get_status_display()}).")
    return locked


def ecm_enroll(*, actor: User, enrollment: Enrollment, enrolled_on: dt.date) -> Enrollment:
    """The member agreed: enrolled from `enrolled_on`; the letter and the welcome call become tracked work."""
    _require_enrollment_actor(actor, enrollment, frozenset({Role.PLAN_INTAKE}), "enroll members")
    with transaction.atomic():
        locked = _lock(enrollment)
        if locked.status != EnrollmentStatus.ASSIGNED:
            raise Conflict("The member is already enrolled.")
        auth = locked.authorization
        if enrolled_on > _today():
            raise ValidationFailed("The enrollment date cannot be in the future.", field="enrolled_on")
        if auth.period_start and auth.period_end and not auth.period_start <= enrolled_on <= auth.period_end:
            raise ValidationFailed(
                f"The enrollment date must fall within the authorization period "
                f"{auth.period_start} to {auth.period_end}.",
                field="enrolled_on",
            )
        before = snapshot(locked, ENROLLMENT_FIELDS)
        locked.status, locked.enrolled_on = EnrollmentStatus.ENROLLED, enrolled_on
        locked.save(update_fields=["status", "enrolled_on", "updated_at"])
        settings = program_settings_for(locked.member.plan, _today())
        _member_notice(
            locked,
            NoticeKind.ECM_ENROLLMENT_LETTER,
            settings.member_letter_business_days,
            enrolled_on=enrolled_on.isoformat(),
        )
        Task.objects.create(
            member=locked.member,
            enrollment=locked,
            organization=locked.provider,
            owner=locked.lead_care_manager,
            kind=TaskKind.WELCOME_CALL,
            description="Welcome call: introduce the Lead Care Manager and ECM.",
            due_date=add_business_days(_today(), settings.welcome_call_business_days),
        )
        locked.tasks.filter(kind=TaskKind.OUTREACH, status__in=OPEN_TASK_STATUSES).update(
            status=TaskStatus.COMPLETED, completed_at=timezone.now()
        )
        audit_record(
            actor=actor,
            action="enrollment.enroll",
            obj=locked,
            member=locked.member,
            before=before,
            after=snapshot(locked, ENROLLMENT_FIELDS),
        )
        referral_status_set(
            locked.referral,
            ReferralStatus.ENROLLED,
            actor=actor,
            reason=f"Enrolled in ECM with {locked.provider.name} from {enrolled_on}.",
        )
    return locked


def ecm_provider_change(
    *, actor: User, enrollment: Enrollment, reason: str, provider_id: object | None = None
) -> Enrollment:
    """Move the member to another ECM provider: open tasks move with them, history stays where it was."""
    _require_enrollment_actor(actor, enrollment, ASSIGNING_ROLES, "change ECM providers")
    if not reason.strip():
        raise ValidationFailed("Give the reason for the change.", field="reason")
    if provider_id is not None and str(provider_id) == str(enrollment.provider_id):
        raise ValidationFailed("That is already the member's ECM provider.", field="provider_id")
    with transaction.atomic():
        old = _lock(enrollment)
        determination = old.referral.determinations.order_by("-created_at").first()
        choice = provider_choose(
            old.member,
            determination.qualified_pofs if determination else [],
            _today(),
            chosen_id=provider_id,
            exclude_id=old.provider_id,
        )
        before = snapshot(old, ENROLLMENT_FIELDS)
        old.status, old.ended_on = EnrollmentStatus.TRANSFERRED, _today()
        old.save(update_fields=["status", "ended_on", "updated_at"])
        audit_record(
            actor=actor,
            action="enrollment.transfer_out",
            obj=old,
            member=old.member,
            before=before,
            after=snapshot(old, ENROLLMENT_FIELDS),
            reason=reason,
        )
        new = Enrollment.objects.create(
            member=old.member,
            referral=old.referral,
            authorization=old.authorization,
            provider=choice.organization,
            status=EnrollmentStatus.ENROLLED if old.enrolled_on else EnrollmentStatus.ASSIGNED,
            enrolled_on=old.enrolled_on,
            previous=old,
            assigned_at=timezone.now(),
            assignment_reasons=choice.reasons,
            assignment_method=AssignmentMethod.MEMBER_CHOICE if provider_id is not None else AssignmentMethod.AUTOMATIC,
        )
        moved = old.tasks.filter(status__in=OPEN_TASK_STATUSES).update(
            enrollment=new, organization=choice.organization, owner=None
        )
        audit_record(
            actor=actor,
            action="enrollment.transfer_in",
            obj=new,
            member=new.member,
            reason=reason,
            after={**snapshot(new, ENROLLMENT_FIELDS), "tasks_moved": moved, "reasons": choice.reasons},
        )
        settings = program_settings_for(new.member.plan, _today())
        _member_notice(new, NoticeKind.ECM_ASSIGNMENT_LETTER, settings.member_letter_business_days, change=True)
        referral_status_set(
            new.referral,
            new.referral.status,
            actor=actor,
            reason=f"ECM provider changed to {choice.organization.name}: {reason}",
        )
    return new


def ecm_lead_care_manager_assign(*, actor: User, enrollment: Enrollment, care_manager: str) -> Enrollment:
    """The provider names one Lead Care Manager from its own staff; their unowned open tasks follow."""
    require_role(actor, PROVIDER_ROLES, "assign Lead Care Managers")
    if actor.organization_id != enrollment.provider_id:
        raise NotFound()
    manager = User.objects.filter(
        username=care_manager, organization_id=enrollment.provider_id, role__in=PROVIDER_ROLES, is_active=True
    ).first()
    if manager is None:
        raise ValidationFailed("Choose an active care manager of this ECM provider.", field="care_manager")
    with transaction.atomic():
        locked = _lock(enrollment)
        before = snapshot(locked, ENROLLMENT_FIELDS)
        locked.lead_care_manager = manager
        locked.save(update_fields=["lead_care_manager", "updated_at"])
        locked.tasks.filter(status__in=OPEN_TASK_STATUSES, owner__isnull=True).update(owner=manager)
        audit_record(
            actor=actor,
            action="enrollment.lead_care_manager",
            obj=locked,
            member=locked.member,
            before=before,
            after=snapshot(locked, ENROLLMENT_FIELDS),
        )
    return locked


def ecm_disenroll(
    *, actor: User, enrollment: Enrollment, reason_code: str, effective_on: dt.date | None = None, note: str = ""
) -> tuple[Enrollment, list[str]]:
    """End ECM for any configured reason (opt-out at any time included); returns the other supports to offer."""
    _require_enrollment_actor(actor, enrollment, ASSIGNING_ROLES, "end ECM")
    effective_on = effective_on or _today()
    reason = discontinuation_reason_get(reason_code, _today())
    with transaction.atomic():
        locked = _lock(enrollment)
        start = locked.enrolled_on or local_date(locked.assigned_at)
        if effective_on < start:
            raise ValidationFailed(f"The end date cannot be before {start}.", field="effective_on")
        _enrollment_end(actor, locked, reason.code, note, effective_on, close_referral=True)
    return locked, list(reason.other_supports)


def _enrollment_end(
    actor: User,
    enrollment: Enrollment,
    reason_code: str,
    note: str,
    effective_on: dt.date,
    close_referral: bool = False,
) -> None:
    reason = discontinuation_reason_get(reason_code, _today())
    before = snapshot(enrollment, ENROLLMENT_FIELDS)
    declined = enrollment.status == EnrollmentStatus.ASSIGNED and reason.is_opt_out
    enrollment.status = EnrollmentStatus.DECLINED if declined else EnrollmentStatus.DISENROLLED
    enrollment.ended_on, enrollment.discontinuation_reason, enrollment.discontinuation_note = (
        effective_on,
        reason.code,
        note,
    )
    enrollment.save()
    enrollment.tasks.filter(status__in=OPEN_TASK_STATUSES).update(status=TaskStatus.CANCELLED)
    settings = program_settings_for(enrollment.member.plan, _today())
    _member_notice(
        enrollment,
        NoticeKind.ECM_DISENROLLMENT_LETTER,
        settings.member_letter_business_days,
        reason=reason.label,
        other_supports=list(reason.other_supports),
    )
    audit_record(
        actor=actor,
        action="enrollment.end",
        obj=enrollment,
        member=enrollment.member,
        before=before,
        after=snapshot(enrollment, ENROLLMENT_FIELDS),
        reason=f"{reason.label}. {note}".strip(),
    )
    if close_referral:
        status = ReferralStatus.DECLINED if reason.is_opt_out else ReferralStatus.CLOSED
        referral_status_set(enrollment.referral, status, actor=actor, reason=f"{reason.label}. {note}".strip())
