"""Input validation as SQL over the files in DuckDB: the first offending record, in file order, is reported.

Validation runs in two stages. A quick pass proves a file clean cheaply: checks on columns with few
distinct values (codes, dates, a claim's CIN) run once per distinct value, found by one grouping
query (`GROUPING SETS`) over the file; the other checks run record by record in that same scan; keys
are grouped on a 64-bit hash. The quick pass may raise false alarms, never miss a problem: only when
it finds something (or cannot read the file) does the exact pass run, which locates the first
offending record in file order and reports it.

Over 400 lines on purpose: the quick pass and the exact pass must flag exactly the same problems (a property
test holds them to it), so their checks are built from the same `Check` list here rather than split apart.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np

from identification.errors import InputError
from identification.inputs import (
    DATE,
    Column,
    file_format,
    file_schema,
    quote_ident,
    reader_sql,
    sql_string,
    text_relation_sql,
    trim_sql,
)

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
    # Every column `cond` reads, when more than `column` (e.g. a claim's type for its diagnosis codes).
    also_reads: tuple[str, ...] = ()
    # The same test over the untrimmed text `r_<column>`, where that is cheaper than trimming first.
    raw_cond: str | None = None
    # A key's "required" check: the quick pass settles it in its grouping on the key's hash.
    on_key: bool = False

    @property
    def reads(self) -> frozenset[str]:
        return frozenset((self.column, *self.also_reads))


@dataclass(frozen=True)
class FileReport:
    """What validation learned about a file that passed."""

    path: str
    columns: list[str]
    rows: int
    # Temp table of the quick pass's distinct values (see `distinct_values`), and the GROUPING_ID of
    # each grouping set in it; empty when the exact pass ran instead.
    values_table: str | None = None
    value_sets: tuple[tuple[frozenset[str], int], ...] = ()
    # Column name -> DuckDB type as read (every CSV column is VARCHAR).
    types: dict[str, str] = field(default_factory=dict)
    # Columns whose every value the quick pass proved unchanged by TRIM (see `trimmed_columns`).
    trimmed: frozenset[str] = frozenset()


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
                                False, ("claim_type",)))
            continue
        if col.required:
            checks.append(Check(col.name, f"{v} IS NULL", "required value is empty", False, on_key=col.kind == "key"))
        if col.kind == "date":
            cond = f"{v} IS NOT NULL AND (NOT REGEXP_FULL_MATCH({v}, '{DATE}') OR TRY_CAST({v} AS DATE) IS NULL)"
            checks.append(Check(col.name, cond, "is not a valid date YYYY-MM-DD"))
        elif col.values:
            listed = ", ".join(sql_string(x) for x in col.values)
            checks.append(Check(col.name, f"{v} IS NOT NULL AND {v} NOT IN ({listed})", f"must be {col.expected}"))
        elif col.pattern:
            cond = f"{v} IS NOT NULL AND NOT REGEXP_FULL_MATCH({v}, '{col.pattern}')"
            # TRIM removes spaces only, and every pattern here still matches once a match is trimmed, so
            # surrounding the pattern with spaces (and allowing a blank value) tests the same without TRIM.
            r = f"r_{col.name}"
            raw = f"{r} IS NOT NULL AND NOT REGEXP_FULL_MATCH({r}, ' *(?:{col.pattern})? *')"
            if col.glob:
                # CASE, unlike AND, skips the regular expression where the GLOB already settles it.
                raw = f"CASE WHEN {r} GLOB '{col.glob}' THEN FALSE ELSE {raw} END"
            checks.append(Check(col.name, cond, f"must be {col.expected}", raw_cond=raw))
        if col.name == "service_to" and "service_from" in present:
            cond = f"TRY_CAST({v} AS DATE) < TRY_CAST(v_service_from AS DATE)"
            checks.append(Check(col.name, cond, "is earlier than service_from", True, ("service_from",)))
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


# Types whose text form (CAST AS VARCHAR) is a one-to-one function of the value, so grouping on the value
# itself gives the same distinct texts; other types (floats: 0.0 and -0.0) are grouped as text.
_EXACT_TYPES = {"VARCHAR", "DATE", "BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT",
                "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT"}
_counter = iter(range(1, 1 << 62))


def _trimmed(expr: str, column: str) -> str:
    """The value a check reads, `v_<column>`: the column as text, trimmed, empty as NULL."""
    return f"NULLIF(TRIM(CAST({expr} AS VARCHAR)), '') AS v_{column}"


def _any_true(conds: list[str]) -> str:
    """SQL true when any condition is true (a NULL condition counts as false, as in FILTER (WHERE ...))."""
    return " OR ".join(f"COALESCE({c}, FALSE)" for c in conds) if conds else "FALSE"


def _quick_pass(con: duckdb.DuckDBPyConnection, path: str | Path, spec: tuple[Column, ...],
                types: dict[str, str], checks: list[Check], key: str | None,
                ) -> tuple[int, bool, str, tuple[tuple[frozenset[str], int], ...], frozenset[str]]:
    """(records, whether anything may be wrong, values table, grouping sets, columns proved trimmed) from one
    grouping scan.

    A check reading only `distinct` columns is evaluated on the distinct values (or value combinations)
    of those columns, which gives the same verdict as on every record; the other checks are evaluated
    per record into one flag, grouped too. Never misses a failing record; may raise a false alarm.
    """
    # The key check runs on its own connection in a second thread, alongside the grouping scan below: its
    # NumPy sort and result transfer hold one core while DuckDB works, so together they take less time.
    key_check = _KeyCheck(con, path, key) if key is not None else None
    try:
        rows, suspect, table, value_sets = _grouped_checks(con, path, spec, types, checks)
    finally:
        key_result = key_check.result() if key_check else None
    trimmed: set[str] = set()
    if key_result is not None and not suspect:
        suspect, plain = key_result
        if plain and key is not None:
            trimmed.add(key)
    if not suspect:
        trimmed |= _trimmed_values(con, table, value_sets, TRIM_PROVED)
    return rows, suspect, table, value_sets, frozenset(trimmed)


class _KeyCheck:
    """`_key_suspect` on a cursor of `con` (a connection of its own to the same database), in a thread."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: str | Path, key: str) -> None:
        self._cursor = con.cursor()
        self._outcome: tuple[bool, bool] | BaseException = RuntimeError("key check did not run")
        self._thread = threading.Thread(target=self._run, args=(path, key), name="calaim-key-check", daemon=True)
        self._thread.start()

    def _run(self, path: str | Path, key: str) -> None:
        try:
            self._outcome = _key_suspect(self._cursor, path, key)
        except BaseException as exc:  # handed to the caller by result()
            self._outcome = exc

    def result(self) -> tuple[bool, bool]:
        """(suspect, plain) as `_key_suspect` says; a key check that failed to run counts as suspect."""
        self._thread.join()
        self._cursor.close()
        if isinstance(self._outcome, duckdb.Error):
            return True, False  # unreadable: the exact pass reports it
        if isinstance(self._outcome, BaseException):
            raise self._outcome
        return self._outcome


