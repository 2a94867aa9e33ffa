"""What the identification endpoints answer: runs (status, files, counts, the command's summary), their candidates
and their loads as referrals."""

import datetime as dt
import uuid
from typing import Any

from ninja import Field, Schema

from calaim.analytics.models import IdentificationCandidate, IdentificationRun, RunStatus
from calaim.analytics.summary import run_summary, summary_rows, summary_title, summary_warnings
from calaim.api.types import Day, Line


class RunIn(Schema):
    as_of: Day | None = Field(None, description="The run date (default: the plan's today); never after today.")
    members_server_file: Line = Field(
        "", max_length=500, description="A members file in the plan's server folder, by the name listed there."
    )
    claims_server_file: Line = Field(
        "", max_length=500, description="A claims file in the plan's server folder, by the name listed there."
    )


class InputFileOut(Schema):
    name: str = Field(..., description="The file's name as it was uploaded, or its name in the server folder.")
    origin: str = Field(..., description="upload or server")
    sha256: str = Field(..., description="Empty until the run starts, for a server file.")
    size: int


class RunErrorOut(Schema):
    input: str = Field("", description="members or claims: which input is at fault, when one is.")
    file: str = ""
    row: int | None = Field(None, description="The data row, counted from 1 (the header not counted).")
    column: str | None = None
    problem: str = ""


class SummaryRowOut(Schema):
    measure: str
    value: str


class SummaryOut(Schema):
    title: str
    table: list[SummaryRowOut] = Field(..., description="The rows of `calaim identify`'s summary table.")
    warnings: list[str] = Field(..., description="Claims skipped because their CIN is not in the members file.")
    candidates_by_pof: dict[str, int]
    exclusions_by_reason: dict[str, int]


class LoadOut(Schema):
    id: uuid.UUID
    status: str = Field(..., description="queued, running, completed or failed")
    created_at: dt.datetime
    created_by: str = Field(..., alias="created_by.username")
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    rows: int
    members: int
    referrals_created: int
    skipped: dict[str, int] = Field(..., description="Members skipped, by reason.")
    determined: dict[str, int]
    message: str


class RunListOut(Schema):
    id: uuid.UUID
    status: str = Field(..., description="queued, running, completed or failed")
    phase: str = Field(..., description="The step the job is on while it runs.")
    as_of: dt.date
    engine: str
    rule_version: str
    created_at: dt.datetime
    created_by: str = Field(..., alias="created_by.username")
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    elapsed_seconds: float | None
    members: InputFileOut
    claims: InputFileOut
    members_read: int
    claims_read: int
    unknown_member_claims: int
    candidates_count: int = Field(..., description="Candidate rows listed: members of the run's plan.")
    candidates_other_plan: int = Field(..., description="Rows of CINs calaim knows in another plan: not listed.")
    exclusions_count: int

    @staticmethod
    def resolve_members(obj: IdentificationRun) -> dict[str, Any]:
        return _input(obj, "members")

    @staticmethod
    def resolve_claims(obj: IdentificationRun) -> dict[str, Any]:
        return _input(obj, "claims")


class RunOut(RunListOut):
    summary: SummaryOut | None = Field(None, description="Once the run has completed.")
    error: RunErrorOut | None = Field(None, description="Why the run failed, naming the file, row and column.")
    message: str
    loads: list[LoadOut]

    @staticmethod
    def resolve_summary(obj: IdentificationRun) -> dict[str, Any] | None:
        if obj.status != RunStatus.COMPLETED:
            return None
        summary = run_summary(obj)
        return {
            "title": summary_title(summary),
            "table": [{"measure": m, "value": v} for m, v in summary_rows(summary)],
            "warnings": summary_warnings(summary),
            "candidates_by_pof": summary.candidates_by_pof,
            "exclusions_by_reason": summary.exclusions_by_reason,
        }

    @staticmethod
    def resolve_error(obj: IdentificationRun) -> dict[str, Any] | None:
        return obj.error or None

    @staticmethod
    def resolve_loads(obj: IdentificationRun) -> list[Any]:
        return list(getattr(obj, "load_list", []))  # read by the endpoint through its selector


class CandidateOut(Schema):
    cin: str
    member_id: uuid.UUID | None = Field(..., description="calaim's member, when calaim knows the CIN.")
    member_name: str | None
    pof: str
    evidence_count: int
    first_evidence_date: dt.date | None
    last_evidence_date: dt.date | None
    evidence_claim_ids: list[str] = Field(..., description="The first 20 evidence claims, earliest first.")
    route_to: str

    @staticmethod
    def resolve_member_name(obj: IdentificationCandidate) -> str | None:
        return obj.member.full_name if obj.member is not None else None


class ServerFileOut(Schema):
    name: str


def _input(run: IdentificationRun, kind: str) -> dict[str, Any]:
    return {
        "name": getattr(run, f"{kind}_name"),
        "origin": getattr(run, f"{kind}_origin"),
        "sha256": getattr(run, f"{kind}_sha256"),
        "size": getattr(run, f"{kind}_size"),
    }
