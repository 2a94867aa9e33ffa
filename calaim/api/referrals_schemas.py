"""Referral API schemas, split by use."""

import datetime as dt
import uuid
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import field_validator

from calaim.api.types import Day, Line, Note
from calaim.core.inputs import cin_normalized
from calaim.core.phones import normalize_phone
from calaim.members.models import CIN_PATTERN
from calaim.referrals.models import LoopEvent, Referral
from calaim.referrals.selectors import loop_history

# An e-mail address or nothing; no spaces or control characters.
EMAIL_PATTERN = r"^([^@\s\x00-\x1f\x7f-\x9f]+@[^@\s\x00-\x1f\x7f-\x9f]+\.[^@\s\x00-\x1f\x7f-\x9f]+)?$"
CriterionKey = Annotated[Line, Field(min_length=1, max_length=60)]


class PofAttestationIn(Schema):
    pof: Line = Field(..., min_length=1, max_length=20, examples=["A1"])
    criteria: list[CriterionKey] = Field(..., min_length=1, max_length=50, examples=[["homeless", "complex_need"]])
    facts: Note = Field(
        ..., min_length=1, max_length=4000, examples=["Sleeping in car since March; CHF, missed 3 visits"]
    )


class ReferralCreateIn(Schema):
    member_cin: str = Field(..., pattern=CIN_PATTERN, examples=["91234567A"])
    member_birth_date: Day
    source_type: Line = Field(..., min_length=1, max_length=40, examples=["pcp"])
    form: Literal["ecm_adult", "ecm_child", "eligibility_verification", "plan_identification"]
    urgency: Literal["routine", "expedited"] = "routine"
    referrer_name: Line = Field(..., min_length=1, max_length=200)
    referrer_role: Line = Field("", max_length=100)
    referrer_npi: str = Field("", pattern=r"^([0-9]{10})?$")
    referrer_phone: Line = Field("", max_length=20)
    referrer_email: str = Field("", max_length=254, pattern=EMAIL_PATTERN)
    member_phone: Line = Field("", max_length=20)
    member_address: Line = Field("", max_length=300)
    member_experiencing_homelessness: bool | None = None
    pof_attestations: list[PofAttestationIn] = Field(default_factory=list, max_length=20)
    member_aware: bool
    attested_by: Line = Field(..., min_length=1, max_length=200)
    attested_on: Day = Field(..., description="When the referrer attested: today or earlier (plan-local).")
    notes: Note = Field("", max_length=4000)

    @field_validator("member_cin", mode="before")
    @classmethod
    def _cin(cls, value: object) -> object:
        return cin_normalized(value) if isinstance(value, str) else value  # "9123 4567-a" is 91234567A

    @field_validator("member_phone", "referrer_phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        return normalize_phone(value) if value else value


class LoopStepOut(Schema):
    """One step of the closed loop: calaim's status and the DHCS Referral Status (and closure reason) it maps to."""

    status: str
    at: dt.datetime
    reason: str
    loop_status: str = Field(..., description="DHCS Closed-Loop Referral status: Accepted, Declined, Pending, ...")
    loop_closure_reason: str = Field(..., description="DHCS Reason for Referral Loop Closure, when closed.")


class ReferralOut(Schema):
    id: uuid.UUID
    member_id: uuid.UUID
    member_cin: str = Field(..., alias="member.cin")
    member_name: str = Field(..., alias="member.full_name")
    source_type: str
    form: str
    urgency: str
    referrer_name: str
    referrer_organization_id: uuid.UUID | None
    pof_attestations: list[dict[str, object]]
    member_aware: bool
    received_at: dt.datetime
    status: str
    status_changed_at: dt.datetime
    closure_reason: str
    loop_status: str
    loop_closure_reason: str
    linked_to_id: uuid.UUID | None


class ReferralDetailOut(ReferralOut):
    status_updates: list[LoopStepOut] = Field(..., description="The closed loop, oldest step first.")

    @staticmethod
    def resolve_status_updates(obj: Referral) -> list[LoopEvent]:
        return list(loop_history(obj))
