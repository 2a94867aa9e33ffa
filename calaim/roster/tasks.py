"""Roster loads run as background tasks (`manage.py calaim_worker`): the preview (a dry run) when a file is
uploaded, the apply step when one of the plan's data analysts confirms it. The web app and the API start both
through the same three calls here: `roster_load_submit`, `roster_load_confirm`, `roster_load_rerun`.

Each task is enqueued when the transaction that asked for it commits, so a rolled-back upload or confirmation
runs nothing. A task may run more than once (a retry, a worker lost and its task rescued): the services lock the
load and check its status first, so a second run changes nothing. A business refusal (the load is no longer in a
state for the step) is an answer, not a failure to retry.

Progress is written to a small file beside the upload (`progress.json`), not to the load's row: the apply step
holds that row locked in one long transaction, and what it writes there is seen only when it commits. The pages
read the file while the load runs.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import time
import uuid
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from calaim.accounts.models import User
from calaim.accounts.policies import role_in
from calaim.core.audit import audited_update
from calaim.core.errors import Conflict, DomainError, NotFound
from calaim.plans.models import Plan
from calaim.roster.models import LoadSource, RosterLoad
from calaim.roster.policies import LOADING_ROLES, can_apply_roster_load, can_load_roster, can_rerun_allowing_mass_term
from calaim.roster.selectors import roster_load_get, roster_plan_of
from calaim.roster.services import roster_load_apply, roster_load_cancel, roster_load_create, roster_load_preview
from calaim.roster.uploads import StoredUpload, upload_copy, upload_discard

logger = logging.getLogger("calaim.roster")
PROGRESS_FILE = "progress.json"
# At most one progress write a second (a phase change and the last row are always written).
PROGRESS_EVERY_SECONDS = 1.0


@dataclass(frozen=True)
class LoadProgress:
    """Where a running step is: its phase in words, rows done of rows in all, and when that was written."""

    phase: str
    done: int
    total: int
    at: dt.datetime | None

    @property
    def percent(self) -> int | None:
        if self.total <= 0:
            return None
        return min(100, int(self.done * 100 / self.total))


class ProgressRecorder:
    """The `Progress` callback a task hands the services: (phase, done, total) into the load's progress file."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._last_phase: str | None = None
        self._last_write = 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        if self.path is None:
            return
        now = time.monotonic()
        if phase == self._last_phase and done < total and now - self._last_write < PROGRESS_EVERY_SECONDS:
            return
        self._last_phase, self._last_write = phase, now
        record = {"phase": phase, "done": int(done), "total": int(total), "at": timezone.now().isoformat()}
        part = self.path.with_name(f".{self.path.name}.part")
        try:
            part.write_text(json.dumps(record))
            part.chmod(0o600)
            os.replace(part, self.path)
        except OSError:  # progress is a courtesy: a full disk or a removed folder must not fail the load
            logger.warning("Could not write the progress of roster load %s", self.path.parent.name)


def progress_path(load: RosterLoad) -> Path | None:
    """The load's progress file, beside its uploaded file (a load from the command line has none)."""
    return Path(load.stored_path).parent / PROGRESS_FILE if load.stored_path else None


def roster_load_progress(load: RosterLoad) -> LoadProgress:
    """The latest progress of a load: its progress file while a task runs, else what the load's row holds."""
    stored = LoadProgress(load.phase, load.progress_done, load.progress_total, None)
    path = progress_path(load)
    if path is None:
        return stored
    try:
        record = json.loads(path.read_text())
        return LoadProgress(
            str(record["phase"]), int(record["done"]), int(record["total"]), dt.datetime.fromisoformat(record["at"])
        )
    except (OSError, ValueError, KeyError, TypeError):
        return stored


def _load_id(value: str) -> uuid.UUID:
    return uuid.UUID(str(value))


def _progress_for(load_id: uuid.UUID) -> ProgressRecorder:
    load = RosterLoad.objects.filter(pk=load_id).only("stored_path").first()
    return ProgressRecorder(progress_path(load) if load is not None else None)


@task()
def roster_preview_task(load_id: str) -> str:
    """Check an uploaded roster and work out what it would change, writing no member; returns the load's status."""
    key = _load_id(load_id)
    try:
        load = roster_load_preview(load_id=key, progress=_progress_for(key))
    except DomainError as refusal:  # e.g. cancelled before the worker reached it: nothing to do, nothing to retry
        logger.info("Roster load %s was not previewed: %s", key, refusal.message)
        return "refused"
    return str(load.status)


