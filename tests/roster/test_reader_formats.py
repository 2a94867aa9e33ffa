"""The roster reader on good files: every format, loose headers, the normalized output, the rejects file.

Pure: no database. The files are written by the tests (XLSX with openpyxl, Parquet with pyarrow).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from calaim.roster.reader import ROSTER_COLUMNS, RosterRead, RowError, Vocabulary, rejects_write, roster_read
from calaim.roster.reader_values import npi_check_digit, npi_valid

TODAY = dt.date(2026, 6, 30)
PROGRAMS = ("HOSPICE", "PACE", "CCM", "CCT", "MSSP", "HCBA", "ALW", "HCBS_DD", "SDP", "MCWP")
VOCABULARY = Vocabulary(
    plan_code="HPSJ",
    plan_codes=frozenset({"HPSJ", "HPSM"}),
    counties={"san joaquin": "San Joaquin", "stanislaus": "Stanislaus"},
    delegates={"kaiser": "KAISER"},
    programs=PROGRAMS,
)
NPI = "1234567893"  # the CMS example: "80840" + 123456789 gives check digit 3
REQUIRED_HEADER = ["member_id", "first_name", "last_name", "birth_date", "county", "plan_code", "enrollment_start"]


def member(cin: str = "91234567A", **fields: Any) -> dict[str, Any]:
    """A valid row with the required columns, overridable and extendable column by column."""
    row: dict[str, Any] = {"member_id": cin, "first_name": "Ana", "last_name": "Garcia", "birth_date": "1980-01-05",
                           "county": "San Joaquin", "plan_code": "HPSJ", "enrollment_start": "2024-01-01"}
    row.update(fields)
    return row


def write_delimited(path: Path, rows: list[dict[str, Any]], delimiter: str = ",") -> Path:
    """A header of every column the rows name, then the rows (a column a row lacks is empty)."""
    names = list(dict.fromkeys(k for r in rows for k in r))
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, delimiter=delimiter)
        out.writerow(names)
        for r in rows:
            out.writerow(["" if r.get(n) is None else r.get(n) for n in names])
    return path


def read(path: Path, tmp_path: Path, **kwargs: Any) -> RosterRead:
    kwargs.setdefault("vocabulary", VOCABULARY)
    return roster_read(path, work_dir=tmp_path / "work", today=TODAY, **kwargs)


def output(result: RosterRead) -> list[dict[str, Any]]:
    assert result.normalized_path is not None
    return pq.read_table(result.normalized_path).to_pylist()


def test_a_full_row_is_normalized(tmp_path: Path) -> None:
    row = member(" 91234567A ", first_name=" Ana ", birth_date="01/05/1980", sex="f", race_ethnicity="Hispanic",
                 language="ES", county="  SAN JOAQUIN ", plan_code="hpsj", enrollment_start="2024-01-01",
                 enrollment_end="12/31/2026", delegated_to="kaiser", dsnp="Yes", other_programs="pace; hospice;PACE;",
                 homeless_flag="1", release_date="2/3/2025", ccs_enrolled="FALSE", foster_care="Former",
                 phone="(209) 555-0100", address_line="12 Main St", city="Stockton", zip_code="952021234",
                 pcp_npi=NPI, pcp_name="Valley Clinic", bh_provider_npi=f" {NPI} ", bh_provider_name="Delta BH")
    result = read(write_delimited(tmp_path / "roster.csv", [row]), tmp_path)
    assert result.errors == [] and result.error_count == 0 and result.rows_read == 1
    assert output(result) == [{
        "row": 1, "cin": "91234567A", "first_name": "Ana", "last_name": "Garcia", "birth_date": dt.date(1980, 1, 5),
        "sex": "F", "race_ethnicity": "hispanic", "language": "es", "county": "San Joaquin", "plan_code": "HPSJ",
        "enrollment_start": dt.date(2024, 1, 1), "enrollment_end": dt.date(2026, 12, 31), "delegated_to": "KAISER",
        "dsnp": True, "other_programs": "HOSPICE;PACE", "homeless_flag": True, "release_date": dt.date(2025, 2, 3),
        "ccs_enrolled": False, "foster_care": "former", "phone": "+12095550100", "address_line": "12 Main St",
        "city": "Stockton", "zip_code": "95202-1234", "pcp_npi": NPI, "pcp_name": "Valley Clinic",
        "bh_provider_npi": NPI, "bh_provider_name": "Delta BH"}]
    assert result.present == frozenset(row) - set(REQUIRED_HEADER)


def test_absent_and_empty_columns_take_the_defaults(tmp_path: Path) -> None:
    rows = [member("91234567A"), member("91234567B", sex="", race_ethnicity="", language="", dsnp="")]
    result = read(write_delimited(tmp_path / "r.csv", rows), tmp_path)
    first, second = output(result)
    defaults = {"sex": "U", "race_ethnicity": "unknown", "language": "en", "enrollment_end": None,
                "delegated_to": None, "dsnp": False, "other_programs": "", "homeless_flag": False,
                "release_date": None, "ccs_enrolled": False, "foster_care": "", "phone": "", "address_line": "",
                "city": "", "zip_code": "", "pcp_npi": "", "pcp_name": "", "bh_provider_npi": "",
                "bh_provider_name": ""}
    assert {k: first[k] for k in defaults} == defaults
    assert {k: second[k] for k in defaults} == defaults
    assert result.present == {"sex", "race_ethnicity", "language", "dsnp"}


def test_the_output_has_the_contract_schema(tmp_path: Path) -> None:
    result = read(write_delimited(tmp_path / "r.csv", [member()]), tmp_path)
    assert result.normalized_path is not None and result.normalized_path.parent == tmp_path / "work"
    schema = pq.read_schema(result.normalized_path)
    types = {"int64": pa.int64(), "string": pa.string(), "date32": pa.date32(), "bool": pa.bool_()}
    assert [(f.name, f.type) for f in schema] == [(n, types[t]) for n, t in ROSTER_COLUMNS]
    assert [p.name for p in (tmp_path / "work").iterdir()] == [result.normalized_path.name]  # no temp file left


@pytest.mark.parametrize(("written", "stored"), [
    ("(209) 555-0100", "+12095550100"), ("209-555-0100", "+12095550100"), ("209.555.0100", "+12095550100"),
    ("2095550100", "+12095550100"), ("+1 209 555 0100", "+12095550100"), ("1-209-555-0100", "+12095550100"),
    ("+1 (415) 555-0123", "+14155550123"), ("209/555-0100", "+12095550100"),
    ("209-555-0100 ext. 12", "+12095550100"), ("1-800-FLOWERS", "+18003569377"),
])
def test_phones_in_any_us_format_are_stored_e164(tmp_path: Path, written: str, stored: str) -> None:
    result = read(write_delimited(tmp_path / "r.csv", [member(phone=written)]), tmp_path)
    assert result.errors == []
    assert output(result)[0]["phone"] == stored


@pytest.mark.parametrize(("written", "stored"), [("95202", "95202"), ("952021234", "95202-1234"),
                                                 ("95202-1234", "95202-1234"), (" 95202 ", "95202")])
def test_zip_codes_are_stored_as_5_or_5_dash_4(tmp_path: Path, written: str, stored: str) -> None:
    result = read(write_delimited(tmp_path / "r.csv", [member(zip_code=written)]), tmp_path)
    assert output(result)[0]["zip_code"] == stored


@pytest.mark.parametrize(("written", "value"), [("Y", True), ("n", False), ("Yes", True), ("NO", False),
                                                ("1", True), ("0", False), ("True", True), ("false", False)])
def test_flags_in_every_spelling(tmp_path: Path, written: str, value: bool) -> None:
    result = read(write_delimited(tmp_path / "r.csv", [member(dsnp=written, homeless_flag=written)]), tmp_path)
    assert (output(result)[0]["dsnp"], output(result)[0]["homeless_flag"]) == (value, value)


def test_headers_match_loosely_in_any_order_and_unknown_columns_are_ignored(tmp_path: Path) -> None:
    header = ["  PLAN_CODE ", "Member_ID", "first_name", "LAST_name", "birth_date", "County", "Enrollment_Start",
              "Notes  from   the  plan", "zip_code  "]
    path = tmp_path / "r.csv"
    with path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(header)
        out.writerow(["HPSJ", "91234567A", "Ana", "Garcia", "1980-01-05", "Stanislaus", "2024-01-01", "x", "95350"])
    result = read(path, tmp_path)
    assert result.errors == []
    row = output(result)[0]
    assert (row["cin"], row["plan_code"], row["county"], row["zip_code"]) == ("91234567A", "HPSJ", "Stanislaus",
                                                                              "95350")
    assert result.present == {"zip_code"}


def test_runs_of_inner_spaces_count_as_one(tmp_path: Path) -> None:
    """"pcp   name" is "pcp name", which is not pcp_name: only spaces are forgiven, and only that."""
    path = tmp_path / "r.csv"
    path.write_text("member_id,first_name,last_name,birth_date,county,plan_code,enrollment_start,pcp   name\n"
                    "91234567A,Ana,Garcia,1980-01-05,San Joaquin,HPSJ,2024-01-01,Dr. X\n")
    result = read(path, tmp_path)
    assert result.errors == [] and result.present == frozenset()


def test_a_bom_and_crlf_line_ends_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(b"\xef\xbb\xbfmember_id,first_name,last_name,birth_date,county,plan_code,enrollment_start\r\n"
                     b"91234567A,Ana,Garc\xc3\xada,1980-01-05,San Joaquin,HPSJ,2024-01-01\r\n")
    result = read(path, tmp_path)
    assert result.errors == []
    assert output(result)[0]["last_name"] == "García"


def test_quoted_fields_keep_commas_quotes_and_line_breaks_in_addresses(tmp_path: Path) -> None:
    rows = [member(last_name="Santos, Jr.", address_line='Apt 2, "Blue" House'), member("91234567B")]
    result = read(write_delimited(tmp_path / "r.csv", rows), tmp_path)
    first, second = output(result)
    assert (first["last_name"], first["address_line"]) == ("Santos, Jr.", 'Apt 2, "Blue" House')
    assert second["row"] == 2


@pytest.mark.parametrize(("ending", "delimiter"), [(".tsv", "\t"), (".txt", "|"), (".psv", "|")])
def test_tab_and_pipe_separated_files(tmp_path: Path, ending: str, delimiter: str) -> None:
    rows = [member(last_name="O'Neil, Jr."), member("91234567B", county="stanislaus")]
    result = read(write_delimited(tmp_path / f"r{ending}", rows, delimiter), tmp_path)
    assert result.errors == []
    assert [(r["cin"], r["last_name"], r["county"]) for r in output(result)] == [
        ("91234567A", "O'Neil, Jr.", "San Joaquin"), ("91234567B", "Garcia", "Stanislaus")]


def test_blank_lines_are_no_records(tmp_path: Path) -> None:
    path = write_delimited(tmp_path / "r.csv", [member("91234567A")])
    with path.open("a") as handle:
        handle.write("\n\n91234567B,Bo,Lee,1980-01-05,San Joaquin,HPSJ,2024-01-01\n")
    result = read(path, tmp_path)
    assert [r["row"] for r in output(result)] == [1, 2] and result.rows_read == 2


def _workbook(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for r in rows:
            sheet.append(r)
    book.save(path)
    return path


def test_xlsx_with_date_cells_and_numbers_on_the_members_sheet(tmp_path: Path) -> None:
    header = [*REQUIRED_HEADER, "phone", "zip_code", "pcp_npi", "dsnp", "release_date"]
    data = [["91234567A", "Ana", "Garcia", dt.datetime(1980, 1, 5), "San Joaquin", "HPSJ", dt.date(2024, 1, 1),
             2095550100, 95202, int(NPI), True, "03/04/2025"],
            [None] * len(header),  # an empty row keeps its number but is no member
            ["91234567B", "Bo", "Lee", "1990-02-03", "Stanislaus", "HPSJ", dt.datetime(2024, 2, 1), None, None,
             None, "N", None]]
    path = _workbook(tmp_path / "roster.xlsx", {"Notes": [["not the roster"]], "MEMBERS": [header, *data]})
    result = read(path, tmp_path)
    assert result.errors == [] and result.rows_read == 2
    first, second = output(result)
    assert (first["row"], first["birth_date"], first["enrollment_start"], first["phone"], first["zip_code"],
            first["pcp_npi"], first["dsnp"], first["release_date"]) == (
        1, dt.date(1980, 1, 5), dt.date(2024, 1, 1), "+12095550100", "95202", NPI, True, dt.date(2025, 3, 4))
    assert (second["row"], second["cin"], second["enrollment_start"], second["dsnp"]) == (
        3, "91234567B", dt.date(2024, 2, 1), False)


def test_xlsx_takes_the_roster_sheet_else_the_first(tmp_path: Path) -> None:
    good = [REQUIRED_HEADER, ["91234567A", "Ana", "Garcia", "1980-01-05", "San Joaquin", "HPSJ", "2024-01-01"]]
    other = [["something"], ["else"]]
    path = _workbook(tmp_path / "a.xlsx", {"Members": other, " roster ": good})
    assert read(path, tmp_path).errors == []
    path = _workbook(tmp_path / "b.xlsx", {"Extract": good, "Summary": other})
    assert read(path, tmp_path).errors == []


def test_parquet_with_native_types(tmp_path: Path) -> None:
    table = pa.table({
        "Member_ID": ["91234567A", "91234567B"], "first_name": ["Ana", "Bo"], "last_name": ["Garcia", "Lee"],
        "birth_date": pa.array([dt.date(1980, 1, 5), dt.date(1990, 2, 3)], pa.date32()),
        "county": ["San Joaquin", "Stanislaus"], "plan_code": ["HPSJ", "HPSJ"],
        "enrollment_start": pa.array([dt.datetime(2024, 1, 1), dt.datetime(2024, 2, 1, 12)], pa.timestamp("us")),
        "enrollment_end": pa.array([None, "12/31/2026"], pa.string()),
        "dsnp": pa.array([True, None], pa.bool_()), "homeless_flag": pa.array([1, 0], pa.int8()),
        "zip_code": pa.array([95202, None], pa.int64()), "foster_care": pa.array([None, None], pa.null()),
    })
    path = tmp_path / "roster.parquet"
    pq.write_table(table, path)
    result = read(path, tmp_path)
    assert result.errors == []
    first, second = output(result)
    assert (first["birth_date"], first["enrollment_start"], first["dsnp"], first["homeless_flag"],
            first["zip_code"]) == (dt.date(1980, 1, 5), dt.date(2024, 1, 1), True, True, "95202")
    assert (second["enrollment_start"], second["enrollment_end"], second["dsnp"], second["homeless_flag"]) == (
        dt.date(2024, 2, 1), dt.date(2026, 12, 31), False, False)
    assert result.present == {"enrollment_end", "dsnp", "homeless_flag", "zip_code", "foster_care"}


def test_file_name_hash_size_and_progress(tmp_path: Path) -> None:
    path = write_delimited(tmp_path / "stored-as-uuid.csv", [member()])
    calls: list[tuple[str, int, int]] = []
    result = read(path, tmp_path, file_name="May roster.csv", progress=lambda *a: calls.append(a))
    data = path.read_bytes()
    assert (result.file_name, result.size) == ("May roster.csv", len(data))
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert calls[0] == ("reading", 0, len(data)) and calls[-1] == ("writing", 1, 1)
    assert {"reading", "checking", "writing"} == {c[0] for c in calls}
    assert all(done <= total for _, done, total in calls)


def test_a_missing_file_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read(tmp_path / "nowhere.csv", tmp_path)


def test_rejects_file(tmp_path: Path) -> None:
    errors = [RowError(None, None, None, "the file must be UTF-8"),
              RowError(3, "member_id", '9123,"4567A', "expected a Medi-Cal CIN", None),
              RowError(4, "zip_code", None, "expected a ZIP code", "91234567A")]
    target = tmp_path / "rejects.csv"
    target.write_text("old")
    rejects_write(errors, target, file_name="May roster.csv")
    assert target.read_bytes().startswith(b"row,column,value,message\r\n")
    with target.open(newline="", encoding="utf-8") as handle:
        assert list(csv.reader(handle)) == [
            ["row", "column", "value", "message"],
            ["", "", "", "May roster.csv: the file must be UTF-8"],
            ["3", "member_id", '9123,"4567A', "expected a Medi-Cal CIN"],
            ["4", "zip_code", "", "expected a ZIP code"]]
    assert [p.name for p in tmp_path.iterdir()] == ["rejects.csv"]


def test_npi_check_digit() -> None:
    assert npi_valid(NPI) and not npi_valid("1234567890") and not npi_valid("123456789")
    assert npi_check_digit("123456789") == "3"
    assert all(npi_valid(f"{n}{npi_check_digit(str(n))}") for n in range(100_000_000, 100_000_300))
