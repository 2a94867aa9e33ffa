"""Provider files (exchange-spec §2): upload an RTF or OTF (read and applied in the background; poll the load), list
the loads by plan, provider, kind, period, status and errors, read one with its rejected rows, download them as CSV;
make a MIF, RTF, OTF or the encounter service lines for a provider, plan and month, list the files made and download
one.

The plan's staff see every provider the plan contracts with (naming it by NPI), and its data analysts upload and make
files for them (calaim.exchange.policies); provider staff work with their own organization, under each plan it
contracts with. A role without access is refused (403); a load, file, plan or
provider outside the caller's scope does not exist (404). The web app calls the same services."""

import uuid
from pathlib import Path

from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, QueryDict
from ninja import Query, Router, Status

from calaim.accounts.models import User
from calaim.api.auth import actor
from calaim.api.errors import errors
from calaim.api.exchange_schemas import (
    CONTENT_TYPES,
    EXCHANGE_UPLOAD_BODY,
    EXPORT_FILE,
    REJECTS_CSV,
    ExchangeExportOut,
    ExchangeLoadDetailOut,
    ExchangeLoadOut,
    ExportFilter,
    ExportIn,
    LoadFilter,
)
from calaim.api.pagination import paginated
from calaim.core.errors import NotFound, ValidationFailed
from calaim.core.inputs import control_character_problem
from calaim.exchange.exports import exchange_export_create
from calaim.exchange.models import IMPORT_KINDS, ExchangeExport, ExchangeLoad, LoadSource
from calaim.exchange.policies import can_download_load_rejects
from calaim.exchange.selectors import (
    FileFilters,
    exchange_access_check,
    exchange_export_get,
    exchange_export_members,
    exchange_exports,
    exchange_load_get,
    exchange_load_members,
    exchange_loads,
    exchange_plan_get,
    exchange_plans_for,
    exchange_provider_get,
)
from calaim.exchange.uploads import (
    exchange_load_submit,
    exchange_upload_allowed,
    exchange_upload_handler_install,
    exchange_upload_receive,
    upload_discard,
)
from calaim.network.models import Organization
from calaim.plans.models import Plan

router = Router(tags=["exchange"])

UPLOAD_ERRORS = errors(400, 401, 403, 404, 409, 413, 422)
READ_ERRORS = errors(401, 403, 404, 422)
_TRUE, _FALSE = {"true", "1", "yes", "on"}, {"false", "0", "no", "off", ""}


def _field(form: QueryDict, name: str, *, max_length: int = 20) -> str:
    text = form.get(name, "").strip()
    if problem := control_character_problem(text):
        raise ValidationFailed(problem, field=name)
    if len(text) > max_length:
        raise ValidationFailed(f"At most {max_length} characters (this has {len(text)}).", field=name)
    return text


def _flag(form: QueryDict, name: str) -> bool:
    text = form.get(name, "").strip().lower()
    if text not in _TRUE | _FALSE:
        raise ValidationFailed(f"Give {name} as true or false.", field=name)
    return text in _TRUE


def _target(caller: User, plan_code: str, npi: str | None, *, npi_required: bool) -> tuple[Plan, Organization | None]:
    """The plan and provider a call names, each in the caller's scope (404 otherwise). Provider staff naming no
    provider get their own organization; plan staff must name one when `npi_required`."""
    exchange_access_check(caller)
    plan = exchange_plan_get(caller, plan_code)
    if npi:
        return plan, exchange_provider_get(caller, plan, npi=npi)
    if not caller.is_plan_staff:
        return plan, exchange_provider_get(caller, plan)
    if npi_required:
        raise ValidationFailed("Name the provider by its NPI (10 digits).", field="provider")
    return plan, None


@router.post("/exchange-loads", response={202: ExchangeLoadOut, **UPLOAD_ERRORS}, openapi_extra=EXCHANGE_UPLOAD_BODY)
def create_exchange_load(request: HttpRequest) -> Status[ExchangeLoad]:
    """Upload a provider's RTF or OTF (multipart: `file`, `kind`, `plan`, `provider`, `accept_valid_rows`). The
    answer is the load: it is read, checked and applied in the background; poll it until it is finished (applied,
    nothing_new, rejected, duplicate or failed). A file with any error changes nothing unless `accept_valid_rows`."""
    caller = actor(request)
    exchange_upload_allowed(caller)  # the role, before a byte of the file is kept
    stored = exchange_upload_receive(request, exchange_upload_handler_install(request))
    try:
        kind = _field(request.POST, "kind")
        if kind not in IMPORT_KINDS:
            raise ValidationFailed("Give kind as rtf or otf.", field="kind")
        npi = _field(request.POST, "provider")
        plan, provider = _target(caller, _field(request.POST, "plan"), npi, npi_required=False)
        accept_valid_rows = _flag(request.POST, "accept_valid_rows")
    except BaseException:
        upload_discard(stored.path)
        raise
    load = exchange_load_submit(
        actor=caller,
        upload=stored,
        plan=plan,
        provider=provider,
        kind=kind,
        accept_valid_rows=accept_valid_rows,
        source=LoadSource.API,
    )
    return Status(202, exchange_load_get(caller, load.pk))


