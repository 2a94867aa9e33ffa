"""`manage.py encounters_export --plan CODE --provider NPI --period YYYY-MM --out FILE`: a provider's encounter service
lines for a plan and month (ECM contacts and outreach, Community Supports deliveries), ready for an 837P submission.

The same as `manage.py exchange_export --kind service_lines` (one service, `exchange_export_create`): the file is
kept and recorded like every file calaim makes and copied to FILE, whose ending picks the format (.csv, .tsv,
.txt/.psv, .xlsx). `--as` names the user making it (the plan's data analysts, the provider's staff, or a superuser);
without it the export is recorded under "<OS user> (manage.py encounters_export)"; provider staff named by --as may
leave out --provider. Records calaim could not code are listed with the reason. Exit status: 0 written; 1 refused
(no contract, no NPI, a month not begun); 2 usage."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from calaim.commands.management.commands.exchange_export import Command as ExchangeExportCommand
from calaim.exchange.models import FileKind


class Command(ExchangeExportCommand):
    """`exchange_export` with the kind fixed to the service lines."""

    help = (
        "Write a provider's encounter service lines for a plan and month: ECM contacts and outreach (reached or not) "
        "and Community Supports deliveries, each with its HCPCS code, modifiers 1-5, units and source record, in the "
        "format FILE's ending names (.csv, .tsv, .txt/.psv, .xlsx); the file is also kept in calaim with its record."
    )
    command_name = "encounters_export"

    def add_arguments(self, parser: CommandParser) -> None:
        self.file_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        self.make(FileKind.SERVICE_LINES, options)
