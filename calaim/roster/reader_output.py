"""The valid rows of a checked roster, normalized, written as Parquet of ROSTER_COLUMNS in file order.

DuckDB streams the rows of `checks` (a scan with no join, so in file order) in batches; the vocabulary columns
and unusual phone numbers are mapped in Arrow through the lookup tables the checks built (`lk_<name>`), the rows
with errors dropped, and pyarrow writes the file.
"""

# ruff: noqa: S608 (SQL is built from the spec's column names; file values enter only as data)
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from calaim.roster.reader_checks import zip_sql
from calaim.roster.reader_values import DATE_COLUMNS, FLAG_COLUMNS, FLAG_TRUE
from identification.inputs import sql_string

BATCH_ROWS = 100_000
# The vocabulary columns, each mapped from its value as written through the lookup named here.
MAPPED = {"county": "county", "plan_code": "plan", "delegated_to": "delegate", "other_programs": "programs"}
FEW_VALUES = ["sex", "race_ethnicity", "language", "county", "plan_code", "delegated_to", "other_programs",
              "foster_care", "city", "pcp_npi", "pcp_name", "bh_provider_npi", "bh_provider_name"]
ARROW_TYPES = {"int64": pa.int64(), "string": pa.string(), "date32": pa.date32(), "bool": pa.bool_()}


# What an empty value becomes (ROSTER_COLUMNS' comments); a column not named here stays null.
DEFAULTS = {"sex": "U", "race_ethnicity": "unknown", "language": "en", "other_programs": "", "foster_care": "",
            "phone": "", "address_line": "", "city": "", "zip_code": "", "pcp_npi": "", "pcp_name": "",
            "bh_provider_npi": "", "bh_provider_name": ""}


def _column_sql(c: str, present: frozenset[str]) -> str:
    """SQL of output column `c` over `checks_v`, empty values as DEFAULTS says (a mapped column: its key as
    written, mapped and defaulted in Arrow; the phone: E.164 from the fast path, else NULL)."""
    if c == "row":
        return "rn"
    if c == "cin":
        return "cin_ok"
    if c == "phone":
        return "CASE WHEN ph IS NOT NULL THEN '+1' || ph END" if c in present else "CAST(NULL AS VARCHAR)"
    if c in MAPPED:
        return f"r_{c}" if c in present else "CAST(NULL AS VARCHAR)"
    if c in FLAG_COLUMNS:
        v = f"NULLIF(TRIM(r_{c}), '')"
        return f"COALESCE(lower({v}) IN ({', '.join(sql_string(x) for x in FLAG_TRUE)}), FALSE)" if c in present \
            else "FALSE"
    if c in DATE_COLUMNS:
        return f"d_{c}" if c in present else "CAST(NULL AS DATE)"
    v = f"NULLIF(TRIM(r_{c}), '')" if c in present else "CAST(NULL AS VARCHAR)"
    if c == "sex":
        v = f"upper({v})"
    elif c in ("race_ethnicity", "language", "foster_care"):
        v = f"lower({v})"
    elif c == "zip_code":
        v = zip_sql(v)
    return f"COALESCE({v}, {sql_string(DEFAULTS[c])})" if c in DEFAULTS else v


def _array(column: pa.ChunkedArray) -> pa.Array:
    """One array of a column from DuckDB. The arrays here never come from Python values: for those (and to combine
    no chunk at all) pyarrow imports pandas, seconds on a cold start."""
    return column.combine_chunks() if column.num_chunks else pa.nulls(0, column.type)


def _mapper(con: duckdb.DuckDBPyConnection, table: str) -> Callable[[pa.Array], pa.Array]:
    """Arrow's lookup through a lookup table (`v` -> `norm`)."""
    lookup = con.sql(f"SELECT v, norm FROM {table}").to_arrow_table()
    keys, values = _array(lookup.column("v")), _array(lookup.column("norm"))
    return lambda column: pc.take(values, pc.index_in(column, value_set=keys))


def valid_write(con: duckdb.DuckDBPyConnection, present: frozenset[str], columns: tuple[tuple[str, str], ...],
                target: Path, progress: Callable[[int], None]) -> int:
    """Write the rows without error to `target`; returns how many. Rows with an error are those with `e` set
    (their own) or listed in `errs` (the file's and the vocabulary's)."""
    select = [f"{_column_sql(c, present)} AS {c}" for c, _ in columns]
    phone_key = "CAST(NULL AS VARCHAR)"
    if "phone" in present:  # a number that did not take the fast path, mapped through its lookup
        phone_key = "CASE WHEN ph IS NULL THEN NULLIF(TRIM(r_phone), '') END"
    # `empty`: the '' that fills a mapped column's empty values (pyarrow imports pandas to make a scalar).
    sql = f"SELECT {', '.join(select)}, {phone_key} AS phone_key, '' AS empty FROM checks_v WHERE e IS NULL"
    rejected = _array(con.sql("SELECT DISTINCT rn FROM errs").to_arrow_table().column("rn"))
    maps = {c: _mapper(con, f"lk_{name}") for c, name in MAPPED.items()}
    slow_phone = _mapper(con, "lk_phone")
    schema = pa.schema([(c, ARROW_TYPES[t]) for c, t in columns])
    written, last = 0, 0
    # Snappy and dictionaries only for the columns of few values: the file lives until the load is applied, and
    # this costs a third less CPU than zstd with dictionaries everywhere.
    with pq.ParquetWriter(target, schema, compression="snappy", use_dictionary=FEW_VALUES) as writer:
        for batch in con.sql(sql).to_arrow_reader(BATCH_ROWS):
            keep = pc.invert(pc.is_in(batch.column("row"), value_set=rejected))
            batch = batch.filter(keep)
            if not batch.num_rows:
                continue
            rows = batch.column("row")
            # The file's order is the contract; a scan keeps it, and this proves it batch by batch.
            ordered = pc.all(pc.greater(rows.slice(1), rows.slice(0, len(rows) - 1))).as_py() is not False
            if rows[0].as_py() <= last or not ordered:
                raise RuntimeError("roster rows came out of file order")
            last = rows[-1].as_py()
            arrays = []
            for c, _ in columns:
                column = batch.column(c)
                if c in maps:
                    column = maps[c](column)
                elif c == "phone":
                    column = pc.coalesce(column, slow_phone(batch.column("phone_key")))
                if c in ("other_programs", "phone"):
                    column = pc.coalesce(column, batch.column("empty"))
                arrays.append(column.cast(schema.field(c).type))
            writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
            written += batch.num_rows
            progress(written)
    return written
