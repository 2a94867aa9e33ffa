"""`manage.py roster_load FILE --plan CODE --as-of YYYY-MM-DD`: apply a plan's complete roster (exchange-spec §1).

The command runs the same services as the web app and the API (`roster_load_create` with source=command, then
`roster_load_preview` for a dry run or `roster_load_apply`), in this process rather than through the task queue.
Who loads it: `--as` names one of the plan's data analysts (or a superuser); without it the load is recorded under
"<OS user> (manage.py roster_load)". Exit status: 0 applied, previewed or already loaded (nothing new); 1 rejected,
refused or failed (nothing written; the rejects file lists the rows at fault); 2 usage."""

from __future__ import annotations

import datetime as dt
import getpass
import time
from pathlib import Path
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from calaim.accounts.models import User
from calaim.core.errors import DomainError
from calaim.plans.models import Plan
from calaim.roster.models import LoadSource, LoadStatus, RosterLoad
from calaim.roster.services import roster_load_apply, roster_load_create, roster_load_preview

FAILED = {LoadStatus.REJECTED, LoadStatus.REFUSED, LoadStatus.FAILED}


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--as-of {text!r}: expected a date as YYYY-MM-DD.", returncode=2) from None


class Command(BaseCommand):
    help = (
        "Apply a plan's complete roster on a day: members in the file are created or updated, members of the plan "
        "absent from it are termed the day before (refused above the plan's limit unless --allow-mass-term), and "
        "a file with any error changes nothing unless --accept-valid-rows. Loading the same bytes again changes "
        "nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path", type=Path, metavar="FILE", help="The roster: .csv, .tsv, .txt/.psv, .xlsx, .parquet"
        )
        parser.add_argument("--plan", required=True, help="The plan's code, e.g. HPSJ.")
        parser.add_argument("--as-of", required=True, type=_day, help="The day the roster is complete on.")
        parser.add_argument("--dry-run", action="store_true", help="Show what would change; write no member.")
        parser.add_argument(
            "--allow-mass-term", action="store_true", help="Term by absence beyond the plan's limit (5%% by default)."
        )
        parser.add_argument(
            "--accept-valid-rows",
            action="store_true",
            help="Apply the valid rows; the members of rejected rows are left as they were.",
        )
        parser.add_argument("--as", dest="username", help="The plan's data analyst (or a superuser) loading it.")
        parser.add_argument("--rejects", type=Path, help="Where to write the rejected rows (default FILE.rejects.csv).")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file.", returncode=2)
        plan = Plan.objects.filter(code=options["plan"]).first()
        if plan is None:
            known = ", ".join(Plan.objects.order_by("code").values_list("code", flat=True))
            raise CommandError(f"No plan with code {options['plan']!r}; calaim knows {known}.", returncode=2)
        actor = self._actor(options["username"])
        rejects = options["rejects"] or path.with_name(f"{path.stem}.rejects.csv")
        try:
            load = roster_load_create(
                actor=actor,
                actor_label=f"{getpass.getuser()} (manage.py roster_load)",
                plan=plan,
                path=path,
                file_name=path.name,
                as_of=options["as_of"],
                source=LoadSource.COMMAND,
                dry_run=options["dry_run"],
                allow_mass_term=options["allow_mass_term"],
                accept_valid_rows=options["accept_valid_rows"],
                rejects_path=rejects.resolve(),
            )
            with TerminalProgress(self.stdout) as progress:
                if options["dry_run"]:
                    load = roster_load_preview(load_id=load.pk, progress=progress)
                else:
                    load = roster_load_apply(load_id=load.pk, actor=actor, progress=progress)
        except DomainError as refusal:
            raise CommandError(refusal.message, returncode=1) from refusal
        self._report(load)

    def _actor(self, username: str | None) -> User | None:
        if not username:
            return None
        actor = User.objects.select_related("organization").filter(username=username, is_active=True).first()
        if actor is None:
            raise CommandError(f"No active user named {username!r}.", returncode=2)
        return actor

    def _report(self, load: RosterLoad) -> None:
        for line in summary_lines(load, samples=load.dry_run):
            self.stdout.write(line)
        if load.status in FAILED:
            raise CommandError(load.message or load.get_status_display(), returncode=1)


