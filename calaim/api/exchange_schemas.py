"""What the provider files' API takes and answers: an upload (multipart), a load (status, progress, counts) and its
report (the rejected rows with row, column, value and message), a file to make and a file made."""

import datetime as dt
import uuid
from typing import Any, Literal

from ninja import Field, Schema

from calaim.api.types import Line
from calaim.exchange.models import ExchangeExport, ExchangeLoad, LoadStatus
from calaim.exchange.selectors import ERRORS_SHOWN, load_progress
from calaim.exchange.uploads import ENDINGS_IN_WORDS

NPI = r"^\d{10}$"
PERIOD = r"^\d{4}-(0[1-9]|1[0-2])$"
PlanCode = Line
ImportKind = Literal["rtf", "otf"]
ExportKind = Literal["mif", "rtf", "otf", "service_lines"]
Format = Literal["csv", "tsv", "psv", "xlsx"]
# The Content-Type of a made file, by its format.
CONTENT_TYPES = {
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "psv": "text/plain",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

EXCHANGE_UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "title": "ExchangeUploadIn",
                    "type": "object",
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": f"The RTF or OTF, as {ENDINGS_IN_WORDS}, with the DHCS template's header.",
                        },
                        "kind": {"type": "string", "enum": ["rtf", "otf"]},
                        "plan": {"type": "string", "description": "The plan's code, e.g. HPSJ."},
                        "provider": {
                            "type": "string",
                            "pattern": NPI,
                            "description": "The provider's NPI. Plan staff name the provider they upload for (or "
                            "leave it to the one NPI the file names); provider staff may omit it (their own).",
                        },
                        "accept_valid_rows": {
                            "type": "boolean",
                            "default": False,
                            "description": "Apply the valid rows when some have errors (those are kept in the "
                            "rejects file); otherwise any error changes nothing.",
                        },
                    },
                    "required": ["file", "kind", "plan"],
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
EXPORT_FILE: dict[str, Any] = {
    "responses": {
        200: {
            "description": "The file as it was made, in its format.",
            "content": {
                content_type: {"schema": {"type": "string", "format": "binary"}}
                for content_type in CONTENT_TYPES.values()
            },
        }
    }
}


class ProgressOut(Schema):
    phase: str = Field(..., description="What the load is doing, in words.")
    done: int
    total: int
    percent: int | None


class ProviderOut(Schema):
    id: uuid.UUID
    name: str
    npi: str


class EarlierLoadOut(Schema):
    id: uuid.UUID
    created_at: dt.datetime
    loaded_by: str = Field(..., alias="actor_label")


class ExchangeLoadOut(Schema):
    id: uuid.UUID
    kind: str = Field(..., description="rtf or otf.")
    plan: str = Field(..., alias="plan.code")
    provider: ProviderOut
    file_name: str
    file_format: str
    file_sha256: str
    file_size: int
    source: str
    status: str = Field(..., description=f"One of {', '.join(LoadStatus.values)}.")
    status_label: str
    accept_valid_rows: bool
    period: str = Field(..., description="The reporting period the file states (YYYY-MM), when it states one.")
    produced_on: dt.date | None
    created_at: dt.datetime
    loaded_by: str = Field(..., alias="actor_label")
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    progress: ProgressOut
    counts: dict[str, Any] = Field(
        ..., description="rows_read, applied, unchanged, rejected, rejected_by_reason, loop_steps, enrolled, "
        "discontinued, reports, contact_updates, encounter_counts, attempts, elapsed_seconds (those the load has)."
    )  # fmt: skip
    error_count: int
    message: str
    duplicate_of: EarlierLoadOut | None = Field(..., description="The earlier load of the same bytes.")
    rejects_url: str | None

    @staticmethod
    def resolve_status_label(obj: ExchangeLoad) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_progress(obj: ExchangeLoad) -> dict[str, Any]:
        progress = load_progress(obj)
        return {"phase": progress.phase, "done": progress.done, "total": progress.total, "percent": progress.percent}

    @staticmethod
    def resolve_rejects_url(obj: ExchangeLoad) -> str | None:
        return f"/api/exchange-loads/{obj.pk}/rejects" if obj.rejects_path else None


class RowErrorOut(Schema):
    row: int | None = Field(..., description="The Nth data record of the file, 1-based; none for the whole file.")
    column: str | None
    value: str | None
    message: str


class ExchangeLoadDetailOut(ExchangeLoadOut):
    errors: list[RowErrorOut] = Field(
        ..., description=f"The first {ERRORS_SHOWN} rejected rows; the rejects file has them all."
    )

    @staticmethod
    def resolve_errors(obj: ExchangeLoad) -> list[dict[str, Any]]:
        return [_row_error(error) for error in (obj.errors or [])[:ERRORS_SHOWN] if isinstance(error, dict)]


def _row_error(error: dict[str, Any]) -> dict[str, Any]:
    row, column, value = error.get("row"), error.get("column"), error.get("value")
    return {
        "row": row if isinstance(row, int) else None,
        "column": None if column is None else str(column),
        "value": None if value is None else str(value),
        "message": str(error.get("message", "")),
    }


class LoadFilter(Schema):
    plan: PlanCode | None = Field(None, max_length=20, description="A plan's code (provider staff: one of theirs).")
    provider: str | None = Field(None, pattern=NPI, description="A provider's NPI (plan staff).")
    kind: ImportKind | None = None
    period: str | None = Field(None, pattern=PERIOD, description="The reporting period the file states, YYYY-MM.")
    status: LoadStatus | None = None
    with_errors: bool | None = Field(None, description="true: only loads with errors; false: only loads without.")


class ExportFilter(Schema):
    plan: PlanCode | None = Field(None, max_length=20, description="A plan's code (provider staff: one of theirs).")
    provider: str | None = Field(None, pattern=NPI, description="A provider's NPI (plan staff).")
    kind: ExportKind | None = None
    period: str | None = Field(None, pattern=PERIOD, description="YYYY-MM.")


class ExportIn(Schema):
    kind: ExportKind
    plan: PlanCode = Field(..., min_length=1, max_length=20, description="The plan's code, e.g. HPSJ.")
    provider: str | None = Field(
        None, pattern=NPI, description="The provider's NPI: plan staff name it; provider staff may omit it."
    )
    period: str = Field(..., pattern=PERIOD, description="The reporting month, YYYY-MM.")
    format: Format = Field("csv", description="csv, tsv, psv (pipe) or xlsx.")


class ExchangeExportOut(Schema):
    id: uuid.UUID
    kind: str = Field(..., description="mif, rtf, otf or service_lines.")
    plan: str = Field(..., alias="plan.code")
    provider: ProviderOut
    period: str
    file_format: str
    file_name: str
    file_sha256: str
    file_size: int
    rows: int
    source: str
    created_at: dt.datetime
    made_by: str = Field(..., alias="actor_label")
    file_url: str

    @staticmethod
    def resolve_file_url(obj: ExchangeExport) -> str:
        return f"/api/exchange-exports/{obj.pk}/file"
