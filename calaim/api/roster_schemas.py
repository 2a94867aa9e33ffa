"""What the roster loads' API answers: a load (status, progress, counts), and for one load also its sample members
by kind of change and its first rejected rows."""

import datetime as dt
import uuid
from typing import Any

from ninja import Field, Schema

from calaim.roster.models import RosterLoad
from calaim.roster.tasks import roster_load_progress
from calaim.roster.uploads import ENDINGS_IN_WORDS

ROSTER_UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "title": "RosterUploadIn",
                    "type": "object",
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": f"The plan's complete roster, as {ENDINGS_IN_WORDS}.",
                        },
                        "as_of": {
                            "type": "string",
                            "format": "date",
                            "description": "The day the roster describes, YYYY-MM-DD; members of the plan absent "
                            "from it are termed the day before.",
                        },
                        "accept_valid_rows": {
                            "type": "boolean",
                            "default": False,
                            "description": "Apply the valid rows when some have errors (they are listed and kept "
                            "in the rejects file); otherwise any error changes nothing.",
                        },
                    },
                    "required": ["file", "as_of"],
                }
            }
        },
    }
}
REJECTS_CSV: dict[str, Any] = {
    "responses": {
        200: {
            "description": "Every rejected row: row, column, value, message.",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    }
}


class ProgressOut(Schema):
    phase: str = Field(..., description="What the running step is doing, in words; empty when none runs.")
    done: int
    total: int
    percent: int | None


class EarlierLoadOut(Schema):
    id: uuid.UUID
    created_at: dt.datetime
    loaded_by: str = Field(..., alias="actor_label")
    as_of: dt.date


class RosterLoadOut(Schema):
    id: uuid.UUID
    plan: str = Field(..., alias="plan.code")
    as_of: dt.date
    file_name: str
    file_sha256: str
    file_size: int
    source: str
    status: str = Field(..., description="uploaded, previewing, previewed, applying, applied, rejected, refused, "
                        "duplicate, cancelled, failed (dry_run: from the command line).")  # fmt: skip
    status_label: str
    accept_valid_rows: bool
    allow_mass_term: bool
    created_at: dt.datetime
    loaded_by: str = Field(..., alias="actor_label")
    apply_confirmed_by: str | None = Field(..., description="Who confirmed the apply, once someone has.")
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    progress: ProgressOut
    counts: dict[str, Any] = Field(
        ..., description="rows_read, created, updated, unchanged, termed, moved, excluded, dsnp, delegated, "
        "rejected, rejected_by_reason, enrolled_before, term_percent, elapsed_seconds (those the load has)."
    )  # fmt: skip
    error_count: int
    message: str
    duplicate_of: EarlierLoadOut | None = Field(..., description="The earlier load of the same bytes.")
    rejects_url: str | None

    @staticmethod
    def resolve_status_label(obj: RosterLoad) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_apply_confirmed_by(obj: RosterLoad) -> str | None:
        return obj.confirmed_by.username if obj.confirmed_by is not None else None

    @staticmethod
    def resolve_progress(obj: RosterLoad) -> dict[str, Any]:
        progress = roster_load_progress(obj)
        return {"phase": progress.phase, "done": progress.done, "total": progress.total, "percent": progress.percent}

    @staticmethod
    def resolve_rejects_url(obj: RosterLoad) -> str | None:
        return f"/api/roster-loads/{obj.pk}/rejects" if obj.rejects_path else None


class RowErrorOut(Schema):
    row: int | None = Field(..., description="The Nth data record of the file, 1-based; none for the whole file.")
    column: str | None
    value: str | None
    message: str


class RosterLoadDetailOut(RosterLoadOut):
    samples: dict[str, list[dict[str, Any]]] = Field(
        ..., description="Up to 50 members per kind of change: {kind: [{cin, name, changes: {field: [before, "
        "after]}}]}."
    )  # fmt: skip
    errors: list[RowErrorOut] = Field(..., description="The first rejected rows; the rejects file has them all.")

    @staticmethod
    def resolve_errors(obj: RosterLoad) -> list[dict[str, Any]]:
        return [_row_error(error) for error in (obj.errors or [])[:200] if isinstance(error, dict)]


def _row_error(error: dict[str, Any]) -> dict[str, Any]:
    row, column, value = error.get("row"), error.get("column"), error.get("value")
    return {
        "row": row if isinstance(row, int) else None,
        "column": None if column is None else str(column),
        "value": None if value is None else str(value),
        "message": str(error.get("message", "")),
    }


class RosterApplyIn(Schema):
    allow_mass_term: bool = Field(
        False,
        description="For a load the mass-termination guard refused: run the same file again as a new load that "
        "allows it (answered with that load; read its preview, then apply it).",
    )
