"""ECM endpoints: eligibility, provider assignment and change, enrollment, Lead Care Manager, disenrollment."""

import uuid

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from calaim.access.scopes import member_get
from calaim.accounts.policies import PLAN_ROLES, plan_staff_in
from calaim.api.auth import actor
from calaim.api.ecm_schemas import (
    AssignIn,
    DeterminationOut,
    DisenrollIn,
    DisenrollOut,
    EligibilityPreviewOut,
    EnrollIn,
    EnrollmentOut,
    LeadCareManagerIn,
    ProviderChangeIn,
    ProviderOptionOut,
)
from calaim.api.errors import ERRORS, LIST_ERRORS, READ_ERRORS
from calaim.api.pagination import paginated
from calaim.api.types import Day, Line
from calaim.core.clock import plan_today
from calaim.ecm.assignment import provider_candidates
from calaim.ecm.eligibility import eligibility_evaluate, explanation_json
from calaim.ecm.models import EligibilityDetermination, Enrollment
from calaim.ecm.selectors import enrollment_get, enrollment_scope
from calaim.referrals.selectors import latest_referral, referral_get
from calaim.workflows import ecm_enrollment as services
from calaim.workflows.eligibility import eligibility_determine

router = Router(tags=["ecm"])


class EnrollmentFilter(Schema):
    status: Line | None = Field(None, max_length=30)
    member_id: uuid.UUID | None = None


@router.post("/referrals/{referral_id}/eligibility-determination", response={201: DeterminationOut, **ERRORS})
def determine_eligibility(request: HttpRequest, referral_id: uuid.UUID) -> Status[EligibilityDetermination]:
    """Determine ECM eligibility for a received referral; eligible ones go on to authorization."""
    referral = referral_get(actor(request), referral_id)
    return Status(201, eligibility_determine(actor=actor(request), referral=referral))


@router.get("/members/{member_id}/eligibility", response={200: EligibilityPreviewOut, **READ_ERRORS})
def preview_eligibility(request: HttpRequest, member_id: uuid.UUID, on: Day | None = None) -> dict[str, object]:
    """Explain, without saving, whether the member qualifies on a date, criterion by criterion."""
    member = member_get(actor(request), member_id)
    plan_staff_in(actor(request), PLAN_ROLES, member.plan_id, "view eligibility").enforce()
    day = on or plan_today()
    referral = latest_referral(member.pk)
    result = eligibility_evaluate(member, referral.pof_attestations if referral else [], day)
    return {
        "member_id": member.pk,
        "on": day,
        "outcome": result.outcome,
        "qualified_pofs": result.qualified,
        "explanation": explanation_json(result),
        "rule_version": result.rule_version,
    }


@router.get("/members/{member_id}/ecm-providers", response={200: list[ProviderOptionOut], **READ_ERRORS})
def list_provider_options(request: HttpRequest, member_id: uuid.UUID) -> list[dict[str, object]]:
    """Contracted ECM providers the member may choose from, with free places."""
    member = member_get(actor(request), member_id)
    options = provider_candidates(member, [], plan_today())
    return [
        {
            "organization_id": c.organization_id,
            "name": c.organization.name,
            "phone": c.organization.phone,
            "languages": c.languages,
            "pof_codes": c.pof_codes,
            "capacity": c.capacity,
            "free_places": free,
        }
        for c, free in options
    ]


@router.post("/referrals/{referral_id}/assignment", response={201: EnrollmentOut, **ERRORS})
def assign_provider(request: HttpRequest, referral_id: uuid.UUID, payload: AssignIn) -> Status[Enrollment]:
    """Assign the member's ECM provider: their choice if given, otherwise automatically, with reasons."""
    referral = referral_get(actor(request), referral_id)
    return Status(
        201, services.ecm_provider_assign(actor=actor(request), referral=referral, provider_id=payload.provider_id)
    )


@router.get("/enrollments", response={200: list[EnrollmentOut], **LIST_ERRORS})
@paginated
def list_enrollments(request: HttpRequest, filters: Query[EnrollmentFilter]) -> object:
    """ECM enrollments in your scope (a provider sees its current caseload)."""
    enrollments = enrollment_scope(actor(request)).select_related("provider", "lead_care_manager")
    if filters.status:
        enrollments = enrollments.filter(status=filters.status)
    if filters.member_id:
        enrollments = enrollments.filter(member_id=filters.member_id)
    return enrollments


@router.get("/enrollments/{enrollment_id}", response={200: EnrollmentOut, **READ_ERRORS})
def get_enrollment(request: HttpRequest, enrollment_id: uuid.UUID) -> Enrollment:
    return enrollment_get(actor(request), enrollment_id)


@router.post("/enrollments/{enrollment_id}/enroll", response={200: EnrollmentOut, **ERRORS})
def enroll(request: HttpRequest, enrollment_id: uuid.UUID, payload: EnrollIn) -> Enrollment:
    """The member agreed to ECM: queues the member letter and the provider's welcome call."""
    enrollment = enrollment_get(actor(request), enrollment_id)
    return services.ecm_enroll(actor=actor(request), enrollment=enrollment, enrolled_on=payload.enrolled_on)


@router.post("/enrollments/{enrollment_id}/provider-change", response={201: EnrollmentOut, **ERRORS})
def change_provider(request: HttpRequest, enrollment_id: uuid.UUID, payload: ProviderChangeIn) -> Status[Enrollment]:
    """Move the member to another ECM provider at their request; open tasks move with them."""
    enrollment = enrollment_get(actor(request), enrollment_id)
    return Status(
        201,
        services.ecm_provider_change(
            actor=actor(request), enrollment=enrollment, reason=payload.reason, provider_id=payload.provider_id
        ),
    )


@router.post("/enrollments/{enrollment_id}/lead-care-manager", response={200: EnrollmentOut, **ERRORS})
def assign_lead_care_manager(request: HttpRequest, enrollment_id: uuid.UUID, payload: LeadCareManagerIn) -> Enrollment:
    enrollment = enrollment_get(actor(request), enrollment_id)
    return services.ecm_lead_care_manager_assign(
        actor=actor(request), enrollment=enrollment, care_manager=payload.care_manager
    )


@router.post("/enrollments/{enrollment_id}/disenroll", response={200: DisenrollOut, **ERRORS})
def disenroll(request: HttpRequest, enrollment_id: uuid.UUID, payload: DisenrollIn) -> dict[str, object]:
    """End ECM (opt-out at any time, or another discontinuation reason) and offer other supports."""
    enrollment = enrollment_get(actor(request), enrollment_id)
    ended, offered = services.ecm_disenroll(
        actor=actor(request),
        enrollment=enrollment,
        reason_code=payload.reason,
        effective_on=payload.effective_on,
        note=payload.note,
    )
    return {"enrollment": ended, "other_supports_offered": offered}
