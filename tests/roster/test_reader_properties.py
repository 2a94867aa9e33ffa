"""Property: any valid roster, written in any of the accepted spellings and formats, reads back with no error to
the normalized values (computed here independently of the reader's SQL)."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calaim.roster.reader_values import RACES, npi_check_digit
from tests.roster.test_reader_formats import PROGRAMS, TODAY, VOCABULARY, output, read, write_delimited

# Area code and exchange pairs phonenumbers holds valid (San Joaquin, Stanislaus, the Bay Area).
PREFIXES = ("209555", "209946", "209468", "916555", "415555", "650573", "408555")


def _case(draw: st.DrawFn, text: str) -> str:
    return "".join(c.upper() if draw(st.booleans()) else c.lower() for c in text)


def _pad(draw: st.DrawFn, text: str) -> str:
    return " " * draw(st.integers(0, 2)) + text + " " * draw(st.integers(0, 2))


@st.composite
def dates(draw: st.DrawFn, lo: dt.date = dt.date(1900, 1, 1), hi: dt.date = TODAY) -> tuple[str, dt.date]:
    day = draw(st.dates(lo, hi))
    shape = draw(st.sampled_from(["iso", "us", "short"]))
    written = {"iso": day.isoformat(), "us": f"{day:%m/%d/%Y}", "short": f"{day.month}/{day.day}/{day.year}"}[shape]
    return written, day


@st.composite
def flags(draw: st.DrawFn) -> tuple[str, bool]:
    yes = draw(st.booleans())
    word = draw(st.sampled_from(["Y", "Yes", "1", "true"] if yes else ["N", "No", "0", "false"]))
    return _case(draw, word), yes


@st.composite
def phones(draw: st.DrawFn) -> tuple[str, str]:
    digits = draw(st.sampled_from(PREFIXES)) + f"{draw(st.integers(0, 9999)):04d}"
    a, e, x = digits[:3], digits[3:6], digits[6:]
    shape = draw(st.sampled_from([f"({a}) {e}-{x}", f"{a}-{e}-{x}", f"{a}.{e}.{x}", digits, f"+1 {a} {e} {x}",
                                  f"1-{a}-{e}-{x}", f"{a}-{e}-{x} ext. 4"]))
    return shape, "+1" + digits


@st.composite
def rows(draw: st.DrawFn, index: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """(A row as written, the normalized row the reader must give)."""
    first = draw(st.text("abcdeéñ' -,\"", min_size=1, max_size=12).filter(lambda t: t.strip(" ")))
    birth, birth_day = draw(dates())
    start, start_day = draw(dates(dt.date(2000, 1, 1), dt.date(2030, 1, 1)))
    end = draw(st.none() | dates(start_day, dt.date(2035, 1, 1)))
    county = draw(st.sampled_from(sorted(VOCABULARY.counties)))
    programs = draw(st.lists(st.sampled_from(PROGRAMS), max_size=3))
    dsnp, homeless = draw(flags()), draw(flags())
    phone = draw(st.none() | phones())
    zip5, plus4 = f"{draw(st.integers(90000, 96199)):05d}", f"{draw(st.integers(0, 9999)):04d}"
    zip_shape = draw(st.sampled_from(["5", "9", "5-4"]))
    npi = draw(st.integers(100_000_000, 999_999_999))
    race = draw(st.sampled_from(["", *RACES]))
    cin = f"{90_000_000 + index:08d}{draw(st.sampled_from('ABCXYZ'))}"
    written = {
        "member_id": _pad(draw, cin), "first_name": _pad(draw, first), "last_name": "Lee", "birth_date": birth,
        "race_ethnicity": _case(draw, race), "county": _pad(draw, _case(draw, county)),
        "plan_code": _case(draw, "hpsj"), "enrollment_start": start, "enrollment_end": end[0] if end else "",
        "dsnp": dsnp[0], "homeless_flag": _pad(draw, homeless[0]),
        "other_programs": ";".join(_pad(draw, _case(draw, p)) for p in programs),
        "phone": phone[0] if phone else "",
        "zip_code": {"5": zip5, "9": zip5 + plus4, "5-4": f"{zip5}-{plus4}"}[zip_shape],
        "pcp_npi": f"{npi}{npi_check_digit(str(npi))}",
    }
    expected = {
        "row": index + 1, "cin": cin, "first_name": first.strip(" "), "last_name": "Lee", "birth_date": birth_day,
        "race_ethnicity": race or "unknown", "county": VOCABULARY.counties[county], "plan_code": "HPSJ",
        "enrollment_start": start_day, "enrollment_end": end[1] if end else None, "dsnp": dsnp[1],
        "homeless_flag": homeless[1], "other_programs": ";".join(p for p in PROGRAMS if p in programs),
        "phone": phone[1] if phone else "", "zip_code": zip5 if zip_shape == "5" else f"{zip5}-{plus4}",
        "pcp_npi": written["pcp_npi"],
    }
    return written, expected


@st.composite
def rosters(draw: st.DrawFn) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    return [draw(rows(i)) for i in range(draw(st.integers(1, 8)))]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(roster=rosters(), fmt=st.sampled_from(["csv", "tsv", "psv", "parquet"]))
def test_any_valid_roster_reads_back_to_its_normalized_values(roster: list[tuple[dict, dict]], fmt: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        written = [w for w, _ in roster]
        path = tmp / f"roster.{fmt}"
        if fmt == "parquet":
            pq.write_table(pa.Table.from_pylist(written), path)
        else:
            write_delimited(path, written, {"csv": ",", "tsv": "\t", "psv": "|"}[fmt])
        result = read(path, tmp)
        assert result.errors == [] and result.rows_read == len(roster)
        got = output(result)
        assert [{k: r[k] for k in expected} for r, (_, expected) in zip(got, roster, strict=True)] == [
            expected for _, expected in roster]
