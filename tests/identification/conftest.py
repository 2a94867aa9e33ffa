"""Fixtures for the identification engine: tiny hand-built member and claims files, and a job runner."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from identification.run import Summary, identify

AS_OF = dt.date(2026, 6, 30)
MEMBER_COLUMNS = ["member_id", "first_name", "last_name", "birth_date", "sex", "race_ethnicity", "language",
                  "county", "plan_code", "enrollment_start", "enrollment_end", "delegated_to", "dsnp",
                  "other_programs", "homeless_flag", "release_date", "ccs_enrolled", "foster_care"]
CLAIM_COLUMNS = ["claim_id", "member_id", "service_from", "service_to", "claim_type", "bill_type",
                 "place_of_service", "revenue_codes", "procedure_codes", "admission_type", "diagnosis_codes",
                 "provider_npi"]
_claim_ids = itertools.count(1)


def member(member_id: str = "10000001A", **fields: Any) -> dict[str, Any]:
    """An actively enrolled adult in HPSJ San Joaquin with no flags, overridable field by field."""
    row = {c: "" for c in MEMBER_COLUMNS}
    row.update(member_id=member_id, first_name="Ana", last_name="Diaz", birth_date="1980-05-05",
               county="San Joaquin", plan_code="HPSJ", enrollment_start="2020-01-01")
    row.update({k: str(v) if v is not None else "" for k, v in fields.items()})
    return row


def claim(member_id: str = "10000001A", service_from: str | dt.date = "2026-03-01", **fields: Any) -> dict[str, Any]:
    """A professional office claim with a diagnosis that no list holds, overridable field by field."""
    row = {c: "" for c in CLAIM_COLUMNS}
    row.update(claim_id=f"CL{next(_claim_ids):06d}", member_id=member_id, service_from=str(service_from),
               claim_type="professional", place_of_service="11", diagnosis_codes="R05")
    row.update({k: str(v) if v is not None else "" for k, v in fields.items()})
    return row


def ed(member_id: str = "10000001A", service_from: str | dt.date = "2026-03-01", **fields: Any) -> dict[str, Any]:
    """An emergency-room professional claim (place of service 23)."""
    return claim(member_id, service_from, **{"place_of_service": "23", **fields})


def stay_claim(member_id: str = "10000001A", service_from: str | dt.date = "2026-03-01",
               service_to: str | dt.date | None = None, **fields: Any) -> dict[str, Any]:
    """An emergency hospital inpatient claim (bill type 111, admission type 1)."""
    base = {"claim_type": "institutional", "bill_type": "111", "admission_type": "1", "place_of_service": "",
            "service_to": str(service_to or service_from)}
    return claim(member_id, service_from, **{**base, **fields})


def write_rows(path: Path, columns: list[str], rows: list[dict[str, Any]]) -> Path:
    """Write rows as CSV or (all-text) Parquet depending on the file ending."""
    if path.suffix == ".parquet":
        table = pa.table({c: pa.array([r.get(c) or None for r in rows], pa.string()) for c in columns})
        pq.write_table(table, path)
        return path
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def read_output(path: Path) -> list[dict[str, str]]:
    """Output rows as text dicts (Parquet values rendered as the CSV writer renders them)."""
    if path.suffix == ".parquet":
        return [{k: "" if v is None else v.isoformat() if isinstance(v, dt.date) else str(v) for k, v in r.items()}
                for r in pq.read_table(path).to_pylist()]
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


class Job:
    """Runs the identification job on tiny in-memory fixtures inside a temporary directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.summary: Summary | None = None

    def run(self, members: list[dict[str, Any]], claims: list[dict[str, Any]], as_of: dt.date = AS_OF,
            fmt: str = "csv", out_fmt: str = "csv", engine: str = "duckdb", **kwargs: Any,
            ) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
        """Write the inputs, run, and return (candidate rows, exclusion rows)."""
        m = write_rows(self.root / f"members.{fmt}", MEMBER_COLUMNS, members)
        c = write_rows(self.root / f"claims.{fmt}", CLAIM_COLUMNS, claims)
        out = self.root / "out" / f"candidates.{out_fmt}"
        self.summary = identify(m, c, as_of, out, engine=engine, **kwargs)
        return read_output(out), read_output(self.root / "out" / f"candidates.exclusions.{out_fmt}")

    def pofs(self, members: list[dict[str, Any]], claims: list[dict[str, Any]], as_of: dt.date = AS_OF,
             **kwargs: Any) -> set[tuple[str, str]]:
        """The (member_id, pof) pairs found."""
        rows, _ = self.run(members, claims, as_of, **kwargs)
        return {(r["member_id"], r["pof"]) for r in rows}

    def row(self, members: list[dict[str, Any]], claims: list[dict[str, Any]], pof: str,
            as_of: dt.date = AS_OF) -> dict[str, str] | None:
        """The single row for one POF of the first member, or None."""
        rows, _ = self.run(members, claims, as_of)
        found = [r for r in rows if r["pof"] == pof and r["member_id"] == members[0]["member_id"]]
        return found[0] if found else None


@pytest.fixture
def job(tmp_path: Path) -> Job:
    return Job(tmp_path)


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One small local Spark session shared by every Spark test."""
    pyspark = pytest.importorskip("pyspark")
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("calaim-tests")
               .config("spark.driver.memory", "4g")
               .config("spark.sql.shuffle.partitions", "2")
               .config("spark.default.parallelism", "2")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.adaptive.coalescePartitions.initialPartitionNum", "2")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    assert pyspark is not None
    yield session
    session.stop()


Factory = Callable[..., dict[str, Any]]
