"""`manage.py report_qimr --plan CODE --quarter YYYYQn --out FILE.xlsx [--as USER]`: write the plan's QIMR for the
quarter (exchange-spec §3), one sheet per tab, each with the columns of the template version in force.

The command builds the same workbook as the web app and the API (`calaim.exchange.qimr`). `--as` names one of the
plan's compliance officers or data analysts, checked like a request from them; without it the operator running the
command answers for the file. Exit status: 0 written; 1 refused (no template for the quarter, a user who may not);
2 usage (an unknown plan, a mistyped quarter, a file not ending in .xlsx)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from calaim.accounts.models import User
from calaim.core.errors import DomainError
from calaim.exchange.qimr import qimr_build, qimr_plan_for, qimr_save, quarter_parse
from calaim.plans.models import Plan


class Command(BaseCommand):
    help = (
        "Write a plan's Quarterly Implementation Monitoring Report (QIMR) for a quarter as an Excel workbook: the "
        "ECM and Community Supports tabs 1 to 6, each with its template's columns (tabs 2 and 3 marked to confirm)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--plan", required=True, help="The plan's code, e.g. HPSJ.")
        parser.add_argument("--quarter", required=True, help="The quarter, as YYYYQn, e.g. 2026Q1.")
        parser.add_argument("--out", required=True, type=Path, help="The workbook to write (.xlsx).")
        parser.add_argument("--as", dest="username", help="The plan's compliance officer or data analyst.")

    def handle(self, *args: Any, **options: Any) -> None:
        out: Path = options["out"]
        if out.suffix.lower() != ".xlsx":
            raise CommandError(f"--out {out}: the QIMR is a workbook; give a file ending in .xlsx.", returncode=2)
        plan = Plan.objects.filter(code__iexact=options["plan"]).first()
        if plan is None:
            known = ", ".join(Plan.objects.order_by("code").values_list("code", flat=True))
            raise CommandError(f"No plan with code {options['plan']!r}; calaim knows {known}.", returncode=2)
        try:
            quarter = quarter_parse(options["quarter"])
        except DomainError as refusal:
            raise CommandError(f"--quarter: {refusal.message}", returncode=2) from refusal
        try:
            if options["username"]:
                qimr_plan_for(self._actor(options["username"]), plan.code)
            report = qimr_build(plan=plan, quarter=quarter)
            rows = qimr_save(report, out)
        except DomainError as refusal:
            raise CommandError(refusal.message, returncode=1) from refusal
        self.stdout.write(f"QIMR {quarter.label} for {plan.name} ({plan.code}): {out}")
        for tab in report.summary():
            self.stdout.write(
                f"  Tab {tab['tab']} {tab['name']}: {tab['rows']} rows, {tab['columns']} columns, "
                f"template {tab['template_version']} ({tab['status']})"
            )
        self.stdout.write(self.style.SUCCESS(f"{rows} rows written in {report.seconds:.1f} s."))

    def _actor(self, username: str) -> User:
        actor = User.objects.select_related("organization").filter(username=username, is_active=True).first()
        if actor is None:
            raise CommandError(f"No active user named {username!r}.", returncode=2)
        return actor
