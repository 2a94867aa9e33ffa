"""`manage.py exchange_import --kind rtf|otf --plan CODE [--provider NPI] FILE`: a provider's RTF or OTF into calaim
(exchange-spec §2.2, §2.3).

The command runs the same services as the web app and the API (`exchange_load_create` with source=command, then
`exchange_load_run`), in this process. Who imports: `--as` names the provider's staff or the plan's data analyst (or a
superuser); without it the load is recorded under "<OS user> (manage.py exchange_import)" (an OTF needs `--as`: its
attempts are recorded under a user). The provider is `--provider NPI`, else the `--as` user's own organization, else
the one NPI the file names. Exit status: 0 applied, nothing new or already loaded; 1 rejected or failed (nothing
written; the rejects file lists the rows at fault); 2 usage."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from calaim.accounts.models import User
from calaim.commands.management.commands.roster_load import TerminalProgress
from calaim.core.errors import DomainError, ValidationFailed
from calaim.exchange.models import ExchangeLoad, FileKind, LoadSource, LoadStatus
from calaim.exchange.reader import RowError
from calaim.exchange.services import exchange_load_create, exchange_load_run
from calaim.network.models import Organization
from calaim.plans.models import Plan

FAILED = {LoadStatus.REJECTED, LoadStatus.FAILED}
ERRORS_SHOWN = 10
_COUNTS = (
    ("rows_read", "rows read"),
    ("applied", "applied"),
    ("unchanged", "unchanged"),
    ("rejected", "rejected"),
    ("loop_steps", "closed-loop entries"),
    ("loop_status_changes", "referral statuses moved"),
    ("enrolled", "enrolled"),
    ("reports", "provider reports"),
    ("contact_updates", "contact updates"),
    ("encounter_counts", "encounter counts"),
    ("discontinued", "discontinued"),
    ("attempts", "outreach attempts"),
)


class Command(BaseCommand):
    help = (
        "Import a provider's Return Transmission File (rtf) or Outreach Tracker File (otf) for a plan: every row is "
        "checked first, and a file with any error changes nothing unless --accept-valid-rows. Loading the same "
        "bytes again changes nothing; a corrected file applies only what is new."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, metavar="FILE", help="The file: .csv, .tsv, .txt/.psv (pipe), .xlsx")
        parser.add_argument("--kind", required=True, choices=[FileKind.RTF.value, FileKind.OTF.value])
        parser.add_argument("--plan", required=True, help="The plan's code, e.g. HPSJ.")
        parser.add_argument("--provider", metavar="NPI", help="The provider's NPI (plan staff name it).")
        parser.add_argument(
            "--accept-valid-rows", action="store_true", help="Apply the valid rows; the others go to the rejects file."
        )
        parser.add_argument("--rejects", type=Path, help="Where to write the rejected rows (default FILE.rejects.csv).")
        parser.add_argument("--as", dest="username", help="The provider's or plan's staff member (or a superuser).")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file.", returncode=2)
        plan = self._plan(options["plan"])
        actor = self._actor(options["username"])
        provider = self._provider(options["provider"])
        rejects = options["rejects"] or path.with_name(f"{path.stem}.rejects.csv")
        try:
            load = exchange_load_create(
                actor=actor,
                actor_label=f"{getpass.getuser()} (manage.py exchange_import)",
                plan=plan,
                provider=provider,
                kind=options["kind"],
                path=path,
                file_name=path.name,
                source=LoadSource.COMMAND,
                accept_valid_rows=options["accept_valid_rows"],
                rejects_path=rejects.resolve(),
            )
        except ValidationFailed as refusal:
            raise CommandError(refusal.message, returncode=2) from refusal
        except DomainError as refusal:
            raise CommandError(refusal.message, returncode=1) from refusal
        try:
            with TerminalProgress(self.stdout) as progress:
                load = exchange_load_run(load, progress=progress)
        except DomainError as refusal:
            raise CommandError(refusal.message, returncode=1) from refusal
        for line in summary_lines(load):
            self.stdout.write(line)
        if load.status in FAILED:
            raise CommandError(load.message or load.get_status_display(), returncode=1)

    def _plan(self, code: str) -> Plan:
        plan = Plan.objects.filter(code=code).first()
        if plan is None:
            known = ", ".join(Plan.objects.order_by("code").values_list("code", flat=True))
            raise CommandError(f"No plan with code {code!r}; calaim knows {known}.", returncode=2)
        return plan

    def _actor(self, username: str | None) -> User | None:
        if not username:
            return None
        actor = User.objects.select_related("organization").filter(username=username, is_active=True).first()
        if actor is None:
            raise CommandError(f"No active user named {username!r}.", returncode=2)
        return actor

    def _provider(self, npi: str | None) -> Organization | None:
        if not npi:
            return None
        found = list(Organization.objects.filter(npi=npi)[:2])
        if len(found) != 1:
            raise CommandError(
                f"--provider {npi}: {'no' if not found else 'more than one'} provider has this NPI.", returncode=2
            )
        return found[0]


def summary_lines(load: ExchangeLoad) -> list[str]:
    """What the load did: its outcome, rows read, applied, unchanged, rejected by reason, each effect, elapsed."""
    counts = load.counts
    lines = [
        f"{load.get_kind_display()} {load.file_name} from {load.provider.name} for {load.plan.code}: "
        f"{load.get_status_display()}"
    ]
    if load.message:
        lines.append(f"  {load.message}")
    width = max(len(label) for _, label in _COUNTS)
    lines += [f"  {label:<{width}} {counts[key]:>10,}" for key, label in _COUNTS if key in counts]
    for reason, count in sorted(counts.get("rejected_by_reason", {}).items()):
        lines.append(f"    {reason}: {count:,}")
    lines.append(f"  {'elapsed':<{width}} {counts.get('elapsed_seconds', 0):>8.1f} s")
    for error in load.errors[:ERRORS_SHOWN]:
        lines.append(
            "  " + RowError(error["row"], error["column"], error["value"], error["message"]).line(load.file_name)
        )
    if load.error_count > ERRORS_SHOWN:
        lines.append(f"  ... and {load.error_count - ERRORS_SHOWN:,} more")
    if load.rejects_path and load.error_count:
        lines.append(f"  rejects: {load.rejects_path} ({load.error_count:,} errors)")
    return lines
