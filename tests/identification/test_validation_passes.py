"""The quick validation pass never misses what the exact pass reports, and proves clean files clean alone."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from identification.errors import InputError
from identification.inputs import CLAIM_SPEC, MEMBER_SPEC, Column, file_schema
from identification.validate import FileReport, _quick_pass, column_checks, distinct_values, validate_file
from tests.identification.conftest import CLAIM_COLUMNS, MEMBER_COLUMNS, claim, member, write_rows
from tests.identification.test_inputs import CLAIM_CASES, MEMBER_CASES

# Values that trip trimming, blanks, case and lists; each column also gets its own valid value padded
# with spaces and the invalid values test_inputs.py uses.
BLANKS = ["", " ", "\t", " ; ", ";", "x", " Pharmacy "]
VALID = {**member(), **claim(claim_type="institutional", bill_type="0111", place_of_service="23",
                             revenue_codes="0450;0981", procedure_codes="99283;A0427", admission_type="1",
                             provider_npi="1234567890", service_to="2026-03-02", sex="F", race_ethnicity="black",
                             language="en", dsnp="TRUE", other_programs="HOSPICE; PACE", homeless_flag="false",
                             release_date="2026-01-01", ccs_enrolled="true", foster_care="former",
                             enrollment_end="2027-01-01", delegated_to="KAISER")}
BAD = {column: [value for c, value, _ in cases if c == column] for cases in (MEMBER_CASES, CLAIM_CASES)
       for column, _, _ in cases}
EXTRA = [" 0450 ;\t0981", "0000-01-01", "10000-01-01", " TRUE "]


def probes(column: str) -> list[str]:
    valid = VALID[column]
    return [*BLANKS, valid, f" {valid}", f"{valid}  ", f"\t{valid}", *BAD.get(column, []), *EXTRA]


def _outcome(con: duckdb.DuckDBPyConnection, path: Path, spec: tuple[Column, ...], quick: bool) -> tuple:
    try:
        report = validate_file(con, path, spec, quick=quick)
    except InputError as exc:
        return ("error", str(exc))
    return ("ok", report.rows)


def _suspect(con: duckdb.DuckDBPyConnection, path: Path, spec: tuple[Column, ...]) -> bool:
    """Whether the quick pass alone finds anything wrong (it never raises; the exact pass does)."""
    types = file_schema(con, path)
    key = next(c.name for c in spec if c.kind == "key")
    return _quick_pass(con, path, spec, types, column_checks(spec, list(types)), key)[1]


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_quick_pass_suspects_exactly_the_files_the_exact_pass_rejects(tmp_path: Path, fmt: str) -> None:
    con = duckdb.connect(config={"threads": 1})
    cases = [("claims", CLAIM_SPEC, CLAIM_COLUMNS, col, probe) for col in CLAIM_COLUMNS for probe in probes(col)]
    if fmt == "csv":  # Parquet text columns are read as CSV ones are; the claims suffice there
        cases += [("members", MEMBER_SPEC, MEMBER_COLUMNS, col, probe) for col in MEMBER_COLUMNS
                  for probe in probes(col)]
    failures = 0
    for i, (kind, spec, columns, col, probe) in enumerate(cases):
        if kind == "claims":
            rows = [claim(), claim(**{col: probe}), claim(claim_type="pharmacy", diagnosis_codes="")]
        else:
            rows = [member("10000001A"), member(**{"member_id": "10000002B", col: probe})]
        path = write_rows(tmp_path / f"{kind}{i}.{fmt}", columns, rows)
        failed = _outcome(con, path, spec, quick=False)[0] == "error"
        # Never a miss (that would let a bad file through); on these probes, no false alarm either.
        assert _suspect(con, path, spec) == failed, (kind, col, probe)
        failures += failed
    assert 40 < failures < len(cases) - 40  # the probes exercise both outcomes


def test_duplicate_and_empty_keys_are_caught_by_the_quick_pass(tmp_path: Path) -> None:
    con = duckdb.connect()
    for ids, words in ((["K1", "K2", " K1 "], "duplicate"), (["K1", " ", "K2"], "empty")):
        path = write_rows(tmp_path / "claims.csv", CLAIM_COLUMNS, [claim(claim_id=x) for x in ids])
        with pytest.raises(InputError, match=words):
            validate_file(con, path, CLAIM_SPEC)


def test_a_clean_file_is_proved_clean_by_the_quick_pass_alone(tmp_path: Path) -> None:
    con = duckdb.connect()
    rows = [claim(member_id=" 10000001A ", bill_type=" 0111", provider_npi=" 1234567890 ", service_to=" 2026-03-02",
                  revenue_codes="0450 ; 0981", claim_type="institutional", admission_type="1"),
            claim("10000002B", provider_npi=""), claim("10000002B", claim_type="pharmacy", diagnosis_codes=" ; ")]
    path = write_rows(tmp_path / "claims.csv", CLAIM_COLUMNS, rows)
    report = validate_file(con, path, CLAIM_SPEC)
    assert isinstance(report, FileReport) and report.rows == 3 and report.values_table is not None
    values = distinct_values(report, "member_id")
    assert values is not None
    assert sorted(con.sql(values).fetchall()) == [(" 10000001A ", 1), ("10000002B", 2)]
    assert report.trimmed == {"claim_id"}  # a padded CIN: the rules must trim member_id
    rows[0]["member_id"] = "10000001A"
    assert validate_file(con, write_rows(tmp_path / "plain.csv", CLAIM_COLUMNS, rows), CLAIM_SPEC).trimmed == {
        "claim_id", "member_id"}


def test_typed_parquet_dates_agree_at_the_edges_of_what_text_allows(tmp_path: Path) -> None:
    """A DATE outside years 1..9999 prints as text the date check rejects; both passes must say so."""
    con = duckdb.connect()
    edges = [dt.date(1, 1, 1), dt.date(9999, 12, 31), dt.date(2026, 3, 1)]
    for i, (start, end) in enumerate(itertools.product(edges, [None, *edges])):
        table = pa.table({"claim_id": ["C1"], "member_id": ["10000001A"], "service_from": pa.array([start]),
                          "service_to": pa.array([end], pa.date32()), "claim_type": ["professional"],
                          "diagnosis_codes": ["R05"]})
        path = tmp_path / f"c{i}.parquet"
        pq.write_table(table, path)
        exact = _outcome(con, path, CLAIM_SPEC, quick=False)
        assert _outcome(con, path, CLAIM_SPEC, quick=True) == exact
    # Years outside 1..9999 (written through DuckDB, which can represent them).
    for i, literal in enumerate(["DATE '0001-01-01' - 1", "DATE '9999-12-31' + 1", "'infinity'::DATE"]):
        path = tmp_path / f"far{i}.parquet"
        con.execute(f"COPY (SELECT 'C1' AS claim_id, '10000001A' AS member_id, {literal} AS service_from, "
                    f"'professional' AS claim_type, 'R05' AS diagnosis_codes) TO '{path}' (FORMAT parquet)")
        exact = _outcome(con, path, CLAIM_SPEC, quick=False)
        assert exact[0] == "error" and _outcome(con, path, CLAIM_SPEC, quick=True) == exact


def test_raw_pattern_checks_equal_the_trimmed_ones() -> None:
    """Checks run on untrimmed text (`raw_cond`) say exactly what the trimmed check says."""
    con = duckdb.connect()
    specs = (*MEMBER_SPEC, *CLAIM_SPEC)
    checks = [chk for chk in column_checks(specs, [c.name for c in specs]) if chk.raw_cond]
    assert {chk.column for chk in checks} >= {"provider_npi", "member_id", "bill_type", "revenue_codes"}
    values = {p for col in (*MEMBER_COLUMNS, *CLAIM_COLUMNS) for p in probes(col)}
    values |= {f"  {p}" for p in values} | {f"{p} " for p in values}
    con.execute("CREATE TABLE probes (r VARCHAR)")
    con.executemany("INSERT INTO probes VALUES (?)", [[p] for p in [*sorted(values), None]])
    for chk in checks:
        col = chk.column
        rows = con.sql(f"SELECT r, COALESCE({chk.cond}, FALSE), COALESCE({chk.raw_cond}, FALSE) FROM "  # noqa: S608
                       f"(SELECT r AS r_{col}, NULLIF(TRIM(r), '') AS v_{col}, r FROM probes)").fetchall()
        assert all(exact == raw for _, exact, raw in rows), (col, [r for r in rows if r[1] != r[2]])


KEY_PROBES = ["K1", " K1", "K1 ", "\u00a0K1", "K1\u3000", "\tK1", "K1\n", "k1", "K\u00e91", "\u00e9", "", " ", "\u00a0",
              "K", "K1\r\n", "K 1", "K2"]


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_key_check_hashes_keys_as_read_only_when_trimming_cannot_change_them(tmp_path: Path, fmt: str) -> None:
    """Keys plainly unchanged by TRIM are hashed as read; any other key sends the check to the trimmed keys.
    Either way the quick pass suspects exactly the files whose trimmed keys repeat or are empty."""
    con = duckdb.connect()
    cases = [[a, b] for a, b in itertools.combinations(KEY_PROBES, 2)] + [[p] for p in KEY_PROBES]
    for i, ids in enumerate(cases):
        path = write_rows(tmp_path / f"claims{i}.{fmt}", CLAIM_COLUMNS, [claim(claim_id=x) for x in ids])
        trimmed = [con.sql("SELECT NULLIF(TRIM(?), '')", params=[x]).fetchall()[0][0] for x in ids]
        bad = None in trimmed or len(set(trimmed)) < len(trimmed)
        assert _suspect(con, path, CLAIM_SPEC) == bad, ids
        assert (_outcome(con, path, CLAIM_SPEC, quick=True)[0] == "error") == bad, ids
        if not bad:  # reported trimmed only when TRIM changes no key, and always when all are plain ASCII
            report = validate_file(con, path, CLAIM_SPEC)
            assert "claim_id" not in report.trimmed or trimmed == ids, ids
            plain = all(x.isascii() and x == x.strip(" ") for x in ids)
            assert "claim_id" in report.trimmed or not plain, ids


def test_glob_first_tests_settle_only_values_their_pattern_accepts() -> None:
    """A column's GLOB matches only values its pattern fully matches, so the GLOB may skip the pattern."""
    import re

    globbed = [c for c in (*MEMBER_SPEC, *CLAIM_SPEC) if c.glob]
    assert {c.name for c in globbed} >= {"provider_npi", "member_id"}
    con = duckdb.connect()
    digits = "0123456789"
    for col in globbed:
        assert col.pattern is not None
        valid = VALID[col.name]
        swapped = {valid[:i] + chr(c) + valid[i + 1:] for i in range(len(valid)) for c in range(1, 256)}
        probes = {valid, valid[:-1], valid + "0", " " + valid, valid + " ", valid.lower(), "", "\u0661" * 10,
                  "\uff11" * 10, *swapped, *(digits[:i] + "A" + digits[i + 1:] for i in range(10))}
        rows = con.sql(f"SELECT p, p GLOB '{col.glob}' FROM (SELECT UNNEST(?) AS p)",  # noqa: S608
                       params=[sorted(probes)]).fetchall()
        for probe, globbed_ok in rows:
            assert not globbed_ok or re.fullmatch(col.pattern, probe), (col.name, probe)
        assert any(ok for _, ok in rows)
