"""The roster's checks as SQL in DuckDB, every row at once, so one pass finds every error.

Two stages. The row pass (`checks_create`) reads the file once into the table `checks`: the values as written,
the dates parsed, the phone's digits, and `e`, the codes of what is wrong with the row on its own (`col:code`,
`|`-joined; NULL for a clean row). The errors pass (`errors_create`) adds what needs the whole file or the
vocabulary, settled once per distinct value (`lookups_create`): counties, plans, delegates, programs, the validity
of each phone's area code and exchange, NPI check digits, a CIN repeated; then lists every error in `errs`.
"""

# ruff: noqa: S608 (SQL is built from the spec's column names and fixed codes; file values enter only as data)
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import duckdb

from calaim.roster.reader_values import (
    DATE_COLUMNS,
    EARLIEST,
    FLAG_COLUMNS,
    FLAG_FALSE,
    FLAG_TRUE,
    FOSTER,
    NPI_COLUMNS,
    RACES,
    SEXES,
    SPEC_COLUMNS,
    TEXT_LIMITS,
    npi_valid,
    phone_e164,
    phone_prefix_valid,
    programs_normalize,
)
from identification.inputs import sql_string

CIN_GLOB = "[0-9]" * 8 + "[A-Z]"
CONTROL = r"[\x00-\x1f\x7f-\x{9f}]"
# Separators a phone number may be written with; what is left of a common US shape is 10 or 11 digits.
PHONE_SEPARATORS = " .()/-"
DIGITS10 = "[0-9]" * 10
# The columns checked against the vocabulary, and their lookup table's name after `lk_`.
LOOKED_UP = {"county": "county", "plan_code": "plan", "delegated_to": "delegate", "other_programs": "programs"}

Lookup = dict[str, str]  # the value as written -> its normalized form (values that normalize to nothing left out)


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(sql_string(v) for v in values) + ")"


def _trimmed(c: str) -> str:
    return f"NULLIF(TRIM(r_{c}), '')"


def _date(v: str) -> str:
    """A date written YYYY-MM-DD or MM/DD/YYYY (one-digit month and day too), or NULL."""
    iso = "[0-9]" * 4 + "-[0-9][0-9]-[0-9][0-9]"
    return (f"CASE WHEN {v} GLOB '{iso}' THEN TRY_CAST({v} AS DATE) "
            f"WHEN {v} GLOB '*/*/[0-9][0-9][0-9][0-9]' THEN CAST(TRY_STRPTIME({v}, '%m/%d/%Y') AS DATE) END")


def phone_digits_sql(v: str) -> str:
    """The 10 national digits of a phone written in a common US shape (the fast path), else NULL.

    Only separators may surround the digits: `+1`, `1`, parentheses, spaces, dots, dashes and slashes. Anything
    else (an extension, letters) is left to phonenumbers, once per distinct value.
    """
    p = f"translate({v}, '{PHONE_SEPARATORS}', '')"
    return (f"CASE WHEN {p} GLOB '{DIGITS10}' AND NOT starts_with({v}, '+') THEN {p} "
            f"WHEN {p} GLOB '1{DIGITS10}' AND NOT starts_with({v}, '+') OR {p} GLOB '+1{DIGITS10}' "
            f"THEN right({p}, 10) END")


