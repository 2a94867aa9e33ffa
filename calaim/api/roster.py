"""The plan's roster loads: its data analysts upload the plan's roster (previewed in the background), read the
preview, apply or cancel it; its compliance officers read the loads. Any other caller is refused (403), and to
anyone else a load does not exist (404)."""

import datetime as dt
import re
import uuid
from pathlib import Path

from django.http import FileResponse, HttpRequest, QueryDict
from ninja import Router, Status

from calaim.api.auth import actor
from calaim.api.errors import errors
from calaim.api.pagination import paginated
from calaim.api.roster_schemas import (
    REJECTS_CSV,
    ROSTER_UPLOAD_BODY,
    RosterApplyIn,
    RosterLoadDetailOut,
    RosterLoadOut,
)
from calaim.core.errors import NotFound, ValidationFailed
from calaim.core.inputs import date_range_problem
from calaim.roster.models import LoadSource, LoadStatus, RosterLoad
from calaim.roster.policies import can_download_rejects
from calaim.roster.selectors import load_cins, roster_load_get, roster_loads, roster_sample_members
from calaim.roster.tasks import (
    roster_load_confirm,
    roster_load_rerun,
    roster_load_submit,
    roster_load_withdraw,
    roster_upload_allowed,
)
from calaim.roster.uploads import upload_discard, upload_handler_install, upload_receive

router = Router(tags=["roster"])

UPLOAD_ERRORS = errors(400, 401, 403, 404, 409, 413, 422)
LIST_ERRORS = errors(401, 403, 422)
READ_ERRORS = errors(401, 403, 404, 422)
WRITE_ERRORS = errors(400, 401, 403, 404, 409, 413, 422)
_TRUE, _FALSE = {"true", "1", "yes", "on"}, {"false", "0", "no", "off", ""}
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _as_of(form: QueryDict) -> dt.date:
    text = form.get("as_of", "").strip()
    if not text:
        raise ValidationFailed("Give the day the roster describes, as YYYY-MM-DD.", field="as_of")
    try:
        day = dt.date.fromisoformat(text) if _ISO_DAY.fullmatch(text) else None
    except ValueError:
        day = None
    if day is None:
        raise ValidationFailed(f"{text[:40]!r} is not a date: give it as YYYY-MM-DD.", field="as_of")
    if problem := date_range_problem(day):
        raise ValidationFailed(problem, field="as_of")
    return day


def _flag(form: QueryDict, name: str) -> bool:
    text = form.get(name, "").strip().lower()
    if text not in _TRUE | _FALSE:
        raise ValidationFailed(f"Give {name} as true or false.", field=name)
    return text in _TRUE


@router.post("/roster-loads", response={202: RosterLoadOut, **UPLOAD_ERRORS}, openapi_extra=ROSTER_UPLOAD_BODY)
def create_roster_load(request: HttpRequest) -> Status[RosterLoad]:
    """Upload your plan's roster (multipart: `file`, `as_of`, `accept_valid_rows`; plan data analysts only). The
    answer is the load, status `uploaded`: it is checked in the background; poll it until `previewed`, then apply
    it. Nothing changes until you do."""
    caller = actor(request)
    roster_upload_allowed(caller)  # before a byte of the file is read
    stored = upload_receive(request, upload_handler_install(request))
    try:
        as_of, accept_valid_rows = _as_of(request.POST), _flag(request.POST, "accept_valid_rows")
    except ValidationFailed:
        upload_discard(stored.path)
        raise
    load = roster_load_submit(
        actor=caller, upload=stored, as_of=as_of, accept_valid_rows=accept_valid_rows, source=LoadSource.API
    )
    return Status(202, roster_load_get(caller, load.pk))


@router.get("/roster-loads", response={200: list[RosterLoadOut], **LIST_ERRORS})
@paginated
def list_roster_loads(request: HttpRequest) -> object:
    """Your plan's roster loads, the latest first (the plan's data analysts and compliance officers)."""
    return roster_loads(actor(request)).select_related("plan", "duplicate_of")


@router.get("/roster-loads/{load_id}", response={200: RosterLoadDetailOut, **READ_ERRORS})
def get_roster_load(request: HttpRequest, load_id: uuid.UUID) -> RosterLoad:
    """One load: status, progress while a step runs, counts by kind of change, sample members of each kind with
    their fields before and after, and the first rejected rows."""
    caller = actor(request)
    load = roster_load_get(caller, load_id)
    roster_sample_members(caller, load_cins(load))  # the members its samples show, on the PHI read log
    return load


@router.post("/roster-loads/{load_id}/apply", response={202: RosterLoadOut, **WRITE_ERRORS})
def apply_roster_load(
    request: HttpRequest, load_id: uuid.UUID, payload: RosterApplyIn | None = None
) -> Status[RosterLoad]:
    """Apply a previewed load (plan data analysts): it runs in the background, all at once; poll it until
    `applied`. A load the mass-termination guard refused is run again as a new load with `allow_mass_term: true`
    (the answer is that load)."""
    caller = actor(request)
    load = roster_load_get(caller, load_id)
    if payload is not None and payload.allow_mass_term and load.status == LoadStatus.REFUSED:
        again = roster_load_rerun(actor=caller, load_id=load_id, source=LoadSource.API)
        return Status(202, roster_load_get(caller, again.pk))
    return Status(202, roster_load_confirm(actor=caller, load_id=load_id))


@router.post("/roster-loads/{load_id}/cancel", response={200: RosterLoadOut, **WRITE_ERRORS})
def cancel_roster_load(request: HttpRequest, load_id: uuid.UUID) -> RosterLoad:
    """Cancel a load before it is applied (plan data analysts): nothing changes and its uploaded file is removed."""
    caller = actor(request)
    roster_load_withdraw(actor=caller, load_id=load_id)
    return roster_load_get(caller, load_id)


@router.get("/roster-loads/{load_id}/rejects", response={200: None, **READ_ERRORS}, openapi_extra=REJECTS_CSV)
def get_roster_load_rejects(request: HttpRequest, load_id: uuid.UUID) -> FileResponse:
    """The load's rejected rows as CSV (row, column, value, message)."""
    caller = actor(request)
    load = roster_load_get(caller, load_id)
    can_download_rejects(caller, load).enforce()
    path = Path(load.rejects_path)
    if not path.is_file():
        raise NotFound("The rejects file of this load is no longer kept.")
    roster_sample_members(caller, load_cins(load))  # the rows it names, on the PHI read log
    stem = Path(load.file_name).stem or "roster"
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"{stem}-rejects.csv", content_type="text/csv")