def _grouped_checks(con: duckdb.DuckDBPyConnection, path: str | Path, spec: tuple[Column, ...],
                    types: dict[str, str], checks: list[Check],
                    ) -> tuple[int, bool, str, tuple[tuple[frozenset[str], int], ...]]:
    """(records, whether a check may fail, values table, grouping sets): every check but the key's."""
    distinct = {c.name for c in spec if c.distinct and c.name in types}
    per_value = [chk for chk in checks if chk.reads <= distinct]
    per_record = [chk for chk in checks if not chk.reads <= distinct and not chk.on_key]
    # One grouping set per widest column combination; a narrower one is read from a wider set's rows.
    combos = {chk.reads for chk in per_value}
    sets = sorted((s for s in combos if not any(s < other for other in combos)), key=lambda s: sorted(s))
    order = [c.name for c in spec]
    grouped = sorted({c for s in sets for c in s}, key=order.index)
    select = [f"{quote_ident(c)} AS g_{c}" if types[c].upper() in _EXACT_TYPES
              else f"CAST({quote_ident(c)} AS VARCHAR) AS g_{c}" for c in grouped]
    raw_cols = sorted({chk.column for chk in per_record if chk.raw_cond}, key=order.index)
    trim_cols = sorted({c for chk in per_record if not chk.raw_cond for c in chk.reads}, key=order.index)
    select += [f"CAST({quote_ident(c)} AS VARCHAR) AS r_{c}" for c in raw_cols]
    select += [_trimmed(quote_ident(c), c) for c in trim_cols]
    flag = _any_true([chk.raw_cond or chk.cond for chk in per_record])
    group_cols = [f"g_{c}" for c in grouped] + ["bad_record"]
    set_sql = ", ".join("(" + ", ".join(f"g_{c}" for c in sorted(s)) + ")" for s in sets)
    table = f"validation_values_{next(_counter)}"

    def gid(kept: list[str]) -> int:  # GROUPING_ID: a bit per grouped column, 1 = rolled up, first = highest
        return sum(1 << (len(group_cols) - 1 - i) for i, c in enumerate(group_cols) if c not in kept)

    source = f"(SELECT {', '.join([*select, f'({flag}) AS bad_record'])} FROM {reader_sql(path)}) s"
    if file_format(path) == "parquet":
        # Parquet reads only the columns a query uses, so one aggregate per grouping set (UNION ALL)
        # costs less than GROUPING SETS; a CSV file is parsed whole each time, so it gets one scan.
        parts = []
        for kept in [*([f"g_{c}" for c in sorted(s)] for s in sets), ["bad_record"]]:
            listed = ", ".join(c if c in kept else f"NULL AS {c}" for c in group_cols)
            parts.append(f"SELECT {gid(kept)} AS gid, {listed}, COUNT(*) AS n FROM {source} "
                         f"GROUP BY {', '.join(kept)}")
        body = " UNION ALL ".join(parts)
    else:
        body = (f"SELECT GROUPING_ID({', '.join(group_cols)}) AS gid, {', '.join(group_cols)}, COUNT(*) AS n "
                f"FROM {source} GROUP BY GROUPING SETS ({set_sql + ', ' if set_sql else ''}(bad_record))")
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS {body}")
    value_sets = tuple((s, gid([f"g_{c}" for c in s])) for s in sets)
    counts = first_row(con, f"SELECT COALESCE(SUM(n), 0), COALESCE(SUM(n) FILTER (WHERE bad_record), 0) "
                            f"FROM {table} WHERE gid = {gid(['bad_record'])}")
    assert counts is not None
    rows, suspect = int(counts[0]), int(counts[1]) > 0
    probes = []
    for cols, set_gid in value_sets:
        conds = [chk.cond for chk in per_value if chk.reads <= cols]
        values = ", ".join(_trimmed(f"g_{c}", c) for c in sorted(cols))
        probes.append(f"SELECT 1 FROM (SELECT {values} FROM {table} WHERE gid = {set_gid}) v "
                      f"WHERE {_any_true(conds)}")
    if probes and not suspect:
        suspect = first_row(con, " UNION ALL ".join(probes)) is not None
    return rows, suspect, table, value_sets


