"""Writes of identification runs and loads: each `<noun>_<verb>`, atomic, audited (the system is the actor of the
steps the tasks take). The tasks may run more than once (a retry, a lost worker), so each step locks its row and
checks its state first: running it again changes nothing."""

from __future__ import annotations

import csv
import datetime as dt
import os
import uuid
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from calaim.access.scopes import plan_of
from calaim.accounts.models import User
from calaim.analytics.files import output_path, private_dir, run_folder
from calaim.analytics.models import (
    Engine,
    IdentificationCandidate,
    IdentificationLoad,
    IdentificationRun,
    InputOrigin,
    LoadStatus,
    RunSource,
    RunStatus,
)
from calaim.analytics.policies import can_load_identification_candidates, can_run_identification
from calaim.core.audit import audit_record, snapshot
from calaim.core.clock import plan_today
from calaim.core.errors import ValidationFailed
from calaim.core.inputs import date_range_problem
from calaim.members.models import Member
from identification.run import Summary

STORE_CHUNK = 2000
RUN_FIELDS = ["status", "as_of", "engine", "rule_version", "members_name", "members_sha256", "claims_name",
              "claims_sha256", "candidates_count", "exclusions_count"]  # fmt: skip
LOAD_FIELDS = ["status", "rows", "members", "referrals_created", "skipped", "determined"]


@dataclass(frozen=True)
class RunInput:
    """One input file as the caller gave it: an upload staged on disk (hashed as it arrived) or a file in the
    plan's server folder (hashed when the run starts)."""

    origin: InputOrigin
    name: str
    path: Path
    sha256: str = ""
    size: int = 0


def identification_run_create(
    *, actor: User, as_of: dt.date, members: RunInput, claims: RunInput, source: RunSource, engine: Engine,
    rule_version: str,
) -> IdentificationRun:  # fmt: skip
    """Record a run for the analyst's plan, status `queued`; uploaded inputs move into the run's own folder."""
    can_run_identification(actor).enforce()
    if problem := date_range_problem(as_of):
        raise ValidationFailed(problem, field="as_of")
    if as_of > plan_today():
        raise ValidationFailed("The as-of date cannot be after today: the job looks back from it.", field="as_of")
    plan_id = plan_of(actor)
    assert plan_id is not None  # can_run_identification: plan staff
    run_id = uuid.uuid4()
    with transaction.atomic():
        fields: dict[str, Any] = {}
        for kind, given in (("members", members), ("claims", claims)):
            path = given.path
            if given.origin == InputOrigin.UPLOAD:
                path = private_dir(run_folder(run_id)) / f"{kind}{given.path.suffix}"
                os.replace(given.path, path)
            fields |= {f"{kind}_name": given.name, f"{kind}_origin": given.origin, f"{kind}_path": str(path),
                       f"{kind}_sha256": given.sha256, f"{kind}_size": given.size}  # fmt: skip
        run = IdentificationRun.objects.create(
            id=run_id, plan_id=plan_id, created_by=actor, source=source, as_of=as_of,
            engine=engine, rule_version=rule_version, **fields,
        )  # fmt: skip
        audit_record(actor=actor, action="identification_run.create", obj=run, after=snapshot(run, RUN_FIELDS))
    return run


def identification_run_task_set(*, run: IdentificationRun, task_id: str) -> None:
    """Which queued task runs the run (bookkeeping for the admin, not a change of state: not audited)."""
    IdentificationRun.objects.filter(pk=run.pk).update(task_id=task_id)
    run.task_id = task_id


def _lock_run(run_id: uuid.UUID | str) -> IdentificationRun:
    return IdentificationRun.objects.select_for_update(of=("self",)).select_related("plan").get(pk=run_id)


def identification_run_begin(*, run_id: uuid.UUID | str) -> IdentificationRun | None:
    """Mark the run `running`; None when it has already finished (the task ran before). A run found `running` was
    left by a worker that stopped: it starts again from the beginning, nothing of it having been kept."""
    with transaction.atomic():
        run = _lock_run(run_id)
        if run.finished:
            return None
        again = run.status == RunStatus.RUNNING
        run.status, run.started_at, run.phase = RunStatus.RUNNING, timezone.now(), "starting"
        run.save(update_fields=["status", "started_at", "phase", "updated_at"])
        reason = "started again: the worker running it stopped" if again else ""
        audit_record(actor=None, action="identification_run.start", obj=run, after={"status": run.status},
                     reason=reason)  # fmt: skip
    return run


