"""Community Supports API schemas."""

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema
from pydantic import field_validator

from calaim.api.referrals_schemas import CriterionKey, LoopStepOut
from calaim.api.types import Day, Dollars, Hours, Line, Moment, Note, Units
from calaim.community_supports.models import MAX_MEALS_PER_DAY, CsRequest
from calaim.community_supports.selectors import cs_loop_history
from calaim.core.inputs import cin_normalized
from calaim.members.models import CIN_PATTERN
from calaim.referrals.models import LoopEvent


class ServiceOut(Schema):
    code: str
    name: str
    description: str
    criteria: list[dict[str, object]]
    criteria_all: bool
    hcpcs: list[dict[str, object]]
    unit: str
    limits_summary: str
    retro_authorized: bool
    streamlined: bool
    version: str


ServiceCode = Annotated[Line, Field(min_length=1, max_length=40, examples=["recuperative_care"])]


class ServiceRequestIn(Schema):
    service_code: ServiceCode
    justification: Note = Field(..., min_length=1, max_length=4000)
    criteria: list[CriterionKey] = Field(
        default_factory=list, max_length=50, description="Criterion keys the referrer attests to."
    )
    requested_start: Day
    requested_end: Day
    quantity: Units = Field(Decimal(0), description="Hours (respite, personal care) or meals a day.")
    amount: Dollars = Field(Decimal(0), description="Dollars (deposits, home modifications...).")
    change_in_circumstances: bool = False
    extended: bool = Field(False, description="Ask for an extension past the standard course (meals: 26 weeks).")
    at_discharge: bool = False


class CsReferralIn(Schema):
    member_cin: str = Field(..., pattern=CIN_PATTERN, examples=["91234567A"])
    member_birth_date: Day
    source_type: Line = Field(..., min_length=1, max_length=40)
    referrer_name: Line = Field(..., min_length=1, max_length=200)
    member_aware: bool
    attested_by: Line = Field(..., min_length=1, max_length=200)
    attested_on: Day = Field(..., description="When the referrer attested: today or earlier (plan-local).")
    services: list[ServiceRequestIn] = Field(..., min_length=1, max_length=20)
    ecm_enrollment_id: uuid.UUID | None = None

    @field_validator("member_cin", mode="before")
    @classmethod
    def _cin(cls, value: object) -> object:
        return cin_normalized(value) if isinstance(value, str) else value  # "9123 4567-a" is 91234567A


class CsRequestOut(Schema):
    id: uuid.UUID
    member_id: uuid.UUID
    service_code: str
    source_type: str
    referrer_name: str
    justification: str
    requested_start: dt.date
    requested_end: dt.date
    quantity: Decimal
    amount: Decimal
    status: str
    status_changed_at: dt.datetime
    closure_reason: str
    loop_status: str
    loop_closure_reason: str
    eligibility: dict[str, object]
    linked_to_id: uuid.UUID | None
    authorization_id: uuid.UUID | None
    provider_id: uuid.UUID | None
    received_at: dt.datetime
    status_updates: list[LoopStepOut] = Field(..., description="The closed loop, oldest step first.")

    @staticmethod
    def resolve_status_updates(obj: CsRequest) -> list[LoopEvent]:
        return list(cs_loop_history(obj))


class DeliveryIn(Schema):
    start_date: Day
    end_date: Day
    units: Units
    cost: Dollars
    hours: Hours = Decimal(0)
    meals_per_day: int | None = Field(None, ge=0, le=MAX_MEALS_PER_DAY)
    started_at: Moment | None = Field(None, description="Without an offset: the plan's local time.")
    ended_at: Moment | None = None
    confirmed_repeat: bool = Field(False, description="A separate delivery on a day another one already covers.")


class DeliveryOut(Schema):
    id: uuid.UUID
    request_id: uuid.UUID
    service_code: str
    provider_id: uuid.UUID
    start_date: dt.date
    end_date: dt.date
    units: Decimal
    cost: Decimal
    hours: Decimal
    meals_per_day: int | None
    confirmed_repeat: bool


class CloseIn(Schema):
    reason: Note = Field(..., min_length=1, max_length=2000)


class ReassignIn(Schema):
    services_wanted: list[ServiceCode] = Field(..., min_length=1, max_length=50)
    note: Note = Field("", max_length=2000)


class ReassignOut(Schema):
    id: uuid.UUID
    member_id: uuid.UUID
    from_delegate_id: uuid.UUID
    reassigned_on: dt.date
    services_wanted: list[str]


class OptionOut(Schema):
    service: str
    name: str
    outcome: str
    criteria: list[dict[str, object]]
    why_not: list[str]
    needs_attestation: list[str]
    offered_from: dt.date | None
    remaining: list[dict[str, object]]
