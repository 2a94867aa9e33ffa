"""`manage.py load_reference`: load or refresh the plans' reference data from the YAML files."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from calaim.plans.reference import ReferenceDataError
from calaim.workflows.reference import reference_data_load


class Command(BaseCommand):
    help = "Load the reference data and the Community Supports catalog from YAML (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            counts = reference_data_load()
        except ReferenceDataError as exc:
            raise CommandError(exc.message) from exc
        width = max(len(name) for name in counts)
        for name, count in counts.items():
            self.stdout.write(f"{name:<{width}}  {count:>4}")
        self.stdout.write(self.style.SUCCESS("Reference data loaded."))
