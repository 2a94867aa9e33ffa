"""ECM API schemas."""

import datetime as dt
import uuid

from ninja import Field, Schema

from calaim.api.types import Day, Line, Note


class DeterminationOut(Schema):
    id: uuid.UUID
    member_id: uuid.UUID
    referral_id: uuid.UUID | None
    determined_on: dt.date
    outcome: str
    qualified_pofs: list[str]
    explanation: dict[str, object]
    other_supports: list[str]
    rule_version: str


class EligibilityPreviewOut(Schema):
    member_id: uuid.UUID
    on: dt.date
    outcome: str
    qualified_pofs: list[str]
    explanation: dict[str, object]
    rule_version: str


class AssignIn(Schema):
    provider_id: uuid.UUID | None = Field(
        None, description="The member's chosen ECM provider; omit to assign automatically."
    )


class EnrollmentOut(Schema):
    id: uuid.UUID
    member_id: uuid.UUID
    referral_id: uuid.UUID
    authorization_id: uuid.UUID
    provider_id: uuid.UUID
    provider_name: str = Field(..., alias="provider.name")
    status: str
    assignment_method: str
    assignment_reasons: list[str]
    assigned_at: dt.datetime
    enrolled_on: dt.date | None
    ended_on: dt.date | None
    discontinuation_reason: str
    lead_care_manager: str | None = None
    previous_id: uuid.UUID | None

    @staticmethod
    def resolve_lead_care_manager(obj: object) -> str | None:
        manager = obj.lead_care_manager  # type: ignore[attr-defined]
        return manager.username if manager else None


class EnrollIn(Schema):
    enrolled_on: Day


class ProviderChangeIn(Schema):
    provider_id: uuid.UUID | None = Field(None, description="The new provider the member chose; omit for automatic.")
    reason: Note = Field(..., min_length=1, max_length=2000)


class LeadCareManagerIn(Schema):
    care_manager: Line = Field(..., min_length=1, max_length=150, description="Username of a care manager.")


class DisenrollIn(Schema):
    reason: Line = Field(..., min_length=1, max_length=40, examples=["opted_out"])
    effective_on: Day | None = None
    note: Note = Field("", max_length=2000)


class DisenrollOut(Schema):
    enrollment: EnrollmentOut
    other_supports_offered: list[str]


class ProviderOptionOut(Schema):
    organization_id: uuid.UUID
    name: str
    phone: str
    languages: list[str]
    pof_codes: list[str]
    capacity: int
    free_places: int