def _row_code(c: str, required: bool, today: dt.date) -> str | None:
    """SQL of the code of what is wrong with column `c` of a row on its own (NULL when nothing), over `v_<c>`."""
    v = f"v_{c}"
    need = "'required'" if required else "NULL"
    if c == "member_id":
        return (f"CASE WHEN {v} IS NULL THEN 'required' WHEN {v} GLOB '{CIN_GLOB}' THEN NULL "
                f"WHEN upper({v}) GLOB '{CIN_GLOB}' THEN 'cin_lower' ELSE 'cin' END")
    if c in TEXT_LIMITS:
        return (f"CASE WHEN {v} IS NULL THEN {need} WHEN control AND regexp_matches({v}, '{CONTROL}') THEN 'control' "
                f"WHEN length({v}) > {TEXT_LIMITS[c]} THEN 'too_long' END")
    if c in DATE_COLUMNS:
        d = f"d_{c}"
        late = f"WHEN {d} > DATE '{today.isoformat()}' THEN 'future' " if c in ("birth_date", "release_date") else ""
        if c == "enrollment_end":
            late = "WHEN d_enrollment_end < d_enrollment_start THEN 'end_before_start' "
        return (f"CASE WHEN {v} IS NULL THEN {need} WHEN {d} IS NULL THEN 'date' "
                f"WHEN {d} < DATE '{EARLIEST.isoformat()}' THEN 'date_early' {late}END")
    if c in FLAG_COLUMNS:
        return f"CASE WHEN lower({v}) NOT IN {_in(FLAG_TRUE + FLAG_FALSE)} THEN 'flag' END"
    if c in NPI_COLUMNS:  # the check digit is tested once per distinct NPI (`errors_create`)
        return f"CASE WHEN NOT {v} GLOB '{DIGITS10}' THEN 'npi_digits' END"
    enumerated = {"sex": (SEXES, "upper"), "race_ethnicity": (RACES, "lower"), "foster_care": (FOSTER, "lower")}
    if c in enumerated:
        values, case = enumerated[c]
        return f"CASE WHEN {case}({v}) NOT IN {_in(values)} THEN '{c}' END"
    if c == "language":
        # ISO 639-1, or ISO 639-2/3 for a language with no two-letter code (Hmong, `hmn`, a threshold language in
        # San Joaquin).
        return f"CASE WHEN NOT ({v} GLOB '[A-Za-z][A-Za-z]' OR {v} GLOB '[A-Za-z][A-Za-z][A-Za-z]') THEN 'language' END"
    if c == "zip_code":
        return f"CASE WHEN {v} IS NOT NULL AND ({zip_sql(v)}) IS NULL THEN 'zip' END"
    if c in LOOKED_UP:  # the value itself is looked up once per distinct value (`errors_create`)
        return f"CASE WHEN {v} IS NULL THEN {need} END"
    return None  # phone: settled per distinct area code and exchange (`errors_create`)


def zip_sql(v: str) -> str:
    """A ZIP code as stored (12345 or 12345-6789) from 12345, 123456789 or 12345-6789; else NULL."""
    five, four = "[0-9]" * 5, "[0-9]" * 4
    return (f"CASE WHEN {v} GLOB '{five}' OR {v} GLOB '{five}-{four}' THEN {v} "
            f"WHEN {v} GLOB '{five}{four}' THEN substr({v}, 1, 5) || '-' || substr({v}, 6, 4) END")


def checks_create(con: duckdb.DuckDBPyConnection, source_sql: str, numbered: bool, present: frozenset[str],
                  required: tuple[str, ...], today: dt.date) -> int:
    """The row pass: table `checks` and view `checks_v` (with `rn`); returns the number of rows.

    `checks` keeps the rows in file order (a scan and projections only), so without a row number of the
    source's own, a row's `rowid` + 1 is its number.
    """
    columns = [c for c in SPEC_COLUMNS if c in present]
    trimmed = ", ".join(f"{_trimmed(c)} AS v_{c}" for c in columns)
    dates = ", ".join(f"{_date(f'v_{c}')} AS d_{c}" for c in DATE_COLUMNS if c in present)
    # One search for a control character in all of a row's free text; only a row that has one looks column by column.
    texts = [f"v_{c}" for c in TEXT_LIMITS if c in present]
    dates += f", regexp_matches(concat({', '.join(texts)}), '{CONTROL}') AS control"
    codes = [(c, _row_code(c, c in required, today)) for c in columns]
    e = "NULLIF(concat_ws('|', " + ", ".join(f"'{c}:' || ({code})" for c, code in codes if code) + "), '')"
    phone = phone_digits_sql("v_phone") if "phone" in present else "CAST(NULL AS VARCHAR)"
    kept = ", ".join(["rn"] * numbered + [f"r_{c}" for c in columns] + [f"d_{c}" for c in DATE_COLUMNS if c in present])
    con.execute(f"""CREATE OR REPLACE TEMP TABLE checks AS
        SELECT {kept}, {phone} AS ph, CASE WHEN v_member_id GLOB '{CIN_GLOB}' THEN v_member_id END AS cin_ok, {e} AS e
        FROM (SELECT *, {dates} FROM (SELECT *, {trimmed} FROM ({source_sql}) src) s) p""")
    rn = "" if numbered else "rowid + 1 AS rn, "
    con.execute(f"CREATE OR REPLACE TEMP VIEW checks_v AS SELECT {rn}* FROM checks")
    return int(con.execute("SELECT COUNT(*) FROM checks").fetchall()[0][0])


