"""The shared last stage of both engines: assemble, sort and write the output files deterministically."""

from __future__ import annotations

import csv
import datetime as dt
import os
import tempfile
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from identification.inputs import file_format

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


def assemble(engine_out: dict[str, pa.Table], as_of: dt.date, version: str) -> tuple[pa.Table, pa.Table]:
    """Join the first 20 evidence ids onto each row and sort: the same code for every engine."""
    con = duckdb.connect()
    for name, table in engine_out.items():
        con.register(name, table)
    candidates = con.sql(f"""
        SELECT c.member_id, c.pof, DATE '{as_of.isoformat()}' AS as_of, $version AS rule_version,
               CAST(c.evidence_count AS BIGINT) AS evidence_count,
               CAST(c.first_evidence_date AS DATE) AS first_evidence_date,
               CAST(c.last_evidence_date AS DATE) AS last_evidence_date,
               t.ids AS evidence_claim_ids, c.route_to
        FROM candidates_core c
        LEFT JOIN (SELECT member_id, pof, STRING_AGG(claim_id, ';' ORDER BY rank_in_row) AS ids
                   FROM evidence_top GROUP BY member_id, pof) t ON t.member_id = c.member_id AND t.pof = c.pof
        ORDER BY c.member_id, c.pof""".replace("$version", "'" + version.replace("'", "''") + "'"))
    cand = candidates.to_arrow_table().cast(CANDIDATE_SCHEMA)
    excl = con.sql("SELECT member_id, reason FROM exclusions ORDER BY member_id").to_arrow_table()
    con.close()
    return cand, excl.cast(EXCLUSION_SCHEMA)


def _write_csv(table: pa.Table, handle: int) -> None:
    """RFC 4180 CSV, UTF-8, LF endings, header always, dates as YYYY-MM-DD, nulls as empty."""
    with os.fdopen(handle, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(table.column_names)
        for batch in table.to_batches(max_chunksize=65536):
            columns = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
            for row in zip(*columns, strict=True):
                writer.writerow(["" if v is None else v.isoformat() if isinstance(v, dt.date) else v
                                 for v in row])


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
