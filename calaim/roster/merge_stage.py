"""Staging the reader's normalised rows in temporary tables: on PostgreSQL with COPY, in batches straight from the
Parquet file (the rows never sit in Python whole); on SQLite with executemany. The names the roster uses (county,
delegate, NPI) become the ids calaim stores here, and an optional column the file lacks gets the field's default
(used only by new members: an existing member keeps that field)."""

# The SQL here is built from this package's own table, column and program names (codes checked by
# merge_sql.program_codes); every value from a file or a user is a parameter.
# ruff: noqa: S608

from __future__ import annotations

import io
import secrets
import uuid
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from calaim.roster.merge_sql import FIELDS, STAGE_COLUMNS, Dialect, Kind
from calaim.roster.vocabulary import RosterKeys

BATCH_ROWS = 100_000
# What a new member gets for an optional column the file does not have (the model's defaults).
_ABSENT_DEFAULTS: dict[str, Any] = {
    "sex": "U",
    "race_ethnicity": "unknown",
    "language": "en",
    "homeless_flag": False,
    "dsnp": False,
    "ccs_enrolled": False,
}
# The member columns that hold text and may not be null: an empty cell is "".
_TEXT = ("phone", "address_line", "city", "zip_code", "pcp_name", "bh_provider_name", "foster_care", "other_programs")
Tick = Callable[[int], None]


def stage_tables_create(cursor: Any, dialect: Dialect) -> None:
    """The empty staging tables, dropped first (a connection keeps its temporary tables between loads): the rows
    as copied (roster_rows; RosterMerge then writes roster_stage from them with their members), their programs, and
    the rejected rows' CINs."""
    columns = ", ".join(f"{name} {dialect.column_type(kind)}" for name, kind in STAGE_COLUMNS)
    for statement in (
        "DROP TABLE IF EXISTS roster_rows",
        "DROP TABLE IF EXISTS roster_stage",
        "DROP TABLE IF EXISTS roster_stage_program",
        "DROP TABLE IF EXISTS roster_rejected",
        f"CREATE TEMP TABLE roster_rows ({columns}, member_id {dialect.column_type(Kind.UUID)})",
        f"CREATE TEMP TABLE roster_stage_program (file_row {dialect.column_type(Kind.INT)}, code text)",
        "CREATE TEMP TABLE roster_rejected (cin text)",
    ):
        cursor.execute(statement)


def stage_rows(
    cursor: Any,
    dialect: Dialect,
    *,
    path: str,
    present: frozenset[str],
    keys: RosterKeys,
    programs: tuple[str, ...],
    rejected_cins: Iterable[str],
    tick: Tick,
) -> int:
    """Fill the staging tables from the normalised Parquet file; returns the rows staged."""
    staged = 0
    prefix = secrets.token_bytes(2)
    for batch in pq.ParquetFile(path).iter_batches(batch_size=BATCH_ROWS):
        table = pa.Table.from_batches([batch])
        rows = _stage_table(table, present, keys, programs, dialect)
        rows = rows.append_column("member_id", member_ids(prefix, staged, table.num_rows))
        _write(cursor, dialect, "roster_rows", rows)
        if "other_programs" in present:
            _write(cursor, dialect, "roster_stage_program", _program_rows(table, programs))
        staged += table.num_rows
        tick(staged)
    rejected = pa.table({"cin": pa.array(sorted(set(rejected_cins)), pa.string())})
    if rejected.num_rows:
        _write(cursor, dialect, "roster_rejected", rejected)
    if dialect.indexes_temporary_tables:
        cursor.execute("CREATE INDEX roster_stage_program_row ON roster_stage_program (file_row)")
        cursor.execute("CREATE INDEX roster_rejected_cin ON roster_rejected (cin)")
    else:
        # Autovacuum never analyzes temporary tables; without statistics the joins would be guessed.
        cursor.execute("ANALYZE roster_stage_program, roster_rejected")
    return staged


def _stage_table(
    table: pa.Table, present: frozenset[str], keys: RosterKeys, programs: tuple[str, ...], dialect: Dialect
) -> pa.Table:
    """One batch in roster_rows' columns: names resolved to ids, absent columns defaulted, programs as a mask."""
    n = table.num_rows

    def column(name: str) -> pa.Array:
        if name in _ABSENT_DEFAULTS and name not in present:
            return pa.array([_ABSENT_DEFAULTS[name]] * n)
        values = table.column(name).combine_chunks()
        if name in _ABSENT_DEFAULTS:
            return pc.fill_null(values, _ABSENT_DEFAULTS[name])
        if name in _TEXT:
            return pc.fill_null(values, "") if name in present else pa.array([""] * n, pa.string())
        return values if name in present or name not in _optional_columns() else pa.nulls(n, values.type)

    id_text = _id_text(dialect)
    derived = {
        "county_id": _lookup(column("county"), {k: v for k, v in keys.county_ids.items()}, pa.int64()),
        "delegated_id": _lookup(column("delegated_to"), {k: id_text(v) for k, v in keys.delegate_ids.items()}),
        "pcp_org_id": _lookup(column("pcp_npi"), {k: id_text(v) for k, v in keys.pcp_ids.items()}),
        "bh_org_id": _lookup(column("bh_provider_npi"), {k: id_text(v) for k, v in keys.bh_ids.items()}),
        "file_row": column("row"),
        "homeless": column("homeless_flag"),
        "program_mask": _program_mask(column("other_programs"), programs),
    }
    arrays = [derived[name] if name in derived else column(name) for name, _ in STAGE_COLUMNS]
    return pa.table(arrays, names=[name for name, _ in STAGE_COLUMNS])


