"""What a provider file's workbook holds besides values, and its cells as text; plain Python.

A workbook is read for its values (python-calamine, in `reader`); a formula or merged cells are found here by
scanning the sheet's XML in the archive, in chunks, without loading the sheet."""

from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from pathlib import Path

_SHEET = re.compile(rb'<sheet\b[^>]*?\bname="([^"]*)"[^>]*?\br:id="([^"]*)"')
_REL = re.compile(rb'<Relationship\b[^>]*?\bId="([^"]*)"[^>]*?\bTarget="([^"]*)"')
_REL_SWAPPED = re.compile(rb'<Relationship\b[^>]*?\bTarget="([^"]*)"[^>]*?\bId="([^"]*)"')
_MERGE = re.compile(rb'<mergeCell\b[^>]*?\bref="([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)"')
_FORMULA = re.compile(rb'<c\b[^>]*?\br="([A-Z]+[0-9]+)"[^>]*>\s*<f[\s>/]')
_ANY_FORMULA = re.compile(rb"<f[\s>/]")


def workbook_trouble(path: Path, sheet: str) -> list[tuple[int | None, str, str]]:
    """A workbook sent as data holds values: a formula (whose cached result may be stale or absent) or merged
    cells (whose value sits in one cell of the range) are trouble; (data row, message, kind) of the first of each."""
    problems: list[tuple[int | None, str, str]] = []
    with zipfile.ZipFile(path) as archive:
        part = _sheet_part(archive, sheet)
        if part is None:
            return problems
        formula, merged = _scan(archive, part)
    if formula is not None:
        where = f"cell {formula} (data row {_data_row(formula)})" if formula else "a cell"
        message = f"sheet {sheet!r} holds a formula in {where}: paste the values only (Paste Special > Values)"
        problems.append((_data_row(formula) if formula else None, message, "formulas in a workbook"))
    if merged is not None:
        message = f"sheet {sheet!r} has merged cells ({merged}): unmerge them so each cell holds its own value"
        problems.append((_data_row(merged), message, "merged cells in a workbook"))
    return problems


def _data_row(cell: str) -> int | None:
    sheet_row = int(re.sub(r"[A-Z]+", "", cell.split(":")[0]))
    return sheet_row - 1 if sheet_row > 1 else None


def _sheet_part(archive: zipfile.ZipFile, sheet: str) -> str | None:
    workbook = archive.read("xl/workbook.xml")
    rels = archive.read("xl/_rels/workbook.xml.rels")
    targets = {rid: target for rid, target in _REL.findall(rels)}
    targets |= {rid: target for target, rid in _REL_SWAPPED.findall(rels)}
    for raw_name, rid in _SHEET.findall(workbook):
        if _xml_unescape(raw_name.decode("utf-8")) == sheet and rid in targets:
            target = targets[rid].decode("utf-8")
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return None


def _xml_unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&amp;", "&")
    )


def _scan(archive: zipfile.ZipFile, part: str) -> tuple[str | None, str | None]:
    """The first formula's cell ("" when a formula's cell is not named) and the first merged range, if any."""
    formula: str | None = None
    merged: str | None = None
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(1 << 20):
            text = tail + chunk
            if formula is None and _ANY_FORMULA.search(text):
                found = _FORMULA.search(text)
                formula = found[1].decode() if found else ""
            if merged is None and (found := _MERGE.search(text)):
                merged = found[1].decode()
            if formula is not None and merged is not None:
                break
            tail = text[-512:]
    return formula, merged


def excel_text(value: object) -> str | None:
    """An Excel cell as the text a CSV export holds: a date cell as YYYY-MM-DD, a whole number without ".0"."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.time | dt.timedelta):
        return str(value)
    return str(value).strip() or None
