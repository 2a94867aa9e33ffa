"""The PHI read log for plan compliance staff: the reads of their plan's members by member, by user and by date,
paged, and as a CSV export that streams (reading the log is itself logged, like every read of member data)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from calaim.access.phi_log import (
    PhiLogFilters,
    can_view_phi_log,
    phi_log_member_by_cin,
    phi_reads,
    phi_reads_page,
)
from calaim.accounts.models import User
from calaim.core.clock import PLAN_TIME_ZONE
from calaim.core.errors import NotFound
from calaim.core.models import PhiRead
from calaim.core.policy import Verdict
from calaim.web.access import staff, verified_required
from calaim.web.forms_compliance import PhiLogFilterForm

CSV_HEADER = [
    "at", "user", "role", "member_cin", "member_name", "view", "method", "path", "query", "ip", "status", "request_id",
]  # fmt: skip
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _refuse_unless(verdict: Verdict) -> None:
    """A refusal as a page answers it: 404 outside the caller's scope, 403 for a role that may not."""
    if isinstance(verdict.error, NotFound):
        raise Http404(verdict.reason)
    if verdict.error is not None:
        raise PermissionDenied(verdict.reason)


def _filters(request: HttpRequest) -> tuple[User, PhiLogFilterForm, PhiLogFilters | None]:
    """The caller, the filter form, and the filters it asks for (None when the form has errors)."""
    user = staff(request)
    _refuse_unless(can_view_phi_log(user))
    form = PhiLogFilterForm(request.GET or None)
    if not form.is_bound:
        return user, form, PhiLogFilters()
    if not form.is_valid():
        return user, form, None
    data = form.cleaned_data
    member = None
    if data["member"]:
        member = phi_log_member_by_cin(user, data["member"])
        if member is None:
            form.add_error("member", "No member of your plan has this CIN.")
            return user, form, None
    return user, form, PhiLogFilters(member=member, username=data["user"].strip(), start=data["start"], end=data["end"])


@verified_required
def phi_log(request: HttpRequest) -> HttpResponse:
    """Reads of the plan's members' data, latest first, fifty a page."""
    user, form, filters = _filters(request)
    context: dict[str, Any] = {"form": form, "filters": filters, "page": None}
    if filters is not None:
        context["page"] = phi_reads_page(phi_reads(user, filters), before=request.GET.get("before", ""))
    return render(request, "web/compliance/phi_log.html", context, status=400 if form.errors else 200)


@verified_required
def phi_log_csv(request: HttpRequest) -> HttpResponse:
    """Every read the filters select, as CSV; streamed, so a long log never sits in memory."""
    user, form, filters = _filters(request)
    if filters is None:
        return render(request, "web/compliance/phi_log.html", {"form": form, "page": None}, status=400)
    response = StreamingHttpResponse(_csv_lines(phi_reads(user, filters)), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime(timezone.now(), PLAN_TIME_ZONE)
    response["Content-Disposition"] = f'attachment; filename="phi-reads-{stamp:%Y%m%d-%H%M%S}.csv"'
    return cast(HttpResponse, response)  # verified_required's views answer HttpResponse; Django takes a stream too


class _Line:
    """A file-like whose write returns the line, so csv.writer can feed a stream."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(reads: Any) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield writer.writerow(CSV_HEADER)
    for read in reads.iterator(chunk_size=2000):
        yield writer.writerow([_cell(value) for value in _csv_row(read)])


def _csv_row(read: PhiRead) -> list[object]:
    return [
        timezone.localtime(read.at, PLAN_TIME_ZONE).isoformat(),
        read.user_label,
        read.user_role,
        read.member.cin,
        read.member.full_name,
        read.view,
        read.method,
        read.path,
        read.query,
        read.ip or "",
        read.status,
        read.request_id,
    ]


def _cell(value: object) -> object:
    """Text a spreadsheet would run as a formula (a search typed as "=HYPERLINK(...)") is kept as text."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value
