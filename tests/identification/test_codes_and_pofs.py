"""Diagnosis normalisation, code lists (prefixes, ranges, F17 not SUD), and each code-based POF."""

from __future__ import annotations

import datetime as dt

import pytest

from identification.codes import Pattern, compile_code_lists, subtract
from identification.config import load_rules
from tests.identification.conftest import claim, member

CHILD = {"birth_date": "2012-01-01"}


@pytest.mark.parametrize(
    ("dx", "c3"),
    [
        ("F20.0", True), ("f32.9", True), (" F10.20 ;R05", True), (";;F3100", True), (" ; F39", True),
        ("F17.210", False), ("R05;F32.9", False), ("F40", False), ("F19", True), ("F1", False),
    ],
)
def test_c3_primary_diagnosis_only_and_f17_is_not_sud(job, dx: str, c3: bool) -> None:
    found = job.pofs([member(**CHILD)], [claim(diagnosis_codes=dx)])
    assert (("10000001A", "C3") in found) is c3


@pytest.mark.parametrize(
    ("dx", "complex_need"),
    [("E11.9", True), ("C50.911", True), ("I16.0", True), ("I17", False), ("F84.0", True), ("F17.200", False),
     ("R05; j45.909", True), ("Z00.00", False), ("F70", True), ("F79", True), ("F80", False)],
)
def test_a1_complex_need_codes_anywhere_on_the_claim(job, dx: str, complex_need: bool) -> None:
    found = job.pofs([member(homeless_flag="true")], [claim(diagnosis_codes=dx)])
    assert (("10000001A", "A1") in found) is complex_need


@pytest.mark.parametrize(("dx", "homeless"), [("Z59.00", True), ("Z5901", True), ("Z5902", True),
                                              ("Z59.1", False), ("Z591", False)])
def test_homelessness_code(job, dx: str, homeless: bool) -> None:
    claims = [claim(diagnosis_codes=f"I10;{dx}")]
    assert (("10000001A", "A1") in job.pofs([member()], claims)) is homeless
    assert (("10000001A", "C1") in job.pofs([member(**CHILD)], [claim(diagnosis_codes=dx)])) is homeless


def test_a1_needs_homelessness(job) -> None:
    assert ("10000001A", "A1") not in job.pofs([member()], [claim(diagnosis_codes="E119")])


@pytest.mark.parametrize(("dx", "ok"), [("F20", True), ("S06.0X0A", True), ("O09.90", True), ("Z37.0", True),
                                        ("E11.9", True), ("R05", False), ("F17.2", False)])
def test_a4_qualifying_condition(job, dx: str, ok: bool) -> None:
    found = job.pofs([member(release_date="2026-01-01")], [claim(diagnosis_codes=dx)])
    assert (("10000001A", "A4") in found) is ok


def test_a4_needs_release_in_window(job) -> None:
    found = job.pofs([member(release_date="2025-06-30")], [claim(diagnosis_codes="F20")])
    assert ("10000001A", "A4") not in found


@pytest.mark.parametrize(("race", "dx", "ok"), [("black", "O09.90", True), ("aian", "Z34.00", True),
                                                ("pacific_islander", "Z3A.20", True), ("black", "Z37.0", True),
                                                ("white", "O09.90", False), ("", "O80", False),
                                                ("black", "Z35", False)])
def test_birth_equity(job, race: str, dx: str, ok: bool) -> None:
    found = job.pofs([member(race_ethnicity=race)], [claim(diagnosis_codes=dx)])
    assert (("10000001A", "A7") in found) is ok
    found = job.pofs([member(race_ethnicity=race, **CHILD)], [claim(diagnosis_codes=dx)])
    assert (("10000001A", "C7") in found) is ok


@pytest.mark.parametrize(("ccs", "dx", "ok"), [("true", "Z59.1", True), ("True", "Z65.8", True),
                                               ("true", "Z55.0", True), ("true", "Z66", False),
                                               ("false", "Z59.1", False), ("", "Z59.1", False)])
def test_c4_ccs_with_social_risk(job, ccs: str, dx: str, ok: bool) -> None:
    found = job.pofs([member(ccs_enrolled=ccs, **CHILD)], [claim(diagnosis_codes=dx)])
    assert (("10000001A", "C4") in found) is ok


def test_pharmacy_claim_with_empty_diagnosis_is_accepted(job) -> None:
    rows, _ = job.run([member()], [claim(claim_type="pharmacy", diagnosis_codes="", place_of_service="")])
    assert rows == []


def test_code_list_compilation_subtracts_longer_exclusions() -> None:
    lists = compile_code_lists({"x": {"include": ["F10"], "exclude": ["F102"]}})
    x = lists["x"]
    assert x.matches("F10") and x.matches("F101") and x.matches("F1099")
    assert not x.matches("F102") and not x.matches("F1021")
    assert subtract({Pattern("F1")}, "F1") == set()


def test_default_lists_match_spec_examples() -> None:
    lists = load_rules().code_lists
    assert lists["sud"].matches("F1010") and not lists["sud"].matches("F17210")
    assert lists["smi"].matches("F2089") and lists["smi"].matches("F39") and not lists["smi"].matches("F34")
    assert lists["complex_need"].matches("C7A") and not lists["complex_need"].matches("F17")
    assert lists["social_risk"].matches("Z6372") and not lists["social_risk"].matches("Z54")


def test_as_of_type() -> None:
    assert isinstance(dt.date(2026, 6, 30), dt.date)
