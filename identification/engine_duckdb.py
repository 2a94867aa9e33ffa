"""Run the rules on DuckDB, reading the input files directly (only the columns the rules read)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import duckdb

from identification.config import Rules
from identification.inputs import rules_relation_sql
from identification.rulesql import CLAIM_COLUMNS, MEMBER_COLUMNS, build_steps
from identification.validate import FileReport, distinct_values, trimmed_columns


def run_duckdb(con: duckdb.DuckDBPyConnection, rules: Rules, as_of: dt.date, members: FileReport,
               claims: FileReport, progress: Callable[[str], None] = lambda _: None) -> None:
    """Evaluate every step in order; the engine outputs (`rulesql.ENGINE_OUTPUTS`) are left as relations in `con`,
    where `output.assemble` reads them."""
    con.execute("SET preserve_insertion_order = false")  # the output is sorted at the end anyway
    con.execute(f"CREATE OR REPLACE TEMP VIEW members_raw AS "
                f"{rules_relation_sql(members.path, members.types, MEMBER_COLUMNS)}")
    con.execute(f"CREATE OR REPLACE TEMP VIEW claims_raw AS "
                f"{rules_relation_sql(claims.path, claims.types, CLAIM_COLUMNS)}")
    provided: frozenset[str] = frozenset()
    cells = distinct_values(claims, "diagnosis_codes")
    if cells is not None:
        # Validation kept the distinct diagnosis cells: no second pass over the claims to find them.
        con.execute(f"CREATE OR REPLACE TEMP VIEW dx_cells AS SELECT COALESCE(value, '') AS raw_dx FROM ({cells}) v")
        provided = frozenset({"dx_cells"})
    for step in build_steps(rules, as_of, provided, trimmed_columns(members, claims)):
        progress(step.name)
        kind = "TABLE" if step.materialize else "VIEW"
        con.execute(f"CREATE OR REPLACE TEMP {kind} {step.name} AS {step.sql}")