def identification_run_progress(*, run_id: uuid.UUID | str, phase: str) -> None:
    """The step the job is on, for the page that polls it; progress, not a change of state, so not audited."""
    IdentificationRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(phase=phase[:80])


def _hashed(run: IdentificationRun, hashes: dict[str, tuple[str, int]]) -> list[str]:
    for kind, (sha256, size) in hashes.items():
        setattr(run, f"{kind}_sha256", sha256)
        setattr(run, f"{kind}_size", size)
    return [f"{kind}_{what}" for kind in hashes for what in ("sha256", "size")]


def identification_run_complete(
    *, run_id: uuid.UUID | str, summary: Summary, hashes: dict[str, tuple[str, int]]
) -> IdentificationRun | None:
    """Keep the run's summary and its candidates of the plan's members, status `completed`, in one transaction."""
    with transaction.atomic():
        run = _lock_run(run_id)
        if run.status != RunStatus.RUNNING:
            return None
        IdentificationCandidate.objects.filter(run=run).delete()  # a task run again stores its rows once
        stored, other_plan = _candidates_store(run)
        kept = {k: v for k, v in asdict(summary).items() if k not in ("outputs", "claims_file")}
        run.summary = kept
        run.members_read, run.claims_read = summary.members_read, summary.claims_read
        run.unknown_member_claims = summary.unknown_member_claims
        run.candidates_count, run.candidates_other_plan = stored, other_plan
        run.exclusions_count = sum(summary.exclusions_by_reason.values())
        run.status, run.phase, run.finished_at = RunStatus.COMPLETED, "", timezone.now()
        run.elapsed_seconds = (run.finished_at - run.started_at).total_seconds() if run.started_at else None
        changed = [
            "summary",
            "members_read",
            "claims_read",
            "unknown_member_claims",
            "candidates_count",
            "candidates_other_plan",
            "exclusions_count",
            "status",
            "phase",
            "finished_at",
            "elapsed_seconds",
        ]
        run.save(update_fields=[*changed, *_hashed(run, hashes), "updated_at"])
        audit_record(actor=None, action="identification_run.complete", obj=run, after=snapshot(run, RUN_FIELDS))
    return run


def identification_run_fail(
    *, run_id: uuid.UUID | str, message: str, error: dict[str, Any], hashes: dict[str, tuple[str, int]]
) -> IdentificationRun | None:
    """The run stopped with nothing found: status `failed`, with the error (file, row, column) in words."""
    with transaction.atomic():
        run = _lock_run(run_id)
        if run.finished:
            return None
        run.status, run.phase, run.finished_at = RunStatus.FAILED, "", timezone.now()
        run.elapsed_seconds = (run.finished_at - run.started_at).total_seconds() if run.started_at else None
        run.message, run.error = message, error
        changed = ["status", "phase", "finished_at", "elapsed_seconds", "message", "error"]
        run.save(update_fields=[*changed, *_hashed(run, hashes), "updated_at"])
        audit_record(actor=None, action="identification_run.fail", obj=run, after=snapshot(run, RUN_FIELDS),
                     reason=message[:1000])  # fmt: skip
    return run


def _candidates_store(run: IdentificationRun) -> tuple[int, int]:
    """The candidates file's rows of members of the run's plan, each linked to calaim's member when known; rows of
    CINs calaim knows in another plan are counted and left out. Returns (stored, other plan)."""
    stored = other_plan = 0
    with output_path(run.pk, "candidates").open(newline="", encoding="utf-8") as handle:
        chunk: list[tuple[int, dict[str, str]]] = []
        for index, record in enumerate(csv.DictReader(handle), start=1):
            chunk.append((index, record))
            if len(chunk) == STORE_CHUNK:
                counts = _chunk_store(run, chunk)
                stored, other_plan, chunk = stored + counts[0], other_plan + counts[1], []
        counts = _chunk_store(run, chunk)
    return stored + counts[0], other_plan + counts[1]