def _lookup(con: duckdb.DuckDBPyConnection, name: str, values_sql: str, normalize: Callable[[str], str | None],
            ) -> Lookup:
    """Table `name` (v, norm) of each distinct non-null value of `values_sql` that normalizes to something."""
    values = [r[0] for r in con.execute(f"SELECT DISTINCT v FROM ({values_sql}) WHERE v IS NOT NULL").fetchall()]
    found = {v: n for v in values if (n := normalize(v)) is not None}
    # Lists as parameters, not an Arrow table: DuckDB imports pandas to scan a Python object, seconds on a cold start.
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS "
                "SELECT unnest(?::VARCHAR[]) AS v, unnest(?::VARCHAR[]) AS norm", [list(found), list(found.values())])
    return found


def lookups_create(con: duckdb.DuckDBPyConnection, present: frozenset[str], *, plan_codes: frozenset[str],
                   counties: dict[str, str], delegates: dict[str, str], programs: tuple[str, ...],
                   ) -> dict[str, Lookup]:
    """The lookup tables `lk_<name>`, keyed by the value as written; returned too (the output maps with them).

    `lk_prefix` holds the valid 6-digit area code + exchange prefixes, `lk_phone` the other phone values
    phonenumbers accepts (as E.164), `lk_npi` the valid NPIs; a value absent from its table is in error.
    """
    plans = {code.upper(): code for code in plan_codes}

    def values(column: str, sql: str | None = None) -> str:
        if column not in present:
            return "SELECT CAST(NULL AS VARCHAR) AS v"
        return f"SELECT {sql or f'r_{column}'} AS v FROM checks"

    def trimmed(find: Callable[[str], str | None]) -> Callable[[str], str | None]:
        return lambda v: find(v.strip(" ")) if v.strip(" ") else None

    npis = " UNION ".join(values(c, _trimmed(c)) for c in NPI_COLUMNS)
    return {
        "county": _lookup(con, "lk_county", values("county"), trimmed(lambda v: counties.get(v.casefold()))),
        "plan": _lookup(con, "lk_plan", values("plan_code"), trimmed(lambda v: plans.get(v.upper()))),
        "delegate": _lookup(con, "lk_delegate", values("delegated_to"),
                            trimmed(lambda v: delegates.get(v.casefold()))),
        "programs": _lookup(con, "lk_programs", values("other_programs"),
                            trimmed(lambda v: programs_normalize(v, programs)[0])),
        "prefix": _lookup(con, "lk_prefix", "SELECT substr(ph, 1, 6) AS v FROM checks",
                          lambda v: "ok" if phone_prefix_valid(v) else None),
        "phone": _lookup(con, "lk_phone", values("phone", f"CASE WHEN ph IS NULL THEN {_trimmed('phone')} END"),
                         phone_e164),
        "npi": _lookup(con, "lk_npi", f"SELECT v FROM ({npis}) WHERE v GLOB '{DIGITS10}'",
                       lambda v: v if npi_valid(v) else None),
    }


def _duplicates_create(con: duckdb.DuckDBPyConnection) -> None:
    """Table `dup` (cin, first_rn): each CIN on more than one row, with the first of them.

    Most rosters repeat no CIN, and counting the distinct 64-bit hashes of the CINs proves it for a fraction of
    what grouping a million strings costs; only a repeated hash (a repeated CIN, or rarely a collision) groups.
    """
    distinct = con.execute("SELECT COUNT(DISTINCT HASH(cin_ok)) = COUNT(*) FROM checks WHERE cin_ok IS NOT NULL"
                           ).fetchall()[0][0]
    if distinct:
        con.execute("CREATE OR REPLACE TEMP TABLE dup (cin VARCHAR, first_rn BIGINT)")
        return
    con.execute("""CREATE OR REPLACE TEMP TABLE dup AS SELECT cin_ok AS cin, MIN(rn) AS first_rn FROM checks_v
        WHERE cin_ok IS NOT NULL GROUP BY cin_ok HAVING COUNT(*) > 1""")


