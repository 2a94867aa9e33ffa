"""Roster files for the load tests: rows as the plan would send them, written as a real CSV with the spec's headers,
and a loader that runs the services the command runs (create, then apply or preview)."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from calaim.accounts.models import User
from calaim.plans.models import Plan
from calaim.roster.models import LoadSource, RosterLoad
from calaim.roster.services import roster_load_apply, roster_load_create, roster_load_preview

AS_OF = dt.date(2026, 7, 1)
OPTIONAL = (
    "sex",
    "race_ethnicity",
    "language",
    "enrollment_end",
    "delegated_to",
    "dsnp",
    "other_programs",
    "homeless_flag",
    "release_date",
    "ccs_enrolled",
    "foster_care",
    "phone",
    "address_line",
    "city",
    "zip_code",
    "pcp_npi",
    "pcp_name",
    "bh_provider_npi",
    "bh_provider_name",
)
REQUIRED = ("member_id", "first_name", "last_name", "birth_date", "county", "plan_code", "enrollment_start")


def row(cin: str, **values: Any) -> dict[str, Any]:
    """One member as the roster lists it; every optional column filled unless overridden."""
    base: dict[str, Any] = {
        "member_id": cin,
        "first_name": "Ana",
        "last_name": f"Lopez{cin[:4]}",
        "birth_date": "1980-05-17",
        "sex": "F",
        "race_ethnicity": "hispanic",
        "language": "es",
        "county": "San Joaquin",
        "plan_code": "HPSJ",
        "enrollment_start": "2024-01-01",
        "enrollment_end": "",
        "delegated_to": "",
        "dsnp": "N",
        "other_programs": "",
        "homeless_flag": "N",
        "release_date": "",
        "ccs_enrolled": "N",
        "foster_care": "",
        "phone": "+12095550101",
        "address_line": "1 Main St",
        "city": "Stockton",
        "zip_code": "95202",
        "pcp_npi": "",
        "pcp_name": "",
        "bh_provider_npi": "",
        "bh_provider_name": "",
    }
    base.update(values)
    return base


def cins(count: int, start: int = 0) -> list[str]:
    return [f"{91000000 + start + i:08d}A" for i in range(count)]


def roster_write(path: Path, rows: list[dict[str, Any]], *, without: tuple[str, ...] = ()) -> Path:
    columns = [c for c in (*REQUIRED, *OPTIONAL) if c not in without]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


@dataclass
class Loader:
    """Loads rosters the way `manage.py roster_load` does: record the file, then apply it (or preview it)."""

    directory: Path
    plan_code: str = "HPSJ"
    files: list[Path] = field(default_factory=list)

    def file(self, rows: list[dict[str, Any]], *, without: tuple[str, ...] = (), name: str = "") -> Path:
        path = self.directory / (name or f"roster{len(self.files) + 1}.csv")
        self.files.append(roster_write(path, rows, without=without))
        return path

    def offer(self, path: Path, *, as_of: dt.date = AS_OF, actor: User | None = None, **options: Any) -> RosterLoad:
        return roster_load_create(
            actor=actor,
            actor_label="tester (manage.py roster_load)",
            plan=Plan.objects.get(code=self.plan_code),
            path=path,
            file_name=path.name,
            as_of=as_of,
            source=LoadSource.COMMAND,
            **options,
        )

    def apply(self, rows: list[dict[str, Any]], *, without: tuple[str, ...] = (), **options: Any) -> RosterLoad:
        load = self.offer(self.file(rows, without=without), **options)
        return roster_load_apply(load_id=load.pk, actor=options.get("actor"))

    def preview(self, rows: list[dict[str, Any]], **options: Any) -> RosterLoad:
        load = self.offer(self.file(rows), **options)
        return roster_load_preview(load_id=load.pk)


@pytest.fixture
def loader(tmp_path: Path, settings: Any, network: Any) -> Loader:
    settings.CALAIM_DATA_DIR = tmp_path / "data"
    (tmp_path / "in").mkdir()
    return Loader(tmp_path / "in")
