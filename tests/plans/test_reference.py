"""Reference data: idempotent load, go-live dates as in the spec table, POF shape, clear errors."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from calaim.plans.models import (
    County,
    DiscontinuationReason,
    ExcludedProgram,
    Plan,
    PofGoLive,
    PopulationOfFocus,
    ProgramSettings,
    ReferralSourceType,
)
from calaim.plans.reference import MEMBER_FACTS, REFERENCE_DIR, ReferenceDataError, reference_load

D = dt.date
# identification-spec §4, written out independently of the YAML so a wrong file fails here.
SPEC_GO_LIVE = {
    ("HPSJ", "San Joaquin"): {
        "A1A2A3": D(2022, 1, 1),
        "A4": D(2022, 1, 1),
        "A5A6": D(2023, 1, 1),
        "C1-C7": D(2023, 7, 1),
        "A7": D(2024, 1, 1),
    },
    ("HPSJ", "Stanislaus"): {
        "A1A2A3": D(2022, 7, 1),
        "A4": D(2024, 1, 1),
        "A5A6": D(2023, 1, 1),
        "C1-C7": D(2023, 7, 1),
        "A7": D(2024, 1, 1),
    },
    ("HPSM", "San Mateo"): {
        "A1A2A3": D(2022, 1, 1),
        "A4": D(2024, 1, 1),
        "A5A6": D(2023, 1, 1),
        "C1-C7": D(2023, 7, 1),
        "A7": D(2024, 1, 1),
    },
}
COLUMNS = {
    "A1A2A3": ["A1", "A2", "A3"],
    "A4": ["A4"],
    "A5A6": ["A5", "A6"],
    "A7": ["A7"],
    "C1-C7": [f"C{n}" for n in range(1, 8)],
}


def _table_counts() -> dict[str, int]:
    models = {
        "plans": Plan,
        "counties": County,
        "populations_of_focus": PopulationOfFocus,
        "pof_go_lives": PofGoLive,
        "excluded_programs": ExcludedProgram,
        "discontinuation_reasons": DiscontinuationReason,
        "referral_sources": ReferralSourceType,
        "program_settings": ProgramSettings,
    }
    return {name: model.objects.count() for name, model in models.items()}


@pytest.mark.django_db
def test_reference_load_twice_gives_the_same_rows() -> None:
    first = reference_load()
    after_first = _table_counts()
    second = reference_load()
    assert first == second
    assert _table_counts() == after_first
    assert after_first == {name: first[name] for name in after_first}
    assert after_first["plans"] == 2 and after_first["counties"] == 3


@pytest.mark.django_db
def test_plans_counties_and_fips() -> None:
    reference_load()
    hpsj, hpsm = Plan.objects.get(code="HPSJ"), Plan.objects.get(code="HPSM")
    assert hpsj.name == "Health Plan of San Joaquin" and "936-7526" in hpsj.member_services_phone
    assert hpsm.name == "Health Plan of San Mateo" and hpsm.member_services_phone == "650-616-2133"
    assert sorted(hpsj.counties.values_list("name", "fips")) == [
        ("San Joaquin", "06077"),
        ("Stanislaus", "06099"),
    ]
    assert list(hpsm.counties.values_list("name", "fips")) == [("San Mateo", "06081")]


@pytest.mark.django_db
def test_go_live_dates_match_the_spec_table() -> None:
    reference_load()
    for (plan, county), columns in SPEC_GO_LIVE.items():
        live = {
            row.pof_code: row.effective_from
            for row in PofGoLive.objects.filter(plan__code=plan, county__name=county, effective_to__isnull=True)
        }
        expected = {code: day for column, day in columns.items() for code in COLUMNS[column]}
        assert live == expected, (plan, county)


@pytest.mark.django_db
def test_legacy_pofs_were_live_only_at_hpsj_until_birth_equity() -> None:
    reference_load()
    legacy = PofGoLive.objects.filter(pof_code__in=["L_IDD", "L_PREG"])
    assert sorted((r.county.name, r.pof_code, r.effective_from, r.effective_to) for r in legacy) == [
        ("San Joaquin", "L_IDD", D(2022, 1, 1), D(2023, 12, 31)),
        ("San Joaquin", "L_PREG", D(2022, 1, 1), D(2023, 12, 31)),
        ("Stanislaus", "L_IDD", D(2022, 7, 1), D(2023, 12, 31)),
        ("Stanislaus", "L_PREG", D(2022, 7, 1), D(2023, 12, 31)),
    ]
    assert {r.plan.code for r in legacy} == {"HPSJ"}


@pytest.mark.django_db
def test_pof_codes_age_groups_and_flags() -> None:
    reference_load()
    pofs = {p.code: p for p in PopulationOfFocus.objects.all()}
    assert set(pofs) == {f"A{n}" for n in range(1, 8)} | {f"C{n}" for n in range(1, 8)} | {"L_IDD", "L_PREG"}
    assert {c for c, p in pofs.items() if p.age_group == "adult"} == {f"A{n}" for n in range(1, 8)} | {
        "L_IDD",
        "L_PREG",
    }
    assert {c for c, p in pofs.items() if p.referral_only} == {"A5", "A6"}
    assert {c: p.max_age for c, p in pofs.items() if p.max_age} == {"C5": 26}
    assert {c for c, p in pofs.items() if p.legacy} == {"L_IDD", "L_PREG"}
    assert all(p.effective_to == D(2023, 12, 31) for p in pofs.values() if p.legacy)
    assert all(p.effective_to is None and p.version == "2026.1" for p in pofs.values() if not p.legacy)


@pytest.mark.django_db
def test_pof_criteria_name_only_checkable_member_facts() -> None:
    reference_load()
    pofs = {p.code: p for p in PopulationOfFocus.objects.all()}
    for pof in pofs.values():
        keys = [c["key"] for c in pof.criteria]
        assert keys and len(keys) == len(set(keys)), pof.code
        assert all(c["member_fact"] is None or c["member_fact"] in MEMBER_FACTS for c in pof.criteria)
    facts = {code: [c["member_fact"] for c in p.criteria] for code, p in pofs.items()}
    assert facts["A1"] == ["homeless", None]
    assert [c["key"] for c in pofs["A2"].criteria] == ["avoidable_utilization"]
    assert len(pofs["A3"].criteria) == 3
    assert facts["A4"] == ["released_within_12_months", None]
    assert facts["A7"] == [None, "birth_equity_race"] == facts["C7"]
    assert facts["C1"] == ["homeless"] and facts["C6"] == ["released_within_12_months"]
    assert "ccs_enrolled" in facts["C4"] and facts["C5"] == ["foster_care"]


@pytest.mark.django_db
def test_exclusions_reasons_sources_and_settings() -> None:
    reference_load()
    assert list(ExcludedProgram.objects.order_by("priority").values_list("code", flat=True)) == [
        "HOSPICE",
        "PACE",
        "CCM",
        "CCT",
        "MSSP",
        "HCBA",
        "ALW",
        "HCBS_DD",
        "SDP",
        "MCWP",
    ]
    reasons = {r.code: r for r in DiscontinuationReason.objects.all()}
    assert [c for c, r in reasons.items() if r.is_opt_out] == ["opted_out"]
    assert reasons["deceased"].other_supports == []
    assert all(r.other_supports for c, r in reasons.items() if c != "deceased")
    assert (reasons["goals_met"].dhcs_code, reasons["other"].dhcs_code) == ("1", "15")
    assert set(ReferralSourceType.objects.values_list("code", flat=True)) >= {
        "pcp",
        "cbo",
        "hospital_transition_of_care",
        "member_self_family_phone",
        "plan_identification",
    }
    settings = {s.plan.code: s for s in ProgramSettings.objects.all()}
    assert (settings["HPSM"].dsnp_excludes_ecm, settings["HPSJ"].dsnp_excludes_ecm) == (True, False)
    hpsj = settings["HPSJ"]
    assert (
        hpsj.routine_decision_business_days,
        hpsj.expedited_decision_hours,
        hpsj.authorization_months,
    ) == (5, 72, 12)
    assert "60 calendar days" in hpsj.appeal_rights and "120 calendar days" in hpsj.appeal_rights


@pytest.fixture
def reference_copy(tmp_path: Path) -> Path:
    target = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, target)
    return target


@pytest.mark.parametrize(
    ("filename", "old", "new", "expected"),
    [
        (
            "populations_of_focus.yaml",
            "member_fact: foster_care",
            "member_fact: in_foster_home",
            ["populations_of_focus.yaml", "entry 12 (code C5)", "'criteria'", "in_foster_home"],
        ),
        (
            "populations_of_focus.yaml",
            "age_group: child",
            "age_group: kid",
            ["populations_of_focus.yaml", "entry 8 (code C1)", "'age_group'", "'kid'"],
        ),
        ("go_live.yaml", "pofs: [A5, A6]", "pofs: [A5, A9]", ["go_live.yaml", "entry 2", "'pofs'", "A9"]),
        (
            "excluded_programs.yaml",
            "priority: 3",
            "priority: three",
            ["excluded_programs.yaml", "entry 3 (code CCM)", "'priority'", "expected int"],
        ),
        ("plans.yaml", '    fips: "06099"', "", ["plans.yaml", "entry 2", "'fips'", "missing"]),
        (
            "referral_sources.yaml",
            "  - code: pcp\n",
            "  - code: pcp\n    colour: blue\n",
            ["referral_sources.yaml", "entry 3 (code pcp)", "'colour'", "unknown key"],
        ),
        (
            "program_settings.yaml",
            "dsnp_excludes_ecm: true",
            "dsnp_excludes_ecm: [true",
            ["program_settings.yaml", "not valid YAML"],
        ),
    ],
)
@pytest.mark.django_db
def test_bad_reference_file_names_file_entry_and_key_and_writes_nothing(
    reference_copy: Path, filename: str, old: str, new: str, expected: list[str]
) -> None:
    path = reference_copy / filename
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    before = _table_counts()  # the test database holds the reference data already (tests/conftest.py)
    with pytest.raises(ReferenceDataError) as caught:
        reference_load(reference_copy)
    for fragment in expected:
        assert fragment in caught.value.message
    assert _table_counts() == before


@pytest.mark.django_db
def test_community_supports_catalog_loads_idempotently_with_hpsj_dates() -> None:
    import datetime as dt

    from calaim.community_supports.models import CsLimitSettings, CsOffering, CsService
    from calaim.community_supports.reference import cs_reference_load

    reference_load()
    first = cs_reference_load()
    assert first == cs_reference_load()
    assert CsService.objects.count() == 15
    hpsj = CsOffering.objects.filter(plan__code="HPSJ", county__name="Stanislaus")
    assert hpsj.exclude(service_code="transitional_rent").values("service_code").distinct().count() == 14
    assert hpsj.get(service_code="community_transition").effective_from == dt.date(2023, 7, 1)
    assert hpsj.get(service_code="nf_transition_alf").effective_from == dt.date(2023, 7, 1)
    assert CsService.objects.get(code="sobering_center").retro_authorized
    limits = {row.plan.code: row for row in CsLimitSettings.objects.select_related("plan")}
    assert set(limits) == {"HPSJ", "HPSM"}
    for row in limits.values():
        assert set(row.room_board_services) == {"recuperative_care", "stphh", "transitional_rent"}
        assert (row.room_board_max_days, row.room_board_window_days, row.sobering_max_hours) == (183, 365, 24)
        assert (row.deposit_approvals, row.deposit_approvals_with_change) == (1, 1)
        assert (row.recuperative_care_max_days, row.mtm_weeks, row.respite_hours_per_year) == (90, 12, 336)
        assert row.dollar_caps["housing_deposits"] == 5000 and row.effective_from == dt.date(2022, 1, 1)


@pytest.fixture
def cs_reference_copy(tmp_path: Path) -> Path:
    from calaim.community_supports.reference import REFERENCE_DIR as CS_REFERENCE_DIR

    target = tmp_path / "cs_reference"
    shutil.copytree(CS_REFERENCE_DIR, target)
    return target


@pytest.mark.parametrize(
    ("filename", "old", "new", "expected"),
    [
        (
            "limits.yaml",
            "room_board_services: [recuperative_care, stphh, transitional_rent]",
            "room_board_services: [recuperative_care, stphh, transitional_rental]",
            ["limits.yaml", "entry 1 (plan HPSJ)", "'room_board_services'", "unknown service 'transitional_rental'"],
        ),
        (
            "limits.yaml",
            "      asthma_remediation: 7500",
            "      asthma_remediations: 7500",
            ["limits.yaml", "entry 1 (plan HPSJ)", "'dollar_caps'", "unknown service 'asthma_remediations'"],
        ),
        (
            "limits.yaml",
            "    sobering_max_hours: 24\n",
            "",
            ["limits.yaml", "entry 1 (plan HPSJ)", "'sobering_max_hours'", "required key is missing"],
        ),
        (
            "limits.yaml",
            "room_board_window_days: 365",
            "room_board_window_days: 0",
            ["limits.yaml", "entry 1 (plan HPSJ)", "'room_board_window_days'", "from 1"],
        ),
        (
            "limits.yaml",
            "room_board_max_days: 183",
            "room_board_max_days: six months",
            ["limits.yaml", "entry 1 (plan HPSJ)", "'room_board_max_days'", "expected int"],
        ),
        (
            "services.yaml",
            "  - code: sobering_center",
            "  - code: sobering",
            ["services.yaml", "limits engine has rules for 'sobering_center'"],
        ),
    ],
)
@pytest.mark.django_db
def test_bad_cs_limits_name_file_entry_and_key_and_write_nothing(
    cs_reference_copy: Path, filename: str, old: str, new: str, expected: list[str]
) -> None:
    from calaim.community_supports.models import CsLimitSettings, CsOffering, CsService
    from calaim.community_supports.reference import cs_reference_load

    reference_load()
    path = cs_reference_copy / filename
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    models = (CsService, CsOffering, CsLimitSettings)
    before = [list(m.objects.values().order_by("pk")) for m in models]  # the test database holds the catalog
    with pytest.raises(ReferenceDataError) as caught:
        cs_reference_load(cs_reference_copy)
    for fragment in expected:
        assert fragment in caught.value.message, caught.value.message
    assert [list(m.objects.values().order_by("pk")) for m in models] == before
