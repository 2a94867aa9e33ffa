"""The shared last stage of both engines: assemble, sort and write the output files deterministically."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import tempfile
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from identification.inputs import file_format, quote_ident

CANDIDATE_COLUMNS = ("member_id", "pof", "as_of", "rule_version", "evidence_count", "first_evidence_date",
                     "last_evidence_date", "evidence_claim_ids", "route_to")
EXCLUSION_COLUMNS = ("member_id", "reason")
CANDIDATE_SCHEMA = pa.schema([
    ("member_id", pa.string()), ("pof", pa.string()), ("as_of", pa.date32()), ("rule_version", pa.string()),
    ("evidence_count", pa.int64()), ("first_evidence_date", pa.date32()), ("last_evidence_date", pa.date32()),
    ("evidence_claim_ids", pa.string()), ("route_to", pa.string()),
])
EXCLUSION_SCHEMA = pa.schema([("member_id", pa.string()), ("reason", pa.string())])


def default_exclusions_path(out: str | Path) -> Path:
    """`out/candidates.csv` -> `out/candidates.exclusions.csv`."""
    out = Path(out)
    return out.with_name(f"{out.stem}.exclusions{out.suffix}")


EVIDENCE_IDS = 20  # evidence claim ids listed per candidate row, earliest first


def assemble(engine_out: dict[str, pa.Table] | duckdb.DuckDBPyConnection, as_of: dt.date, version: str,
             ) -> tuple[pa.Table, pa.Table]:
    """Summarise each row's evidence, list its first 20 claim ids, and sort: the same code for every engine.

    `engine_out` is the engine's outputs (`rulesql.ENGINE_OUTPUTS`) as Arrow tables (Spark), or a DuckDB
    connection that holds them as relations (the DuckDB engine: no round trip through Arrow); the
    connection is left open. The ids are those of the earliest claims by service_from, then claim_id,
    in that order: `ARG_MIN` with a count keeps the n smallest in ascending order without sorting a
    whole group. Its key is the date as YYYY-MM-DD (fixed width: validation allows only 4-digit years)
    followed by the claim id, which orders as (date, id) does and compares faster than a struct.
    """
    if isinstance(engine_out, dict):
        con = duckdb.connect()
        for name, table in engine_out.items():
            con.register(name, table)
    else:
        con = engine_out
    candidates = con.sql(f"""
        SELECT c.member_id, c.pof, DATE '{as_of.isoformat()}' AS as_of, $version AS rule_version,
               COALESCE(e.evidence_count, 0) AS evidence_count,
               CAST(e.first_evidence_date AS DATE) AS first_evidence_date,
               CAST(e.last_evidence_date AS DATE) AS last_evidence_date,
               e.ids AS evidence_claim_ids, c.route_to
        FROM candidates_core c
        LEFT JOIN (SELECT member_id, pof, COUNT(*) AS evidence_count, MIN(service_from) AS first_evidence_date,
                          MAX(service_from) AS last_evidence_date,
                          ARRAY_TO_STRING(ARG_MIN(claim_id, CAST(service_from AS VARCHAR) || claim_id,
                                                  {EVIDENCE_IDS}), ';') AS ids
                   FROM evidence GROUP BY member_id, pof) e ON e.member_id = c.member_id AND e.pof = c.pof
        ORDER BY c.member_id, c.pof""".replace("$version", "'" + version.replace("'", "''") + "'"))
    cand = candidates.to_arrow_table().cast(CANDIDATE_SCHEMA)
    excl = con.sql("SELECT member_id, reason FROM exclusions ORDER BY member_id").to_arrow_table()
    if con is not engine_out:
        con.close()
    return cand, excl.cast(EXCLUSION_SCHEMA)


def _quoted_by_csv_module() -> str:
    """The characters that make Python's csv writer (our dialect, QUOTE_MINIMAL) quote a field."""
    found = []
    for code in range(128):
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow([f"a{chr(code)}b", "x"])
        if buf.getvalue().startswith('"'):
            found.append(chr(code))
    return "".join(found)


