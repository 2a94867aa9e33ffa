"""Writing a report workbook: one sheet per tab, the first row the template's column headers, then the rows.

Written streaming (openpyxl's write-only mode), so a tab of a hundred thousand members never sits in memory as cells.
Text is always text: a name or code beginning with "=" is never turned into a formula. A sheet's note (its template
version, and "to confirm" when it is not confirmed) is a comment on its first header cell, so the grid itself holds
only the template's columns. Pure Python apart from openpyxl: no Django.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

COMMENT_AUTHOR = "calaim"
_FORMULA_STARTS = ("=",)


class Writable(Protocol):
    """Where a workbook goes: a binary file or anything with `write(bytes)` (an HTTP response)."""

    def write(self, data: bytes, /) -> object: ...


@dataclass(frozen=True)
class Sheet:
    name: str
    header: Sequence[str]
    rows: Iterable[Sequence[Any]]
    note: str = ""


def _text_cell(sheet: Worksheet, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # never a formula, whatever the text begins with
    return cell


def _header(sheet: Worksheet, names: Sequence[str], note: str) -> list[WriteOnlyCell]:
    bold = Font(bold=True)
    cells = []
    for index, name in enumerate(names):
        cell = _text_cell(sheet, name)
        cell.font = bold
        if index == 0 and note:
            cell.comment = Comment(note, COMMENT_AUTHOR, width=320, height=120)
        cells.append(cell)
    return cells


def _row(sheet: Worksheet, values: Sequence[Any]) -> list[Any]:
    return [
        _text_cell(sheet, value) if isinstance(value, str) and value.startswith(_FORMULA_STARTS) else value
        for value in values
    ]


def workbook_write(sheets: Iterable[Sheet], target: Writable, *, title: str = "", description: str = "") -> int:
    """Write the sheets in order to the binary stream `target`; return the data rows written."""
    book = Workbook(write_only=True)
    book.properties.title = title[:255] or None
    book.properties.description = description or None
    book.properties.creator = COMMENT_AUTHOR
    written = 0
    for spec in sheets:
        sheet = book.create_sheet(title=spec.name)
        sheet.freeze_panes = "A2"
        sheet.append(_header(sheet, spec.header, spec.note))
        for values in spec.rows:
            sheet.append(_row(sheet, values))
            written += 1
    book.save(target)  # openpyxl writes a zip to any stream with write()
    return written


def workbook_save(sheets: Iterable[Sheet], path: Path, **properties: str) -> int:
    """`workbook_write` to a file, through a temporary file beside it renamed over it (never half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            written = workbook_write(sheets, stream, **properties)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return written
