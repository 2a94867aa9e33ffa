"""The QIMR page for the plan's compliance officers and data analysts: choose a quarter, see which template version
each tab follows (tabs 2 and 3: to confirm), and download the workbook (its member rows go on the PHI read log)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from calaim.core.errors import DomainError, NotFound
from calaim.core.policy import Verdict
from calaim.exchange.qimr import qimr_for, qimr_write, quarter_parse
from calaim.exchange.qimr_template import qimr_templates, template_summary
from calaim.exchange.report_policies import can_view_plan_reports, report_plan_of
from calaim.web.access import staff, verified_required
from calaim.web.forms_reports import QimrForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def refuse_unless(verdict: Verdict) -> None:
    """A refusal as a page answers it: 404 outside the caller's scope, 403 for a role that may not."""
    if isinstance(verdict.error, NotFound):
        raise Http404(verdict.reason)
    if verdict.error is not None:
        raise PermissionDenied(verdict.reason)


def _page(request: HttpRequest, form: QimrForm, status: int = 200) -> HttpResponse:
    plan = report_plan_of(staff(request))
    chosen = form.cleaned_data["quarter"] if form.is_bound and form.is_valid() else form.fields["quarter"].initial
    tabs, problem = [], ""
    try:
        tabs = template_summary(qimr_templates(quarter_parse(chosen)))
    except DomainError as refusal:
        problem = refusal.message
    context = {"form": form, "plan": plan, "quarter": chosen, "tabs": tabs, "problem": problem}
    return render(request, "web/reports/qimr.html", context, status=status)


@require_GET
@verified_required
def qimr(request: HttpRequest) -> HttpResponse:
    """The quarter to report and the tabs its workbook will hold."""
    refuse_unless(can_view_plan_reports(staff(request)))
    form = QimrForm(request.GET or None)
    return _page(request, form, status=400 if form.is_bound and not form.is_valid() else 200)


@require_GET
@verified_required
def qimr_download(request: HttpRequest) -> HttpResponse:
    """The plan's QIMR workbook for the quarter asked for."""
    user = staff(request)
    refuse_unless(can_view_plan_reports(user))
    form = QimrForm(request.GET)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        report = qimr_for(user, quarter=form.cleaned_data["quarter"])
    except DomainError as refusal:
        form.add_error("quarter", refusal.message)
        return _page(request, form, status=400)
    response = HttpResponse(content_type=XLSX)
    qimr_write(report, response)
    response["Content-Disposition"] = f'attachment; filename="{report.file_name}"'
    return response
