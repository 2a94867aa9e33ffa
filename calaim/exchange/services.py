"""Provider files in (exchange-spec §2.2, §2.3): record an RTF or OTF offered for a plan and provider, then read,
check and apply it. The command, the web app, the API and the task all call these two functions.

A load is all or nothing: a file with any error changes nothing (status `rejected`, a rejects file naming row,
column, value and what was expected) unless the load accepts valid rows, when the valid rows apply and the others
go to the rejects file. The apply step is one transaction; any exception leaves nothing written and the load
`failed` with the reason. The same bytes already applied for the plan, provider and kind change nothing (status
`duplicate`, naming when and by whom they were loaded); a corrected resubmission applies only what is new, and a
file whose every row is already on record ends `nothing_new`, as does a file of a header and no rows (what calaim's
own export gives for a provider with nobody in the period), saying it has none; a zero-byte file is an error.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from calaim.accounts.models import User
from calaim.core.errors import Conflict, Forbidden, ValidationFailed
from calaim.core.files import file_sha256
from calaim.exchange.imports import (
    Progress,
    applied_before,
    duplicate_mark,
    file_format_of,
    load_audit,
    load_execute,
    provider_named_in_file,
)
from calaim.exchange.models import IMPORT_KINDS, ExchangeLoad, FileKind, LoadSource, LoadStatus
from calaim.exchange.policies import can_import_provider_file
from calaim.network.models import Organization
from calaim.plans.models import Plan


def exchange_load_create(
    *,
    actor: User | None,
    plan: Plan,
    provider: Organization | None,
    kind: str,
    path: Path,
    file_name: str,
    source: str,
    accept_valid_rows: bool = False,
    actor_label: str = "",
    rejects_path: Path | None = None,
) -> ExchangeLoad:
    """Record an RTF or OTF offered for `plan` and `provider` (hash, size, who): status `uploaded`, or `duplicate`
    at once when the same bytes were already applied for that plan, provider and kind.

    `provider` None means the caller's own organization for provider staff, else the one provider the file's NPI
    column names. `actor` None is the command without --as (recorded under `actor_label`); the web app and the API
    always name the user, who must be allowed by `can_import_provider_file`. `rejects_path` is where the command
    wants the rejects file (else it is kept under CALAIM_DATA_DIR/exchange/<load id>/)."""
    kind = _import_kind(kind)
    if not path.is_file():
        raise ValidationFailed(f"{file_name}: no such file.", field="file")
    file_format = file_format_of(file_name)
    if provider is None:
        provider = _provider_of(actor, path, file_name, kind)
    _may_import(actor, plan, provider, source)
    if kind == FileKind.OTF and actor is None:
        raise ValidationFailed(
            "Outreach attempts are recorded under the user who reports them: name one of the provider's or the "
            "plan's staff (--as USER).",
            field="actor",
        )
    digest, size = file_sha256(path)
    with transaction.atomic():
        load = ExchangeLoad.objects.create(
            kind=kind,
            plan=plan,
            provider=provider,
            file_name=file_name[:255],
            file_format=file_format,
            file_sha256=digest,
            file_size=size,
            stored_path=str(path.resolve()),
            source=source,
            accept_valid_rows=accept_valid_rows,
            created_by=actor,
            actor_label=actor.get_username() if actor is not None else (actor_label or "system"),
            rejects_path=str(rejects_path) if rejects_path is not None else "",
        )
        load_audit(load, "exchange_load.create", after={"file_sha256": digest, "status": load.status})
        earlier = applied_before(load)
        if earlier is not None:
            duplicate_mark(load, earlier)
    return load


def exchange_load_run(load: ExchangeLoad, *, progress: Progress | None = None) -> ExchangeLoad:
    """Read and check every row, then apply the file in one transaction (all or nothing, or the valid rows when
    the load accepts them); returns the load with its status, counts, errors and rejects file.

    A load already finished (duplicate, applied, rejected...) is returned as it is, so a task run twice changes
    nothing the second time; one still running is refused (409) unless its worker is presumed dead (`_lost`)."""
    with transaction.atomic():
        locked = ExchangeLoad.objects.select_for_update().select_related("plan", "provider").get(pk=load.pk)
        if locked.status != LoadStatus.UPLOADED:
            if locked.status == LoadStatus.RUNNING and not _lost(locked):
                raise Conflict("This load is already being read and applied.")
            if locked.status != LoadStatus.RUNNING:
                return locked
        earlier = applied_before(locked)
        if earlier is not None:
            duplicate_mark(locked, earlier)
            return locked
        locked.status = LoadStatus.RUNNING
        locked.started_at = timezone.now()
        locked.phase = "Waiting to start"
        locked.save(update_fields=["status", "started_at", "phase", "updated_at"])
    return load_execute(locked, progress)


def _lost(load: ExchangeLoad) -> bool:
    """A run whose worker is presumed dead: started longer ago than the worker's running timeout, after which the
    worker runs the task again (`calaim.jobs.worker`). Its transaction died with its connection, so nothing it did
    is left and it runs again from the start."""
    timeout = dt.timedelta(seconds=settings.CALAIM_WORKER["RUNNING_TIMEOUT_SECONDS"])
    return timezone.now() - (load.started_at or load.created_at) > timeout


def _import_kind(kind: str) -> FileKind:
    if kind not in IMPORT_KINDS:
        raise ValidationFailed(f"Only an RTF or an OTF is imported, not {kind!r}.", field="kind")
    return FileKind(kind)


def _provider_of(actor: User | None, path: Path, file_name: str, kind: FileKind) -> Organization:
    """The caller's own organization for provider staff; else the one ECM or CS provider the file's NPI column
    names (a file naming none, several or an unknown NPI is refused: name the provider)."""
    if actor is not None and actor.is_provider_staff:
        assert actor.organization is not None  # is_provider_staff
        return actor.organization
    return provider_named_in_file(path, file_name, kind)


def _may_import(actor: User | None, plan: Plan, provider: Organization, source: str) -> None:
    """The command may run unnamed (its OS user) or as a superuser; everyone else by `can_import_provider_file`."""
    if actor is None:
        if source != LoadSource.COMMAND:
            raise Forbidden("Sign in as the provider's or the plan's staff to import a provider file.")
        return
    if actor.is_superuser and source == LoadSource.COMMAND:
        return
    can_import_provider_file(actor, plan, provider).enforce()