def errors_create(con: duckdb.DuckDBPyConnection, present: frozenset[str], plan_code: str,
                  shape: list[tuple[int, int, str | None]]) -> None:
    """Table `errs` (rn, ci, col, code, info, cin): one row per error, `ci` its column's spec position (-1 for
    the whole row), `info` the first row of a repeated CIN or a row's number of fields.

    `shape` holds the rows left out for having the wrong number of fields: (row, fields, CIN or None).
    """
    _duplicates_create(con)
    parts = ["""SELECT rn, split_part(item, ':', 1) AS col, split_part(item, ':', 2) AS code, NULL AS info
        FROM (SELECT rn, unnest(string_split(e, '|')) AS item FROM checks_v WHERE e IS NOT NULL)""",
             "SELECT rn, 'member_id', 'duplicate', first_rn FROM checks_v JOIN dup ON cin_ok = dup.cin "
             "WHERE rn > first_rn"]
    for column, name in LOOKED_UP.items():
        if column not in present:
            continue
        code, wrong = f"'{name}'", "lk.norm IS NULL"
        if name == "plan":  # a plan calaim knows, but not the one loaded, gets its own message
            code = "CASE WHEN lk.norm IS NULL THEN 'unknown_plan' ELSE 'other_plan' END"
            wrong = f"lk.norm IS NULL OR lk.norm <> {sql_string(plan_code)}"
        parts.append(f"SELECT rn, '{column}', {code}, NULL FROM checks_v LEFT JOIN lk_{name} lk "
                     f"ON r_{column} = lk.v WHERE {_trimmed(column)} IS NOT NULL AND ({wrong})")
    if "phone" in present:
        parts.append(f"""SELECT rn, 'phone', 'phone', NULL FROM checks_v
            LEFT JOIN lk_prefix ON substr(ph, 1, 6) = lk_prefix.v LEFT JOIN lk_phone ON {_trimmed('phone')} = lk_phone.v
            WHERE CASE WHEN ph IS NOT NULL THEN lk_prefix.v IS NULL
                       ELSE {_trimmed('phone')} IS NOT NULL AND lk_phone.v IS NULL END""")
    for column in NPI_COLUMNS:
        if column in present:
            parts.append(f"SELECT rn, '{column}', 'npi_check', NULL FROM checks_v LEFT JOIN lk_npi "
                         f"ON {_trimmed(column)} = lk_npi.v WHERE {_trimmed(column)} GLOB '{DIGITS10}' "
                         "AND lk_npi.v IS NULL")
    positions = "CASE col " + " ".join(f"WHEN '{c}' THEN {i}" for i, c in enumerate(SPEC_COLUMNS)) + " END"
    con.execute(f"""CREATE OR REPLACE TEMP TABLE errs AS
        SELECT e.rn, {positions} AS ci, col, code, CAST(info AS BIGINT) AS info, c.cin_ok AS cin
        FROM ({' UNION ALL '.join(f'({p})' for p in parts)}) e(rn, col, code, info) JOIN checks_v c ON c.rn = e.rn
        UNION ALL SELECT unnest(?::BIGINT[]), -1, NULL, 'shape', unnest(?::BIGINT[]), unnest(?::VARCHAR[])""",
                [[s[0] for s in shape], [s[1] for s in shape], [s[2] for s in shape]])


def first_errors(con: duckdb.DuckDBPyConnection, present: frozenset[str], limit: int) -> list[tuple]:
    """The first `limit` errors by row, then column: (row, column, code, info, CIN, the value as written)."""
    value = "CASE e.col " + " ".join(f"WHEN '{c}' THEN r.r_{c}" for c in SPEC_COLUMNS if c in present) + " END"
    return con.execute(f"""SELECT e.rn, e.col, e.code, e.info, e.cin, {value}
        FROM (SELECT * FROM errs ORDER BY rn, ci LIMIT {int(limit)}) e LEFT JOIN checks_v r ON r.rn = e.rn
        ORDER BY e.rn, e.ci""").fetchall()
