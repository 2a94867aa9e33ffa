"""`manage.py demo_seed`: load reference data and, on an empty database, the demo network and members."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from calaim.core.clock import plan_today
from calaim.core.errors import DomainError
from calaim.demo.population import demo_population_create
from calaim.demo.staff import DEMO_PASSWORD, demo_logins
from calaim.demo.summary import summary_line
from calaim.members.models import Member
from calaim.workflows.reference import reference_data_load


class Command(BaseCommand):
    help = "Load reference data, then create the demo population if the database has no members yet."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (same seed, same members).")
        parser.add_argument("--members", type=int, default=2000, help="How many members to create.")
        parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None, help="YYYY-MM-DD; default today.")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            counts = reference_data_load()
            self.stdout.write(summary_line("Reference data", counts))
            if Member.objects.exists():
                self.stdout.write(self.style.WARNING("Members already exist: demo population not created again."))
            else:
                as_of = options["as_of"] or plan_today()
                created = demo_population_create(seed=options["seed"], members=options["members"], as_of=as_of)
                self.stdout.write(summary_line(f"Synthetic population, as of {as_of:%m/%d/%Y}", created))
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self._print_logins()
        self.stdout.write(self.style.SUCCESS(f"Done in {time.perf_counter() - started:.1f}s."))

    def _print_logins(self) -> None:
        rows = demo_logins()
        widths = [max(len(row[i]) for row in [*rows, ("username", "role", "organization")]) for i in range(3)]
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
        for row in [("username", "role", "organization"), *rows]:
            self.stdout.write("  " + "  ".join(value.ljust(width) for value, width in zip(row, widths, strict=True)))
