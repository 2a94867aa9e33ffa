"""The plan's state reports for its compliance officers and data analysts: the QIMR workbook for a quarter, and
closed-loop monitoring (the table per referring entity or provider, as JSON or CSV, and the open loops past the
configured age). Any other role is refused (403); another plan's reports do not exist for the caller (404)."""

import csv
import io
import uuid
from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Router

from calaim.api.auth import actor
from calaim.api.errors import errors
from calaim.api.reports_schemas import (
    QIMR_WORKBOOK,
    XLSX,
    LoopMonitoringOut,
    OpenLoopsOut,
    with_csv,
)
from calaim.api.types import Day, Line
from calaim.exchange.monitoring import LoopFilters, default_period
from calaim.exchange.monitoring_export import (
    OPEN_LOOPS_PAGE,
    loop_monitoring_for,
    monitoring_csv_rows,
    open_loops_csv_rows,
    open_loops_for,
)
from calaim.exchange.qimr import qimr_for, qimr_write

router = Router(tags=["reports"])
REPORT_ERRORS = errors(401, 403, 404, 422)
Program = Literal["ecm", "cs"]
Group = Literal["referrer", "provider"]
Format = Literal["json", "csv"]


@router.get("/reports/qimr", response={200: None, **REPORT_ERRORS}, openapi_extra=QIMR_WORKBOOK)
def get_qimr(request: HttpRequest, quarter: Line, plan: Line = "") -> HttpResponse:
    """Your plan's QIMR for the quarter (`YYYYQn`, e.g. 2026Q1) as an Excel workbook: tabs 1 to 6, each with the
    columns of the template version in force (tabs 2 and 3 are marked to confirm). `plan` may name your own plan."""
    report = qimr_for(actor(request), quarter=quarter, plan_code=plan)
    response = HttpResponse(content_type=XLSX)
    qimr_write(report, response)
    response["Content-Disposition"] = f'attachment; filename="{report.file_name}"'
    return response


def _filters(
    start: Day | None, end: Day | None, program: Program | None, referrer: uuid.UUID | None,
    provider: uuid.UUID | None, group: Group,
) -> LoopFilters:  # fmt: skip
    default_start, default_end = default_period()
    return LoopFilters(
        start=start or default_start,
        end=end or default_end,
        program=program or "",
        referrer=referrer,
        provider=provider,
        group=group,
    )


def _csv(rows: object, stem: str) -> HttpResponse:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)  # type: ignore[arg-type]
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
    return response


@router.get(
    "/reports/closed-loop",
    response={200: LoopMonitoringOut, **REPORT_ERRORS},
    openapi_extra=with_csv("The table as CSV when format=csv: a header, one line per row, then the totals."),
)
def get_closed_loop(
    request: HttpRequest,
    start: Day | None = None,
    end: Day | None = None,
    program: Program | None = None,
    referrer: uuid.UUID | None = None,
    provider: uuid.UUID | None = None,
    group: Group = "referrer",
    format: Format = "json",
) -> object:
    """Closed-loop monitoring of your plan's ECM referrals and CS requests received from `start` to `end` (plan
    dates, both included; the last twelve months by default), one row per program and referring entity (or
    provider, `group=provider`): referrals, open, open past the configured age, closed and why, average days from
    receipt to each DHCS Referral Status, notices sent. `format=csv` answers the same rows as CSV."""
    filters = _filters(start, end, program, referrer, provider, group)
    monitoring = loop_monitoring_for(actor(request), filters)
    if format == "csv":
        return _csv(monitoring_csv_rows(monitoring), f"closed-loop-{group}")
    return {
        "start": filters.start,
        "end": filters.end,
        "program": filters.program,
        "group": filters.group,
        "open_age_days": monitoring.open_age_days,
        "statuses": monitoring.statuses,
        "closure_reasons": monitoring.closure_reasons,
        "rows": monitoring.rows,
        "totals": monitoring.totals,
    }


@router.get(
    "/reports/closed-loop/open-loops",
    response={200: OpenLoopsOut, **REPORT_ERRORS},
    openapi_extra=with_csv("Every open loop past the age as CSV when format=csv, one per line."),
)
def get_open_loops(
    request: HttpRequest,
    start: Day | None = None,
    end: Day | None = None,
    program: Program | None = None,
    referrer: uuid.UUID | None = None,
    provider: uuid.UUID | None = None,
    format: Format = "json",
) -> object:
    """Your plan's open loops received in the period and older than the configured age, oldest first (the first
    200; `format=csv` gives them all): member, referring entity, provider, age, current DHCS Referral Status."""
    filters = _filters(start, end, program, referrer, provider, "referrer")
    total, loops = open_loops_for(actor(request), filters, limit=None if format == "csv" else OPEN_LOOPS_PAGE)
    if format == "csv":
        return _csv(open_loops_csv_rows(loops), "open-loops")
    return {"total": total, "loops": loops}
