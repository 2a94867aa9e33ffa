"""Provider files in the browser (exchange-spec §2): the plan's page `/data/exchange/` (every load of the plan by
provider, period, status and errors; upload on a provider's behalf; each provider's MIF by period; the providers
whose RTF has not arrived) and the provider's page `/exchange/` (upload its own RTF and OTF for each plan it
contracts with; download its MIF and its calaim-made RTF and OTF for each plan). Both open a load's report, polled
every 2 s while it runs, and its rejected rows as CSV. Every read goes through calaim.exchange.selectors, every
write through the exchange services; out of scope is 404, a role without access 403.

The upload form's file streams to disk as it arrives (calaim.exchange.uploads), so the upload handler must be in
place before anything reads the body: the landing views are exempt from the CSRF middleware, which would read it
first, and check the token themselves (csrf_protect) once the handler is installed."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from calaim.core.errors import DomainError, Forbidden
from calaim.exchange.models import ExchangeExport, ExchangeLoad, LoadSource
from calaim.exchange.selectors import (
    exchange_access_check,
    exchange_export_get,
    exchange_export_members,
    exchange_load_get,
    exchange_load_members,
)
from calaim.exchange.uploads import (
    ExchangeUploadHandler,
    exchange_load_submit,
    exchange_upload_allowed,
    exchange_upload_handler_install,
    exchange_upload_receive,
    upload_discard,
)
from calaim.web.access import or_404, staff, verified_required
from calaim.web.forms_exchange import ExchangeUploadForm, ExportForm
from calaim.web.views.exchange_display import load_context
from calaim.web.views.exchange_pages import export_choices, export_make, landing_context, upload_choices, upload_target

PLAN_PAGE, PROVIDER_PAGE = "web:exchange_plan", "web:exchange_provider"


def _allowed(request: HttpRequest) -> None:
    try:
        exchange_access_check(staff(request))
    except Forbidden as refusal:
        raise PermissionDenied(refusal.message) from refusal


def _landing(request: HttpRequest, status: int = 200, **forms: object) -> HttpResponse:
    user = staff(request)
    context = landing_context(user, request.GET, **forms)  # type: ignore[arg-type]
    template = "web/exchange/plan.html" if user.is_plan_staff else "web/exchange/provider.html"
    return render(request, template, context, status=status)


def _page_of(request: HttpRequest) -> str:
    return PLAN_PAGE if staff(request).is_plan_staff else PROVIDER_PAGE


@csrf_exempt  # checked by csrf_protect below, once the streaming upload handler is in place
@require_http_methods(["GET", "POST"])
@verified_required
def plan_files(request: HttpRequest) -> HttpResponse:
    """The plan's provider files: every load, uploads on a provider's behalf, the MIFs, the missing RTFs."""
    _allowed(request)
    if not staff(request).is_plan_staff:
        return redirect(PROVIDER_PAGE)
    return _upload(request, exchange_upload_handler_install(request)) if request.method == "POST" else _landing(request)


@csrf_exempt  # checked by csrf_protect below, once the streaming upload handler is in place
@require_http_methods(["GET", "POST"])
@verified_required
def provider_files(request: HttpRequest) -> HttpResponse:
    """The provider's files for each plan it contracts with: its uploads and their reports, its MIF, RTF and OTF."""
    _allowed(request)
    if staff(request).is_plan_staff:
        return redirect(PLAN_PAGE)
    return _upload(request, exchange_upload_handler_install(request)) if request.method == "POST" else _landing(request)


def _upload(request: HttpRequest, handler: ExchangeUploadHandler | None) -> HttpResponse:
    try:
        exchange_upload_allowed(staff(request))  # the role, before a byte of the file is kept
    except DomainError as refusal:
        raise PermissionDenied(refusal.message) from refusal
    return _upload_checked(request, handler)