@task()
def roster_apply_task(load_id: str, actor_id: int) -> str:
    """Apply a previewed roster for the analyst who confirmed it; returns the load's status."""
    key = _load_id(load_id)
    actor = User.objects.filter(pk=actor_id).select_related("organization").first()
    try:
        load = roster_load_apply(load_id=key, actor=actor, progress=_progress_for(key))
    except DomainError as refusal:  # applied already, cancelled, or the analyst lost the role meanwhile
        logger.info("Roster load %s was not applied: %s", key, refusal.message)
        return "refused"
    return str(load.status)


def _enqueue_preview(load_id: str) -> None:
    result = roster_preview_task.enqueue(load_id)
    RosterLoad.objects.filter(pk=load_id).update(task_id=str(result.id)[:64])


def _enqueue_apply(load_id: str, actor_id: int) -> None:
    result = roster_apply_task.enqueue(load_id, actor_id)
    RosterLoad.objects.filter(pk=load_id).update(task_id=str(result.id)[:64])


def roster_preview_enqueue(load: RosterLoad) -> None:
    """Preview the load once the transaction that recorded it commits."""
    transaction.on_commit(partial(_enqueue_preview, str(load.pk)), robust=True)


def roster_apply_enqueue(load: RosterLoad, actor: User) -> None:
    """Apply the load once the transaction that confirmed it commits."""
    transaction.on_commit(partial(_enqueue_apply, str(load.pk), actor.pk), robust=True)


def roster_upload_allowed(actor: User) -> Plan:
    """The plan whose roster the caller may upload, checked before a byte of the file is read: another role is
    refused (403), an analyst of no plan finds none (404)."""
    role_in(actor, LOADING_ROLES, "load the plan's roster").enforce()
    plan = roster_plan_of(actor)
    if plan is None:
        raise NotFound("You belong to no plan whose roster you could load.")
    can_load_roster(actor, plan).enforce()
    return plan


def roster_load_submit(
    *, actor: User, upload: StoredUpload, as_of: dt.date, accept_valid_rows: bool, source: LoadSource
) -> RosterLoad:
    """Record a roster the analyst uploaded for their own plan and preview it in the background; the kept file is
    removed when the load is refused before it is recorded."""
    try:
        plan = roster_upload_allowed(actor)
        with transaction.atomic():
            load = roster_load_create(
                actor=actor,
                plan=plan,
                path=upload.path,
                file_name=upload.file_name,
                as_of=as_of,
                source=source,
                accept_valid_rows=accept_valid_rows,
            )
            roster_preview_enqueue(load)
    except BaseException:
        upload_discard(upload.path)
        raise
    return load


def roster_load_confirm(*, actor: User, load_id: uuid.UUID | str) -> RosterLoad:
    """The analyst confirms a previewed load: who confirmed is recorded (so the page offers no second apply) and
    the apply task runs once this commits."""
    with transaction.atomic():
        load = roster_load_get(actor, load_id)
        locked = RosterLoad.objects.select_for_update().get(pk=load.pk)
        can_apply_roster_load(actor, locked).enforce()
        audited_update(
            locked,
            {"confirmed_by": actor},
            actor=actor,
            action="roster_load.confirm",
            fields=["status", "confirmed_by"],
            member=None,
        )
        roster_apply_enqueue(locked, actor)
    return roster_load_get(actor, load_id)


def roster_load_withdraw(*, actor: User, load_id: uuid.UUID | str) -> RosterLoad:
    """Cancel a load before it is applied; its upload's folder (the file, its progress) goes once that commits."""
    with transaction.atomic():
        load = roster_load_cancel(load_id=roster_load_get(actor, load_id).pk, actor=actor)
        if load.source != LoadSource.COMMAND:  # a command's own file is never removed
            transaction.on_commit(partial(upload_discard, load.stored_path))
    return load


def roster_load_rerun(*, actor: User, load_id: uuid.UUID | str, source: LoadSource) -> RosterLoad:
    """A load the mass-termination guard refused, run again on the same file allowing it: a new load, previewed
    in the background, which the analyst then reads and applies like any other."""
    load = roster_load_get(actor, load_id)
    can_rerun_allowing_mass_term(actor, load).enforce()
    kept = Path(load.stored_path) if load.stored_path else None
    if kept is None or not kept.is_file():
        raise Conflict("The file of this load is no longer kept: upload it again.")
    upload = upload_copy(kept, file_name=load.file_name)
    try:
        with transaction.atomic():
            again = roster_load_create(
                actor=actor,
                plan=load.plan,
                path=upload.path,
                file_name=upload.file_name,
                as_of=load.as_of,
                source=source,
                allow_mass_term=True,
                accept_valid_rows=load.accept_valid_rows,
            )
            roster_preview_enqueue(again)
    except BaseException:
        upload_discard(upload.path)
        raise
    return again
