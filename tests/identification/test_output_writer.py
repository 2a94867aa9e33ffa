"""The CSV writer gives, byte for byte, what Python's csv module writes for the same table."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from pathlib import Path

import pyarrow as pa

from identification.output import CANDIDATE_SCHEMA, write_atomically


def _csv_module(table: pa.Table) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(table.column_names)
    for row in zip(*(c.to_pylist() for c in table.columns), strict=True):
        writer.writerow(["" if v is None else v.isoformat() if isinstance(v, dt.date) else v for v in row])
    return buf.getvalue().encode("utf-8")


def test_csv_output_matches_the_csv_module_on_awkward_values(tmp_path: Path) -> None:
    rng = random.Random(7)
    alphabet = ["a", "Z", "9", " ", ",", '"', "\n", "\r", "\t", ";", "'", "é", "中", "\\", "\x00"]
    n = 500

    def text() -> str | None:
        return None if rng.random() < 0.1 else "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6)))

    def day() -> dt.date | None:
        return None if rng.random() < 0.1 else dt.date(rng.choice([1, 999, 2026, 9999]), rng.randint(1, 12), 1)

    columns = {f.name: [day() if pa.types.is_date(f.type) else rng.choice([None, 0, -3, 2**40])
                        if pa.types.is_integer(f.type) else text() for _ in range(n)] for f in CANDIDATE_SCHEMA}
    table = pa.table(columns, schema=CANDIDATE_SCHEMA)
    out = tmp_path / "c.csv"
    write_atomically([(table, out), (table.select(["member_id"]), tmp_path / "one.csv")])
    assert out.read_bytes() == _csv_module(table)
    assert (tmp_path / "one.csv").read_bytes() == _csv_module(table.select(["member_id"]))