# Distinct columns whose values are tested for needing TRIM (the rules trim them on millions of claims).
TRIM_PROVED = ("member_id",)


def _trimmed_values(con: duckdb.DuckDBPyConnection, table: str, value_sets: tuple[tuple[frozenset[str], int], ...],
                    columns: tuple[str, ...]) -> set[str]:
    """The `columns` among the quick pass's distinct values none of which TRIM changes."""
    found = set()
    for column in columns:
        for cols, set_gid in value_sets:
            if column in cols:
                g = f"CAST(g_{column} AS VARCHAR)"
                row = first_row(con, f"SELECT COUNT(*) FILTER (WHERE TRIM({g}) IS DISTINCT FROM {g}) "
                                     f"FROM {table} WHERE gid = {set_gid}")
                if row is not None and row[0] == 0:
                    found.add(column)
                break
    return found


def _key_suspect(con: duckdb.DuckDBPyConnection, path: str | Path, key: str) -> tuple[bool, bool]:
    """(Whether some key may be empty or repeated, whether every key is plain): a repeated key repeats its
    hash (a repeated hash alone is a false alarm the exact pass settles).

    Keys are hashed as read when every one is plainly unchanged by trimming: non-empty, all ASCII
    (`STRLEN = LENGTH`) with no space at either end (TRIM removes only spaces from ASCII text). Such a
    key's hash is multiplied by 1, any other's by 0, so one look at the sorted hashes both proves the keys
    distinct and flags (as hash 0) any key that needs trimming; only then are the trimmed keys hashed and
    grouped. The hashes are sorted in NumPy: one 64-bit sort of every record's hash costs about half
    what a DuckDB grouping of as many distinct values does.
    """
    raw = f"CAST({quote_ident(key)} AS VARCHAR)"
    plain = (f"COALESCE(STRLEN({raw}) = LENGTH({raw}) AND NOT PREFIX({raw}, ' ') AND NOT SUFFIX({raw}, ' ') "
             f"AND {raw} <> '', FALSE)")
    hashes = con.sql(f"SELECT HASH({raw}) * CAST({plain} AS UBIGINT) AS h FROM {reader_sql(path)}").fetchnumpy()["h"]
    hashes = np.sort(np.asarray(hashes, dtype=np.uint64))
    if not hashes.size or not (hashes[0] == 0 or bool(np.any(hashes[1:] == hashes[:-1]))):
        return False, True
    del hashes
    # An empty key hashes as NULL.
    k = f"NULLIF(TRIM({raw}), '')"
    suspect = first_row(con, f"SELECT HASH({k}) AS h FROM {reader_sql(path)} GROUP BY h "
                             "HAVING COUNT(*) > 1 OR h = HASH(CAST(NULL AS VARCHAR))") is not None
    return suspect, False


