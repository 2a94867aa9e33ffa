"""`manage.py exchange_export --kind mif|rtf|otf|service_lines --plan CODE --provider NPI --period YYYY-MM --out FILE`:
make a provider's file for a plan and month (exchange-spec §2; the service lines: calaim.exchange.service_lines).

The command runs the same service as the web app and the API (`exchange_export_create`, source=command): the file
is kept under CALAIM_DATA_DIR with its record and audit event, and copied to FILE, whose ending picks the format
(.csv, .tsv, .txt or .psv for pipe, .xlsx). Who makes it: `--as` names the plan's data analyst, the provider's
staff (who may leave out --provider: their own organization) or a superuser; without it the file is recorded under
"<OS user> (manage.py exchange_export)". The service lines also list the records calaim could not code, with the
reason. Exit status: 0 made, 1 refused, 2 usage.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from calaim.accounts.models import User
from calaim.core.errors import DomainError
from calaim.exchange.export_common import Period
from calaim.exchange.exports import EXPORT_KINDS, exchange_export_create, export_facts
from calaim.exchange.models import ExchangeExport, FileKind, LoadSource
from calaim.exchange.writer import UnknownFormat, file_copy, file_format_for
from calaim.network.models import Organization, OrganizationKind
from calaim.plans.models import Plan

PROVIDER_KINDS = (OrganizationKind.ECM_PROVIDER, OrganizationKind.CS_PROVIDER)


class Command(BaseCommand):
    help = (
        "Make a provider's MIF, RTF, OTF or encounter service lines for a plan and month, in the format FILE's ending "
        "names (.csv, .tsv, .txt/.psv, .xlsx); the file is also kept in calaim, with its record, for download."
    )
    command_name = "exchange_export"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", required=True, choices=[str(kind) for kind in EXPORT_KINDS])
        self.file_arguments(parser)

    def file_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--plan", required=True, help="The plan's code, e.g. HPSJ.")
        parser.add_argument("--provider", help="The provider's NPI (provider staff named by --as may leave it out).")
        parser.add_argument("--period", required=True, help="The reporting month (of service), YYYY-MM.")
        parser.add_argument("--out", required=True, type=Path, metavar="FILE", help="Where to write the file.")
        parser.add_argument("--as", dest="username", help="The user making it (plan or provider staff, superuser).")

    def handle(self, *args: Any, **options: Any) -> None:
        self.make(options["kind"], options)

    def make(self, kind: str, options: dict[str, Any]) -> None:
        """Make the `kind` file the options name through `exchange_export_create`, copy it to --out and say what
        it holds."""
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
            export = exchange_export_create(
                actor=actor,
                actor_label=f"{getpass.getuser()} (manage.py {self.command_name})",
                plan=plan,
                provider=provider,
                kind=kind,
                period=period,
                file_format=file_format,
                source=LoadSource.COMMAND,
            )
            file_copy(Path(export.stored_path), out)
        except DomainError as refusal:
            raise CommandError(refusal.message, returncode=1) from refusal
        except OSError as exc:
            raise CommandError(f"{out}: the file cannot be written: {exc.strerror or exc}", returncode=1) from exc
        self._say(export, out)

    def _say(self, export: ExchangeExport, out: Path) -> None:
        provider, plan = export.provider, export.plan
        made = f"{export.get_kind_display()} {export.period} for {provider.name} ({provider.npi}) under {plan.code}"
        if export.kind != FileKind.SERVICE_LINES:
            self.stdout.write(f"{made}: {export.rows:,} rows written to {out} (SHA-256 {export.file_sha256}).")
            return
        facts = export_facts(export)
        programs = facts.get("lines_by_program", {})
        self.stdout.write(
            f"{made}: {export.rows:,} lines (ECM {programs.get('ECM', 0):,}, CS {programs.get('CS', 0):,}) written to "
            f"{out} (SHA-256 {export.file_sha256})."
        )
        for reason, count in facts.get("uncoded_by_reason", {}).items():
            self.stdout.write(f"Not coded: {count:,} record{'s' if count != 1 else ''}: {reason}.")

    def _actor(self, username: str | None) -> User | None:
        if not username:
            return None
        actor = User.objects.select_related("organization").filter(username=username, is_active=True).first()
        if actor is None:
            raise CommandError(f"No active user named {username!r}.", returncode=2)
        return actor

    def _provider(self, npi: str | None, actor: User | None) -> Organization:
        if not npi:
            if actor is not None and actor.is_provider_staff and actor.organization is not None:
                return actor.organization
            raise CommandError("Name the provider: --provider NPI.", returncode=2)
        found = list(Organization.objects.filter(npi=npi, kind__in=PROVIDER_KINDS)[:2])
        if len(found) != 1:
            problem = "no ECM or CS provider" if not found else "more than one provider"
            raise CommandError(f"calaim knows {problem} with NPI {npi!r}.", returncode=2)
        return found[0]