def _filters(caller: User, plan_code: str | None, npi: str | None, **rest: object) -> FileFilters:
    exchange_access_check(caller)
    plan = exchange_plan_get(caller, plan_code) if plan_code else None
    provider = None
    if npi:
        if plan is None and caller.is_plan_staff:
            plan = exchange_plans_for(caller).first()
        if plan is None:
            raise ValidationFailed("Name the plan to filter by a provider.", field="plan")
        provider = exchange_provider_get(caller, plan, npi=npi)
    return FileFilters(plan=plan, provider=provider, **rest)  # type: ignore[arg-type]


@router.get("/exchange-loads", response={200: list[ExchangeLoadOut], **READ_ERRORS})
@paginated
def list_exchange_loads(request: HttpRequest, filters: Query[LoadFilter]) -> QuerySet[ExchangeLoad]:
    """Provider file loads in your scope, the latest first: plan staff see every provider's under their plan,
    provider staff their own under each of their plans; by plan, provider (NPI), kind, period, status, errors."""
    caller = actor(request)
    found = _filters(
        caller,
        filters.plan,
        filters.provider,
        kind=filters.kind or "",
        period=filters.period or "",
        status=filters.status or "",
        with_errors=filters.with_errors,
    )
    return exchange_loads(caller, found).select_related("duplicate_of")


@router.get("/exchange-loads/{load_id}", response={200: ExchangeLoadDetailOut, **READ_ERRORS})
def get_exchange_load(request: HttpRequest, load_id: uuid.UUID) -> ExchangeLoad:
    """One load's report: status, progress while it runs, counts of what it did, and the first rejected rows (row,
    column, value, message)."""
    caller = actor(request)
    load = exchange_load_get(caller, load_id)
    exchange_load_members(caller, load)  # the members its rows name, on the PHI read log
    return load


@router.get("/exchange-loads/{load_id}/rejects", response={200: None, **READ_ERRORS}, openapi_extra=REJECTS_CSV)
def get_exchange_load_rejects(request: HttpRequest, load_id: uuid.UUID) -> FileResponse:
    """Every rejected row of the load as CSV (row, column, value, message)."""
    caller = actor(request)
    load = exchange_load_get(caller, load_id)
    can_download_load_rejects(caller, load).enforce()
    path = Path(load.rejects_path)
    if not path.is_file():
        raise NotFound("The rejects file of this load is no longer kept.")
    exchange_load_members(caller, load)  # the rows it names, on the PHI read log
    name = f"{Path(load.file_name).stem or load.kind}-rejects.csv"
    return FileResponse(path.open("rb"), as_attachment=True, filename=name, content_type="text/csv")


@router.post("/exchange-exports", response={201: ExchangeExportOut, **UPLOAD_ERRORS})
def create_exchange_export(request: HttpRequest, payload: ExportIn) -> Status[ExchangeExport]:
    """Make a provider's MIF, RTF, OTF or encounter service lines (kind `service_lines`) for a plan and month (the
    plan's data analysts for any provider of the plan, provider staff for their own organization; the plan's other
    staff download the files made); download it from `file_url`."""
    caller = actor(request)
    plan, provider = _target(caller, payload.plan, payload.provider, npi_required=True)
    assert provider is not None  # npi_required
    export = exchange_export_create(
        actor=caller,
        plan=plan,
        provider=provider,
        kind=payload.kind,
        period=payload.period,
        file_format=payload.format,
        source=LoadSource.API,
    )
    return Status(201, exchange_export_get(caller, export.pk))


@router.get("/exchange-exports", response={200: list[ExchangeExportOut], **READ_ERRORS})
@paginated
def list_exchange_exports(request: HttpRequest, filters: Query[ExportFilter]) -> QuerySet[ExchangeExport]:
    """The files calaim made in your scope, the latest first; by plan, provider (NPI), kind and period."""
    caller = actor(request)
    found = _filters(caller, filters.plan, filters.provider, kind=filters.kind or "", period=filters.period or "")
    return exchange_exports(caller, found)


@router.get("/exchange-exports/{export_id}", response={200: ExchangeExportOut, **READ_ERRORS})
def get_exchange_export(request: HttpRequest, export_id: uuid.UUID) -> ExchangeExport:
    return exchange_export_get(actor(request), export_id)


@router.get("/exchange-exports/{export_id}/file", response={200: None, **READ_ERRORS}, openapi_extra=EXPORT_FILE)
def get_exchange_export_file(request: HttpRequest, export_id: uuid.UUID) -> FileResponse:
    """The file as it was made; the members it names are on the PHI read log."""
    export = exchange_export_get(actor(request), export_id)
    path = Path(export.stored_path)
    if not path.is_file():
        raise NotFound("This file is no longer kept: make it again.")
    exchange_export_members(export, path)
    content_type = CONTENT_TYPES.get(export.file_format, "application/octet-stream")
    return FileResponse(path.open("rb"), as_attachment=True, filename=export.file_name, content_type=content_type)
