"""The plan's roster loads for its data analysts (and, read-only, its compliance officers): the history with the
upload form, each load's page with its progress (polled every 2 s while a step runs), its preview, and the actions
Apply, Cancel and, after the mass-termination guard refused a file, Run again allowing it."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from calaim.core.errors import DomainError, NotFound
from calaim.core.policy import Verdict
from calaim.roster.models import LoadSource, RosterLoad
from calaim.roster.policies import can_download_rejects, can_load_roster, can_view_roster_loads
from calaim.roster.selectors import load_cins, roster_load_get, roster_loads, roster_plan_of, roster_sample_members
from calaim.roster.tasks import (
    roster_load_confirm,
    roster_load_rerun,
    roster_load_submit,
    roster_load_withdraw,
    roster_upload_allowed,
)
from calaim.roster.uploads import RosterUploadHandler, upload_discard, upload_handler_install, upload_receive
from calaim.web.access import or_404, staff, verified_required
from calaim.web.forms_roster import MassTermConfirmForm, RosterUploadForm
from calaim.web.views.roster_display import load_context

PAGE_SIZE = 25


def _refuse_unless(verdict: Verdict) -> None:
    """A refusal as a page answers it: 404 outside the caller's scope, 403 for a role that may not."""
    if isinstance(verdict.error, NotFound):
        raise Http404(verdict.reason)
    if verdict.error is not None:
        raise PermissionDenied(verdict.reason)


def _history(request: HttpRequest, form: RosterUploadForm, status: int = 200) -> HttpResponse:
    user = staff(request)
    plan = roster_plan_of(user)
    page = Paginator(roster_loads(user), PAGE_SIZE).get_page(request.GET.get("page"))
    may_load = plan is not None and bool(can_load_roster(user, plan))
    context = {"page": page, "form": form, "may_load": may_load, "plan": plan}
    return render(request, "web/roster/loads.html", context, status=status)


@csrf_exempt  # checked by csrf_protect below, once the streaming upload handler is in place
@require_http_methods(["GET", "POST"])
@verified_required
def loads(request: HttpRequest) -> HttpResponse:
    """The plan's roster loads, latest first, and the upload form for its data analysts."""
    user = staff(request)
    _refuse_unless(can_view_roster_loads(user))
    if request.method != "POST":
        return _history(request, RosterUploadForm())
    try:
        roster_upload_allowed(user)
    except DomainError as refusal:
        _refuse_unless(Verdict(refusal))
    # Before anything reads the body: the file then streams to its folder instead of a temporary one.
    return _upload(request, upload_handler_install(request))


@csrf_protect
def _upload(request: HttpRequest, handler: RosterUploadHandler | None) -> HttpResponse:
    form = RosterUploadForm(request.POST)
    stored = None
    try:
        stored = upload_receive(request, handler)
    except DomainError as refusal:
        form.add_error("file", refusal.message)
    if not form.is_valid() or stored is None:
        if stored is not None:
            upload_discard(stored.path)
        return _history(request, form, status=400)
    data = form.cleaned_data
    try:
        load = roster_load_submit(
            actor=staff(request),
            upload=stored,
            as_of=data["as_of"],
            accept_valid_rows=data["accept_valid_rows"],
            source=LoadSource.WEB,
        )
    except DomainError as refusal:
        form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
        return _history(request, form, status=400)
    messages.success(request, f"{load.file_name} is uploaded. calaim is checking it; nothing changes until you apply.")
    return redirect("web:roster_load", load_id=load.pk)


def _load(request: HttpRequest, load_id: uuid.UUID) -> RosterLoad:
    return or_404(lambda: roster_load_get(staff(request), load_id))


@require_GET
@verified_required
def load(request: HttpRequest, load_id: uuid.UUID) -> HttpResponse:
    """One load: its status and progress while it runs, then its preview or its outcome."""
    roster_load = _load(request, load_id)
    context = {**load_context(staff(request), roster_load), "confirm_form": MassTermConfirmForm()}
    return render(request, "web/roster/load.html", context)


@require_GET
@verified_required
def load_status(request: HttpRequest, load_id: uuid.UUID) -> HttpResponse:
    """The load's page body alone, polled by htmx while a step runs; once it is done, without the poll."""
    roster_load = _load(request, load_id)
    context = {**load_context(staff(request), roster_load), "confirm_form": MassTermConfirmForm()}
    return render(request, "web/roster/load_body.html", context)


def _act(request: HttpRequest, load_id: uuid.UUID, call: Any, done: str) -> HttpResponse:
    """Run one action on the load; a refusal comes back as a message on the load's page."""
    user = staff(request)
    _load(request, load_id)
    try:
        result = call(user)
    except DomainError as refusal:
        _refuse_unless(Verdict(refusal) if refusal.status_code in (403, 404) else Verdict())
        messages.error(request, refusal.message)
        return redirect("web:roster_load", load_id=load_id)
    messages.success(request, done)
    return redirect("web:roster_load", load_id=getattr(result, "pk", load_id))


@require_POST
@verified_required
def apply(request: HttpRequest, load_id: uuid.UUID) -> HttpResponse:
    return _act(
        request,
        load_id,
        lambda user: roster_load_confirm(actor=user, load_id=load_id),
        "Applying the roster. This page shows its progress; you may leave it, the history keeps the outcome.",
    )


@require_POST
@verified_required
def cancel(request: HttpRequest, load_id: uuid.UUID) -> HttpResponse:
    return _act(
        request,
        load_id,
        lambda user: roster_load_withdraw(actor=user, load_id=load_id),
        "The load is cancelled: nothing was changed and the uploaded file is removed.",
    )


@require_POST
@verified_required
def rerun(request: HttpRequest, load_id: uuid.UUID) -> HttpResponse:
    """Run a refused file again allowing mass termination, once the analyst ticked the explicit confirmation."""
    roster_load = _load(request, load_id)
    form = MassTermConfirmForm(request.POST)
    if not form.is_valid():
        context = {**load_context(staff(request), roster_load), "confirm_form": form}
        return render(request, "web/roster/load.html", context, status=400)
    return _act(
        request,
        load_id,
        lambda user: roster_load_rerun(actor=user, load_id=load_id, source=LoadSource.WEB),
        "Running the file again, allowing mass termination. Read the new preview, then apply it.",
    )


@require_GET
@verified_required
def rejects(request: HttpRequest, load_id: uuid.UUID) -> HttpResponse:
    """The rejected rows as CSV (row, column, value, message), as the load wrote them."""
    user = staff(request)
    roster_load = _load(request, load_id)
    _refuse_unless(can_download_rejects(user, roster_load))
    path = Path(roster_load.rejects_path)
    if not path.is_file():
        raise Http404("The rejects file of this load is no longer kept.")
    roster_sample_members(user, load_cins(roster_load))  # the rows it names, on the PHI read log
    stem = Path(roster_load.file_name).stem or "roster"
    name = f"{stem}-rejects.csv"
    response = FileResponse(path.open("rb"), as_attachment=True, filename=name, content_type="text/csv")
    return cast(HttpResponse, response)  # verified_required's views answer HttpResponse; Django takes a stream too