def _exact_pass(con: duckdb.DuckDBPyConnection, label: str, path: str | Path, spec: tuple[Column, ...],
                present: list[str], checks: list[Check], key: str | None) -> int:
    """Raise InputError for the first offending record in file order; return the record count if none."""
    names = [c.name for c in spec if c.name in present]
    trimmed = ", ".join(f"NULLIF(TRIM({n}), '') AS v_{n}" for n in names)
    source = f"(SELECT rn, {trimmed} FROM ({text_relation_sql(path, present, tuple(names), True)}) s) src"
    try:
        rows, failure = _first_check_failure(con, source, checks)
        dup = _first_duplicate(con, source, key) if key else None
    except duckdb.Error as exc:
        raise InputError(label, None, None, f"cannot be read: {exc}") from None
    candidates = []
    if failure:
        rn, chk, value = failure
        shown = f" (value {value!r})" if chk.show_value else ""
        candidates.append((rn, InputError(label, rn, chk.column, f"{chk.problem}{shown}")))
    if dup:
        candidates.append((dup[0], InputError(label, dup[0], key, f"duplicate key {dup[1]!r}")))
    if candidates:
        raise min(candidates, key=lambda c: c[0])[1]
    return rows


def validate_file(con: duckdb.DuckDBPyConnection, path: str | Path, spec: tuple[Column, ...],
                  quick: bool = True) -> FileReport:
    """Raise InputError naming file, record and column for the first problem; else report the file.

    `quick=False` skips the quick pass and always runs the exact one (the tests compare the two).
    """
    label = str(path)
    types = file_schema(con, path)
    present = list(types)
    for col in spec:
        if col.required and col.name not in present:
            raise InputError(label, 1, col.name, "required column is missing from the header")
    checks = column_checks(spec, present)
    keys = [c.name for c in spec if c.kind == "key" and c.name in present]
    key = keys[0] if keys else None
    if quick:
        try:
            rows, suspect, table, value_sets, trimmed = _quick_pass(con, path, spec, types, checks, key)
        except duckdb.Error:
            suspect = True  # unreadable: the exact pass reports it as it always has
        if not suspect:
            return FileReport(label, present, rows, table, value_sets, types, trimmed)
    return FileReport(label, present, _exact_pass(con, label, path, spec, present, checks, key), types=types)


