"""The file writer: every format by its ending, RFC 4180 quoting, text cells in XLSX, atomic replacement."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from calaim.exchange.writer import UnknownFormat, date_text, file_copy, file_format_for, flag_text, table_write
from tests.exchange_export import read_table

HEADER = ["Member Client Index Number (CIN)", "Member Last Name", "Note"]
ROWS = [
    ["10000001A", "O'Neil, Jr.", 'said "hi"'],
    ["10000002B", "Smith|Jones", "line one\nline two"],
    ["10000003C", "Tab\there", "=SUM(A1:A2)"],
    ["10000004D", "", "00123"],
]


def test_dates_and_flags_as_dhcs_files_write_them() -> None:
    assert date_text(dt.date(2026, 1, 5)) == "01/05/2026"
    assert date_text(None) == ""
    assert (flag_text(True), flag_text(False), flag_text(None)) == ("Y", "N", "")


@pytest.mark.parametrize(
    ("name", "expected"),
    [("f.csv", "csv"), ("f.TSV", "tsv"), ("f.txt", "psv"), ("f.psv", "psv"), ("F.XLSX", "xlsx")],
)
def test_format_follows_the_ending(name: str, expected: str) -> None:
    assert file_format_for(name) == expected


@pytest.mark.parametrize("name", ["f.xls", "f.json", "f", "f.parquet"])
def test_an_unknown_ending_is_refused(name: str) -> None:
    with pytest.raises(UnknownFormat, match="ends in one of"):
        file_format_for(name)


@pytest.mark.parametrize("ending", [".csv", ".tsv", ".txt", ".psv", ".xlsx"])
def test_every_format_reads_back_exactly(tmp_path: Path, ending: str) -> None:
    path = tmp_path / f"out{ending}"
    assert table_write(path, kind="rtf", header=HEADER, rows=ROWS) == len(ROWS)
    assert read_table(path) == [HEADER, *ROWS]
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


def test_csv_is_rfc_4180(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    table_write(path, kind="mif", header=["A", "B"], rows=[["x,y", 'q"q'], ["plain", "z"]])
    assert path.read_bytes() == b'A,B\r\n"x,y","q""q"\r\nplain,z\r\n'


def test_pipe_file_quotes_a_value_with_a_pipe(tmp_path: Path) -> None:
    path = tmp_path / "out.psv"
    table_write(path, kind="otf", header=["A", "B"], rows=[["a|b", "c"]])
    assert path.read_bytes() == b'A|B\r\n"a|b"|c\r\n'


def test_xlsx_sheet_is_named_after_the_kind_and_holds_text_only(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    table_write(path, kind="rtf", header=HEADER, rows=ROWS)
    book = load_workbook(path)
    assert book.sheetnames == ["RTF"]
    cells = [cell for row in book["RTF"].iter_rows() for cell in row]
    assert {cell.data_type for cell in cells if cell.value is not None} == {"s"}  # no formula, no number
    assert book["RTF"]["C4"].value == "=SUM(A1:A2)"
    assert book["RTF"]["C5"].value == "00123"


def test_a_failed_write_leaves_the_previous_file_and_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    table_write(path, kind="mif", header=["A"], rows=[["before"]])

    def rows() -> object:
        yield ["one"]
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        table_write(path, kind="mif", header=["A"], rows=rows())  # type: ignore[arg-type]
    assert read_table(path) == [["A"], ["before"]]
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_copy_is_atomic_too(tmp_path: Path) -> None:
    source = tmp_path / "a.csv"
    table_write(source, kind="mif", header=["A"], rows=[["1"]])
    target = tmp_path / "sub" / "b.csv"
    file_copy(source, target)
    assert target.read_bytes() == source.read_bytes()
    assert sorted(p.name for p in (tmp_path / "sub").iterdir()) == ["b.csv"]


def test_an_explicit_format_wins_over_the_ending(tmp_path: Path) -> None:
    path = tmp_path / "out.dat"
    table_write(path, kind="mif", header=["A", "B"], rows=[["1", "2"]], file_format="tsv")
    assert path.read_bytes() == b"A\tB\r\n1\t2\r\n"
