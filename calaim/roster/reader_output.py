"""The valid rows of a checked roster, normalized, written as Parquet of ROSTER_COLUMNS in file order.

DuckDB streams the rows of `checks` (a scan with no join, so in file order) in batches; the vocabulary columns
and unusual phone numbers are mapped in Arrow from the lookups the checks built, the rows with errors dropped,
and pyarrow writes the file.
"""

# ruff: noqa: S608 (SQL is built from the spec's column names; file values enter only as data)
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from calaim.roster.reader_checks import Lookup, zip_sql
from calaim.roster.reader_values import DATE_COLUMNS, FLAG_COLUMNS, FLAG_TRUE
from identification.inputs import sql_string

BATCH_ROWS = 100_000
# The vocabulary columns, each mapped from its value as written through the lookup named here.
MAPPED = {"county": "county", "plan_code": "plan", "delegated_to": "delegate", "other_programs": "programs"}
ARROW_TYPES = {"int64": pa.int64(), "string": pa.string(), "date32": pa.date32(), "bool": pa.bool_()}


def _column_sql(c: str, present: frozenset[str]) -> str:
    """SQL of output column `c` over `checks_v` (a mapped column: its key, mapped later in Arrow)."""
    if c == "row":
        return "rn"
    if c == "cin":
        return "cin_ok"
    if c == "phone":
        if c not in present:
            return "CAST(NULL AS VARCHAR)"
        return "CASE WHEN ph IS NOT NULL THEN '+1' || ph END"
    if c not in present:
        return "FALSE" if c in FLAG_COLUMNS else "CAST(NULL AS DATE)" if c in DATE_COLUMNS else "CAST(NULL AS VARCHAR)"
    v = f"NULLIF(TRIM(r_{c}), '')"
    if c in DATE_COLUMNS:
        return f"d_{c}"
    if c in FLAG_COLUMNS:
        return f"COALESCE(lower({v}) IN ({', '.join(sql_string(x) for x in FLAG_TRUE)}), FALSE)"
    if c in MAPPED:
        return f"r_{c}"
    if c == "sex":
        return f"upper({v})"
    if c in ("race_ethnicity", "language", "foster_care"):
        return f"lower({v})"
    if c == "zip_code":
        return zip_sql(v)
    return v  # free text and NPIs: trimmed


# What an empty value becomes (ROSTER_COLUMNS' comments); a column not named here stays null.
DEFAULTS = {"sex": "U", "race_ethnicity": "unknown", "language": "en", "other_programs": "", "foster_care": "",
            "phone": "", "address_line": "", "city": "", "zip_code": "", "pcp_npi": "", "pcp_name": "",
            "bh_provider_npi": "", "bh_provider_name": ""}


def _mapper(lookup: Lookup) -> Callable[[pa.Array], pa.Array]:
    keys, values = pa.array(list(lookup), pa.string()), pa.array(list(lookup.values()), pa.string())
    return lambda column: pc.take(values, pc.index_in(column, value_set=keys))


def valid_write(con: duckdb.DuckDBPyConnection, present: frozenset[str], lookups: dict[str, Lookup],
                columns: tuple[tuple[str, str], ...], target: Path, progress: Callable[[int], None]) -> int:
    """Write the rows without error to `target`; returns how many. Rows with an error are those with `e` set
    (their own) or listed in `errs` (the file's and the vocabulary's)."""
    select = [f"{_column_sql(c, present)} AS {c}" for c, _ in columns]
    phone_key = "CAST(NULL AS VARCHAR)"
    if "phone" in present:  # a number that did not take the fast path, mapped through its lookup
        phone_key = "CASE WHEN ph IS NULL THEN NULLIF(TRIM(r_phone), '') END"
    sql = f"SELECT {', '.join(select)}, {phone_key} AS phone_key FROM checks_v WHERE e IS NULL"
    rejected = pa.array(con.execute("SELECT DISTINCT rn FROM errs").fetchnumpy()["rn"], pa.int64())
    maps = {c: _mapper(lookups[name]) for c, name in MAPPED.items()}
    slow_phone = _mapper(lookups["phone"])
    schema = pa.schema([(c, ARROW_TYPES[t]) for c, t in columns])
    written, last = 0, 0
    with pq.ParquetWriter(target, schema, compression="zstd") as writer:
        for batch in con.sql(sql).to_arrow_reader(BATCH_ROWS):
            keep = pc.invert(pc.is_in(batch.column("row"), value_set=rejected))
            batch = batch.filter(keep)
            if not batch.num_rows:
                continue
            rows = batch.column("row").to_numpy()
            # The file's order is the contract; a scan keeps it, and this proves it batch by batch.
            if rows[0] <= last or bool(np.any(rows[1:] <= rows[:-1])):
                raise RuntimeError("roster rows came out of file order")
            last = int(rows[-1])
            arrays = []
            for c, _ in columns:
                column = batch.column(c)
                if c in maps:
                    column = maps[c](column)
                elif c == "phone":
                    column = pc.coalesce(column, slow_phone(batch.column("phone_key")))
                if c in DEFAULTS:
                    column = pc.fill_null(column, DEFAULTS[c])
                arrays.append(column.cast(schema.field(c).type))
            writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
            written += batch.num_rows
            progress(written)
    return written