def distinct_values(report: FileReport, column: str) -> str | None:
    """SQL of the distinct raw values of a column as text, with their record counts, if the quick pass kept them."""
    for cols, set_gid in report.value_sets:
        if column in cols:
            return (f"SELECT CAST(g_{column} AS VARCHAR) AS value, SUM(n) AS n FROM {report.values_table} "
                    f"WHERE gid = {set_gid} GROUP BY ALL")
    return None


def unknown_member_claims(con: duckdb.DuckDBPyConnection, members: FileReport, claims: FileReport,
                          limit: int = 20) -> tuple[int, list[int]]:
    """Claims whose CIN is not in members: how many, and the first record numbers (they are skipped)."""
    m_src = text_relation_sql(members.path, members.columns, ("member_id",), False)
    # CINs validation proved trimmed (`FileReport.trimmed`) are compared as they are.
    known = f"SELECT {trim_sql('member_id', 'member_id' in members.trimmed)} FROM ({m_src}) m"
    values = distinct_values(claims, "member_id")
    if values is not None:
        # The quick pass kept each distinct CIN with its count: test those, and scan the records only
        # for the first few unknown ones.
        con.execute(f"CREATE OR REPLACE TEMP TABLE unknown_member_ids AS SELECT value, n FROM ({values}) v "
                    f"WHERE {trim_sql('value', 'member_id' in claims.trimmed)} NOT IN ({known})")
        count = first_row(con, "SELECT COALESCE(SUM(n), 0) FROM unknown_member_ids")
        first: list[tuple] = []
        if count and count[0]:
            c_src = text_relation_sql(claims.path, claims.columns, ("member_id",), True)
            unknown = f"SELECT rn FROM ({c_src}) c WHERE c.member_id IN (SELECT value FROM unknown_member_ids)"
            if first_row(con, "SELECT current_setting('preserve_insertion_order')") == (True,):
                # A LIMIT without ORDER BY then keeps the first matches in file order: the scan stops
                # once it has them instead of reading every claim.
                unknown = f"SELECT rn FROM ({unknown} LIMIT {limit}) f"
            first = con.sql(f"{unknown} ORDER BY rn LIMIT {limit}").fetchall()
        con.execute("DROP TABLE unknown_member_ids")
        return int(count[0]) if count else 0, [int(r[0]) for r in first]
    c_src = text_relation_sql(claims.path, claims.columns, ("member_id",), True)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE unknown_member_rows AS
        SELECT rn FROM ({c_src}) c WHERE TRIM(c.member_id) NOT IN ({known})""")
    count = first_row(con, "SELECT COUNT(*) FROM unknown_member_rows")
    rows = con.sql(f"SELECT rn FROM unknown_member_rows ORDER BY rn LIMIT {limit}").fetchall()
    con.execute("DROP TABLE unknown_member_rows")
    return int(count[0]) if count else 0, [int(r[0]) for r in rows]


def trimmed_columns(members: FileReport, claims: FileReport) -> frozenset[str]:
    """The rules' input columns (`members_raw.member_id`, ...) validation proved need no TRIM
    (see `rulesql.build_steps`)."""
    return frozenset({f"members_raw.{c}" for c in members.trimmed} | {f"claims_raw.{c}" for c in claims.trimmed})
