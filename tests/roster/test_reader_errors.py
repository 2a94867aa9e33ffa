"""The roster reader on bad files: every error found in one pass, each naming its row, column and value, and the
whole-file problems (empty, header only, wrong encoding, wrong Parquet type, unreadable) with clear messages."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from calaim.roster.reader import RosterRead
from tests.roster.test_reader_formats import REQUIRED_HEADER, member, output, read, write_delimited


def problems(result: RosterRead) -> list[tuple[int | None, str | None, str | None]]:
    return [(e.row, e.column, e.value) for e in result.errors]


def only_error(tmp_path: Path, **fields: Any) -> tuple[str | None, str]:
    """The one error of a one-row roster with these fields: (its value, its message)."""
    result = read(write_delimited(tmp_path / "r.csv", [member(**fields)]), tmp_path)
    assert result.error_count == 1 and result.rejected_rows == 1, result.errors
    assert result.normalized_path is None
    (error,) = result.errors
    assert (error.row, error.column) == (1, next(iter(fields)))
    return error.value, error.message


def test_every_error_is_found_in_one_pass_sorted_by_row_then_column(tmp_path: Path) -> None:
    rows = [
        member("91234567A"),
        member("9123456A", zip_code="9520", county="Fresno", birth_date="13/01/1980"),
        member("91234567C", plan_code="HPSM", phone="209-123-4567", pcp_npi="1234567890"),
        member("91234567A", enrollment_start="2024-05-01", enrollment_end="2024-04-30"),
        member("91234567E"),
    ]
    result = read(write_delimited(tmp_path / "r.csv", rows), tmp_path)
    assert problems(result) == [
        (2, "member_id", "9123456A"),
        (2, "birth_date", "13/01/1980"),
        (2, "county", "Fresno"),
        (2, "zip_code", "9520"),
        (3, "plan_code", "HPSM"),
        (3, "phone", "209-123-4567"),
        (3, "pcp_npi", "1234567890"),
        (4, "member_id", "91234567A"),
        (4, "enrollment_end", "2024-04-30"),
    ]
    assert (result.error_count, result.rejected_rows, result.rows_read) == (9, 3, 5)
    assert result.rejected_cins == {"91234567C", "91234567A"}  # 9123456A is no CIN
    assert [e.cin for e in result.errors[:2]] == [None, None]
    assert result.rejected_by_reason == {
        "birth_date: not a date": 1,
        "county: not a county of the plan": 1,
        "enrollment_end: before enrollment_start": 1,
        "member_id: duplicate CIN": 1,
        "member_id: not a Medi-Cal CIN": 1,
        "pcp_npi: not a valid NPI": 1,
        "phone: not a valid US phone number": 1,
        "plan_code: a row of another plan": 1,
        "zip_code: not a ZIP code": 1,
    }
    assert [r["row"] for r in output(result)] == [1, 5]


def test_max_errors_keeps_the_first_and_counts_them_all(tmp_path: Path) -> None:
    rows = [member(f"9123456{i:01d}A", zip_code="x", sex="Q") for i in range(10)]
    result = read(write_delimited(tmp_path / "r.csv", rows), tmp_path, max_errors=3)
    assert problems(result) == [(1, "sex", "Q"), (1, "zip_code", "x"), (2, "sex", "Q")]
    assert (result.error_count, result.rejected_rows) == (20, 10)
    assert result.rejected_by_reason == {"sex: not F, M, X or U": 10, "zip_code: not a ZIP code": 10}


@pytest.mark.parametrize("cin", ["9123456A", "912345678A", "91234567", "A1234567B", "91234567AB", "9123 4567A"])
def test_a_malformed_cin(tmp_path: Path, cin: str) -> None:
    value, message = only_error(tmp_path, member_id=cin)
    assert value == cin and "8 digits then an upper-case letter" in message


def test_a_cin_with_a_lower_case_letter_says_so(tmp_path: Path) -> None:
    value, message = only_error(tmp_path, member_id="91234567a")
    assert value == "91234567a" and "upper-case letter" in message and "lower case" in message


def test_a_duplicate_cin_is_an_error_on_the_later_row_naming_the_earlier(tmp_path: Path) -> None:
    rows = [member("91234567A"), member("91234567B"), member(" 91234567A", first_name="Other")]
    result = read(write_delimited(tmp_path / "r.csv", rows), tmp_path)
    (error,) = result.errors
    assert (error.row, error.column, error.value, error.cin) == (3, "member_id", " 91234567A", "91234567A")
    assert "row 1" in error.message
    assert [r["cin"] for r in output(result)] == ["91234567A", "91234567B"]


def test_an_unknown_county_lists_the_plans_counties(tmp_path: Path) -> None:
    value, message = only_error(tmp_path, county="San Mateo")
    assert value == "San Mateo" and "San Joaquin, Stanislaus" in message


def test_an_unknown_plan_and_a_row_of_another_plan(tmp_path: Path) -> None:
    assert only_error(tmp_path, plan_code="XYZ")[1] == "unknown plan: the plans are HPSJ, HPSM"
    assert only_error(tmp_path, plan_code=" hpsm ")[1] == "a row of plan hpsm in a roster loaded for plan HPSJ"


def test_an_enrollment_ending_before_it_starts(tmp_path: Path) -> None:
    value, message = only_error(tmp_path, enrollment_end="12/31/2023")
    assert value == "12/31/2023" and "before" in message
    assert read(write_delimited(tmp_path / "same.csv", [member(enrollment_end="2024-01-01")]), tmp_path).errors == []


@pytest.mark.parametrize(
    "written",
    [
        "13/01/1980",
        "1980-1-5",
        "02/30/1980",
        "1980-02-30",
        "yesterday",
        "01/05/80",
        "1980/01/05",
        "05.01.1980",
        "1980-01-05T00:00",
    ],
)
def test_bad_dates(tmp_path: Path, written: str) -> None:
    assert only_error(tmp_path, birth_date=written) == (written, "expected a date MM/DD/YYYY or YYYY-MM-DD")


def test_dates_before_1900_and_after_today(tmp_path: Path) -> None:
    assert only_error(tmp_path, birth_date="12/31/1899")[1] == "expected a date on or after 01/01/1900"
    assert only_error(tmp_path, enrollment_start="0999-01-01")[1] == "expected a date on or after 01/01/1900"
    assert only_error(tmp_path, birth_date="07/01/2026")[1] == "a birth date cannot be after today, 06/30/2026"
    assert only_error(tmp_path, release_date="2026-07-01")[1] == "expected a date no later than today, 06/30/2026"
    assert (
        read(
            write_delimited(
                tmp_path / "ok.csv",
                [member(birth_date="06/30/2026", release_date="2026-06-30", enrollment_start="2027-01-01")],
            ),
            tmp_path,
        ).errors
        == []
    )


@pytest.mark.parametrize(
    "phone",
    [
        "209-123-4567",
        "555-555-0100",
        "555-0100",
        "+44 20 7946 0958",
        "209555010",
        "20955501000",
        "+2095550100",
        "call me",
        "(209) 555-01OO x",
    ],
)
def test_bad_phones(tmp_path: Path, phone: str) -> None:
    value, message = only_error(tmp_path, phone=phone)
    assert value == phone and "valid US phone number" in message


@pytest.mark.parametrize("zip_code", ["9520", "95202-12", "95202 1234", "9520212345", "ABCDE", "95202-"])
def test_bad_zip_codes(tmp_path: Path, zip_code: str) -> None:
    assert only_error(tmp_path, zip_code=zip_code)[0] == zip_code


def test_bad_npis(tmp_path: Path) -> None:
    assert only_error(tmp_path, pcp_npi="123456789")[1] == "expected an NPI of 10 digits"
    assert "check digit" in only_error(tmp_path, bh_provider_npi="1234567890")[1]
    assert only_error(tmp_path, pcp_npi="12345678X3")[1] == "expected an NPI of 10 digits"


@pytest.mark.parametrize("flag", ["maybe", "T", "2", "yes please"])
def test_bad_flags(tmp_path: Path, flag: str) -> None:
    assert only_error(tmp_path, dsnp=flag) == (flag, "expected Y or N (also Yes/No, 1/0, true/false)")


def test_bad_codes(tmp_path: Path) -> None:
    assert only_error(tmp_path, sex="female")[1] == "expected F, M, X or U"
    assert "pacific_islander" in only_error(tmp_path, race_ethnicity="latino")[1]
    assert "two-letter" in only_error(tmp_path, language="engl")[1]
    assert "two-letter" in only_error(tmp_path, language="e1")[1]
    assert only_error(tmp_path, foster_care="yes")[1] == "expected current or former, or empty"
    assert only_error(tmp_path, delegated_to="Anthem")[1] == "unknown delegate: expected one of KAISER, or empty"
    message = only_error(tmp_path, other_programs="HOSPICE; hospital")[1]
    assert message.startswith("unknown program hospital: expected a ;-list of HOSPICE, PACE")


def test_required_values_control_characters_and_lengths(tmp_path: Path) -> None:
    assert only_error(tmp_path, first_name="  ") == ("  ", "a value is required")
    assert only_error(tmp_path, county="")[1] == "a value is required"
    assert "control characters" in only_error(tmp_path, last_name="Gar\tcia")[1]
    assert "control characters" in only_error(tmp_path, city="Stock\x85ton")[1]
    assert only_error(tmp_path, address_line="x" * 201)[1] == "expected at most 200 characters (this value has 201)"
    assert read(write_delimited(tmp_path / "ok.csv", [member(last_name="é" * 100)]), tmp_path).errors == []


def test_a_row_with_the_wrong_number_of_fields_is_that_rows_error(tmp_path: Path) -> None:
    path = write_delimited(tmp_path / "r.csv", [member("91234567A")])
    with path.open("a", newline="") as handle:
        handle.write(
            "91234567B,Bo,Lee,1980-01-05,San Joaquin,HPSJ,2024-01-01,extra\n"
            "91234567C,Cy,Lee,1980-01-05,Fresno,HPSJ,2024-01-01\n"
            "91234567D,Di\n"
        )
    result = read(path, tmp_path)
    assert [(e.row, e.column, e.message, e.cin) for e in result.errors] == [
        (2, None, "the row has 8 fields where the header has 7", "91234567B"),
        (3, "county", "unknown county: plan HPSJ serves San Joaquin, Stanislaus", "91234567C"),
        (4, None, "the row has 2 fields where the header has 7", "91234567D"),
    ]
    assert result.rejected_by_reason["row: wrong number of fields"] == 2
    assert [r["row"] for r in output(result)] == [1]


def file_error(result: RosterRead) -> str:
    """The message of a file rejected whole: no row checked, nothing written."""
    assert result.rows_read == 0 and result.normalized_path is None and result.rejected_rows == 0
    (error,) = result.errors
    assert error.row is None and error.value is None
    return error.message


def test_an_empty_file_and_a_header_without_members(tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_bytes(b"")
    assert file_error(read(tmp_path / "empty.csv", tmp_path)).startswith("empty.csv: the file is empty")
    (tmp_path / "bom.csv").write_bytes(b"\xef\xbb\xbf\r\n")
    assert "the file is empty" in file_error(read(tmp_path / "bom.csv", tmp_path))
    (tmp_path / "header.csv").write_text(",".join(REQUIRED_HEADER) + "\n")
    assert file_error(read(tmp_path / "header.csv", tmp_path, file_name="May.csv")).startswith(
        "May.csv: the roster has no members"
    )
    book = openpyxl.Workbook()
    book.active.append(REQUIRED_HEADER)
    book.save(tmp_path / "header.xlsx")
    assert "the roster has no members" in file_error(read(tmp_path / "header.xlsx", tmp_path))


def test_a_file_that_is_not_utf8_names_the_row_of_the_first_bad_byte(tmp_path: Path) -> None:
    path = write_delimited(
        tmp_path / "r.csv", [member("91234567A", address_line='a "quoted\nline"'), member("91234567B")]
    )
    with path.open("a", encoding="latin-1", newline="") as handle:
        handle.write("91234567C,José,García,1980-01-05,San Joaquin,HPSJ,2024-01-01,\r\n")
    result = read(path, tmp_path)
    message = file_error(result)
    assert "must be UTF-8" in message and "data row 3" in message and "0xE9" in message
    assert result.rejected_by_reason == {"file: not UTF-8": 1}
    path.write_bytes(",".join(REQUIRED_HEADER).replace("first_name", "prénom").encode("latin-1") + b"\n")
    assert "the header holds the byte 0xE9" in file_error(read(path, tmp_path))


def test_a_parquet_column_of_the_wrong_type(tmp_path: Path) -> None:
    table = pa.table(
        {
            "member_id": ["91234567A", "91234567B"],
            "first_name": ["Ana", "Bo"],
            "last_name": pa.array([None, 7], pa.int32()),
            "birth_date": pa.array([None, 19800105]),
            "county": ["San Joaquin"] * 2,
            "plan_code": ["HPSJ"] * 2,
            "enrollment_start": pa.array([1.5, 2.5]),
            "dsnp": pa.array([None, None], pa.int64()),
        }
    )
    pq.write_table(table, tmp_path / "r.parquet")
    result = read(tmp_path / "r.parquet", tmp_path)
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (
            None,
            "last_name",
            "r.parquet: the column last_name holds INTEGER values (first on data row 2) where text is expected",
        ),
        (
            None,
            "birth_date",
            "r.parquet: the column birth_date holds BIGINT values (first on data row 2) where "
            "DATE/TIMESTAMP or text is expected",
        ),
        (
            None,
            "enrollment_start",
            "r.parquet: the column enrollment_start holds DOUBLE values (first on data row "
            "1) where DATE/TIMESTAMP or text is expected",
        ),
    ]
    assert result.rejected_by_reason == {"file: a Parquet column of the wrong type": 3}


def test_unreadable_files(tmp_path: Path) -> None:
    for name in ("r.xlsx", "r.parquet"):
        (tmp_path / name).write_bytes(b"PK\x03\x04 this is no workbook")
        assert "cannot be read as" in file_error(read(tmp_path / name, tmp_path))
    (tmp_path / "r.docx").write_text("hello")
    message = file_error(read(tmp_path / "r.docx", tmp_path))
    assert message == "r.docx: a roster must be a .csv, .tsv, .txt or .psv (pipe), .xlsx or .parquet file, not .docx"
    (tmp_path / "quote.csv").write_text(",".join(REQUIRED_HEADER) + '\n91234567A,"Ana,Garcia,1980-01-05\n')
    assert "cannot be read" in file_error(read(tmp_path / "quote.csv", tmp_path))
    book = openpyxl.Workbook()
    book.save(tmp_path / "blank.xlsx")
    assert "the file is empty" in file_error(read(tmp_path / "blank.xlsx", tmp_path))


def test_missing_and_repeated_columns_are_all_named(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerow(["Member_ID", "first_name", "birth_date", " member_id ", "zip_code", "ZIP_CODE"])
    result = read(path, tmp_path)
    assert [(e.column, e.message) for e in result.errors] == [
        ("member_id", "r.csv: the column member_id appears twice in the header (columns 1 and 4): keep one"),
        ("zip_code", "r.csv: the column zip_code appears twice in the header (columns 5 and 6): keep one"),
        ("last_name", "r.csv: the required column last_name is missing from the header"),
        ("county", "r.csv: the required column county is missing from the header"),
        ("plan_code", "r.csv: the required column plan_code is missing from the header"),
        ("enrollment_start", "r.csv: the required column enrollment_start is missing from the header"),
    ]
    assert result.rejected_by_reason == {"file: a column named twice": 2, "file: a required column missing": 4}
