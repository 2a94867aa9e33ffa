"""ED visits (same-day claims are one visit) and unplanned stays (merging, +1 day, windowed by start)."""

from __future__ import annotations

import pytest

from tests.identification.conftest import claim, ed, member, stay_claim

CHILD = {"birth_date": "2012-01-01"}


def test_same_day_ed_claims_are_one_visit(job) -> None:
    claims = [ed(service_from="2026-02-01"), ed(service_from="2026-02-01", place_of_service="",
                                                revenue_codes="0450"),
              ed(service_from="2026-02-01"), ed(service_from="2026-03-01")]
    assert ("10000001A", "C2") not in job.pofs([member(**CHILD)], claims)  # 2 visits, 3 needed
    row = job.row([member(**CHILD)], [*claims, ed(service_from="2026-04-01")], "C2")
    assert row is not None and row["evidence_count"] == "5"


@pytest.mark.parametrize(
    ("fields", "is_ed"),
    [
        ({"place_of_service": "23"}, True),
        ({"place_of_service": "", "revenue_codes": "0300;0459"}, True),
        ({"place_of_service": "", "revenue_codes": "0981"}, True),
        ({"place_of_service": "", "revenue_codes": "0460"}, False),
        ({"place_of_service": "", "procedure_codes": "99285"}, True),
        ({"place_of_service": "", "procedure_codes": "99281"}, True),
        ({"place_of_service": "", "procedure_codes": "99286;99211"}, False),
        ({"place_of_service": "22", "claim_type": "institutional", "bill_type": "131"}, False),
    ],
)
def test_what_makes_an_ed_claim(job, fields: dict, is_ed: bool) -> None:
    claims = [claim(service_from=d, **fields) for d in ("2026-01-01", "2026-02-01", "2026-03-01")]
    assert (("10000001A", "C2") in job.pofs([member(**CHILD)], claims)) is is_ed


def test_emergency_admission_ed_charges_belong_to_the_stay(job) -> None:
    claims = [stay_claim(service_from=d, place_of_service="23", revenue_codes="0450")
              for d in ("2026-01-01", "2026-02-01", "2026-03-01")]
    found = job.pofs([member()], claims)
    assert ("10000001A", "A2") in found  # 3 stays in 6 months
    assert ("10000001A", "C2") not in found
    rows, _ = job.run([member(**CHILD)], [*claims[:1], ed(service_from="2026-04-01"), ed(service_from="2026-05-01")])
    assert not [r for r in rows if r["pof"] == "C2"]  # 2 ED visits + 1 stay: neither threshold met


@pytest.mark.parametrize(("second_from", "stays"), [("2026-01-06", 1), ("2026-01-07", 2)])
def test_stay_merging_plus_one_day(job, second_from: str, stays: int) -> None:
    claims = [stay_claim(service_from="2026-01-01", service_to="2026-01-05"),
              stay_claim(service_from=second_from, service_to="2026-01-09")]
    assert (("10000001A", "C2") in job.pofs([member(**CHILD)], claims)) is (stays == 2)


def test_stay_merging_uses_the_latest_end_so_far(job) -> None:
    claims = [stay_claim(service_from="2026-01-01", service_to="2026-01-20"),
              stay_claim(service_from="2026-01-03", service_to="2026-01-04"),
              stay_claim(service_from="2026-01-15", service_to="2026-01-16")]
    assert ("10000001A", "C2") not in job.pofs([member(**CHILD)], claims)  # all one stay


def test_stay_is_windowed_by_its_earliest_service_from(job) -> None:
    # The stay starting 2025-06-25 (outside the 12-month window) continues into the window; it is
    # one stay that started outside, so only one stay counts and C2 (2 stays) is not met.
    early = [stay_claim(service_from="2025-06-25", service_to="2025-07-01"),
             stay_claim(service_from="2025-07-02", service_to="2025-07-05")]
    later = stay_claim(service_from="2026-03-01", service_to="2026-03-03")
    assert ("10000001A", "C2") not in job.pofs([member(**CHILD)], [*early, later])
    split = [early[0], stay_claim(service_from="2025-07-03", service_to="2025-07-05"), later]
    row = job.row([member(**CHILD)], split, "C2")
    assert row is not None and row["evidence_claim_ids"] == f"{split[1]['claim_id']};{later['claim_id']}"


