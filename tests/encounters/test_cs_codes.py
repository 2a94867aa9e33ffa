"""Community Supports billing codes: the January 2026 catalog (Coding Options v1.3), matched from a claim's HCPCS and
modifiers in any of the five positions, collisions resolved by the modifier set, each code on its own dates."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calaim.community_supports.billing_codes import (
    BillingCodeItem,
    billing_code_items,
    billing_codes_check,
    cs_billing_code_match,
    cs_code_match,
)
from calaim.community_supports.codes import CodeError, best_matches, modifier_key, service_of
from calaim.community_supports.models import CsBillingCode, CsService
from calaim.community_supports.reference import REFERENCE_DIR, cs_reference_load
from calaim.plans.reference import ReferenceDataError, _entries, reference_load

BEFORE_V13 = dt.date(2025, 12, 31)
V13 = dt.date(2026, 1, 1)
LATER = dt.date(2026, 7, 15)
# Modifiers no catalog entry uses: a claim may carry them anywhere beside the ones that pick the service.
UNRELATED = ["KX", "59", "XU", "25", "TG"]


def catalog(directory: Path = REFERENCE_DIR) -> list[BillingCodeItem]:
    """The billing codes services.yaml lists, read and checked without a database."""
    entries, _ = _entries(directory, "services.yaml", "services")
    items = []
    for entry in entries:
        start, end = entry.dates()
        items.extend(billing_code_items(entry, entry.text("unit", "service"), start, end))
    return billing_codes_check(items)


CATALOG = catalog()


def service_for(hcpcs: str, modifiers: list[str | None], on: dt.date) -> str | None:
    return service_of(best_matches(CATALOG, hcpcs, modifiers, on))


def test_the_catalog_has_every_january_2026_code_from_its_date() -> None:
    new = {
        ("T1016", "U8"): "htns",
        ("T1016", "GQ+U8"): "htns",
        ("T2018", "U6"): "day_habilitation",
        ("T2020", "U6"): "day_habilitation",
        ("H2038", "U6"): "day_habilitation",
        ("H2024", "U6"): "day_habilitation",
        ("H2026", "U6"): "day_habilitation",
        ("H0044", "U5"): "community_transition",
        ("S9452", "U5"): "medically_tailored_meals",
        ("S9452", "U6"): "medically_tailored_meals",
        ("H0040", "U2"): "transitional_rent",
        **{("S9977", m): "medically_tailored_meals" for m in ("U4", "U5", "U7", "U8", "U9")},
    }
    found = {(i.hcpcs, modifier_key(i.modifiers)): i for i in CATALOG}
    for key, service in new.items():
        assert found[key].service_code == service, key
        assert found[key].effective_from == V13, key
    assert found[("T1016", "U8")].encounter_only and found[("T1016", "GQ+U8")].encounter_only
    # The codes calaim had before stay, from the program's start.
    assert found[("T2033", "U6")].effective_from == dt.date(2022, 1, 1)
    assert len(CATALOG) == 46


@pytest.mark.parametrize(
    ("hcpcs", "modifiers", "on", "expected"),
    [
        ("S5165", ["U5"], LATER, "asthma_remediation"),
        ("S5165", ["U6"], LATER, "environmental_accessibility"),
        ("S5165", ["U5", "U6"], LATER, None),  # both: ambiguous
        ("S5165", [], LATER, None),
        ("H0044", ["U2"], LATER, "housing_deposits"),
        ("H0044", ["U3"], LATER, "stphh"),
        ("H0044", ["U5"], BEFORE_V13, None),  # set-up expenses billed before the code existed
        ("H0044", ["U5"], V13, "community_transition"),
        ("H0044", ["U6"], LATER, "transitional_rent"),
        ("H0043", ["U2"], LATER, "transitional_rent"),
        ("H0043", ["U3"], LATER, "stphh"),
        ("H0043", ["U6"], LATER, "htns"),
        ("S9977", ["U6"], BEFORE_V13, "medically_tailored_meals"),
        ("S9977", ["U9"], BEFORE_V13, None),
        ("S9977", ["U9"], V13, "medically_tailored_meals"),
        ("S9977", ["U1"], LATER, None),
        ("T1016", ["U8"], BEFORE_V13, None),
        ("T1016", ["GQ", "U8"], V13, "htns"),
        ("T2018", ["U6"], BEFORE_V13, None),
        ("T2018", ["U6"], V13, "day_habilitation"),
        ("G9012", ["U8"], LATER, None),  # an ECM code is no Community Support
    ],
)
def test_collisions_are_told_apart_by_the_modifier_set(
    hcpcs: str, modifiers: list[str | None], on: dt.date, expected: str | None
) -> None:
    assert service_for(hcpcs, modifiers, on) == expected


def test_the_most_specific_code_wins_and_gq_is_kept_apart() -> None:
    in_person = best_matches(CATALOG, "T1016", ["U8"], LATER)
    remote = best_matches(CATALOG, "T1016", ["", "KX", "GQ", None, "U8"], LATER)
    assert [modifier_key(i.modifiers) for i in in_person] == ["U8"]
    assert [modifier_key(i.modifiers) for i in remote] == ["GQ+U8"]


@st.composite
def claim_lines(draw: st.DrawFn) -> tuple[BillingCodeItem, list[str | None], dt.date]:
    """A catalog code billed on a day it is in force, its modifiers among up to five positions in any order, with
    empty positions, other modifiers, and any letter case or surrounding spaces."""
    item = draw(st.sampled_from(CATALOG))
    end = item.effective_to or dt.date(2030, 12, 31)
    day = draw(st.dates(item.effective_from, end))
    extra = draw(st.lists(st.sampled_from(UNRELATED), unique=True, max_size=5 - len(item.modifiers)))
    blanks = draw(st.lists(st.sampled_from(["", None, "  "]), max_size=5 - len(item.modifiers) - len(extra)))
    styled = [draw(st.sampled_from([m, m.lower(), f" {m} "])) for m in item.modifiers]
    positions = draw(st.permutations([*styled, *extra, *blanks]))
    return item, list(positions), day


@given(claim_lines())
@settings(max_examples=400, deadline=None)
def test_a_code_is_found_whatever_position_its_modifiers_sit_in(line: tuple[BillingCodeItem, list, dt.date]) -> None:
    item, modifiers, day = line
    matches = best_matches(CATALOG, item.hcpcs.lower(), modifiers, day)
    assert matches == [item]
    assert service_of(matches) == item.service_code


@given(claim_lines(), st.dates(dt.date(2021, 1, 1), dt.date(2030, 12, 31)))
@settings(max_examples=300, deadline=None)
def test_a_code_matches_only_on_its_dates(line: tuple[BillingCodeItem, list, dt.date], day: dt.date) -> None:
    item, modifiers, _ = line
    matched = item in best_matches(CATALOG, item.hcpcs, modifiers, day)
    assert matched == (item.effective_from <= day and (item.effective_to is None or day <= item.effective_to))


@given(
    st.sampled_from(sorted({i.hcpcs for i in CATALOG})),
    st.lists(
        st.sampled_from(["U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8", "U9", "GQ", "KX"]), unique=True, max_size=5
    ),
    st.dates(dt.date(2022, 1, 1), LATER),
)
@settings(max_examples=400, deadline=None)
def test_a_match_never_depends_on_the_order_and_names_one_service_or_none(
    hcpcs: str, modifiers: list[str], day: dt.date
) -> None:
    forward, backward = best_matches(CATALOG, hcpcs, modifiers, day), best_matches(CATALOG, hcpcs, modifiers[::-1], day)
    assert {id(i) for i in forward} == {id(i) for i in backward}
    service = service_of(forward)
    for item in forward:
        assert set(item.modifiers) <= set(modifiers)
    if service is not None:
        # No equally specific code of another service also fits.
        assert {i.service_code for i in forward} == {service}


@pytest.mark.parametrize(
    ("hcpcs", "modifiers", "message"),
    [
        ("T20", ["U6"], "not a HCPCS Level II code"),
        ("12345", ["U6"], "not a HCPCS Level II code"),
        ("T2033", ["U6", "U1", "U2", "U3", "U4", "U5"], "at most 5 modifiers"),
        ("T2033", ["U66"], "not a modifier"),
        ("T2033", ["U-"], "not a modifier"),
    ],
)
def test_a_code_or_modifier_no_claim_could_carry_is_refused(hcpcs: str, modifiers: list[str], message: str) -> None:
    with pytest.raises(CodeError, match=message):
        best_matches(CATALOG, hcpcs, modifiers, LATER)


# ---- Stored and loaded ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_load_reference_stores_the_codes_and_the_catalog_shows_them(reference: None) -> None:
    assert CsBillingCode.objects.count() == 46
    outreach = CsBillingCode.objects.get(hcpcs="T1016", modifier_key="GQ+U8")
    assert outreach.modifiers == ["U8", "GQ"] and outreach.service_code == "htns" and outreach.encounter_only
    assert outreach.effective_from == V13 and outreach.effective_to is None
    day_habilitation = CsService.objects.get(code="day_habilitation").hcpcs
    assert {"code": "T2020", "modifiers": ["U6"], "effective_from": "2026-01-01", "effective_to": None} in (
        day_habilitation
    )
    assert cs_reference_load()["cs_billing_codes"] == 46  # again: the same rows
    assert CsBillingCode.objects.count() == 46


@pytest.mark.django_db
def test_cs_code_match_reads_the_stored_catalog(reference: None) -> None:
    asthma = cs_code_match("s5165", [None, "", "KX", "", "u5"], LATER)
    assert asthma is not None and asthma.code == "asthma_remediation"
    assert cs_code_match("S5165", ["U5", "U6"], LATER) is None
    assert cs_code_match("H0044", ["U5"], BEFORE_V13) is None
    set_up = cs_code_match("H0044", ["XU", "U5"], V13)
    assert set_up is not None and set_up.code == "community_transition"
    # Two S9977 codes of the same service: the service is plain, the code is not.
    meals = cs_code_match("S9977", ["U4", "U6"], LATER)
    assert meals is not None and meals.code == "medically_tailored_meals"
    assert cs_billing_code_match("S9977", ["U4", "U6"], LATER) is None
    remote = cs_billing_code_match("T1016", ["GQ", "U8"], LATER)
    assert remote is not None and remote.modifier_key == "GQ+U8"


@pytest.fixture
def cs_copy(tmp_path: Path) -> Path:
    target = tmp_path / "cs_reference"
    shutil.copytree(REFERENCE_DIR, target)
    return target


def _edit(directory: Path, old: str, new: str) -> None:
    path = directory / "services.yaml"
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


@pytest.mark.django_db
def test_a_code_that_ends_keeps_its_row_and_a_new_edition_adds_rows(reference: None, cs_copy: Path) -> None:
    """Versioned configuration: ending a code sets its effective_to; a replacement starts the next day; an item
    dropped from the file stays stored, so encounters of its dates still match."""
    _edit(
        cs_copy,
        "      - {code: T2033, modifiers: [U6], unit: per diem, units_from: days, for_deliveries: true}",
        "      - {code: T2033, modifiers: [U6], unit: per diem, units_from: days, for_deliveries: true,"
        " effective_to: 2026-06-30}\n"
        "      - {code: T2033, modifiers: [U6, U7], effective_from: 2026-07-01, unit: per diem, units_from: days,"
        " for_deliveries: true}",
    )
    _edit(cs_copy, "      - {code: H2014, modifiers: [U6]}\n", "")
    cs_reference_load(cs_copy)
    rows = list(CsBillingCode.objects.filter(hcpcs="T2033").order_by("effective_from"))
    assert [(r.modifier_key, r.effective_from, r.effective_to) for r in rows] == [
        ("U6", dt.date(2022, 1, 1), dt.date(2026, 6, 30)),
        ("U6+U7", dt.date(2026, 7, 1), None),
    ]
    assert cs_code_match("T2033", ["U6"], dt.date(2026, 6, 30)).code == "recuperative_care"  # type: ignore[union-attr]
    assert cs_code_match("T2033", ["U6"], dt.date(2026, 7, 1)) is None
    assert cs_code_match("T2033", ["U7", "U6"], dt.date(2026, 7, 1)).code == "recuperative_care"  # type: ignore[union-attr]
    assert CsBillingCode.objects.filter(hcpcs="H2014").exists()  # never deleted


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "{code: T2014, modifiers: [U6]}",
            "{code: T2O14, modifiers: [U6]}",
            ["entry 8 (code day_habilitation)", "'hcpcs'", "not a HCPCS Level II code"],
        ),
        ("{code: T2014, modifiers: [U6]}", "{code: T2014, modifiers: [U6, U6]}", ["'hcpcs'", "listed twice"]),
        ("{code: T2014, modifiers: [U6]}", "{code: T2014, modifiers: [UUU]}", ["'hcpcs'", "not a modifier"]),
        (
            "{code: T2014, modifiers: [U6]}",
            "{code: T2014, modifiers: [U6], rate: 12}",
            ["'hcpcs'", "unknown key 'rate'"],
        ),
        ("{code: T2014, modifiers: [U6]}", "{code: T2014, modifiers: [U6], unit_factor: 0}", ["unit_factor must be"]),
        ("{code: T2014, modifiers: [U6]}", "{code: T2014, modifiers: [U6], units_from: hours}", ["units_from must"]),
        (
            "{code: T2014, modifiers: [U6]}",
            "{code: T2014, modifiers: [U6], effective_from: 2026-01-01, effective_to: 2025-01-01}",
            ["'hcpcs'", "effective_to"],
        ),
        # The same code and modifiers billing a second service at the same time.
        ("{code: T2014, modifiers: [U6]}", "{code: T2033, modifiers: [U6]}", ["T2033 U6", "also in", "entry 5"]),
        (
            "{code: T2014, modifiers: [U6]}",
            "{code: T2033, modifiers: [U6], effective_from: 2024-01-01}",
            ["T2033 U6 from 2024-01-01 overlaps", "from 2022-01-01 in services.yaml, entry 5"],
        ),
        # Two codes for one service's deliveries on the same day.
        (
            "{code: T2014, modifiers: [U6]}",
            "{code: T2014, modifiers: [U6], for_deliveries: true}",
            ["both for_deliveries"],
        ),
    ],
)
@pytest.mark.django_db
def test_a_bad_code_item_names_file_entry_and_key_and_writes_nothing(
    cs_copy: Path, old: str, new: str, expected: list[str]
) -> None:
    reference_load()
    _edit(cs_copy, old, new)
    before = list(CsBillingCode.objects.values().order_by("pk")), list(CsService.objects.values().order_by("pk"))
    with pytest.raises(ReferenceDataError) as caught:
        cs_reference_load(cs_copy)
    assert "services.yaml" in caught.value.message
    for fragment in expected:
        assert fragment in caught.value.message, caught.value.message
    after = list(CsBillingCode.objects.values().order_by("pk")), list(CsService.objects.values().order_by("pk"))
    assert after == before  # nothing written (the test database holds the catalog already)
