"""`manage.py load_candidates FILE --as USERNAME`: plan-identified referrals from `calaim identify` output."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from calaim.accounts.models import User
from calaim.core.clock import plan_today
from calaim.core.errors import DomainError
from calaim.workflows.plan_identification import candidates_load


class Command(BaseCommand):
    help = (
        "Load a candidates file (CSV or Parquet from `calaim identify`) as plan-identified ECM referrals "
        "for members not already in ECM and without an open referral. Loading the same file again "
        "creates nothing new."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--as", dest="username", required=True, help="The plan intake coordinator loading it.")
        parser.add_argument("--determine", action="store_true", help="Also determine eligibility for each referral.")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = User.objects.select_related("organization").filter(username=options["username"]).first()
        if actor is None:
            raise CommandError(f"No user named {options['username']!r}.")
        if not options["path"].exists():
            raise CommandError(f"{options['path']}: no such file.")
        try:
            report = candidates_load(
                actor=actor, path=options["path"], day=plan_today(), determine=options["determine"]
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Rows {report.rows}, members {report.members}, referrals created {report.created}.")
        for reason, count in sorted(report.skipped.items()):
            self.stdout.write(f"  skipped, {reason}: {count}")
        for outcome, count in sorted(report.determined.items()):
            self.stdout.write(f"  eligibility {outcome}: {count}")
