"""Invalid input names file, row and column, and leaves outputs untouched; CSV and Parquet in and out."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from identification.errors import InputError
from identification.run import identify
from tests.identification.conftest import AS_OF, CLAIM_COLUMNS, MEMBER_COLUMNS, claim, member, write_rows

MEMBER_CASES = [
    ("member_id", "1234567A", "CIN"), ("member_id", "12345678a", "CIN"), ("member_id", "", "empty"),
    ("first_name", "", "empty"), ("last_name", " ", "empty"), ("birth_date", "1980-02-30", "date"),
    ("birth_date", "05/05/1980", "date"), ("birth_date", "", "empty"), ("sex", "female", "F, M"),
    ("race_ethnicity", "Black", "one of"), ("language", "eng", "ISO"), ("county", "", "empty"),
    ("plan_code", "", "empty"), ("enrollment_start", "2020-13-01", "date"), ("enrollment_end", "2020-1-1", "date"),
    ("dsnp", "yes", "true or false"), ("other_programs", "HOSPICE;IHSS", "list"),
    ("homeless_flag", "1", "true or false"), ("release_date", "2026-02-29", "date"),
    ("ccs_enrolled", "Y", "true or false"), ("foster_care", "past", "current or former"),
]
CLAIM_CASES = [
    ("claim_id", "", "empty"), ("member_id", "ABC", "CIN"), ("member_id", "", "empty"),
    ("service_from", "2026-02-31", "date"), ("service_from", "", "empty"), ("service_to", "20260301", "date"),
    ("service_to", "2026-02-28", "earlier than service_from"), ("claim_type", "dental", "institutional"),
    ("bill_type", "11", "bill"), ("bill_type", "1111", "bill"), ("place_of_service", "2", "place-of-service"),
    ("place_of_service", "ER", "place-of-service"), ("revenue_codes", "0450;450", "revenue"),
    ("procedure_codes", "9928", "CPT"), ("admission_type", "9", "admission type"),
    ("diagnosis_codes", "", "empty"), ("diagnosis_codes", " ; ", "empty"), ("provider_npi", "123456789", "NPI"),
    ("provider_npi", "12345678901", "NPI"),
]


@pytest.fixture
def outputs(tmp_path: Path) -> tuple[Path, Path]:
    """Pre-existing output files whose content must survive a failed run."""
    out = tmp_path / "out" / "candidates.csv"
    out.parent.mkdir()
    out.write_text("old candidates\n")
    excl = tmp_path / "out" / "candidates.exclusions.csv"
    excl.write_text("old exclusions\n")
    return out, excl


def _assert_failed(exc: InputError, path: Path, row: int, column: str, words: str, outputs: tuple[Path, Path]) -> None:
    message = str(exc)
    assert str(path) in message and f"row {row}" in message and f"column {column}" in message
    assert words.lower() in message.lower()
    assert (exc.file, exc.row, exc.column) == (str(path), row, column)
    assert outputs[0].read_text() == "old candidates\n" and outputs[1].read_text() == "old exclusions\n"
    assert sorted(p.name for p in outputs[0].parent.iterdir()) == ["candidates.csv", "candidates.exclusions.csv"]


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
@pytest.mark.parametrize(("column", "value", "words"), MEMBER_CASES)
def test_invalid_member_value(tmp_path, outputs, fmt: str, column: str, value: str, words: str) -> None:
    rows = [member("10000001A"), member(**{"member_id": "10000002B", column: value}),
            member(**{"member_id": "10000003C", column: value})]
    m = write_rows(tmp_path / f"members.{fmt}", MEMBER_COLUMNS, rows)
    c = write_rows(tmp_path / f"claims.{fmt}", CLAIM_COLUMNS, [claim()])
    with pytest.raises(InputError) as info:
        identify(m, c, AS_OF, outputs[0])
    _assert_failed(info.value, m, 2, column, words, outputs)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
@pytest.mark.parametrize(("column", "value", "words"), CLAIM_CASES)
def test_invalid_claim_value(tmp_path, outputs, fmt: str, column: str, value: str, words: str) -> None:
    base = {"service_from": "2026-03-01"}
    rows = [claim(**base), claim(**base), claim(**{**base, column: value}), claim(**{**base, column: value})]
    m = write_rows(tmp_path / f"members.{fmt}", MEMBER_COLUMNS, [member()])
    c = write_rows(tmp_path / f"claims.{fmt}", CLAIM_COLUMNS, rows)
    with pytest.raises(InputError) as info:
        identify(m, c, AS_OF, outputs[0])
    _assert_failed(info.value, c, 3, column, words, outputs)


@pytest.mark.parametrize("missing", ["member_id", "first_name", "birth_date", "county", "plan_code",
                                     "enrollment_start"])
def test_missing_required_member_column(tmp_path, outputs, missing: str) -> None:
    cols = [c for c in MEMBER_COLUMNS if c != missing]
    m = write_rows(tmp_path / "members.csv", cols, [member()])
    c = write_rows(tmp_path / "claims.csv", CLAIM_COLUMNS, [claim()])
    with pytest.raises(InputError) as info:
        identify(m, c, AS_OF, outputs[0])
    _assert_failed(info.value, m, 1, missing, "missing", outputs)


@pytest.mark.parametrize("missing", ["claim_id", "member_id", "service_from", "claim_type", "diagnosis_codes"])
def test_missing_required_claim_column(tmp_path, outputs, missing: str) -> None:
    m = write_rows(tmp_path / "members.parquet", MEMBER_COLUMNS, [member()])
    c = write_rows(tmp_path / "claims.parquet", [x for x in CLAIM_COLUMNS if x != missing], [claim()])
    with pytest.raises(InputError) as info:
        identify(m, c, AS_OF, outputs[0])
    _assert_failed(info.value, c, 1, missing, "missing", outputs)


def test_duplicate_keys(tmp_path, outputs) -> None:
    m = write_rows(tmp_path / "members.csv", MEMBER_COLUMNS,
                   [member("10000001A"), member("10000002B"), member("10000001A")])
    c = write_rows(tmp_path / "claims.csv", CLAIM_COLUMNS, [claim()])
    with pytest.raises(InputError) as info:
        identify(m, c, AS_OF, outputs[0])
    _assert_failed(info.value, m, 3, "member_id", "duplicate", outputs)
    m = write_rows(tmp_path / "members.csv", MEMBER_COLUMNS, [member()])
    c = write_rows(tmp_path / "claims.csv", CLAIM_COLUMNS,
                   [claim(claim_id="K1"), claim(claim_id="K2"), claim(claim_id="K1"), claim(claim_id="K2")])
    with pytest.raises(InputError) as info:
        identify(m, c, AS_OF, outputs[0])
    _assert_failed(info.value, c, 3, "claim_id", "duplicate", outputs)


def test_first_offending_record_in_file_order_counts_records_not_lines(tmp_path, outputs) -> None:
    m = write_rows(tmp_path / "members.csv", MEMBER_COLUMNS,
                   [member("10000001A", first_name="Ana\nMaria"), member("10000002B", sex="Q"),
                    member("10000003C", birth_date="bad")])
    c = write_rows(tmp_path / "claims.csv", CLAIM_COLUMNS, [claim()])
    with pytest.raises(InputError) as info:
        identify(m, c, AS_OF, outputs[0])
    _assert_failed(info.value, m, 2, "sex", "F, M", outputs)


def test_unknown_member_claims_are_warned_counted_and_skipped(job) -> None:
    claims = [claim(diagnosis_codes="E11"), claim("99999999Z", diagnosis_codes="E11"), claim("88888888Y")]
    rows, _ = job.run([member(homeless_flag="true")], claims)
    assert [r["pof"] for r in rows] == ["A1"] and rows[0]["evidence_count"] == "1"
    assert job.summary.unknown_member_claims == 2 and job.summary.unknown_member_rows == [2, 3]


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_the_first_unknown_member_claims_are_reported_in_file_order(job, fmt: str) -> None:
    """Many unknown CINs spread over a file read in parallel: the rows reported are the first 20 in the file."""
    unknown_at = [n for n in range(1, 60_001) if n % 1_999 == 0 or n in (59_000, 59_999)]
    claims = [claim("99999999Z" if n in unknown_at else "10000001A", diagnosis_codes="R05") for n in range(1, 60_001)]
    job.run([member()], claims, fmt=fmt)
    assert job.summary is not None
    assert job.summary.unknown_member_claims == len(unknown_at)
    assert job.summary.unknown_member_rows == unknown_at[:20]


@pytest.mark.parametrize(("in_fmt", "out_fmt"), [("csv", "parquet"), ("parquet", "csv"), ("parquet", "parquet")])
def test_csv_and_parquet_in_and_out_agree(job, tmp_path, in_fmt: str, out_fmt: str) -> None:
    members = [member(homeless_flag="true", delegated_to="KAISER"), member("10000002B", foster_care="current",
                                                                           birth_date="2010-01-01")]
    claims = [claim(diagnosis_codes="E11"), claim(diagnosis_codes="Z5900")]
    expected = job.run(members, claims)
    assert job.run(members, claims, fmt=in_fmt, out_fmt=out_fmt) == expected


def test_parquet_output_types(job, tmp_path) -> None:
    job.run([member(foster_care="current", birth_date="2010-01-01")], [], out_fmt="parquet")
    table = pq.read_table(tmp_path / "out" / "candidates.parquet")
    assert table.column_names == ["member_id", "pof", "as_of", "rule_version", "evidence_count",
                                  "first_evidence_date", "last_evidence_date", "evidence_claim_ids", "route_to"]
    assert table.schema.field("as_of").type == pa.date32() and table.schema.field("evidence_count").type == pa.int64()
    assert table.to_pylist()[0]["as_of"] == AS_OF


def test_typed_parquet_input(tmp_path) -> None:
    members = pa.table({"member_id": ["10000001A"], "first_name": ["A"], "last_name": ["B"],
                        "birth_date": [dt.date(2012, 1, 1)], "county": ["San Mateo"], "plan_code": ["HPSM"],
                        "enrollment_start": [dt.date(2020, 1, 1)], "homeless_flag": [True], "dsnp": [False]})
    claims = pa.table({"claim_id": ["C1"], "member_id": ["10000001A"], "service_from": [dt.date(2026, 1, 1)],
                       "claim_type": ["professional"], "diagnosis_codes": ["F32.9"], "place_of_service": ["11"]})
    pq.write_table(members, tmp_path / "m.parquet")
    pq.write_table(claims, tmp_path / "c.parquet")
    out = tmp_path / "o.csv"
    identify(tmp_path / "m.parquet", tmp_path / "c.parquet", AS_OF, out)
    lines = out.read_text().splitlines()
    assert [line.split(",")[1] for line in lines[1:]] == ["C1", "C3"]


def test_typed_parquet_dates_give_what_their_text_gives(tmp_path) -> None:
    """Parquet DATE columns go to the rules as they are; the same data as CSV text is parsed: same output."""
    from identification.synth import synthesize

    outs = []
    for fmt in ("csv", "parquet"):
        members, claims = synthesize(400, tmp_path / fmt, seed=5, fmt=fmt, claims_per_member=10)
        assert fmt == "csv" or pq.read_schema(claims).field("service_from").type == pa.date32()
        out = tmp_path / f"out_{fmt}.csv"
        identify(members, claims, AS_OF, out)
        outs.append(out.read_bytes())
    assert outs[0] == outs[1] and outs[0].count(b"\n") > 20


def test_empty_outputs_have_headers_and_lf(job, tmp_path) -> None:
    job.run([member()], [])
    raw = (tmp_path / "out" / "candidates.csv").read_bytes()
    assert raw == (b"member_id,pof,as_of,rule_version,evidence_count,first_evidence_date,last_evidence_date,"
                   b"evidence_claim_ids,route_to\n")
    assert (tmp_path / "out" / "candidates.exclusions.csv").read_bytes() == b"member_id,reason\n"


def test_reruns_are_byte_identical(job, tmp_path) -> None:
    members = [member(homeless_flag="true"), member("10000002B", other_programs="PACE")]
    claims = [claim(diagnosis_codes="E11"), ed(), ed(service_from="2026-04-01")]
    for fmt in ("csv", "parquet"):
        job.run(members, claims, out_fmt=fmt)
        first = [(tmp_path / "out" / f"candidates{x}.{fmt}").read_bytes() for x in ("", ".exclusions")]
        job.run(members, claims, out_fmt=fmt)
        assert [(tmp_path / "out" / f"candidates{x}.{fmt}").read_bytes() for x in ("", ".exclusions")] == first


def ed(**fields):
    return claim(**{"place_of_service": "23", **fields})


def test_enumerated_columns_check_exactly_what_their_pattern_allows():
    """A column checked with an IN list accepts exactly the strings its regular expression fully matches."""
    import re

    from identification.inputs import CLAIM_SPEC, MEMBER_SPEC

    enumerated = [c for c in (*MEMBER_SPEC, *CLAIM_SPEC) if c.values]
    assert {c.name for c in enumerated} >= {"claim_type", "admission_type", "sex", "race_ethnicity"}
    for col in enumerated:
        assert col.pattern is not None
        probes = {*col.values, *(chr(i) for i in range(256)), "", "0", "6", "11"}
        for value in col.values:
            probes |= {value.upper(), value.lower(), value.title(), value + " ", " " + value, value + value,
                       value[:-1], value + "x"}
        for probe in probes:
            assert (re.fullmatch(col.pattern, probe) is not None) == (probe in col.values), (col.name, probe)
