"""Roster loads: record a file, preview it (a dry run), apply it. The command, the web app, the API and the tasks
all call these.

A load is all or nothing: a file with any error changes nothing (status `rejected`, a rejects file naming row,
column, value and what was expected) unless the load accepts valid rows, when the valid rows apply and the members
of rejected rows are left as they were (never termed). The apply step is one transaction: any exception leaves
nothing written and the load `failed` with the reason. The same bytes already applied for the plan change nothing
(status `duplicate`, naming when and by whom they were loaded). More than the plan's share of its enrolled members
termed by absence refuses the load (status `refused`) unless it allows mass termination. A preview is the same
computation as the apply step up to the counts and samples, rolled back: it touches no member row.
What a load changes, member by member, is `calaim.roster.merge`'s docstring."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from calaim.accounts.models import User
from calaim.core.clock import plan_today
from calaim.core.errors import Conflict, DomainError, Forbidden, ValidationFailed
from calaim.core.files import file_sha256
from calaim.plans.models import Plan
from calaim.roster.merge_load import LoadOutcome, load_audit, loaded_before, merge_run
from calaim.roster.merge_progress import LoadProgress
from calaim.roster.models import LoadSource, LoadStatus, RosterLoad
from calaim.roster.policies import can_cancel_roster_load, can_load_roster
from calaim.roster.reader import Progress, RosterRead, rejects_write, roster_read
from calaim.roster.vocabulary import roster_vocabulary

logger = logging.getLogger("calaim.roster")
MAX_ERRORS_KEPT = 200


def roster_load_create(
    *,
    actor: User | None,
    actor_label: str = "",
    plan: Plan,
    path: Path,
    file_name: str,
    as_of: dt.date,
    source: LoadSource,
    dry_run: bool = False,
    allow_mass_term: bool = False,
    accept_valid_rows: bool = False,
    rejects_path: Path | None = None,
) -> RosterLoad:
    """Record a roster file offered for a plan and day (hash, size, who), status `uploaded`. Web and API callers
    must be the plan's data analysts (policies); `actor` None with `actor_label` is the command without --as.
    `rejects_path` is where the command wants the rejects file (else under CALAIM_DATA_DIR/roster/<load id>/);
    the file's path is kept as `stored_path` for the later steps (the command's own file is never removed)."""
    _may_load(actor, plan, source)
    if not path.is_file():
        raise ValidationFailed(f"{file_name}: no such file.", field="file")
    digest, size = file_sha256(path)
    with transaction.atomic():
        load = RosterLoad.objects.create(
            plan=plan,
            as_of=as_of,
            file_name=file_name,
            file_sha256=digest,
            file_size=size,
            stored_path=str(path.resolve()),
            source=source,
            dry_run=dry_run,
            allow_mass_term=allow_mass_term,
            accept_valid_rows=accept_valid_rows,
            created_by=actor,
            actor_label=actor.get_username() if actor is not None else (actor_label or "system"),
            rejects_path=str(rejects_path) if rejects_path is not None else "",
        )
        load_audit(load, "roster_load.create", after={"file_sha256": digest, "status": load.status})
    return load


def roster_load_preview(*, load_id: uuid.UUID, progress: Progress | None = None) -> RosterLoad:
    """Validate and diff without writing a member: status `previewed` (`dry_run` for a dry run; counts and samples
    set), `rejected` (errors, rejects file), `refused` (mass-term guard) or `duplicate` (same bytes applied before)."""
    with transaction.atomic():
        load = RosterLoad.objects.select_for_update().get(pk=load_id)
        if load.status not in (LoadStatus.UPLOADED, LoadStatus.PREVIEWED) and not _lost(load, LoadStatus.PREVIEWING):
            raise Conflict(f"This roster load cannot be previewed now: it is {load.get_status_display().lower()}.")
        _start(load, LoadStatus.PREVIEWING)
    return _run(load, apply=False, progress=progress)


def roster_load_apply(*, load_id: uuid.UUID, actor: User | None, progress: Progress | None = None) -> RosterLoad:
    """Validate again and apply in one transaction: status `applied`, or `rejected`/`refused`/`duplicate`/`failed`
    with nothing written; audit events per changed member; roster facts raised (consequences.facts_raise).

    From the web app or the API the load must be previewed and `actor` one of the plan's data analysts (who
    confirmed it, when someone did); the command applies an uploaded load at once, as the analyst or superuser
    named by --as, or as its recorded label."""
    with transaction.atomic():
        load = RosterLoad.objects.select_for_update().select_related("plan").get(pk=load_id)
        _may_apply(actor, load)
        if actor is not None:
            load.confirmed_by = actor
        _start(load, LoadStatus.APPLYING)
    return _run(load, apply=True, progress=progress)


def roster_load_cancel(*, load_id: uuid.UUID, actor: User) -> RosterLoad:
    """Cancel a load that is uploaded or previewed (not yet applying); its stored file is removed."""
    with transaction.atomic():
        load = RosterLoad.objects.select_for_update().select_related("plan").get(pk=load_id)
        can_cancel_roster_load(actor, load).enforce()
        before = load.status
        load.status = LoadStatus.CANCELLED
        load.finished_at = timezone.now()
        load.save(update_fields=["status", "finished_at", "updated_at"])
        load_audit(load, "roster_load.cancel", actor=actor, before={"status": before}, after={"status": load.status})
        if load.source != LoadSource.COMMAND:
            transaction.on_commit(lambda: _remove_upload(load.stored_path))
    return load


# ---- the steps ---------------------------------------------------------------------------------------------------


def _may_load(actor: User | None, plan: Plan, source: str) -> None:
    """The plan's data analysts load its roster; the command also as a superuser, or unnamed (its OS user)."""
    if actor is None:
        if source != LoadSource.COMMAND:
            raise Forbidden("Sign in as one of the plan's data analysts to load its roster.")
        return
    if actor.is_superuser and source == LoadSource.COMMAND:
        return
    can_load_roster(actor, plan).enforce()