_QUOTED = _quoted_by_csv_module()


def _csv_field_sql(column: str, data_type: pa.DataType) -> str:
    """SQL for what `csv.writer` writes for one value: quoted (quotes doubled) when it holds a special
    character, NULL as empty, dates as YYYY-MM-DD and integers in decimal, as str() and isoformat() do.
    Only text can hold a special character, so dates and numbers skip the test."""
    text = f"CAST({column} AS VARCHAR)"
    if not (pa.types.is_string(data_type) or pa.types.is_large_string(data_type)):
        return f"COALESCE({text}, '')"
    special = "[" + "".join(f"\\x{ord(c):02x}" for c in _QUOTED) + "]"
    return (f"COALESCE(CASE WHEN REGEXP_MATCHES({text}, '{special}') "
            f"THEN '\"' || REPLACE({text}, '\"', '\"\"') || '\"' ELSE {text} END, '')")


def _text_bytes(column: pa.Array) -> memoryview:
    """The UTF-8 bytes of every value of a string column without nulls, end to end (no Python strings)."""
    width = np.int64 if pa.types.is_large_string(column.type) else np.int32
    _, offsets, data = column.buffers()
    assert offsets is not None and column.null_count == 0
    bounds = np.frombuffer(offsets, dtype=width)[column.offset:column.offset + len(column) + 1]
    if data is None:  # every value empty
        return memoryview(b"")
    return memoryview(data)[int(bounds[0]):int(bounds[-1])]


def _write_csv(table: pa.Table, handle: int) -> None:
    """RFC 4180 CSV, UTF-8, LF endings, header always, dates as YYYY-MM-DD, nulls as empty.

    Byte for byte what Python's csv writer writes (QUOTE_MINIMAL, `\n` line ends; a test compares the
    two), but each line is built in DuckDB and written as the bytes of an Arrow string column, rather
    than from one Python object per value.
    """
    with os.fdopen(handle, "wb") as f:
        header = io.StringIO(newline="")
        csv.writer(header, lineterminator="\n").writerow(table.column_names)
        f.write(header.getvalue().encode("utf-8"))
        if table.num_rows == 0:
            return
        if table.num_columns < 2:  # a lone empty field is written as "" by csv: leave that case to it
            body = io.StringIO(newline="")
            csv.writer(body, lineterminator="\n").writerows(
                ["" if v is None else v.isoformat() if isinstance(v, dt.date) else v for v in row]
                for row in zip(*(c.to_pylist() for c in table.columns), strict=True))
            f.write(body.getvalue().encode("utf-8"))
            return
        con = duckdb.connect()
        con.register("output_table", table)
        line = " || ',' || ".join(_csv_field_sql(quote_ident(field.name), field.type) for field in table.schema)
        # A plain projection of a scan keeps the table's row order (insertion order is preserved).
        result = con.sql(f"SELECT {line} || chr(10) AS line FROM output_table")
        for batch in result.to_arrow_reader(65536):
            f.write(_text_bytes(batch.column(0)))
        con.close()


def _write_parquet(table: pa.Table, handle: int) -> None:
    """Parquet with fixed settings so identical tables give identical bytes (no timestamps are stored)."""
    with os.fdopen(handle, "wb") as f:
        pq.write_table(table, f, compression="zstd", compression_level=3, row_group_size=1_000_000,
                       use_dictionary=False, write_statistics=True, version="2.6",
                       data_page_version="1.0", store_schema=True)


def write_atomically(outputs: list[tuple[pa.Table, Path]]) -> None:
    """Write every file to a temporary sibling, then rename them all into place only once all succeeded."""
    staged: list[tuple[str, Path]] = []
    try:
        for table, path in outputs:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            staged.append((tmp, path))
            (_write_csv if file_format(path) == "csv" else _write_parquet)(table, handle)
        for tmp, path in staged:
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
    finally:
        for tmp, _ in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)
