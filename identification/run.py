"""The identification job end to end: validate inputs, evaluate the rules on an engine, write outputs."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from identification.config import Rules, load_rules
from identification.errors import InputError
from identification.inputs import CLAIM_SPEC, MEMBER_SPEC, file_format
from identification.output import assemble, default_exclusions_path, write_atomically
from identification.validate import unknown_member_claims, validate_file

Progress = Callable[[str], None]


@dataclass
class Summary:
    """What a run read, skipped and found; printed at the end of `calaim identify`."""

    engine: str
    rule_version: str
    claims_file: str = ""
    members_read: int = 0
    claims_read: int = 0
    unknown_member_claims: int = 0
    unknown_member_rows: list[int] = field(default_factory=list)
    candidates_by_pof: dict[str, int] = field(default_factory=dict)
    exclusions_by_reason: dict[str, int] = field(default_factory=dict)
    elapsed_seconds: float = 0.0
    outputs: list[str] = field(default_factory=list)


def duckdb_connection(temp_dir: str) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB bounded in memory (it spills to `temp_dir`), using every core."""
    con = duckdb.connect(config={
        "memory_limit": os.environ.get("CALAIM_DUCKDB_MEMORY", "1GB"),
        "threads": int(os.environ.get("CALAIM_DUCKDB_THREADS", os.cpu_count() or 1)),
        "temp_directory": temp_dir,
    })
    return con


def _check_paths(paths: list[Path]) -> None:
    for path in paths:
        try:
            file_format(path)
        except ValueError as exc:
            raise InputError(str(path), None, None, str(exc).split(": ", 1)[1]) from None


def identify(members: str | Path, claims: str | Path, as_of: dt.date, out: str | Path,
             exclusions: str | Path | None = None, engine: str = "duckdb", rules: Rules | None = None,
             spark_master: str | None = None, spark_session: Any = None,
             progress: Progress = lambda _: None) -> Summary:
    """Run the job; on invalid input raise InputError before any output file is touched."""
    started = time.perf_counter()
    rules = rules or load_rules()
    out_path = Path(out)
    excl_path = Path(exclusions) if exclusions else default_exclusions_path(out_path)
    _check_paths([Path(members), Path(claims), out_path, excl_path])
    summary = Summary(engine=engine, rule_version=rules.version, claims_file=str(claims))
    with tempfile.TemporaryDirectory(prefix="calaim-duckdb-") as temp_dir:
        con = duckdb_connection(temp_dir)
        progress("validating members")
        m_report = validate_file(con, members, MEMBER_SPEC)
        progress("validating claims")
        c_report = validate_file(con, claims, CLAIM_SPEC)
        summary.members_read, summary.claims_read = m_report.rows, c_report.rows
        progress("matching claims to members")
        summary.unknown_member_claims, summary.unknown_member_rows = unknown_member_claims(con, m_report, c_report)
        if engine == "duckdb":
            from identification.engine_duckdb import run_duckdb  # each engine loads only when chosen
            run_duckdb(con, rules, as_of, m_report, c_report, progress)
            progress("writing outputs")
            # The engine's outputs stay in its connection: assembled there, with no round trip through Arrow.
            candidates, excluded = assemble(con, as_of, rules.version)
        elif engine == "spark":
            from identification.engine_spark import run_spark  # Spark is optional (the spark extra)
            engine_out = run_spark(rules, as_of, m_report, c_report, spark_master, spark_session, progress)
            progress("writing outputs")
            candidates, excluded = assemble(engine_out, as_of, rules.version)
        else:
            raise ValueError(f"unknown engine {engine!r}: use duckdb or spark")
        con.close()
    write_atomically([(candidates, out_path), (excluded, excl_path)])
    summary.candidates_by_pof = dict(sorted(Counter(candidates.column("pof").to_pylist()).items()))
    summary.exclusions_by_reason = dict(sorted(Counter(excluded.column("reason").to_pylist()).items()))
    summary.outputs = [str(out_path), str(excl_path)]
    summary.elapsed_seconds = time.perf_counter() - started
    return summary