def _may_apply(actor: User | None, load: RosterLoad) -> None:
    _may_load(actor, load.plan, load.source)
    if load.dry_run:
        raise Conflict("A dry run is never applied: load the file again without --dry-run.")
    ready = {LoadStatus.UPLOADED, LoadStatus.PREVIEWED} if load.source == LoadSource.COMMAND else {LoadStatus.PREVIEWED}
    if _lost(load, LoadStatus.APPLYING):
        return  # its worker died mid-step; the transaction it held was rolled back, so the step runs again
    if load.status not in ready:
        raise Conflict(f"This roster load cannot be applied now: it is {load.get_status_display().lower()}.")
    if load.confirmed_by_id is not None and (actor is None or load.confirmed_by_id != actor.pk):
        raise Conflict("This roster is already being applied.")


def _lost(load: RosterLoad, status: LoadStatus) -> bool:
    """A step in `status` whose worker is presumed dead: started longer ago than the worker's running timeout
    (after which the worker runs the task again, `calaim.jobs.worker`). A preview writes no member, and an apply
    writes them in one transaction that died with its connection, so running the step again is safe."""
    timeout = dt.timedelta(seconds=settings.CALAIM_WORKER["RUNNING_TIMEOUT_SECONDS"])
    started = load.started_at or load.created_at
    if load.status != status or timezone.now() - started <= timeout:
        return False
    with _step_lock(load) as free:  # on PostgreSQL, a step still running (only slow) holds its lock
        return free


@contextmanager
def _step_lock(load: RosterLoad) -> Iterator[bool]:
    """On PostgreSQL, a session lock held while a load's step runs (released by the database if its worker dies):
    yields whether it was free. SQLite has one writer and the demo one worker: always free."""
    if connection.vendor != "postgresql":
        yield True
        return
    key = load.pk.int % (1 << 63)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        got = bool(cursor.fetchone()[0])
    try:
        yield got
    finally:
        if got:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


def _start(load: RosterLoad, status: LoadStatus) -> None:
    load.status = status
    load.started_at = timezone.now()
    load.phase, load.progress_done, load.progress_total = "Waiting to start", 0, 0
    load.save(update_fields=["status", "confirmed_by", "started_at", "phase", "progress_done", "progress_total"])


