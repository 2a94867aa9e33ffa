"""Identification runs for a plan's data analysts: start `identify` on the members and claims files (uploaded, or
named in the plan's server folder), follow it, page through its candidates per Population of Focus, download its
output files, and load the candidates as plan-identified referrals. To anyone else none of it exists (404).

An upload streams to disk as it arrives (calaim.analytics.uploads): the handler is installed in front of the
operation, before the framework reads the body."""

import functools
import uuid
from collections.abc import Callable
from typing import Any, Literal, cast

from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from ninja import File, Form, Router, Status, UploadedFile
from ninja.decorators import decorate_view

from calaim.analytics.models import RunSource
from calaim.analytics.selectors import (
    identification_candidates,
    identification_input,
    identification_load_get,
    identification_loads,
    identification_output,
    identification_run_get,
    identification_runs,
    identification_server_files,
)
from calaim.analytics.uploads import UploadStaging, body_too_large, staged_input, upload_staging
from calaim.api.auth import actor
from calaim.api.errors import ERRORS, READ_ERRORS, error_body, errors
from calaim.api.identification_schemas import CandidateOut, LoadOut, RunIn, RunListOut, RunOut, ServerFileOut
from calaim.api.pagination import paginated
from calaim.api.types import Line
from calaim.core.clock import plan_today
from calaim.core.errors import NotFound, ValidationFailed
from calaim.workflows.identification_run import identification_load_start, identification_run_start

router = Router(tags=["identification"])
LIST_ERRORS = errors(401, 404, 422)
_STAGING = "_calaim_identification_staging"
TOO_LARGE = "The request body is too large: files over CALAIM_UPLOAD_MAX_MB go in the server folder instead."
CSV_FILE = {
    "responses": {
        200: {
            "description": "The CSV file (UTF-8, header row).",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    }
}


def _streamed(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Install the streaming upload handler before anything reads the body; remove what staging keeps after."""

    @functools.wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if body_too_large(request):
            return JsonResponse(error_body(TOO_LARGE, None, "request_too_large"), status=413)
        with upload_staging(request) as staging:
            setattr(request, _STAGING, staging)
            return run(request, *args, **kwargs)

    return wrapper


@router.post("/identification-runs", response={202: RunOut, **ERRORS})
@decorate_view(_streamed)
def create_identification_run(
    request: HttpRequest,
    form: Form[RunIn],
    members: File[UploadedFile | None] = None,
    claims: File[UploadedFile | None] = None,
) -> Status:
    """Start identification (plan data analysts, for their plan): multipart/form-data with the `members` and
    `claims` files (CSV or Parquet, each at most CALAIM_UPLOAD_MAX_MB), or their names in the plan's server folder
    (`members_server_file`, `claims_server_file`; see GET /identification-server-files), and `as_of` (default: the
    plan's today). The job runs as a task: 202, then follow GET /identification-runs/{run_id}."""
    user = actor(request)
    staging = cast(UploadStaging, getattr(request, _STAGING))
    for name, message in staging.refusals.items():
        raise ValidationFailed(message, field=name)
    inputs = {
        "members": identification_input(
            user, "members", staged_input(request, staging, "members"), form.members_server_file
        ),
        "claims": identification_input(
            user, "claims", staged_input(request, staging, "claims"), form.claims_server_file
        ),
    }
    run = identification_run_start(actor=user, as_of=form.as_of or plan_today(), source=RunSource.API, **inputs)
    return Status(202, _with_loads(user, run))


@router.get("/identification-runs", response={200: list[RunListOut], **LIST_ERRORS})
@paginated
def list_identification_runs(request: HttpRequest) -> object:
    """Your plan's identification runs, latest first, with their rule version, status and counts."""
    return identification_runs(actor(request))


@router.get("/identification-runs/{run_id}", response={200: RunOut, **READ_ERRORS})
def get_identification_run(request: HttpRequest, run_id: uuid.UUID) -> object:
    """One run: status, files and their SHA-256, the summary table as `calaim identify` prints it, the error (file,
    row, column) when it failed, and the loads of its candidates."""
    user = actor(request)
    return _with_loads(user, identification_run_get(user, run_id))


@router.get("/identification-runs/{run_id}/candidates", response={200: list[CandidateOut], **READ_ERRORS})
@paginated
def list_identification_candidates(request: HttpRequest, run_id: uuid.UUID, pof: Line = "") -> object:
    """A completed run's candidates (members of your plan), by CIN then POF; one Population of Focus with `pof`."""
    user = actor(request)
    return identification_candidates(user, identification_run_get(user, run_id), pof.strip().upper())


@router.get("/identification-runs/{run_id}/files/{kind}", response=READ_ERRORS, openapi_extra=CSV_FILE)
def get_identification_file(
    request: HttpRequest, run_id: uuid.UUID, kind: Literal["candidates", "exclusions"]
) -> HttpResponse:
    """A completed run's candidates or exclusions file, as `calaim identify` wrote it (CSV)."""
    user = actor(request)
    run = identification_run_get(user, run_id)
    path = identification_output(user, run, kind)
    name = f"identification-{run.as_of:%Y%m%d}-{str(run.pk)[:8]}-{kind}.csv"
    response = FileResponse(path.open("rb"), as_attachment=True, filename=name, content_type="text/csv")
    return cast(HttpResponse, response)  # a stream; the framework passes any response through


@router.post("/identification-runs/{run_id}/load-referrals", response={202: LoadOut, **ERRORS})
def load_identification_referrals(request: HttpRequest, run_id: uuid.UUID) -> Status:
    """Load a completed run's candidates as plan-identified referrals, with the rules of `manage.py
    load_candidates`, as a task: 202, then follow GET /identification-runs/{run_id}/loads/{load_id}. Loading again
    creates nothing new; 409 while a load of the run is under way or when the run has not completed."""
    user = actor(request)
    return Status(202, identification_load_start(actor=user, run=identification_run_get(user, run_id)))


@router.get("/identification-runs/{run_id}/loads/{load_id}", response={200: LoadOut, **READ_ERRORS})
def get_identification_load(request: HttpRequest, run_id: uuid.UUID, load_id: uuid.UUID) -> object:
    """One load: its status, the referrals it created, and the members it skipped by reason."""
    load = identification_load_get(actor(request), load_id)
    if load.run_id != run_id:
        raise NotFound("No load with this id in this run.")
    return load


@router.get("/identification-server-files", response={200: list[ServerFileOut], **LIST_ERRORS})
def list_identification_server_files(request: HttpRequest) -> object:
    """The CSV and Parquet files in your plan's server folder that a run may read, by name."""
    return [{"name": name} for name in identification_server_files(actor(request))]


def _with_loads(user: Any, run: Any) -> Any:
    run.load_list = list(identification_loads(user, run))
    return run
