"""Opening a roster file of any accepted format as a DuckDB relation of text: `r_<column>` per spec column the
file has (the value as written), and `rn` (the Nth data record, 1-based) when the source numbers its rows itself.

A CSV, TSV or pipe file is read by DuckDB's CSV reader in the row pass itself (fast, no copy). When DuckDB refuses
it, `source_fallback` reads it again with Python's csv module, so a row with the wrong number of fields is that
row's error rather than the whole file's, and a byte that is not UTF-8 is located by its data row. XLSX comes
through python-calamine into a table, Parquet straight from DuckDB with its column types checked.
"""

# ruff: noqa: S608 (SQL is built from the spec's column names; a path or header name enters only quoted)
from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from python_calamine import CalamineError, CalamineWorkbook

from calaim.roster.reader_values import (
    DATE_COLUMNS,
    FLAG_COLUMNS,
    NPI_COLUMNS,
    SPEC_COLUMNS,
    excel_text,
    header_normalize,
)
from identification.inputs import quote_ident, sql_string

DELIMITERS = {".csv": ",", ".tsv": "\t", ".txt": "|", ".psv": "|"}
ENDINGS = (*DELIMITERS, ".xlsx", ".parquet")
SHEETS = ("roster", "members")
BATCH = 50_000
_INTEGERS = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT")


@dataclass(frozen=True)
class Problem:
    """A problem with the whole file: its kind (stable short text, for counts by reason) and what is wrong."""

    kind: str
    message: str
    column: str | None = None


class FileProblems(Exception):
    """The file cannot be checked row by row; every problem found is listed."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


@dataclass
class Source:
    sql: str  # the relation: r_<column> for each spec column present, and rn when `numbered`
    columns: dict[str, int]  # the spec columns the file has -> their position in the header
    numbered: bool
    width: int = 0  # fields in the header
    delimiter: str | None = None  # a delimited text file (see `source_fallback`)
    # Rows left out for a wrong number of fields: (row, fields, its CIN as written or None).
    shape_errors: list[tuple[int, int, str | None]] = field(default_factory=list)


def roster_source(con: duckdb.DuckDBPyConnection, path: Path, required: tuple[str, ...], scratch: Path) -> Source:
    """The file as a relation; raise FileProblems for an empty or unreadable file or an unusable header.

    `scratch` is a folder for the rows of a file DuckDB cannot read itself (XLSX), written as Parquet."""
    ending = path.suffix.lower()
    if ending in DELIMITERS:
        return _delimited(path, DELIMITERS[ending], required)
    if ending == ".xlsx":
        return _xlsx(path, required, scratch)
    if ending == ".parquet":
        return _parquet(con, path, required)
    raise FileProblems([Problem("not a roster format", "a roster must be a .csv, .tsv, .txt or .psv (pipe), "
                                f".xlsx or .parquet file, not {ending or 'a file without an ending'}")])


def no_members() -> FileProblems:
    return FileProblems([Problem("no members", "the roster has no members: the file has a header but no data rows")])


def header_map(names: list[str], required: tuple[str, ...]) -> dict[str, int]:
    """Spec column -> position, matched loosely; raise for a column named twice or a required one missing."""
    found: dict[str, int] = {}
    problems = []
    for i, name in enumerate(names):
        key = header_normalize(name)
        if key not in SPEC_COLUMNS:
            continue
        if key in found:
            problems.append(Problem("a column named twice", f"the column {key} appears twice in the header "
                                    f"(columns {found[key] + 1} and {i + 1}): keep one", column=key))
        else:
            found[key] = i
    for column in required:
        if column not in found:
            problems.append(Problem("a required column missing",
                                    f"the required column {column} is missing from the header", column=column))
    if problems:
        raise FileProblems(problems)
    return found


def _empty_file() -> FileProblems:
    return FileProblems([Problem("empty file",
                                 "the file is empty: a roster needs a header row and one row per member")])


def _delimited(path: Path, delim: str, required: tuple[str, ...]) -> Source:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = next((r for r in csv.reader(handle, delimiter=delim) if r), None)
    except UnicodeDecodeError:
        raise FileProblems([_encoding_problem(path, delim)]) from None
    except csv.Error as exc:
        raise FileProblems([Problem("unreadable", f"the header cannot be read: {exc}")]) from None
    if header is None:
        raise _empty_file()
    columns = header_map(header, required)
    names = {f"c{i}": "VARCHAR" for i in range(len(header))}
    select = ", ".join(f"c{columns[c]} AS r_{c}" for c in SPEC_COLUMNS if c in columns)
    reader = (f"read_csv({sql_string(str(path))}, header=true, auto_detect=false, columns={names!r}, "
              f"delim={sql_string(delim)}, quote='\"', escape='\"', strict_mode=true, encoding='utf-8')")
    return Source(f"SELECT {select} FROM {reader}", columns, False, len(header), delim)


def source_fallback(path: Path, source: Source, error: duckdb.Error, scratch: Path) -> Source:
    """The slow path for a delimited file DuckDB refused: a row of the wrong width is that row's error."""
    if source.delimiter is None:
        raise FileProblems([Problem("unreadable", f"the file cannot be read: {error}")])
    if "unicode" in str(error).lower():
        raise FileProblems([_encoding_problem(path, source.delimiter)])
    delim, width, columns = source.delimiter, source.width, source.columns
    shape: list[tuple[int, int, str | None]] = []
    cin_at = columns["member_id"]

    def records() -> Iterator[tuple[int, list[str | None]]]:
        rn = 0
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, delimiter=delim, strict=True)
            next(r for r in reader if r)  # the header
            try:
                for fields in reader:
                    if not fields:
                        continue  # a blank line is no record (DuckDB skips it too)
                    rn += 1
                    if len(fields) == width:
                        yield rn, [fields[i] for i in _ordered(columns)]
                    else:
                        cin = fields[cin_at].strip() if cin_at < len(fields) else None
                        shape.append((rn, len(fields), cin or None))
            except csv.Error as exc:
                raise FileProblems([Problem("unreadable", "the file cannot be read as delimited text near "
                                            f"data row {rn + 1}: {exc}")]) from None

    try:
        sql = _rows_parquet(scratch / "rows.parquet", columns, records())
    except UnicodeDecodeError:
        raise FileProblems([_encoding_problem(path, delim)]) from None
    return Source(sql, columns, True, width, delim, shape)