def member_ids(prefix: bytes, start: int, n: int) -> pa.Array:
    """Ids for rows `start` to `start + n` of a load, should their members be new: version 4 UUIDs whose bytes 2-5
    count the rows in file order after a random 2-byte prefix, the other 74 bits random. So a load's new members,
    their spans and their audit events go into the id indexes in ascending order, at one place, instead of at
    random places all over them, and no sort is needed for that; an id still cannot be guessed from another.
    Written as 32 hex digits, which both PostgreSQL's uuid and Django's SQLite column take."""
    raw = np.frombuffer(secrets.token_bytes(16 * n), dtype=np.uint8).reshape(n, 16).copy()
    raw[:, 0:2] = np.frombuffer(prefix, dtype=np.uint8)
    raw[:, 2:6] = np.arange(start, start + n, dtype=">u4").view(np.uint8).reshape(n, 4)
    raw[:, 6] = 0x40 | (raw[:, 6] & 0x0F)  # version 4
    raw[:, 8] = 0x80 | (raw[:, 8] & 0x3F)  # RFC 4122 variant
    digits = pa.py_buffer(raw.tobytes().hex().encode("ascii"))
    return pc.cast(pa.Array.from_buffers(pa.binary(32), n, [None, digits]), pa.string())


def _optional_columns() -> set[str]:
    return {f.optional for f in FIELDS if f.optional} | {"enrollment_end", "other_programs"}


def _id_text(dialect: Dialect) -> Callable[[Any], str]:
    return (lambda value: str(value)) if dialect.postgres else (lambda value: uuid.UUID(str(value)).hex)


def _lookup(values: pa.Array, mapping: dict[str, Any], kind: pa.DataType | None = None) -> pa.Array:
    """Each value's id in `mapping`; null for null, empty or unknown values."""
    names = list(mapping)
    ids = pa.array([mapping[name] for name in names], kind or pa.string())
    if not names:
        return pa.nulls(len(values), ids.type)
    positions = pc.index_in(values, value_set=pa.array(names, pa.string()))
    return pc.take(ids, positions)


def _program_mask(values: pa.Array, programs: tuple[str, ...]) -> pa.Array:
    """The bit mask of a row's ';'-listed programs (bit i = the vocabulary's i-th code)."""
    n = len(values)
    if not programs:
        return pa.array(np.zeros(n, dtype=np.int64))
    lists = pc.split_pattern(pc.fill_null(values, ""), ";")
    codes = pc.list_flatten(lists)
    bits = pc.take(
        pa.array([1 << i for i in range(len(programs))], pa.int64()), pc.index_in(codes, value_set=pa.array(programs))
    )
    weights = pc.fill_null(bits, 0).to_numpy(zero_copy_only=False)
    parents = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False)
    mask = np.zeros(n, dtype=np.int64)
    listed = weights != 0  # few members are in a program: the slow ufunc.at runs over them only
    np.bitwise_or.at(mask, parents[listed], weights[listed])
    return pa.array(mask)


def _program_rows(table: pa.Table, programs: tuple[str, ...]) -> pa.Table:
    """(row, code) for each program a row lists."""
    lists = pc.split_pattern(pc.fill_null(table.column("other_programs").combine_chunks(), ""), ";")
    codes = pc.utf8_trim_whitespace(pc.list_flatten(lists))
    rows = pc.take(table.column("row").combine_chunks(), pc.list_parent_indices(lists))
    keep = pc.not_equal(codes, "")
    return pa.table({"file_row": pc.filter(rows, keep), "code": pc.filter(codes, keep)})


def _write(cursor: Any, dialect: Dialect, name: str, table: pa.Table) -> None:
    if not table.num_rows:
        return
    columns = ", ".join(table.column_names)
    if dialect.postgres:
        buffer = io.BytesIO()
        pacsv.write_csv(table, buffer, pacsv.WriteOptions(include_header=False))
        # A quoted empty string stays '' and an unquoted empty value is NULL: exactly pyarrow's null and "".
        with cursor.cursor.copy(f"COPY {name} ({columns}) FROM STDIN (FORMAT csv)") as copy:
            copy.write(buffer.getbuffer())
        return
    values = [_sqlite_values(table.column(i).combine_chunks()) for i in range(table.num_columns)]
    placeholders = ", ".join(["%s"] * table.num_columns)
    cursor.executemany(f"INSERT INTO {name} ({columns}) VALUES ({placeholders})", list(zip(*values, strict=True)))


def _sqlite_values(values: pa.Array) -> list[Any]:
    if pa.types.is_date(values.type):
        return pc.cast(values, pa.string()).to_pylist()
    if pa.types.is_boolean(values.type):
        return pc.cast(values, pa.int8()).to_pylist()
    return values.to_pylist()
