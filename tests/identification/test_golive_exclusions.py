"""Go-live per plan and county, exclusions and their priority, delegation, and active enrollment."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.identification.conftest import claim, ed, member

HOMELESS_ADULT = {"homeless_flag": "true"}
COMPLEX = [claim(diagnosis_codes="E11.9", service_from="2023-06-01")]


@pytest.mark.parametrize(
    ("county", "plan", "as_of", "live"),
    [
        ("San Joaquin", "HPSJ", dt.date(2022, 1, 1), True),
        ("San Joaquin", "HPSJ", dt.date(2021, 12, 31), False),
        ("Stanislaus", "HPSJ", dt.date(2022, 6, 30), False),
        ("Stanislaus", "HPSJ", dt.date(2022, 7, 1), True),
        ("San Mateo", "HPSM", dt.date(2022, 1, 1), True),
        ("Alameda", "HPSJ", dt.date(2026, 6, 30), False),
        ("San Mateo", "HPSJ", dt.date(2026, 6, 30), False),
    ],
)
def test_a1_go_live_by_plan_and_county(job, county: str, plan: str, as_of: dt.date, live: bool) -> None:
    claims = [claim(diagnosis_codes="E11.9", service_from=as_of)]
    found = job.pofs([member(county=county, plan_code=plan, **HOMELESS_ADULT)], claims, as_of=as_of)
    assert (("10000001A", "A1") in found) is live


@pytest.mark.parametrize(
    ("county", "plan", "as_of", "live"),
    [
        ("San Joaquin", "HPSJ", dt.date(2022, 1, 1), True),
        ("Stanislaus", "HPSJ", dt.date(2023, 12, 31), False),
        ("Stanislaus", "HPSJ", dt.date(2024, 1, 1), True),
        ("San Mateo", "HPSM", dt.date(2023, 12, 31), False),
        ("San Mateo", "HPSM", dt.date(2024, 1, 1), True),
    ],
)
def test_a4_go_live_including_stanislaus_2024(job, county: str, plan: str, as_of: dt.date, live: bool) -> None:
    m = member(county=county, plan_code=plan, release_date=as_of - dt.timedelta(days=30))
    found = job.pofs([m], [claim(diagnosis_codes="F20", service_from=as_of)], as_of=as_of)
    assert (("10000001A", "A4") in found) is live


@pytest.mark.parametrize(("as_of", "live"), [(dt.date(2023, 6, 30), False), (dt.date(2023, 7, 1), True)])
def test_children_go_live(job, as_of: dt.date, live: bool) -> None:
    found = job.pofs([member(birth_date="2015-01-01", homeless_flag="true")], [], as_of=as_of)
    assert (("10000001A", "C1") in found) is live


@pytest.mark.parametrize(
    ("programs", "dsnp", "plan", "county", "reason"),
    [
        ("MCWP;HOSPICE", "", "HPSJ", "San Joaquin", "HOSPICE"),
        ("CCM;PACE", "", "HPSJ", "San Joaquin", "PACE"),
        (" SDP ; HCBS_DD ", "", "HPSJ", "San Joaquin", "HCBS_DD"),
        ("MSSP", "true", "HPSM", "San Mateo", "MSSP"),
        ("", "true", "HPSM", "San Mateo", "DSNP"),
        ("", "TRUE", "HPSJ", "San Joaquin", None),
        ("", "false", "HPSM", "San Mateo", None),
        ("ALW;CCT;HCBA", "", "HPSJ", "San Joaquin", "CCT"),
    ],
)
def test_exclusion_reason_priority_and_dsnp_only_for_hpsm(job, programs: str, dsnp: str, plan: str,
                                                          county: str, reason: str | None) -> None:
    m = member(other_programs=programs, dsnp=dsnp, plan_code=plan, county=county, **HOMELESS_ADULT)
    rows, excluded = job.run([m], [claim(diagnosis_codes="E11.9")])
    if reason is None:
        assert excluded == [] and [r["pof"] for r in rows] == ["A1"]
    else:
        assert excluded == [{"member_id": "10000001A", "reason": reason}]
        assert rows == []


def test_exclusions_list_every_active_excluded_member_sorted(job) -> None:
    members = [member("20000002B", other_programs="PACE"), member("20000001A", other_programs="HOSPICE"),
               member("20000003C", other_programs="CCM", enrollment_end="2026-01-01"),
               member("20000004D")]
    _rows, excluded = job.run(members, [])
    assert excluded == [{"member_id": "20000001A", "reason": "HOSPICE"},
                        {"member_id": "20000002B", "reason": "PACE"}]


def test_delegated_member_rows_route_to_the_delegate(job) -> None:
    rows, _ = job.run([member(delegated_to="KAISER", **HOMELESS_ADULT), member("10000002B", **HOMELESS_ADULT)],
                      [claim(diagnosis_codes="E11"), claim("10000002B", diagnosis_codes="E11")])
    assert [(r["member_id"], r["pof"], r["route_to"]) for r in rows] == [
        ("10000001A", "A1", "KAISER"), ("10000002B", "A1", "")]


@pytest.mark.parametrize(
    ("start", "end", "active"),
    [("2026-06-30", "", True), ("2026-07-01", "", False), ("2020-01-01", "2026-06-30", True),
     ("2020-01-01", "2026-06-29", False)],
)
def test_only_actively_enrolled_members_get_rows(job, start: str, end: str, active: bool) -> None:
    m = member(enrollment_start=start, enrollment_end=end, **HOMELESS_ADULT)
    rows, _ = job.run([m], [claim(diagnosis_codes="E11")])
    assert bool(rows) is active


def test_rows_sorted_by_member_then_pof(job) -> None:
    kid = {"birth_date": "2012-01-01", "homeless_flag": "true", "foster_care": "current"}
    members = [member("30000002B", **kid), member("30000001A", **kid)]
    claims = [ed("30000001A", service_from=d) for d in ("2026-01-01", "2026-02-01", "2026-03-01")]
    rows, _ = job.run(members, claims)
    assert [(r["member_id"], r["pof"]) for r in rows] == [
        ("30000001A", "C1"), ("30000001A", "C2"), ("30000001A", "C5"), ("30000002B", "C1"), ("30000002B", "C5")]
    assert COMPLEX