class TerminalProgress:
    """The load's progress: a bar on a terminal, else one plain line per phase (and every 10% of a long one)."""

    def __init__(self, out: OutputWrapper) -> None:
        self.out = out
        self.bar: Progress | None = None
        self.task: TaskID | None = None
        self.phase = ""
        self.tenth = -1
        self.started = time.monotonic()

    def __enter__(self) -> TerminalProgress:
        if self.out.isatty():
            self.bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(file=cast("IO[str]", self.out._out)),
                transient=True,
            )
            self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()

    def __call__(self, phase: str, done: int, total: int) -> None:
        if self.bar is not None:
            if phase != self.phase or self.task is None:
                if self.task is not None:
                    self.bar.remove_task(self.task)
                self.task = self.bar.add_task(phase, total=max(total, 1))
            self.bar.update(self.task, completed=done, total=max(total, 1))
        else:
            tenth = int(10 * done / total) if total else 0
            if phase != self.phase or (total >= 100_000 and tenth > self.tenth):
                elapsed = time.monotonic() - self.started
                self.out.write(f"[{elapsed:6.1f} s] {phase}: {done:,} of {total:,}")
                self.tenth = tenth
        self.phase = phase


_COUNTS = (
    ("rows_read", "rows read"),
    ("created", "created"),
    ("updated", "updated"),
    ("unchanged", "unchanged"),
    ("termed", "termed"),
    ("termed_by_absence", "  of them absent from the file"),
    ("moved", "moved from another plan"),
    ("excluded", "newly in an excluding program"),
    ("delegated", "newly delegated"),
    ("dsnp", "newly D-SNP"),
    ("facts", "roster facts for open work"),
    ("rejected", "rejected rows"),
)
SAMPLES_SHOWN = 5


def summary_lines(load: RosterLoad, *, samples: bool) -> list[str]:
    """What the load did (or, for a dry run, would do): counts, rejected rows by reason, elapsed time."""
    counts = load.counts
    lines = [f"Roster {load.file_name} for {load.plan.code} as of {load.as_of:%Y-%m-%d}: {load.get_status_display()}"]
    if load.message:
        lines.append(f"  {load.message}")
    width = max(len(label) for _, label in _COUNTS)
    lines += [f"  {label:<{width}} {counts[key]:>12,}" for key, label in _COUNTS if key in counts]
    for reason, count in sorted(counts.get("rejected_by_reason", {}).items()):
        lines.append(f"    {reason}: {count:,}")
    if "enrolled_before" in counts:
        lines.append(
            f"  {'enrolled on as-of before':<{width}} {counts['enrolled_before']:>12,}"
            f"  ({counts.get('term_percent', 0)}% termed by absence)"
        )
    lines.append(f"  {'elapsed':<{width}} {counts.get('elapsed_seconds', 0):>10.1f} s")
    if load.rejects_path and load.error_count:
        lines.append(f"  rejects: {load.rejects_path} ({load.error_count:,} errors)")
    if samples:
        lines += _sample_lines(load)
    return lines


def _sample_lines(load: RosterLoad) -> list[str]:
    lines = []
    for kind, members in load.samples.items():
        if not members:
            continue
        total = load.counts.get(kind, len(members))
        lines.append(f"  {kind} (showing {min(len(members), SAMPLES_SHOWN)} of {total:,}):")
        for member in members[:SAMPLES_SHOWN]:
            changes = "; ".join(
                f"{field} {_shown(old)} -> {_shown(new)}" for field, (old, new) in member["changes"].items()
            )
            lines.append(f"    {member['cin']} {member['name']}: {changes}")
    return lines


def _shown(value: object) -> str:
    return "(empty)" if value in (None, "") else str(value)
