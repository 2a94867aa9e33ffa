"""Window edges (calendar months, month-end clamping), age on the run date, and C5 reaching to 26."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.identification.conftest import AS_OF, ed, member


def visits(*days: str) -> list:
    return [ed(service_from=d) for d in days]


def test_six_month_window_includes_day_after_start_and_as_of(job) -> None:
    claims = visits("2025-12-31", "2026-01-15", "2026-02-01", "2026-03-01", "2026-06-30")
    assert ("10000001A", "A2") in job.pofs([member()], claims)


def test_six_month_window_excludes_its_start_day(job) -> None:
    claims = visits("2025-12-30", "2026-01-15", "2026-02-01", "2026-03-01", "2026-06-30")
    assert ("10000001A", "A2") not in job.pofs([member()], claims)


def test_window_excludes_services_after_as_of(job) -> None:
    claims = visits("2026-01-15", "2026-02-01", "2026-03-01", "2026-06-30", "2026-07-01")
    assert ("10000001A", "A2") not in job.pofs([member()], claims)


@pytest.mark.parametrize(("first_visit", "counted"), [("2026-03-01", True), ("2026-02-28", False)])
def test_window_start_clamps_to_month_end(job, first_visit: str, counted: bool) -> None:
    # 2026-08-31 minus 6 months is 2026-02-28 (no 31 February), so the window opens on 1 March.
    claims = visits(first_visit, "2026-04-01", "2026-05-01", "2026-06-01", "2026-08-31")
    found = ("10000001A", "A2") in job.pofs([member()], claims, as_of=dt.date(2026, 8, 31))
    assert found is counted


@pytest.mark.parametrize(("birth_date", "adult"), [("2005-06-30", True), ("2005-07-01", False)])
def test_age_21_on_the_run_date(job, birth_date: str, adult: bool) -> None:
    claims = visits("2026-01-15", "2026-02-01", "2026-03-01", "2026-04-01", "2026-06-30")
    found = job.pofs([member(birth_date=birth_date)], claims)
    assert (("10000001A", "A2") in found) is adult
    assert (("10000001A", "C2") in found) is (not adult)


@pytest.mark.parametrize(("as_of", "child"), [(dt.date(2025, 2, 28), True), (dt.date(2025, 3, 1), False)])
def test_feb_29_birthday_turns_older_on_march_1(job, as_of: dt.date, child: bool) -> None:
    found = job.pofs([member(birth_date="2004-02-29", homeless_flag="true")], [], as_of=as_of)
    assert (("10000001A", "C1") in found) is child


def test_feb_29_birthday_in_leap_year_run(job) -> None:
    found = job.pofs([member(birth_date="2003-02-28", homeless_flag="TRUE")], [], as_of=dt.date(2024, 2, 29))
    assert ("10000001A", "C1") not in found  # turned 21 on 28 Feb 2024


@pytest.mark.parametrize(
    ("foster", "birth_date", "qualifies"),
    [
        ("current", "2005-07-01", True),    # 20
        ("current", "2005-06-30", False),   # 21
        ("former", "2000-07-01", True),     # 25: this POF reaches past 21
        ("former", "2000-06-30", False),    # 26
        ("former", "2003-01-01", True),     # 23
        ("", "2010-01-01", False),
    ],
)
def test_c5_child_welfare_reaches_to_26(job, foster: str, birth_date: str, qualifies: bool) -> None:
    rows, _ = job.run([member(foster_care=foster, birth_date=birth_date)], [])
    c5 = [r for r in rows if r["pof"] == "C5"]
    assert bool(c5) is qualifies
    if c5:
        assert c5[0]["evidence_count"] == "0"
        assert c5[0]["first_evidence_date"] == c5[0]["last_evidence_date"] == c5[0]["evidence_claim_ids"] == ""


@pytest.mark.parametrize(("release", "found"), [("2025-07-01", True), ("2025-06-30", False), ("2026-07-01", False)])
def test_c6_release_window(job, release: str, found: bool) -> None:
    pofs = job.pofs([member(birth_date="2010-01-01", release_date=release)], [])
    assert (("10000001A", "C6") in pofs) is found


def test_as_of_constant_is_a_month_end() -> None:
    assert dt.date(2026, 6, 30) == AS_OF