@csrf_protect
def _upload_checked(request: HttpRequest, handler: ExchangeUploadHandler | None) -> HttpResponse:
    user = staff(request)
    form = ExchangeUploadForm(request.POST, auto_id="upload-%s", **upload_choices(user))
    stored = None
    try:
        stored = exchange_upload_receive(request, handler)
    except DomainError as refusal:
        form.add_error("file", refusal.message)
    if not form.is_valid() or stored is None:
        if stored is not None:
            upload_discard(stored.path)
        return _landing(request, status=400, upload_form=form)
    try:
        plan, provider = upload_target(user, form.cleaned_data)
        load = exchange_load_submit(
            actor=user,
            upload=stored,
            plan=plan,
            provider=provider,
            kind=form.cleaned_data["kind"],
            accept_valid_rows=form.cleaned_data["accept_valid_rows"],
            source=LoadSource.WEB,
        )
    except DomainError as refusal:
        upload_discard(stored.path)
        form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
        return _landing(request, status=400, upload_form=form)
    messages.success(request, f"{load.file_name} is uploaded. This page shows calaim reading and applying it.")
    return redirect("web:exchange_load", load_id=load.pk)


def _load(request: HttpRequest, load_id: uuid.UUID) -> ExchangeLoad:
    return or_404(lambda: exchange_load_get(staff(request), load_id))


@require_GET
@verified_required
def load(request: HttpRequest, load_id: uuid.UUID) -> HttpResponse:
    """One load's report: status and progress while it runs, then its counts and rejected rows."""
    context = {**load_context(staff(request), _load(request, load_id)), "back": _page_of(request)}
    return render(request, "web/exchange/load.html", context)


@require_GET
@verified_required
def load_status(request: HttpRequest, load_id: uuid.UUID) -> HttpResponse:
    """The report's body alone, polled by htmx while the load runs; once it is done, without the poll."""
    return render(request, "web/exchange/load_body.html", load_context(staff(request), _load(request, load_id)))


@require_GET
@verified_required
def rejects(request: HttpRequest, load_id: uuid.UUID) -> HttpResponse:
    """The rejected rows as CSV (row, column, value, message), as the load wrote them."""
    user = staff(request)
    exchange_load = _load(request, load_id)
    path = Path(exchange_load.rejects_path) if exchange_load.rejects_path else None
    if path is None or not path.is_file():
        raise Http404("This load has no rejected rows to download, or its rejects file is no longer kept.")
    exchange_load_members(user, exchange_load)  # the rows it names, on the PHI read log
    name = f"{Path(exchange_load.file_name).stem or exchange_load.kind}-rejects.csv"
    response = FileResponse(path.open("rb"), as_attachment=True, filename=name, content_type="text/csv")
    return cast(HttpResponse, response)  # verified_required's views answer HttpResponse; Django takes a stream too


@require_POST
@verified_required
def export_create(request: HttpRequest) -> HttpResponse:
    """Make one provider file for a period, then download it; a refusal comes back on the page's form."""
    _allowed(request)
    user = staff(request)
    form = ExportForm(request.POST, auto_id="export-%s", **export_choices(user))
    made: ExchangeExport | None = None
    if form.is_valid():
        try:
            made = export_make(user, form.cleaned_data, source=LoadSource.WEB)
        except Forbidden as refusal:  # a role that sees the files but may not make them (plan intake, compliance)
            raise PermissionDenied(refusal.message) from refusal
        except DomainError as refusal:  # e.g. no contract of the file's program that month: said on the form
            form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
    if made is None:
        return _landing(request, status=400, export_form=form)
    messages.success(request, f"{made.file_name} is made: {made.rows} row{'s' if made.rows != 1 else ''}.")
    return redirect("web:exchange_export_download", export_id=made.pk)


@require_GET
@verified_required
def export_download(request: HttpRequest, export_id: uuid.UUID) -> HttpResponse:
    """A file calaim made, as it was made; the members it names are on the PHI read log."""
    export = or_404(lambda: exchange_export_get(staff(request), export_id))
    path = Path(export.stored_path)
    if not path.is_file():
        raise Http404("This file is no longer kept: make it again.")
    exchange_export_members(export, path)
    response = FileResponse(path.open("rb"), as_attachment=True, filename=export.file_name)
    return cast(HttpResponse, response)
