"""What the state reports' API answers: closed-loop monitoring's table (JSON, or CSV on request), its open loops
past the configured age, and the QIMR workbook's media type."""

import datetime as dt
import uuid
from typing import Any

from ninja import Field, Schema

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

QIMR_WORKBOOK: dict[str, Any] = {
    "responses": {
        200: {
            "description": "The QIMR workbook: one sheet per tab, the first row the template's columns.",
            "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


def with_csv(description: str) -> dict[str, Any]:
    """A JSON answer that `format=csv` gives as CSV instead."""
    return {"responses": {200: {"description": description, "content": {"text/csv": {"schema": {"type": "string"}}}}}}


class LoopRowOut(Schema):
    program: str = Field(..., description="ecm or cs; empty on the totals row.")
    entity_id: uuid.UUID | None = Field(None, description="The referring organization or provider, when it is one.")
    entity: str = Field(..., description="Its name (a referrer without an organization: the name it gave).")
    referrals: int
    open: int
    open_over_age: int = Field(..., description="Open loops received longer ago than the configured age.")
    closed: int
    closure_reasons: dict[str, int] = Field(..., description="Closed loops by Reason for Referral Loop Closure.")
    days_to_status: dict[str, float | None] = Field(
        ..., description="Average days from receipt to the loop's first step at each DHCS Referral Status."
    )
    reached_status: dict[str, int] = Field(..., description="Loops that reached each DHCS Referral Status.")
    member_notices: int = Field(..., description="Notices sent to the members.")
    referrer_notices: int = Field(..., description="Notifications sent to the referrers.")


class LoopMonitoringOut(Schema):
    start: dt.date
    end: dt.date
    program: str
    group: str
    open_age_days: int = Field(..., description="The plan's configured age past which an open loop is flagged.")
    statuses: list[str]
    closure_reasons: list[str]
    rows: list[LoopRowOut]
    totals: LoopRowOut


class OpenLoopOut(Schema):
    program: str
    member_id: uuid.UUID
    member_cin: str
    member_name: str
    referrer: str
    provider: str
    received_on: dt.date
    age_days: int
    loop_status: str = Field(..., description="The current DHCS Referral Status.")


class OpenLoopsOut(Schema):
    total: int = Field(..., description="Every open loop past the configured age; `loops` holds the oldest.")
    loops: list[OpenLoopOut]
