"""Identification runs for a plan's data analysts: the run form (upload the members and claims files, or pick them
in the plan's server folder) with the history of runs; a run's page (status while it runs, then the command's
summary, the candidates per Population of Focus with their evidence, the output files, and loading the candidates as
referrals); and the status partial the page polls. To anyone else none of it exists (404).

The form's files stream to disk as they arrive (calaim.analytics.uploads), so the upload handler must be in place
before anything reads the body: the view is exempt from the CSRF middleware, which would read it first, and checks
the token itself (csrf_protect) once the handler is installed."""

from __future__ import annotations

from typing import Any, cast

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from calaim.accounts.models import User
from calaim.analytics.models import OPEN_LOAD_STATUSES, IdentificationRun, RunSource, RunStatus
from calaim.analytics.policies import can_load_identification_candidates, can_run_identification
from calaim.analytics.selectors import (
    identification_candidates,
    identification_candidates_by_pof,
    identification_input,
    identification_loads,
    identification_output,
    identification_run_get,
    identification_runs,
    identification_server_files,
)
from calaim.analytics.summary import run_summary, summary_rows, summary_title, summary_warnings
from calaim.analytics.uploads import UploadStaging, body_too_large, staged_input, upload_staging
from calaim.core.errors import DomainError, NotFound, ValidationFailed
from calaim.core.policy import Verdict
from calaim.web.access import or_404, staff, verified_required
from calaim.web.forms_identification import IdentificationRunForm
from calaim.workflows.identification_run import (
    identification_engine,
    identification_load_start,
    identification_rule_version,
    identification_run_start,
)

RUNS_PER_PAGE = 25
CANDIDATES_PER_PAGE = 50
TOO_LARGE = "These files are larger than calaim takes (CALAIM_UPLOAD_MAX_MB): put them in the server folder instead."


def _analyst(request: HttpRequest) -> User:
    user = staff(request)
    _refuse_unless(can_run_identification(user))
    return user


def _refuse_unless(verdict: Verdict) -> None:
    if isinstance(verdict.error, NotFound):
        raise Http404(verdict.reason)


def _form_page(request: HttpRequest, user: User, form: IdentificationRunForm, status: int = 200) -> HttpResponse:
    runs = Paginator(identification_runs(user), RUNS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"form": form, "runs": runs, "engine": identification_engine(), "rules": identification_rule_version()}
    return render(request, "web/identification/runs.html", context, status=status)


@csrf_exempt  # checked by csrf_protect in _run_create, after the streaming upload handler is installed
@verified_required
def runs(request: HttpRequest) -> HttpResponse:
    """GET: the run form and the plan's runs; POST: start a run."""
    user = _analyst(request)  # before a byte of the body is read: nobody else's upload is ever kept
    if request.method != "POST":
        return _form_page(request, user, IdentificationRunForm(server_files=identification_server_files(user)))
    if body_too_large(request):
        form = IdentificationRunForm(server_files=identification_server_files(user))
        form.add_error(None, TOO_LARGE)
        return _form_page(request, user, form, status=413)
    with upload_staging(request) as staging:
        return _run_create(request, staging)


@csrf_protect
def _run_create(request: HttpRequest, staging: UploadStaging) -> HttpResponse:
    user = _analyst(request)
    server_files = identification_server_files(user)
    form = IdentificationRunForm(request.POST, request.FILES, server_files=server_files)
    valid = form.is_valid()
    for name, message in staging.refusals.items():
        form.add_error(name, message)
    if valid and not staging.refusals:
        data = form.cleaned_data
        try:
            inputs = {
                kind: identification_input(
                    user, kind, staged_input(request, staging, kind), data[f"{kind}_server_file"]
                )
                for kind in ("members", "claims")
            }
            run = identification_run_start(actor=user, as_of=data["as_of"], source=RunSource.WEB, **inputs)
        except ValidationFailed as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            return redirect("web:identification_run", run_id=run.pk)
    return _form_page(request, user, form, status=400)


@verified_required
def run_detail(request: HttpRequest, run_id: str) -> HttpResponse:
    """The run: its status (polled while it runs), summary, candidates per POF, files and loads."""
    user = _analyst(request)
    run = or_404(lambda: identification_run_get(user, run_id))
    return render(request, "web/identification/run.html", _run_context(request, user, run))


def _run_context(request: HttpRequest, user: User, run: IdentificationRun) -> dict[str, Any]:
    loads = list(identification_loads(user, run))
    context: dict[str, Any] = {"run": run, "loads": loads, "busy": _busy(run, loads)}
    if run.status == RunStatus.COMPLETED:
        pofs = identification_candidates_by_pof(user, run)
        pof = request.GET.get("pof", "")
        pof = pof if pof in pofs else ""
        rows = identification_candidates(user, run, pof)
        summary = run_summary(run)
        context |= {
            "summary_title": summary_title(summary),
            "summary_rows": summary_rows(summary),
            "warnings": summary_warnings(summary),
            "pofs": pofs,
            "pof": pof,
            "candidates": Paginator(rows, CANDIDATES_PER_PAGE).get_page(request.GET.get("page")),
            "may_load": can_load_identification_candidates(user, run),
        }
    return context


def _busy(run: IdentificationRun, loads: list[Any]) -> bool:
    return not run.finished or any(load.status in OPEN_LOAD_STATUSES for load in loads)


@verified_required
def run_status(request: HttpRequest, run_id: str) -> HttpResponse:
    """The status panel the run's page polls every 2 s; once nothing is under way, the page reloads whole."""
    user = _analyst(request)
    run = or_404(lambda: identification_run_get(user, run_id))
    loads = list(identification_loads(user, run))
    response = render(
        request, "web/identification/status.html", {"run": run, "loads": loads, "busy": _busy(run, loads)}
    )
    if not _busy(run, loads):
        response["HX-Refresh"] = "true"
    return response


@require_POST
@verified_required
def run_load(request: HttpRequest, run_id: str) -> HttpResponse:
    """Load the run's candidates as plan-identified referrals (a task); the page shows what it did."""
    user = _analyst(request)
    run = or_404(lambda: identification_run_get(user, run_id))
    try:
        identification_load_start(actor=user, run=run)
    except DomainError as error:
        context = _run_context(request, user, run) | {"load_error": error.message}
        return render(request, "web/identification/run.html", context, status=error.status_code)
    return redirect("web:identification_run", run_id=run.pk)


@verified_required
def run_file(request: HttpRequest, run_id: str, kind: str) -> HttpResponse:
    """The candidates or exclusions file the run wrote, as a download."""
    user = _analyst(request)
    run = or_404(lambda: identification_run_get(user, run_id))
    path = or_404(lambda: identification_output(user, run, kind))
    name = f"identification-{run.as_of:%Y%m%d}-{str(run.pk)[:8]}-{kind}.csv"
    response = FileResponse(path.open("rb"), as_attachment=True, filename=name, content_type="text/csv")
    return cast(HttpResponse, response)  # verified_required's views answer HttpResponse; Django takes a stream too
