"""One roster load's transaction: stage, compare, check the mass-termination guard, then write the members, their
spans and programs, the audit trail and the roster facts (apply), or roll it all back (preview, refusal), and what
each outcome says on the load's row."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from calaim.accounts.models import User
from calaim.core.clock import PLAN_TIME_ZONE
from calaim.core.models import AuditEvent
from calaim.plans.selectors import program_settings_for
from calaim.roster.consequences import facts_raise
from calaim.roster.merge import MergeInput, RosterMerge
from calaim.roster.merge_progress import LoadProgress
from calaim.roster.merge_report import merge_changes, merge_counts, merge_samples
from calaim.roster.merge_sql import program_codes
from calaim.roster.merge_write import write_audit, write_members, write_programs, write_spans
from calaim.roster.models import LoadStatus, RosterLoad
from calaim.roster.reader import RosterRead
from calaim.roster.vocabulary import roster_keys, roster_vocabulary

# One roster load writes at a time on PostgreSQL (a CIN may move between plans loading at once); SQLite has one
# writer anyway. The key is arbitrary, fixed: "roster" in ASCII.
ADVISORY_LOCK = 0x726F73746572
# The server memory one load's session may use for its joins and its temporary tables (PostgreSQL's defaults, 4 MB
# and 8 MB, are for many small queries: a million staged rows would go back and forth to temporary files).
WORK_MEM = TEMP_BUFFERS = "256MB"
ANALYZE_AFTER = 10_000


@dataclass
class LoadOutcome:
    status: LoadStatus
    message: str = ""
    counts: dict[str, Any] = field(default_factory=dict)
    samples: dict[str, Any] | None = None
    duplicate_of: RosterLoad | None = None
    saved: bool = False  # the applied load saved its row inside its own transaction

    @classmethod
    def duplicate(cls, load: RosterLoad, earlier: RosterLoad) -> LoadOutcome:
        when = timezone.localtime(earlier.finished_at or earlier.created_at, PLAN_TIME_ZONE)
        return cls(
            LoadStatus.DUPLICATE,
            f"{load.file_name}: these bytes were loaded on {when:%Y-%m-%d %H:%M %Z} by {load_label(earlier)} "
            f"(as of {earlier.as_of:%Y-%m-%d}); nothing changed.",
            duplicate_of=earlier,
        )

    @classmethod
    def failed(cls, message: str) -> LoadOutcome:
        return cls(LoadStatus.FAILED, f"{message} Nothing was written.")

    @classmethod
    def rejected(cls, load: RosterLoad, read: RosterRead) -> LoadOutcome:
        rows = f"{read.rejected_rows} of {read.rows_read} rows" if read.rejected_rows else "the file"
        return cls(
            LoadStatus.REJECTED,
            f"{load.file_name}: {read.error_count} error{'s' if read.error_count != 1 else ''} in {rows}; nothing "
            "was written. The rejects file names each row, column and value and what was expected.",
        )


class _Abort(Exception):
    """Leaves the load's transaction, rolling it back, with the outcome to record."""

    def __init__(self, outcome: LoadOutcome) -> None:
        super().__init__(outcome.status)
        self.outcome = outcome


def loaded_before(load: RosterLoad) -> RosterLoad | None:
    """The load that already applied these bytes for this plan, if any."""
    return (
        RosterLoad.objects.filter(plan_id=load.plan_id, file_sha256=load.file_sha256, status=LoadStatus.APPLIED)
        .exclude(pk=load.pk)
        .select_related("created_by", "confirmed_by")
        .order_by("finished_at")
        .first()
    )


def load_label(load: RosterLoad) -> str:
    """Who loaded it, in words: the analyst who confirmed it, else who offered it, else the command's label."""
    who = load.confirmed_by or load.created_by
    return who.get_username() if who is not None else load.actor_label


def load_reason(load: RosterLoad) -> str:
    return f"roster load {load.pk} as of {load.as_of:%Y-%m-%d}, {load.file_name}"


def load_audit(
    load: RosterLoad,
    action: str,
    *,
    actor: User | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """The load's own audit event; a load from the command without --as is recorded under its label."""
    who = actor or load.confirmed_by or load.created_by
    AuditEvent.objects.create(
        at=timezone.now(),
        actor=who,
        actor_label=who.get_username() if who is not None else load.actor_label,
        action=action,
        object_type=RosterLoad._meta.label_lower,
        object_id=str(load.pk),
        before=before,
        after=after,
        reason=load_reason(load),
    )


def merge_run(load: RosterLoad, read: RosterRead, *, apply: bool, progress: LoadProgress) -> LoadOutcome:
    """Compare (and for `apply`, write) in one transaction; a preview, a dry run or a refusal rolls it back."""
    assert read.normalized_path is not None
    settings = program_settings_for(load.plan, load.as_of)
    source = MergeInput(
        plan_id=load.plan_id,
        plan_code=load.plan.code,
        as_of=load.as_of,
        normalized_path=read.normalized_path,
        present=read.present,
        rejected_cins=read.rejected_cins,
        keys=roster_keys(load.plan),
        programs=program_codes(roster_vocabulary(load.plan, load.as_of).programs),
    )
    postgres = connection.vendor == "postgresql"
    if postgres:
        _session_memory()
    progress.in_write = True
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if postgres:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK])
                # Joins of a million staged rows: in memory, not spilled in batches to disk (this transaction only).
                cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
            earlier = loaded_before(load) if apply else None
            if earlier is not None:
                raise _Abort(LoadOutcome.duplicate(load, earlier))
            merge = RosterMerge(cursor, source, postgres=postgres)
            counts, samples = _compare(merge, read, progress)
            _guard(load, counts, samples, limit=settings.roster_mass_term_percent)
            if not apply:
                status = LoadStatus.DRY_RUN if load.dry_run else LoadStatus.PREVIEWED
                raise _Abort(LoadOutcome(status, _accepted(read), counts, samples))
            counts["facts"] = _write(merge, load, progress, dsnp_excludes_ecm=settings.dsnp_excludes_ecm)
            _save_applied(load, read, counts, samples)
        if postgres:
            _statistics_refresh(counts)
        return LoadOutcome(LoadStatus.APPLIED, saved=True)
    except _Abort as abort:
        return abort.outcome
    finally:
        progress.in_write = False


