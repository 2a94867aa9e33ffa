"""Referral endpoints: intake from every source, the caller's referrals and their closed-loop status."""

import uuid

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from calaim.api.auth import actor
from calaim.api.errors import ERRORS, LIST_ERRORS, READ_ERRORS
from calaim.api.pagination import paginated
from calaim.api.referrals_schemas import ReferralCreateIn, ReferralDetailOut, ReferralOut
from calaim.api.types import IdempotencyKey, Line
from calaim.referrals.models import Referral
from calaim.referrals.selectors import referral_get, referral_scope
from calaim.referrals.services import PofAttestationInput, ReferralInput
from calaim.workflows.referral_intake import referral_submit

router = Router(tags=["referrals"])


class ReferralFilter(Schema):
    status: Line | None = Field(None, max_length=30)
    member_id: uuid.UUID | None = None


@router.post("/referrals", response={200: ReferralDetailOut, 201: ReferralDetailOut, **ERRORS})
def create_referral(
    request: HttpRequest,
    response: HttpResponse,
    payload: ReferralCreateIn,
    idempotency_key: IdempotencyKey = "",
) -> Status[Referral]:
    """Submit an ECM referral (any source). Retrying with the same Idempotency-Key returns the first one."""
    data = payload.dict()
    data["pof_attestations"] = [PofAttestationInput(**a) for a in data["pof_attestations"]]
    referral, created = referral_submit(
        actor=actor(request), data=ReferralInput(**data), idempotency_key=idempotency_key
    )
    return Status(201 if created else 200, referral_get(actor(request), referral.pk))


@router.get("/referrals", response={200: list[ReferralOut], **LIST_ERRORS})
@paginated
def list_referrals(request: HttpRequest, filters: Query[ReferralFilter]) -> object:
    """Referrals in your scope, newest first."""
    referrals = referral_scope(actor(request)).select_related("member")
    if filters.status:
        referrals = referrals.filter(status=filters.status)
    if filters.member_id:
        referrals = referrals.filter(member_id=filters.member_id)
    return referrals


@router.get("/referrals/{referral_id}", response={200: ReferralDetailOut, **READ_ERRORS})
def get_referral(request: HttpRequest, referral_id: uuid.UUID) -> Referral:
    """One referral with its closed-loop history (status, date, reason)."""
    return referral_get(actor(request), referral_id)
