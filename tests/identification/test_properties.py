"""Properties over generated data: out-of-window claims change nothing, reruns are identical, engines agree."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from identification.conditions import Atom
from identification.rulesql import years_before
from identification.run import identify
from identification.synth import synthesize
from tests.identification.conftest import AS_OF, CLAIM_COLUMNS, MEMBER_COLUMNS, Job, claim, member, write_rows

CINS = ["10000001A", "10000002B", "10000003C"]
DX = ["F32.9", "F17.210", "F10.20", "Z59.00", "Z59.1", "E11.9", "O09.90", "Z37.0", "Z63.0", "R05", "", "S06.0X0A"]
day = st.integers(-420, 30).map(lambda d: AS_OF + dt.timedelta(days=d))

member_st = st.builds(
    lambda cin, age, county, flags, race, foster, release, progs, dsnp, deleg: member(
        cin, birth_date=years_before(AS_OF, age) - dt.timedelta(days=age % 3), county=county[1],
        plan_code=county[0], homeless_flag=flags[0], ccs_enrolled=flags[1], race_ethnicity=race,
        foster_care=foster, release_date=release, other_programs=progs, dsnp=dsnp, delegated_to=deleg),
    st.sampled_from(CINS), st.integers(0, 40),
    st.sampled_from([("HPSJ", "San Joaquin"), ("HPSJ", "Stanislaus"), ("HPSM", "San Mateo"), ("HPSJ", "Alpine")]),
    st.tuples(st.sampled_from(["true", "false", ""]), st.sampled_from(["true", ""])),
    st.sampled_from(["black", "white", ""]), st.sampled_from(["current", "former", ""]),
    st.one_of(st.just(""), day), st.sampled_from(["", "", "", "PACE", "CCM;HOSPICE"]),
    st.sampled_from(["", "true"]), st.sampled_from(["", "KAISER"]),
)
claim_st = st.builds(
    lambda cin, frm, length, kind, dx1, dx2: claim(
        cin, frm, service_to=frm + dt.timedelta(days=length), diagnosis_codes=f"{dx1};{dx2}", **kind),
    st.sampled_from([*CINS, "99999999Z"]), day, st.integers(0, 4),
    st.sampled_from([{}, {"place_of_service": "23"}, {"procedure_codes": "99284"},
                     {"claim_type": "institutional", "place_of_service": "", "bill_type": "111", "admission_type": "1"},
                     {"claim_type": "institutional", "place_of_service": "", "bill_type": "0211",
                      "admission_type": "2", "revenue_codes": "0450"},
                     {"claim_type": "institutional", "place_of_service": "", "bill_type": "111",
                      "admission_type": "3"}]),
    st.sampled_from([d for d in DX if d]), st.sampled_from(DX),
)
dataset = st.tuples(st.lists(member_st, min_size=1, max_size=3, unique_by=lambda m: m["member_id"]),
                    st.lists(claim_st, max_size=14, unique_by=lambda c: c["claim_id"]))
outside = st.builds(
    lambda cin, when, kind, dx: claim(cin, when, diagnosis_codes=dx, **kind),
    st.sampled_from(CINS),
    st.one_of(st.integers(-900, -366).map(lambda d: AS_OF + dt.timedelta(days=d)),
              st.integers(1, 60).map(lambda d: AS_OF + dt.timedelta(days=d))),
    st.sampled_from([{}, {"place_of_service": "23"}, {"claim_type": "pharmacy", "place_of_service": ""}]),
    st.sampled_from([d for d in DX if d]),
)
FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _run(members: list, claims: list, **kwargs) -> tuple[bytes, bytes]:
    with tempfile.TemporaryDirectory() as tmp:
        Job(Path(tmp)).run(members, claims, **kwargs)
        out = Path(tmp) / "out"
        suffix = kwargs.get("out_fmt", "csv")
        return (out / f"candidates.{suffix}").read_bytes(), (out / f"candidates.exclusions.{suffix}").read_bytes()


@FAST
@given(dataset, outside)
def test_a_claim_outside_every_window_changes_nothing(data, extra) -> None:
    members, claims = data
    assert _run(members, claims) == _run(members, [*claims, extra])


@FAST
@given(dataset, st.sampled_from(["csv", "parquet"]))
def test_reruns_are_byte_identical(data, fmt) -> None:
    members, claims = data
    assert _run(members, claims, out_fmt=fmt) == _run(members, claims, out_fmt=fmt)


@FAST
@given(st.integers(0, 60), st.integers(1, 12), st.integers(0, 30))
def test_age_cutoff_matches_whole_years(years: int, month: int, d: int) -> None:
    as_of = dt.date(2024, 2, 29) + dt.timedelta(days=month * 31 + d)
    for birth in (dt.date(2000, 2, 29), dt.date(2001, 3, 1), dt.date(1999, 12, 31)):
        whole = as_of.year - birth.year - ((as_of.month, as_of.day) < (birth.month, birth.day))
        assert (birth <= years_before(as_of, years)) is (whole >= years)


def test_atom_names_are_stable() -> None:
    assert Atom("ed_visits", 12, primary="smi_sud").name == "ed_visits_12_smi_sud"


def test_synth_is_deterministic_and_valid(tmp_path) -> None:
    a = synthesize(300, tmp_path / "a", seed=7, fmt="csv", claims_per_member=8)
    b = synthesize(300, tmp_path / "b", seed=7, fmt="csv", claims_per_member=8)
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    c = synthesize(300, tmp_path / "c", seed=8, fmt="csv", claims_per_member=8)
    assert a[1].read_bytes() != c[1].read_bytes()
    summary = identify(a[0], a[1], AS_OF, tmp_path / "out.csv")
    assert summary.members_read == 300 and summary.claims_read > 300
    assert sum(summary.exclusions_by_reason.values()) > 0


@pytest.mark.spark
def test_spark_and_duckdb_agree_on_synthetic_data(tmp_path, spark) -> None:
    members, claims = synthesize(1500, tmp_path / "in", seed=11, fmt="parquet", claims_per_member=12)
    outs = {}
    for engine in ("duckdb", "spark"):
        out = tmp_path / engine / "candidates.csv"
        identify(members, claims, AS_OF, out, engine=engine, spark_session=spark)
        outs[engine] = (out.read_bytes(), (out.parent / "candidates.exclusions.csv").read_bytes())
    assert outs["duckdb"] == outs["spark"]
    assert outs["duckdb"][0].count(b"\n") > 50


@pytest.mark.spark
@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(dataset)
def test_spark_and_duckdb_agree_on_generated_data(spark, data) -> None:
    members, claims = data
    assert _run(members, claims, engine="spark", spark_session=spark) == _run(members, claims)


def test_columns_of_fixtures() -> None:
    assert "diagnosis_codes" in CLAIM_COLUMNS and "foster_care" in MEMBER_COLUMNS
    assert write_rows is not None


@pytest.mark.spark
def test_spark_trims_unicode_spaces_as_duckdb_does(spark) -> None:
    """DuckDB's TRIM strips every Unicode space separator (U+00A0, U+3000...); Spark's alone would strip U+0020."""
    nbsp, ideographic = "\u00a0", "\u3000"
    members = [
        member("10000001A", county=f"{nbsp}San Joaquin{nbsp}", plan_code=f"{ideographic}HPSJ",
               homeless_flag="true"),
        member(f"{nbsp}10000002B", county="San Joaquin", plan_code="HPSJ", homeless_flag="true"),
    ]
    claims = [
        claim(f"10000002B{ideographic}", AS_OF - dt.timedelta(days=30), diagnosis_codes="F32.9",
              claim_type=f"{nbsp}professional"),
        claim("10000001A", AS_OF - dt.timedelta(days=40), diagnosis_codes="F20.9"),
    ]
    duck = _run(members, claims)
    assert duck == _run(members, claims, engine="spark", spark_session=spark)
    assert b"10000001A" in duck[0] + duck[1] and b"10000002B" in duck[0] + duck[1]