def _run(load: RosterLoad, *, apply: bool, progress: Progress | None) -> RosterLoad:
    """Read, then compare (and write, for `apply`) in one transaction; every outcome is saved on the load's row,
    outside the rolled-back transaction when nothing was written."""
    with _step_lock(load) as free:
        if not free:
            raise Conflict("This roster load's step is already running.")
        return _run_step(load, apply=apply, progress=progress)


def _run_step(load: RosterLoad, *, apply: bool, progress: Progress | None) -> RosterLoad:
    tracker = LoadProgress(load.pk, progress)
    work_dir = Path(settings.CALAIM_DATA_DIR) / "roster" / str(load.pk)
    read: RosterRead | None = None
    try:
        earlier = loaded_before(load)
        if earlier is not None:
            return _finish(load, LoadOutcome.duplicate(load, earlier))
        work_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        read = roster_read(
            Path(load.stored_path),
            vocabulary=roster_vocabulary(load.plan, load.as_of),
            work_dir=work_dir,
            today=plan_today(),
            file_name=load.file_name,
            progress=tracker,
        )
        _record_read(load, read, work_dir)
        if read.sha256 != load.file_sha256:
            return _finish(load, LoadOutcome.failed("The file changed after it was offered; offer it again."))
        if read.normalized_path is None or (read.error_count and not load.accept_valid_rows):
            return _finish(load, LoadOutcome.rejected(load, read))
        return _finish(load, merge_run(load, read, apply=apply, progress=tracker))
    except DomainError as refusal:
        return _finish(load, LoadOutcome.failed(refusal.message))
    except Exception as exc:
        # The reason goes on the load's row, which only the plan's analysts see: a database error can quote a row.
        logger.error("Roster load %s failed (%s); the load's message says why", load.pk, type(exc).__name__)
        return _finish(load, LoadOutcome.failed(f"{type(exc).__name__}: {exc}"))
    finally:
        tracker.close()
        if read is not None and read.normalized_path is not None:
            read.normalized_path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):  # kept when it holds the rejects file
            work_dir.rmdir()


def _record_read(load: RosterLoad, read: RosterRead, work_dir: Path) -> None:
    """The reader's counts and first errors on the load, and the rejects file when a row was rejected."""
    load.counts = {
        "rows_read": read.rows_read,
        "rejected": read.rejected_rows,
        "rejected_by_reason": dict(read.rejected_by_reason),
    }
    load.errors = [
        {"row": e.row, "column": e.column, "value": e.value, "message": e.message}
        for e in read.errors[:MAX_ERRORS_KEPT]
    ]
    load.error_count = read.error_count
    if read.errors:
        target = Path(load.rejects_path) if load.rejects_path else work_dir / "rejects.csv"
        rejects_write(read.errors, target, file_name=load.file_name)
        load.rejects_path = str(target)


def _finish(load: RosterLoad, outcome: LoadOutcome) -> RosterLoad:
    """Save the outcome on the load's row (an applied load saved it inside its own transaction)."""
    if outcome.saved:
        load.refresh_from_db()
        return load
    load.status = outcome.status
    load.message = outcome.message
    load.counts = {**load.counts, **outcome.counts}
    if outcome.samples is not None:
        load.samples = outcome.samples
    load.duplicate_of = outcome.duplicate_of
    load.finished_at = timezone.now()
    load.counts["elapsed_seconds"] = _elapsed(load)
    load.phase = outcome.status.label
    load.save()
    load_audit(load, f"roster_load.{outcome.status}", after={"status": load.status, "message": load.message})
    return load


def _elapsed(load: RosterLoad) -> float:
    started = load.started_at or load.created_at
    return round((timezone.now() - started).total_seconds(), 1)


def _remove_upload(stored_path: str) -> None:
    """An uploaded file and its folder, only ever inside CALAIM_DATA_DIR (a command's own file is never removed)."""
    root = Path(settings.CALAIM_DATA_DIR).resolve()
    path = Path(stored_path).resolve()
    if stored_path and root in path.parents and path.is_file():
        path.unlink()
