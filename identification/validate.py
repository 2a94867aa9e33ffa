"""Input validation as SQL over the files in DuckDB: the first offending record, in file order, is reported."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from identification.errors import InputError
from identification.inputs import DATE, Column, file_columns, sql_string, text_relation_sql

EMPTY_LIST = "[ \t;]*"


def first_row(con: duckdb.DuckDBPyConnection, sql: str) -> tuple | None:
    """The first result row of a query, or None (DuckDB 2 relations have no fetchone)."""
    rows = con.sql(sql).limit(1).fetchall()
    return rows[0] if rows else None


@dataclass(frozen=True)
class Check:
    """One rule a value must keep; `cond` is true on an offending record."""

    column: str
    cond: str
    problem: str
    show_value: bool = True


@dataclass(frozen=True)
class FileReport:
    """What validation learned about a file that passed."""

    path: str
    columns: list[str]
    rows: int


def column_checks(spec: tuple[Column, ...], present: list[str]) -> list[Check]:
    """The checks for the columns present, in the spec's column order."""
    checks: list[Check] = []
    for col in spec:
        if col.name not in present:
            continue
        v = f"v_{col.name}"
        if col.name == "diagnosis_codes":
            # Required, but a pharmacy claim may leave it empty; a list of only empty items is empty.
            cond = (f"REGEXP_FULL_MATCH(COALESCE({v}, ''), '{EMPTY_LIST}') "
                    "AND v_claim_type IS DISTINCT FROM 'pharmacy'")
            checks.append(Check(col.name, cond, "required value is empty (allowed only on pharmacy claims)",
                                False))
            continue
        if col.required:
            checks.append(Check(col.name, f"{v} IS NULL", "required value is empty", False))
        if col.kind == "date":
            cond = f"{v} IS NOT NULL AND (NOT REGEXP_FULL_MATCH({v}, '{DATE}') OR TRY_CAST({v} AS DATE) IS NULL)"
            checks.append(Check(col.name, cond, "is not a valid date YYYY-MM-DD"))
        elif col.values:
            listed = ", ".join(sql_string(x) for x in col.values)
            checks.append(Check(col.name, f"{v} IS NOT NULL AND {v} NOT IN ({listed})", f"must be {col.expected}"))
        elif col.pattern:
            cond = f"{v} IS NOT NULL AND NOT REGEXP_FULL_MATCH({v}, '{col.pattern}')"
            checks.append(Check(col.name, cond, f"must be {col.expected}"))
        if col.name == "service_to" and "service_from" in present:
            cond = f"TRY_CAST({v} AS DATE) < TRY_CAST(v_service_from AS DATE)"
            checks.append(Check(col.name, cond, "is earlier than service_from"))
    return checks


def _first_check_failure(con: duckdb.DuckDBPyConnection, source: str, checks: list[Check],
                         ) -> tuple[int, tuple[int, Check, str | None] | None]:
    """One pass over the file: the record count and the earliest record failing any check, with its value."""
    aggs = [f"MIN(rn) FILTER (WHERE {chk.cond}) AS r{i}" for i, chk in enumerate(checks)]
    row = first_row(con, f"SELECT {', '.join([*aggs, 'COUNT(*)'])} FROM {source}")
    assert row is not None
    found = [(row[i], i) for i in range(len(checks)) if row[i] is not None]
    if not found:
        return int(row[-1]), None
    rn, i = min(found)
    # Only on failure: fetch the offending value for the message (a second, rare pass).
    value = first_row(con, f"SELECT v_{checks[i].column} FROM {source} WHERE rn = {int(rn)}")
    return int(row[-1]), (int(rn), checks[i], value[0] if value else None)


def _first_duplicate(con: duckdb.DuckDBPyConnection, source: str, column: str) -> tuple[int, str] | None:
    """The record repeating an earlier record's key (grouping on a 64-bit hash first keeps memory low)."""
    v = f"v_{column}"
    con.execute(f"CREATE OR REPLACE TEMP TABLE dup_hashes AS "
                f"SELECT HASH({v}) AS h FROM {source} WHERE {v} IS NOT NULL GROUP BY h HAVING COUNT(*) > 1")
    try:
        if first_row(con, "SELECT h FROM dup_hashes") is None:
            return None  # no two keys share a hash, so none repeats: skip the second pass
        row = first_row(con, f"""
            SELECT rn, {v} FROM (
              SELECT rn, {v}, ROW_NUMBER() OVER (PARTITION BY {v} ORDER BY rn) AS k
              FROM {source} WHERE {v} IS NOT NULL AND HASH({v}) IN (SELECT h FROM dup_hashes)
            ) t WHERE k > 1 ORDER BY rn LIMIT 1""")
    finally:
        con.execute("DROP TABLE IF EXISTS dup_hashes")
    return (int(row[0]), str(row[1])) if row else None


def validate_file(con: duckdb.DuckDBPyConnection, path: str | Path, spec: tuple[Column, ...]) -> FileReport:
    """Raise InputError naming file, record and column for the first problem; else report the file."""
    label = str(path)
    present = file_columns(con, path)
    for col in spec:
        if col.required and col.name not in present:
            raise InputError(label, 1, col.name, "required column is missing from the header")
    names = [c.name for c in spec if c.name in present]
    trimmed = ", ".join(f"NULLIF(TRIM({n}), '') AS v_{n}" for n in names)
    source = f"(SELECT rn, {trimmed} FROM ({text_relation_sql(path, present, tuple(names), True)}) s) src"
    try:
        rows, failure = _first_check_failure(con, source, column_checks(spec, present))
        keys = [c.name for c in spec if c.kind == "key"]
        dup = _first_duplicate(con, source, keys[0]) if keys else None
    except duckdb.Error as exc:
        raise InputError(label, None, None, f"cannot be read: {exc}") from None
    candidates = []
    if failure:
        rn, chk, value = failure
        shown = f" (value {value!r})" if chk.show_value else ""
        candidates.append((rn, InputError(label, rn, chk.column, f"{chk.problem}{shown}")))
    if dup:
        candidates.append((dup[0], InputError(label, dup[0], keys[0], f"duplicate key {dup[1]!r}")))
    if candidates:
        raise min(candidates, key=lambda c: c[0])[1]
    return FileReport(label, present, rows)


def unknown_member_claims(con: duckdb.DuckDBPyConnection, members: FileReport, claims: FileReport,
                          limit: int = 20) -> tuple[int, list[int]]:
    """Claims whose CIN is not in members: how many, and the first record numbers (they are skipped)."""
    m_src = text_relation_sql(members.path, members.columns, ("member_id",), False)
    c_src = text_relation_sql(claims.path, claims.columns, ("member_id",), True)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE unknown_member_rows AS
        SELECT rn FROM ({c_src}) c WHERE TRIM(c.member_id) NOT IN (SELECT TRIM(member_id) FROM ({m_src}) m)""")
    count = first_row(con, "SELECT COUNT(*) FROM unknown_member_rows")
    first = con.sql(f"SELECT rn FROM unknown_member_rows ORDER BY rn LIMIT {limit}").fetchall()
    con.execute("DROP TABLE unknown_member_rows")
    return int(count[0]) if count else 0, [int(r[0]) for r in first]