@pytest.mark.parametrize(
    ("fields", "is_stay"),
    [
        ({}, True),
        ({"bill_type": "0111"}, True),
        ({"bill_type": "211", "admission_type": "2"}, True),
        ({"bill_type": "0211", "admission_type": "5"}, True),
        ({"admission_type": "3"}, False),
        ({"admission_type": ""}, False),
        ({"bill_type": "131"}, False),
        ({"claim_type": "professional"}, False),
    ],
)
def test_what_makes_an_unplanned_stay(job, fields: dict, is_stay: bool) -> None:
    claims = [stay_claim(service_from=d, **fields) for d in ("2026-01-10", "2026-03-10", "2026-05-10")]
    assert (("10000001A", "A2") in job.pofs([member()], claims)) is is_stay


def test_a3_counts_visits_and_stays_separately_by_primary_diagnosis(job) -> None:
    smi_visits = [ed(service_from="2026-01-01", diagnosis_codes="F32.9"),
                  ed(service_from="2026-02-01", diagnosis_codes="F2089;R05")]
    assert ("10000001A", "A3") in job.pofs([member()], smi_visits)
    secondary = [smi_visits[0], ed(service_from="2026-02-01", diagnosis_codes="R05;F32.9")]
    assert ("10000001A", "A3") not in job.pofs([member()], secondary)
    mixed = [smi_visits[0], stay_claim(service_from="2026-03-01", diagnosis_codes="F200")]
    assert ("10000001A", "A3") not in job.pofs([member()], mixed)  # visits and stays not added
    stays = [stay_claim(service_from="2026-03-01", diagnosis_codes="F10.20"),
             stay_claim(service_from="2026-05-01", diagnosis_codes="F31")]
    assert ("10000001A", "A3") in job.pofs([member()], stays)


def test_a3_visit_qualifies_when_any_of_its_claims_has_the_primary_diagnosis(job) -> None:
    claims = [ed(service_from="2026-01-01", diagnosis_codes="R05"),
              ed(service_from="2026-01-01", diagnosis_codes="F329"),
              ed(service_from="2026-02-01", diagnosis_codes="F329")]
    row = job.row([member()], claims, "A3")
    assert row is not None and row["evidence_count"] == "3"  # all claims of both qualifying visits


def test_digits_first_test_changes_no_verdict() -> None:
    """The LIKE on the codes' common leading digits only skips cells the code-list expression rejects."""
    import duckdb

    from identification.codes import BLANK
    from identification.rulesql import _digits_first

    con = duckdb.connect()
    cells = [None, "", "99283", " 99283 ", "99283;A0427", "a0427; 99285", "99280", "9928", "99 283", "199283",
             "992831", "x99283", "99286;99281", "G0380", "g0380", "9928;3", "\u0669\u0669283", "99283\t;"]
    for codes in [("99281", "99282", "99283", "99284", "99285"), ("99283",), ("G0380", "G0381"), ("0450", "0981")]:
        alts = "|".join(codes)
        plain = f"REGEXP_MATCHES(UPPER(p), '(^|;){BLANK}({alts}){BLANK}(;|$)')"
        first = _digits_first(codes, "p", plain)
        rows = con.sql(f"SELECT p, COALESCE({plain}, FALSE), COALESCE({first}, FALSE) "  # noqa: S608
                       "FROM (SELECT UNNEST(?) AS p)", params=[cells]).fetchall()
        assert all(a == b for _, a, b in rows), (codes, [r for r in rows if r[1] != r[2]])
        assert any(a for _, a, _ in rows) or codes == ("0450", "0981")
    assert "LIKE '%9928%'" in _digits_first(("99281", "99285"), "p", "t")
