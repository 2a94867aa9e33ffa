"""Closed-loop monitoring for the plan's compliance officers and data analysts: the table per referring entity or
provider with its filters, the open loops past the configured age (member by member: on the PHI read log), and
both as CSV."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from calaim.core.clock import PLAN_TIME_ZONE
from calaim.core.errors import DomainError
from calaim.exchange.monitoring import LoopFilters, monitoring_choices
from calaim.exchange.monitoring_export import (
    loop_monitoring_for,
    monitoring_csv_rows,
    open_loops_csv_rows,
    open_loops_for,
)
from calaim.exchange.report_policies import can_view_plan_reports, report_plan_of
from calaim.web.access import staff, verified_required
from calaim.web.forms_reports import LoopMonitoringForm
from calaim.web.views.qimr import refuse_unless

OPEN_LOOPS_SHOWN = 50
FILTER_FIELDS = ("start", "end", "program", "referrer", "provider", "group")


def _filters(request: HttpRequest) -> tuple[LoopMonitoringForm, LoopFilters | None]:
    """The filter form and the filters it asks for (None when the form has errors)."""
    user = staff(request)
    refuse_unless(can_view_plan_reports(user))
    referrers, providers = monitoring_choices(report_plan_of(user))
    form = LoopMonitoringForm(request.GET, referrers=referrers, providers=providers)
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    try:
        return form, LoopFilters(**{name: data[name] for name in FILTER_FIELDS})
    except DomainError as refusal:
        form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
        return form, None


@require_GET
@verified_required
def loop_monitoring(request: HttpRequest) -> HttpResponse:
    """The table for the filters, its totals, and the oldest open loops past the configured age."""
    form, filters = _filters(request)
    context: dict[str, Any] = {"form": form, "result": None}
    if filters is not None:
        user = staff(request)
        context["result"] = loop_monitoring_for(user, filters)
        context["open_total"], context["open_loops"] = open_loops_for(user, filters, limit=OPEN_LOOPS_SHOWN)
    return render(request, "web/reports/loop_monitoring.html", context, status=400 if form.errors else 200)


@require_GET
@verified_required
def loop_monitoring_csv(request: HttpRequest) -> HttpResponse:
    """The same table as CSV; with `rows=open`, every open loop past the configured age, one per line."""
    form, filters = _filters(request)
    if filters is None:
        return render(request, "web/reports/loop_monitoring.html", {"form": form, "result": None}, status=400)
    user = staff(request)
    if request.GET.get("rows") == "open":
        _, loops = open_loops_for(user, filters, limit=None)
        return _csv(open_loops_csv_rows(loops), "open-loops")
    return _csv(monitoring_csv_rows(loop_monitoring_for(user, filters)), f"closed-loop-{filters.group}")


class _Line:
    """A file-like whose write returns the line, so csv.writer can build each line."""

    def write(self, value: str) -> str:
        return value


def _lines(rows: Iterable[list[object]]) -> Iterator[str]:
    writer = csv.writer(_Line())
    for row in rows:
        yield writer.writerow(row)


def _csv(rows: Iterable[list[object]], stem: str) -> HttpResponse:
    response = HttpResponse("".join(_lines(rows)), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime(timezone.now(), PLAN_TIME_ZONE)
    response["Content-Disposition"] = f'attachment; filename="{stem}-{stamp:%Y%m%d-%H%M%S}.csv"'
    return response
