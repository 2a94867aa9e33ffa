"""`manage.py encounters_export --plan CODE --provider NPI --period YYYY-MM --out FILE`: a provider's encounter service
lines for a plan and month (ECM contacts and outreach, Community Supports deliveries), ready for an 837P submission.

The format follows FILE's ending (.csv, .tsv, .txt/.psv, .xlsx). The file is kept and recorded like every file calaim
makes (an ExchangeExport of kind service_lines) and copied to FILE. `--as` names the user making it (the plan's data
analysts or compliance officers, the provider's staff, or a superuser); without it the export is recorded under
"<OS user> (manage.py encounters_export)"; provider staff named by --as may leave out --provider. Records calaim could
not code are listed with the reason. Exit status: 0 written; 1 refused (no contract, no NPI, a month not begun); 2
usage."""

from __future__ import annotations

import getpass
from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from calaim.commands.management.commands.exchange_export import Command as ExchangeExportCommand
from calaim.core.errors import DomainError
from calaim.exchange.export_common import Period
from calaim.exchange.models import LoadSource
from calaim.exchange.service_lines import service_lines_export_create
from calaim.exchange.writer import UnknownFormat, file_copy, file_format_for
from calaim.plans.models import Plan


class Command(ExchangeExportCommand):
    """The provider files' command with the same plan, provider, user and output handling (`_actor`, `_provider`)."""

    help = (
        "Write a provider's encounter service lines for a plan and month: ECM contacts and outreach (reached or not) "
        "and Community Supports deliveries, each with its HCPCS code, modifiers 1-5, units and source record, in the "
        "format FILE's ending names (.csv, .tsv, .txt/.psv, .xlsx); the file is also kept in calaim with its record."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--plan", required=True, help="The plan's code, e.g. HPSJ.")
        parser.add_argument("--provider", help="The provider's NPI (provider staff named by --as may leave it out).")
        parser.add_argument("--period", required=True, help="The month of service, YYYY-MM.")
        parser.add_argument("--out", required=True, type=Path, metavar="FILE", help="Where to write the file.")
        parser.add_argument("--as", dest="username", help="The user making it (plan or provider staff, superuser).")

    def handle(self, *args: Any, **options: Any) -> None:
        out: Path = options["out"]
        try:
            file_format = file_format_for(out)
            period = Period.parse(options["period"])
        except (UnknownFormat, ValueError) as exc:
            raise CommandError(str(exc), returncode=2) from None
        plan = Plan.objects.filter(code=options["plan"]).first()
        if plan is None:
            known = ", ".join(Plan.objects.order_by("code").values_list("code", flat=True))
            raise CommandError(f"No plan with code {options['plan']!r}; calaim knows {known}.", returncode=2)
        actor = self._actor(options["username"])
        provider = self._provider(options["provider"], actor)
        try:
            export, report = service_lines_export_create(
                actor=actor,
                actor_label=f"{getpass.getuser()} (manage.py encounters_export)",
                plan=plan,
                provider=provider,
                period=period,
                file_format=file_format,
                source=LoadSource.COMMAND,
            )
            file_copy(Path(export.stored_path), out)
        except DomainError as refusal:
            raise CommandError(refusal.message, returncode=1) from refusal
        except OSError as exc:
            raise CommandError(f"{out}: the file cannot be written: {exc.strerror or exc}", returncode=1) from exc
        programs = Counter(line.program for line in report.lines)
        self.stdout.write(
            f"Service lines {export.period} for {provider.name} ({provider.npi}) under {plan.code}: {export.rows:,} "
            f"lines (ECM {programs['ECM']:,}, CS {programs['CS']:,}) written to {out} (SHA-256 {export.file_sha256})."
        )
        for reason, count in Counter(u.reason for u in report.uncoded).most_common():
            self.stdout.write(f"Not coded: {count:,} record{'s' if count != 1 else ''}: {reason}.")