def _ordered(columns: dict[str, int]) -> list[int]:
    """Header positions of the file's spec columns, in spec order (the order of the `r_<column>` columns)."""
    return [columns[c] for c in SPEC_COLUMNS if c in columns]


def _rows_parquet(target: Path, columns: dict[str, int], rows: Iterable[tuple[int, list[str | None]]]) -> str:
    """Write (record number, values in spec order) to a Parquet file, a batch at a time; the SQL reading it.

    A file rather than an Arrow table handed to DuckDB: DuckDB imports pandas to scan a Python object.
    """
    names = [f"r_{c}" for c in SPEC_COLUMNS if c in columns]
    schema = pa.schema([("rn", pa.int64()), *((n, pa.string()) for n in names)])
    batch: list[tuple[int, list[str | None]]] = []
    with pq.ParquetWriter(target, schema, compression="snappy") as writer:

        def flush() -> None:
            # Through numpy: pyarrow imports pandas to convert a list (seconds on a cold start), not a numpy array.
            arrays = [pa.array(np.fromiter((rn for rn, _ in batch), np.int64, len(batch)), pa.int64())]
            arrays += [pa.array(np.asarray([values[i] for _, values in batch], dtype=object), pa.string())
                       for i in range(len(names))]
            writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
            batch.clear()

        for item in rows:
            batch.append(item)
            if len(batch) >= BATCH:
                flush()
        if batch:
            flush()
    return f"SELECT * FROM read_parquet({sql_string(str(target))})"


