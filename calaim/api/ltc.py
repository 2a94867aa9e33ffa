"""Long-term care: facility stays, PASRR and Physician Certification Statements."""

import datetime as dt
import uuid
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from calaim.access.scopes import member_get
from calaim.api.auth import actor
from calaim.api.errors import ERRORS, READ_ERRORS
from calaim.api.types import Day, Line, Note
from calaim.authorizations.selectors import authorization_get
from calaim.careplans.selectors import task_get
from calaim.ltc import nemt, services
from calaim.ltc.models import FacilityStay, PasrrScreening, PhysicianCertification, Ride
from calaim.ltc.selectors import pasrr_scope, pcs_get, pcs_scope, stay_get, stay_scope

router = Router(tags=["long-term care"])


class StayIn(Schema):
    facility_name: Line = Field(..., min_length=1, max_length=200)
    facility_type: Line = Field(
        ..., max_length=20, description="A code of ltc/reference/facility_types.yaml, e.g. SNF/NF-B."
    )
    facility_npi: Line = Field("", max_length=10)
    level_of_care: Line = Field("", max_length=20, description="Blank: the facility type's usual level of care.")
    admitted_on: Day


class StayOut(Schema):
    id: uuid.UUID
    member_id: uuid.UUID
    facility_name: str
    facility_npi: str
    facility_type: str
    level_of_care: str
    admitted_on: dt.date
    discharged_on: dt.date | None
    source: str


class DischargeIn(Schema):
    discharged_on: Day


class PasrrIn(Schema):
    level1_type: Literal["pas", "rr"]
    level1_on: Day
    level1_by: Literal["gach", "nf"]
    level1_positive: bool
    level2_needed: bool = False
    level2_type: Literal["", "smi", "id_dd_rc"] = ""
    level2_evaluator: Literal["", "acentra", "regional_center"] = ""
    level2_on: Day | None = None
    determination_on: Day | None = None
    placement_recommendation: Note = Field("", max_length=2000)
    specialized_services: bool | None = None
    authorization_id: uuid.UUID | None = Field(None, description="The SNF authorization request this PASRR supports.")


class PasrrOut(Schema):
    id: uuid.UUID
    member_id: uuid.UUID
    stay_id: uuid.UUID
    level1_type: str
    level1_on: dt.date
    level1_by: str
    level1_positive: bool
    level2_needed: bool
    level2_type: str
    level2_evaluator: str
    level2_on: dt.date | None
    determination_on: dt.date | None
    placement_recommendation: str
    specialized_services: bool | None
    authorization_id: uuid.UUID | None


class PcsIn(Schema):
    signer_type: Line = Field(
        ..., max_length=20, description="A signer type of ltc/reference/nemt.yaml, e.g. physician."
    )
    signer_name: Line = Field(..., min_length=1, max_length=200)
    signer_npi: Line = Field(..., max_length=10)
    mode: Literal["ambulance", "wheelchair_van", "litter_van"]
    valid_from: Day
    valid_through: Day
    form_version: Line = Field(..., max_length=80)


class PcsOut(Schema):
    id: uuid.UUID
    member_id: uuid.UUID
    signer_type: str
    signer_name: str
    signer_npi: str
    mode: str
    valid_from: dt.date
    valid_through: dt.date
    form_version: str
    revoked_at: dt.datetime | None
    revoke_reason: str


class RevokeIn(Schema):
    reason: Note = Field(..., min_length=1, max_length=2000)


class RideIn(Schema):
    mode: Literal["ambulance", "wheelchair_van", "litter_van", "nmt"]
    transfer_to_snf: bool = Field(False, description="A transfer from an ER or acute hospital to a SNF (needs no PCS).")


class RideOut(Schema):
    task_id: uuid.UUID
    member_id: uuid.UUID
    mode: str
    transfer_to_snf: bool


@router.get("/members/{member_id}/facility-stays", response={200: list[StayOut], **READ_ERRORS})
def list_stays(request: HttpRequest, member_id: uuid.UUID) -> object:
    member = member_get(actor(request), member_id)
    return stay_scope(actor(request)).filter(member=member).order_by("-admitted_on")


@router.post("/members/{member_id}/facility-stays", response={201: StayOut, **ERRORS})
def record_stay(request: HttpRequest, member_id: uuid.UUID, payload: StayIn) -> Status[FacilityStay]:
    """Record an admission to a long-term care facility (plan intake, UM, member services)."""
    member = member_get(actor(request), member_id)
    return Status(201, services.stay_record(actor=actor(request), member=member, **payload.dict()))


@router.post("/facility-stays/{stay_id}/discharge", response={200: StayOut, **ERRORS})
def discharge_stay(request: HttpRequest, stay_id: uuid.UUID, payload: DischargeIn) -> FacilityStay:
    stay = stay_get(actor(request), stay_id)
    return services.stay_discharge(actor=actor(request), stay=stay, discharged_on=payload.discharged_on)


@router.get("/members/{member_id}/pasrr", response={200: list[PasrrOut], **READ_ERRORS})
def list_pasrr(request: HttpRequest, member_id: uuid.UUID) -> object:
    member = member_get(actor(request), member_id)
    return pasrr_scope(actor(request)).filter(member=member)


@router.post("/facility-stays/{stay_id}/pasrr", response={201: PasrrOut, **ERRORS})
def record_pasrr(request: HttpRequest, stay_id: uuid.UUID, payload: PasrrIn) -> Status[PasrrScreening]:
    """Record the PASRR of a nursing-facility admission: Level I, Level II when needed, the determination."""
    user = actor(request)
    stay = stay_get(user, stay_id)
    data = payload.dict()
    auth_id = data.pop("authorization_id")
    authorization = authorization_get(user, auth_id) if auth_id else None
    return Status(201, services.pasrr_record(actor=user, stay=stay, authorization=authorization, **data))


@router.get("/members/{member_id}/pcs", response={200: list[PcsOut], **READ_ERRORS})
def list_pcs(request: HttpRequest, member_id: uuid.UUID) -> object:
    member = member_get(actor(request), member_id)
    return pcs_scope(actor(request)).filter(member=member)


@router.post("/members/{member_id}/pcs", response={201: PcsOut, **ERRORS})
def record_pcs(request: HttpRequest, member_id: uuid.UUID, payload: PcsIn) -> Status[PhysicianCertification]:
    """Record a Physician Certification Statement for NEMT in one mode (at most 12 months; the plan's form)."""
    member = member_get(actor(request), member_id)
    return Status(201, nemt.pcs_record(actor=actor(request), member=member, **payload.dict()))


@router.post("/pcs/{pcs_id}/revoke", response={200: PcsOut, **ERRORS})
def revoke_pcs(request: HttpRequest, pcs_id: uuid.UUID, payload: RevokeIn) -> PhysicianCertification:
    return nemt.pcs_revoke(actor=actor(request), pcs=pcs_get(actor(request), pcs_id), reason=payload.reason)


@router.post("/tasks/{task_id}/ride", response={200: RideOut, **ERRORS})
def set_ride(request: HttpRequest, task_id: uuid.UUID, payload: RideIn) -> Ride:
    """Say how a transportation task's ride travels; an NEMT ride is then completed only with a current PCS."""
    task = task_get(actor(request), task_id)
    return nemt.ride_record(actor=actor(request), task=task, **payload.dict())
