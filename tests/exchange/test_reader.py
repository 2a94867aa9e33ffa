"""Reading a provider file under exchange-spec's common rules (calaim.exchange.reader, plain Python): formats by
ending, the XLSX sheet, UTF-8 with a BOM, header matching, the whole-file refusals, and the values' forms."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from calaim.exchange.columns import OTF_COLUMNS, RTF_COLUMNS, RTF_REQUIRED
from calaim.exchange.reader import FileRefused, RowError, table_read
from calaim.exchange.values import BadValue, parse_date, parse_dates, parse_flag, parse_period, parse_whole

CIN, NPI = "Member Client Index Number (CIN)", "ECM Provider National Provider Identifier (NPI)"


def refused(path: Path, kind: str = "rtf", **kwargs: object) -> list[RowError]:
    with pytest.raises(FileRefused) as caught:
        table_read(path, kind=kind, **kwargs)  # type: ignore[arg-type]
    return caught.value.problems


@pytest.mark.parametrize(("name", "delimiter"), [("f.csv", ","), ("f.tsv", "\t"), ("f.txt", "|"), ("f.psv", "|")])
def test_the_ending_names_the_delimiter(tmp_path, name, delimiter):
    path = tmp_path / name
    path.write_text(delimiter.join([CIN, NPI, "Referral Status"]) + "\n" + delimiter.join(["91234567A", "1", " x "]))
    table = table_read(path, kind="rtf")
    assert list(table.columns) == [CIN, NPI, "Referral Status"]
    assert table.rows == [(1, ("91234567A", "1", "x"))]


def test_a_bom_is_accepted_and_headers_match_loosely_in_any_order(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(
        "\ufeff  referral   STATUS ,Unknown,ecm provider national provider identifier (npi),"
        "MEMBER CLIENT INDEX NUMBER (CIN)\nAccepted,z,1234567893,91234567A\n".encode()
    )
    table = table_read(path, kind="rtf")
    assert list(table.columns) == [CIN, NPI, "Referral Status"]  # spec order, whatever the file's
    assert table.rows[0][1] == ("91234567A", "1234567893", "Accepted")


def test_empty_cells_are_none_and_blank_lines_are_no_records(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(f"{CIN},{NPI}\n91234567A,\n\n,\n91234568B,  \n")
    table = table_read(path, kind="rtf")
    assert table.rows == [(1, ("91234567A", None)), (2, ("91234568B", None))]


def test_a_row_of_the_wrong_width_is_that_rows_error(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(f"{CIN},{NPI}\n91234567A,1\n91234568B,1,extra\n")
    table = table_read(path, kind="rtf")
    assert table.errors == [
        RowError(2, None, None, "the row has 3 fields where the header has 2", "wrong number of fields")
    ]
    assert [rn for rn, _ in table.rows] == [1]


@pytest.mark.parametrize("missing", RTF_REQUIRED)
def test_a_missing_required_column_is_named(tmp_path, missing):
    path = tmp_path / "f.csv"
    path.write_text(",".join(c for c in RTF_COLUMNS if c != missing) + "\n" + "," * (len(RTF_COLUMNS) - 2) + "\n")
    problems = refused(path)
    assert [(p.column, p.kind) for p in problems] == [(missing, "a required column missing")]
    assert f"f.csv, column {missing!r}" in problems[0].line("f.csv")


def test_a_column_named_twice_is_refused(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(f"{CIN},{NPI},member client index number (cin)\nA,B,C\n")
    assert "appears twice" in refused(path)[0].message


@pytest.mark.parametrize(("name", "written"), [("f.csv", "\t"), ("f.csv", "|"), ("f.tsv", ","), ("f.psv", ",")])
def test_the_wrong_delimiter_says_so(tmp_path, name, written):
    path = tmp_path / name
    path.write_text(written.join(RTF_COLUMNS) + "\n" + written.join(["x"] * len(RTF_COLUMNS)) + "\n")
    (problem,) = refused(path)
    assert problem.kind == "wrong delimiter"
    assert "one column" in problem.message and "-delimited" in problem.message


def test_an_empty_file_and_a_blank_file_are_refused(tmp_path):
    for content in (b"", b"\n\n  \n"):
        path = tmp_path / "f.csv"
        path.write_bytes(content)
        assert refused(path)[0].kind == "empty file"


def test_a_header_only_is_a_table_without_rows(tmp_path):
    """What calaim's own export gives for a provider with nobody in the period: read, with no rows (the import
    says so and changes nothing)."""
    path = tmp_path / "f.csv"
    path.write_bytes(f"{CIN},{NPI}\r\n\r\n".encode())
    table = table_read(path, kind="rtf")
    assert (list(table.columns), table.rows, table.errors) == ([CIN, NPI], [], [])


def test_a_binary_file_is_refused(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b"\x00\x01\x02binary\xff" * 100)
    assert refused(path)[0].kind == "binary file"
    workbook = tmp_path / "book.xlsx"
    openpyxl.Workbook().save(workbook)
    renamed = tmp_path / "book.csv"
    renamed.write_bytes(workbook.read_bytes())
    assert "name the file .xlsx" in refused(renamed)[0].message


def test_text_that_is_not_utf8_names_its_data_row(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(f"{CIN},{NPI}\n91234567A,1\nJos\xe9,2\n".encode("latin-1"))
    (problem,) = refused(path)
    assert problem.row == 2 and "0xE9" in problem.message and "UTF-8" in problem.message


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(f"{CIN},{NPI}\n" + "91234567A,1234567893\n" * 100)
    (problem,) = refused(path, max_bytes=1000)
    assert problem.kind == "file too large" and "largest accepted" in problem.message


def test_an_unknown_ending_is_refused(tmp_path):
    path = tmp_path / "f.json"
    path.write_text("{}")
    assert "not .json" in refused(path)[0].message


def workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_xlsx_reads_the_sheet_named_after_the_kind_and_excel_dates(tmp_path):
    path = workbook(
        tmp_path / "f.xlsx",
        {
            "Notes": [["nothing"]],
            "rtf": [
                [CIN, NPI, "Date of Referral Status Update", "In Person"],
                ["91234567A", 1234567893, dt.datetime(2026, 1, 5), 3.0],
            ],
        },
    )
    table = table_read(path, kind="rtf")
    assert list(table.columns) == [CIN, "In Person", NPI, "Date of Referral Status Update"]  # spec order
    assert table.rows == [(1, ("91234567A", "3", "1234567893", "2026-01-05"))]


def test_xlsx_without_a_sheet_of_the_kind_reads_the_first(tmp_path):
    path = workbook(tmp_path / "f.xlsx", {"Sheet A": [list(OTF_COLUMNS)], "Other": [["x"]]})
    table = table_read(path, kind="otf")  # the first sheet: the header and no rows
    assert (list(table.columns), table.rows) == (list(OTF_COLUMNS), [])


def test_xlsx_with_a_formula_or_merged_cells_is_refused_naming_the_cell(tmp_path):
    path = workbook(tmp_path / "f.xlsx", {"RTF": [[CIN, NPI, "In Person"], ["91234567A", "1234567893", "=1+2"]]})
    (problem,) = refused(path)
    assert problem.kind == "formulas in a workbook" and "C2" in problem.message and problem.row == 1
    book = openpyxl.load_workbook(path)
    book["RTF"]["C2"] = 3
    book["RTF"].append(["91234568B", "1234567893", 1])
    book["RTF"].merge_cells("A3:B3")
    book.save(path)
    (problem,) = refused(path)
    assert problem.kind == "merged cells in a workbook" and "A3:B3" in problem.message and problem.row == 2


def test_a_file_named_xlsx_that_is_not_a_workbook_is_refused(tmp_path):
    path = tmp_path / "f.xlsx"
    path.write_text("a,b\n")
    assert refused(path)[0].kind == "not an Excel workbook"


@pytest.mark.parametrize(
    ("text", "day"),
    [("01/05/2026", dt.date(2026, 1, 5)), ("1/5/2026", dt.date(2026, 1, 5)), ("2026-01-05", dt.date(2026, 1, 5))],
)
def test_dates_in_either_form(text, day):
    assert parse_date(text) == day


@pytest.mark.parametrize("text", ["2026-13-01", "02/30/2026", "05-01-2026", "2026/01/05", "yesterday", "1/5/26"])
def test_what_is_not_a_date(text):
    with pytest.raises(BadValue, match="MM/DD/YYYY or YYYY-MM-DD"):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Y", True),
        ("yes", True),
        ("TRUE", True),
        ("1", True),
        ("n", False),
        ("No", False),
        ("false", False),
        ("0", False),
    ],
)
def test_flags_in_any_case(text, value):
    assert parse_flag(text) is value


def test_flags_periods_and_numbers_say_what_they_expected():
    with pytest.raises(BadValue, match="Y or N"):
        parse_flag("maybe")
    assert parse_period("2026-01") == parse_period("1/2026") == parse_period("202601") == "2026-01"
    with pytest.raises(BadValue, match="YYYY-MM"):
        parse_period("2026-13")
    assert parse_whole("3") == parse_whole("3.0") == 3
    for bad in ("-1", "2.5", "x", "nan"):
        with pytest.raises(BadValue, match="whole number"):
            parse_whole(bad)


def test_a_list_of_dates_is_one_attempt_per_date():
    assert parse_dates("01/05/2026; 2026-01-07;") == [dt.date(2026, 1, 5), dt.date(2026, 1, 7)]
    with pytest.raises(BadValue, match="'01/45/2026' is not one"):
        parse_dates("01/05/2026;01/45/2026")


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_both_date_forms_read_back_the_same_day(day):
    assert parse_date(f"{day:%m/%d/%Y}") == parse_date(day.isoformat()) == day