def _session_memory() -> None:
    """Temporary tables held in memory; PostgreSQL allows it only before the session's first temporary table (a
    reused connection keeps what it had)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET temp_buffers = '{TEMP_BUFFERS}'")
    except DatabaseError:
        pass


def _statistics_refresh(counts: dict[str, Any]) -> None:
    """After a load that created many members (a first load above all: the statistics say the tables are empty), the
    planner would plan every page's queries for the old tables until autovacuum analyzes them; a load that updates
    members changes their distributions too little to wait for."""
    if counts["created"] >= ANALYZE_AFTER:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE members_member, members_enrollmentspan, members_memberprogram")


def _compare(merge: RosterMerge, read: RosterRead, progress: LoadProgress) -> tuple[dict[str, Any], dict[str, Any]]:
    total = read.rows_read - read.rejected_rows
    progress("Staging the rows", 0, total)
    merge.stage(lambda done: progress("Staging the rows", done, total))
    progress("Comparing with calaim's members", 0, 1)
    merge.compare()
    counts: dict[str, Any] = merge_counts(merge)
    enrolled, termed = counts["enrolled_before"], counts["termed_by_absence"]
    counts["term_percent"] = round(100 * termed / enrolled, 2) if enrolled else 0.0
    progress("Comparing with calaim's members", 1, 1)
    return counts, merge_samples(merge)


def _guard(load: RosterLoad, counts: dict[str, Any], samples: dict[str, Any], *, limit: int) -> None:
    """A truncated file must not disenroll a county: more than `limit` percent termed by absence refuses."""
    if counts["term_percent"] <= limit or load.allow_mass_term:
        return
    message = (
        f"Refused: {counts['termed_by_absence']:,} of the {counts['enrolled_before']:,} members of {load.plan.code} "
        f"enrolled on {load.as_of:%Y-%m-%d} ({counts['term_percent']}%) are not in {load.file_name} and would be "
        f"termed, more than the plan's limit of {limit}%. Check that the file is the complete roster; if it is, "
        "load it again allowing mass termination. Nothing was written."
    )
    raise _Abort(LoadOutcome(LoadStatus.REFUSED, message, counts, samples))


def _write(merge: RosterMerge, load: RosterLoad, progress: LoadProgress, *, dsnp_excludes_ecm: bool) -> int:
    now = timezone.now()
    steps = 5
    progress("Writing members", 0, steps)
    write_members(merge, now)
    progress("Writing enrollment spans and programs", 1, steps)
    write_spans(merge)
    write_programs(merge)
    progress("Writing the audit trail", 2, steps)
    write_audit(merge, now=now, actor_id=_actor_id(load), actor_label=load_label(load), reason=load_reason(load))
    progress("Raising roster facts", 3, steps)
    facts = facts_raise(load=load, changes=merge_changes(merge, dsnp_excludes_ecm=dsnp_excludes_ecm))
    merge.drop()
    progress("Saving the load", 4, steps)
    return facts


def _actor_id(load: RosterLoad) -> int | None:
    who = load.confirmed_by or load.created_by
    return who.pk if who is not None else None


def _save_applied(load: RosterLoad, read: RosterRead, counts: dict[str, Any], samples: dict[str, Any]) -> None:
    """The applied load's row, written last in its transaction (so progress written aside never waits on it)."""
    load.status = LoadStatus.APPLIED
    load.message = _accepted(read)
    load.counts = {**load.counts, **counts}
    load.samples = samples
    load.finished_at = timezone.now()
    load.counts["elapsed_seconds"] = round((load.finished_at - (load.started_at or load.created_at)).total_seconds(), 1)
    load.phase, load.progress_done, load.progress_total = LoadStatus.APPLIED.label, 1, 1
    load.save()
    load_audit(load, "roster_load.applied", after={"status": load.status, "counts": load.counts})


def _accepted(read: RosterRead) -> str:
    if not read.rejected_rows:
        return ""
    return (
        f"{read.rejected_rows} rejected row{'s were' if read.rejected_rows != 1 else ' was'} left out and "
        "their members left as they were (valid rows accepted)."
    )
