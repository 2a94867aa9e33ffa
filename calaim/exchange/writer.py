"""Writing a provider file (MIF, RTF, OTF) in the format its name ends with, as exchange-spec's common rules say.

`.csv` is RFC 4180 (comma, CRLF, fields quoted only when they must be), `.tsv` tab-delimited, `.txt` and `.psv`
pipe-delimited, all UTF-8 without a BOM and one header row; `.xlsx` is one sheet named after the file's kind
(`MIF`, `RTF`, `OTF`) with every value written as text, so a CIN, an NPI or a leading zero reads back as written
and no value ever becomes a formula. Values arrive already as the text the file carries (`date_text`, `flag_text`).
A file is written to a temporary file beside its target and renamed over it, so a reader never sees half a file.
Pure Python apart from openpyxl: no Django.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

# The file's ending -> its format (the values of calaim.exchange.models.FileFormat).
FORMATS: dict[str, str] = {".csv": "csv", ".tsv": "tsv", ".txt": "psv", ".psv": "psv", ".xlsx": "xlsx"}
DELIMITERS: dict[str, str] = {"csv": ",", "tsv": "\t", "psv": "|"}
ENDINGS: dict[str, str] = {"csv": ".csv", "tsv": ".tsv", "psv": ".psv", "xlsx": ".xlsx"}


class UnknownFormat(ValueError):
    """The file's name does not end in an ending the contract names."""


def file_format_for(name: str | Path) -> str:
    """The format a file name asks for by its ending (case-insensitive); raise UnknownFormat otherwise."""
    ending = Path(name).suffix.lower()
    if ending not in FORMATS:
        accepted = ", ".join(FORMATS)
        raise UnknownFormat(f"{Path(name).name}: a provider file ends in one of {accepted}, not {ending or 'nothing'}.")
    return FORMATS[ending]


def date_text(day: dt.date | None) -> str:
    """A date as the DHCS files carry it on export: MM/DD/YYYY; empty for none."""
    return f"{day.month:02d}/{day.day:02d}/{day.year:04d}" if day is not None else ""


def flag_text(value: bool | None) -> str:
    """A flag as Y or N; empty for unknown."""
    return "" if value is None else ("Y" if value else "N")


def table_write(
    path: Path, *, kind: str, header: Sequence[str], rows: Iterable[Sequence[str]], file_format: str | None = None
) -> int:
    """Write the header and rows to `path` atomically in `file_format` (else the one its ending asks for); return
    the number of data rows written. `kind` names the XLSX sheet (upper-cased)."""
    file_format = file_format or file_format_for(path)
    if file_format not in (*DELIMITERS, "xlsx"):
        raise UnknownFormat(f"Unknown file format {file_format!r}.")
    with _atomic(path) as temporary:
        if file_format == "xlsx":
            return _xlsx_write(temporary, kind.upper(), header, rows)
        return _delimited_write(temporary, DELIMITERS[file_format], header, rows)


def file_copy(source: Path, target: Path) -> None:
    """Copy a written file to where someone asked for it, atomically as well."""
    with _atomic(target) as temporary, source.open("rb") as reading, temporary.open("wb") as writing:
        shutil.copyfileobj(reading, writing)


@contextlib.contextmanager
def _atomic(path: Path) -> Iterator[Path]:
    """A temporary file in the target's folder, renamed over the target when the block succeeds, removed if not."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        with temporary.open("rb+") as written:
            os.fsync(written.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _delimited_write(path: Path, delimiter: str, header: Sequence[str], rows: Iterable[Sequence[str]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def _xlsx_write(path: Path, sheet: str, header: Sequence[str], rows: Iterable[Sequence[str]]) -> int:
    """A write-only workbook (streamed, not held as cell objects); each value a string cell, never a formula."""
    book = Workbook(write_only=True)
    worksheet = book.create_sheet(title=sheet)
    count = 0

    def text_cells(values: Sequence[str]) -> list[object]:
        # openpyxl makes any string starting with "=" a formula; such a value is written as a plain string cell.
        return [_text_cell(worksheet, value) if value.startswith("=") else value for value in values]

    worksheet.append(text_cells(header))
    for row in rows:
        worksheet.append(text_cells(row))
        count += 1
    book.save(path)
    return count


def _text_cell(worksheet: object, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(worksheet, value=value)
    cell.data_type = "s"
    return cell
