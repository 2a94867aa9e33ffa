"""Run the rules on DuckDB, reading the input files directly (only the columns the rules read)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import duckdb

from identification.config import Rules
from identification.inputs import rules_relation_sql
from identification.rulesql import CLAIM_COLUMNS, ENGINE_OUTPUTS, MEMBER_COLUMNS, Step, build_steps
from identification.validate import FileReport, distinct_values, trimmed_columns


def run_duckdb(con: duckdb.DuckDBPyConnection, rules: Rules, as_of: dt.date, members: FileReport,
               claims: FileReport, progress: Callable[[str], None] = lambda _: None) -> None:
    """Evaluate every step in order; the engine outputs (`rulesql.ENGINE_OUTPUTS`) are left as relations in `con`,
    where `output.assemble` reads them. A table is dropped as soon as nothing still to run reads it, so the
    memory limit holds the tables in use rather than spilling them to disk."""
    con.execute("SET preserve_insertion_order = false")  # the output is sorted at the end anyway
    con.execute(f"CREATE OR REPLACE TEMP VIEW members_raw AS "
                f"{rules_relation_sql(members.path, members.types, MEMBER_COLUMNS)}")
    con.execute(f"CREATE OR REPLACE TEMP VIEW claims_raw AS "
                f"{rules_relation_sql(claims.path, claims.types, CLAIM_COLUMNS)}")
    provided: frozenset[str] = frozenset()
    views: dict[str, set[str]] = {}  # view -> the relations it reads
    cells = distinct_values(claims, "diagnosis_codes")
    if cells is not None:
        # Validation kept the distinct diagnosis cells: no second pass over the claims to find them.
        con.execute(f"CREATE OR REPLACE TEMP VIEW dx_cells AS SELECT COALESCE(value, '') AS raw_dx FROM ({cells}) v")
        provided = frozenset({"dx_cells"})
        views["dx_cells"] = {str(claims.values_table)}
    # The members file's distinct values serve validation only.
    if members.values_table:
        con.execute(f"DROP TABLE IF EXISTS {members.values_table}")
    steps = build_steps(rules, as_of, provided, trimmed_columns(members, claims))
    drops = drop_schedule(steps, views, ENGINE_OUTPUTS)
    for step, done in zip(steps, drops, strict=True):
        progress(step.name)
        kind = "TABLE" if step.materialize else "VIEW"
        con.execute(f"CREATE OR REPLACE TEMP {kind} {step.name} AS {step.sql}")
        for table in done:
            con.execute(f"DROP TABLE IF EXISTS {table}")


def drop_schedule(steps: list[Step], views: dict[str, set[str]], outputs: tuple[str, ...]) -> list[list[str]]:
    """For each step, the tables to drop once it is built: those no later step, and no output, reads.

    A view is read when it is used, so reading a view reads what the view reads; `views` gives the
    relations views made outside the steps read (their names count as relations too)."""
    materialized = {step.name: step.materialize for step in steps}
    tables = {name for name, kept in materialized.items() if kept} | {r for rs in views.values() for r in rs}
    names = set(materialized) | set(views) | tables
    pattern = re.compile(r"\b(" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + r")\b")
    direct = dict(views)
    for step in steps:
        direct[step.name] = set(pattern.findall(step.sql)) - {step.name}

    def reads(relations: set[str]) -> set[str]:
        seen: set[str] = set()
        todo = list(relations)
        while todo:
            rel = todo.pop()
            if rel not in seen:
                seen.add(rel)
                if rel not in tables:  # a view: reading it reads what it reads
                    todo.extend(direct.get(rel, ()))
        return seen

    last: dict[str, int] = {}
    for i, step in enumerate(steps):
        for rel in reads(direct[step.name]):
            last[rel] = i
    for rel in reads(set(outputs)):
        last[rel] = len(steps)
    schedule: list[list[str]] = [[] for _ in steps]
    for rel, i in last.items():
        if rel in tables and i < len(steps):
            schedule[i].append(rel)
    return [sorted(d) for d in schedule]