def _chunk_store(run: IdentificationRun, chunk: list[tuple[int, dict[str, str]]]) -> tuple[int, int]:
    known = {m.cin: m for m in Member.objects.filter(cin__in={r["member_id"] for _, r in chunk}).only("cin", "plan")}
    rows, other_plan = [], 0
    for index, record in chunk:
        member = known.get(record["member_id"])
        if member is not None and member.plan_id != run.plan_id:
            other_plan += 1
            continue
        rows.append(IdentificationCandidate(
            run=run, member=member, cin=record["member_id"], pof=record["pof"], row=index,
            evidence_count=int(record["evidence_count"] or 0),
            first_evidence_date=_day(record["first_evidence_date"]),
            last_evidence_date=_day(record["last_evidence_date"]),
            evidence_claim_ids=[i for i in record["evidence_claim_ids"].split(";") if i],
            route_to=record["route_to"],
        ))  # fmt: skip
    IdentificationCandidate.objects.bulk_create(rows, batch_size=STORE_CHUNK)
    return len(rows), other_plan


def _day(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def identification_load_create(*, actor: User, run: IdentificationRun) -> IdentificationLoad:
    """Ask for the run's candidates to be loaded as referrals, status `queued` (one load at a time per run)."""
    can_load_identification_candidates(actor, run).enforce()
    with transaction.atomic():
        locked = _lock_run(run.pk)
        can_load_identification_candidates(actor, locked).enforce()
        load = IdentificationLoad.objects.create(run=locked, created_by=actor)
        audit_record(actor=actor, action="identification_load.create", obj=load, after={"run": str(run.pk)})
    return load


def identification_load_task_set(*, load: IdentificationLoad, task_id: str) -> None:
    """Which queued task runs the load (bookkeeping, not audited)."""
    IdentificationLoad.objects.filter(pk=load.pk).update(task_id=task_id)
    load.task_id = task_id


def identification_load_lock(load_id: uuid.UUID | str) -> IdentificationLoad:
    """The load's row, locked until the end of the caller's transaction, with its run and who asked."""
    return (
        IdentificationLoad.objects.select_for_update(of=("self",))
        .select_related("run", "created_by__organization")
        .get(pk=load_id)
    )


def identification_load_begin(*, load_id: uuid.UUID | str) -> IdentificationLoad | None:
    """Mark the load `running` (committed, so the page shows it); None when it has already finished."""
    with transaction.atomic():
        load = identification_load_lock(load_id)
        if load.status not in (LoadStatus.QUEUED, LoadStatus.RUNNING):
            return None
        load.status, load.started_at = LoadStatus.RUNNING, timezone.now()
        load.save(update_fields=["status", "started_at", "updated_at"])
    return load


def identification_load_record(
    *, load: IdentificationLoad, rows: int, members: int, created: int, skipped: Counter[str],
    determined: Counter[str],
) -> None:  # fmt: skip
    """What the load did, status `completed`; called inside the transaction that created its referrals."""
    load.status, load.finished_at = LoadStatus.COMPLETED, timezone.now()
    load.rows, load.members, load.referrals_created = rows, members, created
    load.skipped, load.determined = dict(sorted(skipped.items())), dict(sorted(determined.items()))
    load.save(update_fields=["status", "finished_at", "rows", "members", "referrals_created", "skipped",
                             "determined", "updated_at"])  # fmt: skip
    audit_record(actor=None, action="identification_load.complete", obj=load, after=snapshot(load, LOAD_FIELDS))


def identification_load_fail(*, load_id: uuid.UUID | str, message: str) -> None:
    """The load stopped with nothing loaded (its transaction rolled back): status `failed`, and why."""
    with transaction.atomic():
        load = identification_load_lock(load_id)
        if load.status not in (LoadStatus.QUEUED, LoadStatus.RUNNING):
            return
        load.status, load.finished_at, load.message = LoadStatus.FAILED, timezone.now(), message
        load.save(update_fields=["status", "finished_at", "message", "updated_at"])
        audit_record(actor=None, action="identification_load.fail", obj=load, after={"status": load.status},
                     reason=message[:1000])  # fmt: skip