def _encoding_problem(path: Path, delim: str) -> Problem:
    """Where the first byte that is not UTF-8 is: its data row (None in the header), for the message."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                offset += exc.start
                break
            offset += len(chunk)
        else:
            return Problem("not UTF-8", "the file must be UTF-8 (save it as \"CSV UTF-8\")")
        handle.seek(0)
        prefix = handle.read(offset)
        bad = handle.read(1)
    # The records before the bad byte, plus a stand-in for the record holding it; blank lines are no records.
    text = prefix.decode("utf-8-sig") + "x"
    index = sum(1 for r in csv.reader(io.StringIO(text, newline=""), delimiter=delim) if r) - 1
    where = "the header" if index == 0 else f"data row {index}"
    return Problem("not UTF-8", f"the file must be UTF-8: {where} holds the byte 0x{bad.hex().upper()}, "
                   "which is not UTF-8 (save the file as \"CSV UTF-8\")")


def _xlsx(path: Path, required: tuple[str, ...], scratch: Path) -> Source:
    try:
        book = CalamineWorkbook.from_path(str(path))
        names = book.sheet_names
        if not names:
            raise _empty_file()
        by_name = {n.strip().lower(): n for n in names}
        sheet = next((by_name[s] for s in SHEETS if s in by_name), names[0])
        cells = book.get_sheet_by_name(sheet).to_python()
    except (CalamineError, OSError) as exc:
        message = f"the file cannot be read as an Excel workbook (.xlsx): {exc}"
        raise FileProblems([Problem("unreadable", message)]) from None
    if not cells or all(excel_text(v) is None for v in cells[0]):
        raise _empty_file()
    header = [excel_text(v) or "" for v in cells[0]]
    columns = header_map(header, required)
    order = _ordered(columns)

    def records() -> Iterator[tuple[int, list[str | None]]]:
        for rn, row in enumerate(cells[1:], start=1):
            values = [excel_text(row[i]) if i < len(row) else None for i in order]
            if any(v is not None for v in values) or any(excel_text(v) is not None for v in row):
                yield rn, values  # an empty row in the sheet keeps its number but is no member

    return Source(_rows_parquet(scratch / "rows.parquet", columns, records()), columns, True, len(header))


def _parquet_expected(column: str, sql_type: str) -> str | None:
    """None when a Parquet column of this type can be read as the column, else the words for what is expected.

    A column with no value at all (Parquet's NULL type) is as good as absent, whatever its type.
    """
    if sql_type in ("VARCHAR", '"NULL"'):
        return None
    if column in DATE_COLUMNS:
        timestamp = sql_type.startswith("TIMESTAMP") and "[" not in sql_type
        ok, words = sql_type == "DATE" or timestamp, "DATE/TIMESTAMP or text"
    elif column in FLAG_COLUMNS:
        ok, words = sql_type in ("BOOLEAN", *_INTEGERS), "BOOLEAN or text"
    elif column in (*NPI_COLUMNS, "phone", "zip_code"):
        ok, words = sql_type in _INTEGERS, "text or whole numbers"
    else:
        ok, words = False, "text"
    return None if ok else words


def _parquet_text(column: str, sql_type: str) -> str:
    """SQL of a Parquet column's values as the text a CSV file would hold."""
    q = quote_ident(column)
    if sql_type.startswith("TIMESTAMP"):
        return f"strftime(CAST({q} AS DATE), '%Y-%m-%d')"
    if sql_type == "DATE":
        return f"strftime({q}, '%Y-%m-%d')"
    if sql_type == "BOOLEAN":
        return f"CASE WHEN {q} THEN 'true' WHEN NOT {q} THEN 'false' END"
    return f"CAST({q} AS VARCHAR)"


def _parquet(con: duckdb.DuckDBPyConnection, path: Path, required: tuple[str, ...]) -> Source:
    source = f"read_parquet({sql_string(str(path))}, file_row_number=true)"
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM read_parquet({sql_string(str(path))})").fetchall()
    except duckdb.Error as exc:
        raise FileProblems([Problem("unreadable", f"the file cannot be read as Parquet: {exc}")]) from None
    names = [str(r[0]) for r in described]
    types = {str(r[0]): str(r[1]).upper() for r in described}
    columns = header_map(names, required)
    problems = []
    for column in (c for c in SPEC_COLUMNS if c in columns):
        name = names[columns[column]]
        found = types[name]
        words = _parquet_expected(column, found)
        if words is None:
            continue
        first = con.execute(f"SELECT MIN(file_row_number) + 1 FROM {source} WHERE {quote_ident(name)} IS NOT NULL"
                            ).fetchall()[0][0]
        if first is not None:
            message = f"the column {column} holds {found} values (first on data row {first}) where {words} is expected"
            problems.append(Problem("a Parquet column of the wrong type", message, column))
    if problems:
        raise FileProblems(problems)
    select = ", ".join(f"{_parquet_text(names[columns[c]], types[names[columns[c]]])} AS r_{c}"
                       for c in SPEC_COLUMNS if c in columns)
    return Source(f"SELECT file_row_number + 1 AS rn, {select} FROM {source}", columns, True, len(names))
