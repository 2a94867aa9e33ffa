"""Reading a provider file (RTF or OTF) into rows of text, under exchange-spec's common rules; plain Python.

The format follows the file's ending: `.csv` (comma), `.tsv` (tab), `.txt` or `.psv` (pipe), `.xlsx` (the sheet
named after the kind, e.g. `RTF`, else the first sheet). Text is UTF-8, a BOM accepted. One header row, matched
by `columns.header_key`; unknown columns are ignored, a missing required column is an error. Values are trimmed
and an empty cell is None. A file that cannot be read row by row (too large, empty, binary, not UTF-8, the wrong
delimiter, a workbook with formulas or merged cells) is refused as a whole, with every problem found; a row with
the wrong number of fields is that row's error. Errors count data rows from 1, the header not counted. A header
with no data rows is a table without rows (what calaim's own export gives for a provider with nobody in the period):
the import says so, and changes nothing.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from python_calamine import CalamineError, CalamineWorkbook

from calaim.exchange.columns import COLUMNS, REQUIRED, header_key
from calaim.exchange.reader_xlsx import excel_text, workbook_trouble

DELIMITERS = {".csv": ",", ".tsv": "\t", ".txt": "|", ".psv": "|"}
DELIMITER_NAMES = {",": "comma", "\t": "tab", "|": "pipe (|)", ";": "semicolon"}
ENDINGS = (*DELIMITERS, ".xlsx")
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
SNIFF_BYTES = 8192


@dataclass(frozen=True)
class RowError:
    """One problem: the Nth data record (None for the whole file), the column, the value as written, and what
    was expected; `kind` is the stable short text errors are counted by."""

    row: int | None
    column: str | None
    value: str | None
    message: str
    kind: str = ""

    def line(self, file_name: str) -> str:
        """The error as one line that names the file, the row, the column and the value."""
        where = [file_name]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        value = f" value {self.value!r}:" if self.value is not None else ""
        return f"{', '.join(where)}:{value} {self.message}"


class FileRefused(Exception):
    """The file cannot be read row by row; every problem found is listed."""

    def __init__(self, problems: list[RowError]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


@dataclass
class Table:
    """A provider file as text: the spec columns it has (spec name -> position in `values`), and its rows."""

    file_name: str
    kind: str
    columns: dict[str, int]
    # (the Nth data record, the values of the spec columns present in `columns` order, None for empty)
    rows: list[tuple[int, tuple[str | None, ...]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)  # rows left out for their number of fields

    def has(self, column: str) -> bool:
        return column in self.columns


def file_refused(message: str, kind: str, column: str | None = None) -> FileRefused:
    return FileRefused([RowError(None, column, None, message, kind)])


def table_read(path: Path, *, kind: str, file_name: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> Table:
    """Read a provider file of `kind` ("rtf" or "otf"); raise FileRefused when it cannot be read row by row."""
    name = file_name or path.name
    ending = Path(name).suffix.lower()
    if ending not in ENDINGS:
        raise file_refused(
            f"a provider file must be .csv, .tsv, .txt or .psv (pipe), or .xlsx, not "
            f"{ending or 'a file without an ending'}",
            "not a provider file format",
        )
    size = path.stat().st_size
    if size > max_bytes:
        raise file_refused(
            f"the file is {size / 1048576:.1f} MB; the largest accepted is "
            f"{max_bytes / 1048576:.0f} MB: send one file per plan, provider and month",
            "file too large",
        )
    if size == 0:
        raise _empty(kind)
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    zipped = head.startswith(b"PK\x03\x04")
    if ending == ".xlsx":
        if not zipped:
            raise file_refused("the file is named .xlsx but is not an Excel workbook", "not an Excel workbook")
        return _xlsx(path, name, kind)
    if zipped:
        raise file_refused(
            f"the file is a zip archive or an Excel workbook, not {ending} text: save the sheet as "
            "CSV UTF-8, or name the file .xlsx",
            "binary file",
        )
    if b"\x00" in head:
        raise file_refused(f"the file is binary, not {ending} text", "binary file")
    return _delimited(path, name, kind, DELIMITERS[ending])


def _empty(kind: str) -> FileRefused:
    return file_refused(f"the file is empty: an {kind.upper()} needs a header row and one row per record", "empty file")


def header_map(names: list[str], kind: str, file_name: str, delimiter: str | None = None) -> dict[str, int]:
    """Spec column -> position in the header; raise FileRefused for a column named twice, a required one missing,
    or a one-column header that shows the file was written with another delimiter."""
    spec = {header_key(c): c for c in COLUMNS[kind]}
    found: dict[str, int] = {}
    problems = []
    for i, name in enumerate(names):
        column = spec.get(header_key(name))
        if column is None:
            continue
        if column in found:
            problems.append(
                RowError(
                    None,
                    column,
                    None,
                    f"the column {column!r} appears twice in the header "
                    f"(columns {found[column] + 1} and {i + 1}): keep one",
                    "a column named twice",
                )
            )
        else:
            found[column] = i
    if delimiter is not None and len(names) == 1 and (other := _other_delimiter(names[0], delimiter)):
        ending = Path(file_name).suffix.lower()
        problems.append(
            RowError(
                None,
                None,
                None,
                (
                    f"the header is one column where an {kind.upper()} has many: the file looks "
                    f"{DELIMITER_NAMES[other]}-delimited, but a {ending} file must be "
                    f"{DELIMITER_NAMES[delimiter]}-delimited "
                    f"(save it again, or name it {_ending_for(other)})"
                ),
                "wrong delimiter",
            )
        )
        raise FileRefused(problems)
    for column in REQUIRED[kind]:
        if column not in found:
            problems.append(
                RowError(
                    None,
                    column,
                    None,
                    f"the required column {column!r} is missing from the header",
                    "a required column missing",
                )
            )
    if problems:
        raise FileRefused(problems)
    return dict(sorted(found.items(), key=lambda item: COLUMNS[kind].index(item[0])))


def _other_delimiter(header: str, delimiter: str) -> str | None:
    counts = {d: header.count(d) for d in DELIMITER_NAMES if d != delimiter}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else None


def _ending_for(delimiter: str) -> str:
    return {",": ".csv", "\t": ".tsv", "|": ".psv"}.get(delimiter, ".csv with commas")


def _delimited(path: Path, name: str, kind: str, delimiter: str) -> Table:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, delimiter=delimiter, strict=True)
            header = next((r for r in reader if any(v.strip() for v in r)), None)
            if header is None:
                raise _empty(kind)
            columns = header_map(header, kind, name, delimiter)
            table = Table(name, kind, columns)
            _records(reader, table, len(header))
    except UnicodeDecodeError:
        raise FileRefused([_encoding_problem(path, delimiter)]) from None
    return table


def _records(reader: Iterator[list[str]], table: Table, width: int) -> None:
    positions = list(table.columns.values())
    rn = 0
    try:
        for fields in reader:
            if not any(v.strip() for v in fields):
                continue  # a blank line is no record
            rn += 1
            if len(fields) != width:
                table.errors.append(
                    RowError(
                        rn,
                        None,
                        None,
                        f"the row has {len(fields)} fields where the header has {width}",
                        "wrong number of fields",
                    )
                )
                continue
            table.rows.append((rn, tuple((fields[i].strip() or None) for i in positions)))
    except csv.Error as exc:
        raise file_refused(
            f"the file cannot be read as delimited text near data row {rn + 1}: {exc}", "unreadable"
        ) from None


def _encoding_problem(path: Path, delimiter: str) -> RowError:
    """Where the first byte that is not UTF-8 is: its data row (the header counts as none)."""
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
        handle.seek(0)
        prefix = handle.read(offset)
        bad = handle.read(1)
    text = prefix.decode("utf-8-sig", errors="replace") + "x"
    index = sum(1 for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) if r) - 1
    where = "the header" if index <= 0 else f"data row {index}"
    return RowError(
        index if index > 0 else None,
        None,
        None,
        (
            f"the file must be UTF-8: {where} holds the byte 0x{bad.hex().upper()}, which is not UTF-8 "
            '(save the file as "CSV UTF-8")'
        ),
        "not UTF-8",
    )


# ---- XLSX ----------------------------------------------------------------------------------------------------------


def _xlsx(path: Path, name: str, kind: str) -> Table:
    try:
        book = CalamineWorkbook.from_path(str(path))
        sheets = list(book.sheet_names)
        if not sheets:
            raise _empty(kind)
        by_name = {s.strip().casefold(): s for s in sheets}
        sheet = by_name.get(kind.casefold(), sheets[0])
        trouble = workbook_trouble(path, sheet)
        if trouble:
            raise FileRefused([RowError(row, None, None, message, kind) for row, message, kind in trouble])
        cells = book.get_sheet_by_name(sheet).to_python()
    except (CalamineError, OSError, zipfile.BadZipFile, KeyError) as exc:
        raise file_refused(f"the file cannot be read as an Excel workbook (.xlsx): {exc}", "unreadable") from None
    if not cells or all(excel_text(v) is None for v in cells[0]):
        raise _empty(kind)
    header = [excel_text(v) or "" for v in cells[0]]
    columns = header_map(header, kind, name)
    table = Table(name, kind, columns)
    positions = list(columns.values())
    for rn, row in enumerate(cells[1:], start=1):
        values = tuple(excel_text(row[i]) if i < len(row) else None for i in positions)
        if any(v is not None for v in values) or any(excel_text(v) is not None for v in row):
            table.rows.append((rn, values))  # an empty row of the sheet keeps its number but is no record
    return table


def npis_named(
    path: Path,
    *,
    kind: str,
    file_name: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> set[str]:
    """The distinct values of the file's ECM Provider NPI column (to find the provider a file is for)."""
    table = table_read(path, kind=kind, file_name=file_name, max_bytes=max_bytes)
    at = list(table.columns).index("ECM Provider National Provider Identifier (NPI)")
    return {value for _, values in table.rows if (value := values[at])}
