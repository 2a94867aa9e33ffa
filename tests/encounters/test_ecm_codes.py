"""ECM encounter codes from calaim's contact records: outreach G9012 U8 (reached or not), non-clinical contacts
G9012 U2, clinical G9008 U1 [M], GQ when not in person; the rules dated configuration read from encounter_codes.yaml."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calaim.accounts.models import Role
from calaim.careplans.models import OutreachMethod
from calaim.exchange import encounters
from calaim.exchange.encounters import (
    CLINICAL,
    NON_CLINICAL,
    OUTREACH,
    Contact,
    ecm_code,
    ecm_code_rules,
    ecm_code_rules_read,
    ecm_encounter_kind,
    ecm_encounters,
    rules_on,
)
from calaim.plans.models import Plan
from calaim.plans.reference import ReferenceDataError
from tests.encounters import attempt_by, enrolled_member
from tests.factories import UserFactory

DAY = dt.date(2026, 3, 10)
RULES = rules_on(ecm_code_rules_read(), DAY)
assert RULES is not None
REMOTE_METHODS = {"phone", "video", "text", "email", "other_electronic"}


def contact(method: str = "in_person", *, reached: bool = True, before: bool = True, role: str = "") -> Contact:
    return Contact(day=DAY, method=method, reached=reached, before_enrollment=before, staff_role=role)


@pytest.mark.parametrize(
    ("method", "reached", "before", "expected"),
    [
        ("in_person", True, True, ("G9012", ("U8",))),
        ("in_person", False, True, ("G9012", ("U8",))),  # unsuccessful outreach is coded too
        ("phone", False, True, ("G9012", ("U8", "GQ"))),
        ("email", True, True, ("G9012", ("U8", "GQ"))),
        ("mail", True, True, None),  # a letter has no mode in the Coding Options table
        ("in_person", True, False, ("G9012", ("U2",))),
        ("video", True, False, ("G9012", ("U2", "GQ"))),
        ("phone", False, False, None),  # a call that did not reach an enrolled member is no service
    ],
)
def test_default_rules(method: str, reached: bool, before: bool, expected: tuple[str, tuple[str, ...]] | None) -> None:
    code = ecm_code(contact(method, reached=reached, before=before, role=Role.PROVIDER_CARE_MANAGER), RULES)
    assert ((code.hcpcs, code.modifiers) if code else None) == expected
    if code:
        assert code.units == 1 and code.rule_version == "2026.1" and code.place_of_service == ""


def test_clinical_staff_get_g9008_u1_when_a_role_is_configured_clinical() -> None:
    rules = dataclasses.replace(RULES, staff_type_by_role={Role.PROVIDER_SUPERVISOR: CLINICAL})
    supervisor = ecm_code(contact("phone", before=False, role=Role.PROVIDER_SUPERVISOR), rules)
    manager = ecm_code(contact("phone", before=False, role=Role.PROVIDER_CARE_MANAGER), rules)
    assert supervisor is not None and (supervisor.kind, supervisor.hcpcs, supervisor.modifiers) == (
        CLINICAL,
        "G9008",
        ("U1", "GQ"),
    )
    assert manager is not None and (manager.kind, manager.hcpcs, manager.modifiers) == (
        NON_CLINICAL,
        "G9012",
        ("U2", "GQ"),
    )
    # Outreach is outreach whoever makes it.
    outreach = ecm_code(contact("in_person", before=True, role=Role.PROVIDER_SUPERVISOR), rules)
    assert outreach is not None and (outreach.kind, outreach.hcpcs, outreach.modifiers) == (OUTREACH, "G9012", ("U8",))


@given(
    st.sampled_from(OutreachMethod.values),
    st.booleans(),
    st.booleans(),
    st.sampled_from(["", *Role.values]),
    st.booleans(),
)
@settings(max_examples=200, deadline=None)
def test_every_contact_is_coded_by_the_rule(
    method: str, reached: bool, before: bool, role: str, unreached: bool
) -> None:
    rules = dataclasses.replace(RULES, code_unreached_contacts=unreached)
    code = ecm_code(contact(method, reached=reached, before=before, role=role), rules)
    if method == "mail" or (not before and not reached and not unreached):
        assert code is None
        return
    assert code is not None
    assert code.hcpcs == "G9012"
    assert code.modifiers[0] == ("U8" if before else "U2")
    assert ("GQ" in code.modifiers) == (method in REMOTE_METHODS)
    assert len(code.modifiers) <= 5
    # What calaim codes, it also recognizes, with the modifiers in any position.
    assert ecm_encounter_kind(code.hcpcs, [None, *reversed(code.modifiers)], DAY) == code.kind


@pytest.mark.parametrize(
    ("hcpcs", "modifiers", "expected"),
    [
        ("G9012", ["", "", "", "", "U8"], OUTREACH),
        ("g9012", ["gq", "u2"], NON_CLINICAL),
        ("G9008", ["GQ", "KX", "U1"], CLINICAL),
        ("G9012", ["U2", "U8"], None),  # two at once
        ("G9012", ["GQ"], None),
        ("G9008", ["U2"], None),
        ("T1016", ["U8"], None),  # housing outreach is a Community Support
    ],
)
def test_a_claim_line_is_recognized_with_its_modifiers_anywhere(
    hcpcs: str, modifiers: list[str], expected: str | None
) -> None:
    assert ecm_encounter_kind(hcpcs, modifiers, DAY) == expected


# ---- The rules file --------------------------------------------------------------------------------------------


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    target = tmp_path / "exchange_reference"
    target.mkdir()
    shutil.copy(encounters.REFERENCE_DIR / encounters.RULES_FILE, target / encounters.RULES_FILE)
    return target


def _edit(directory: Path, old: str, new: str) -> None:
    path = directory / encounters.RULES_FILE
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def test_a_later_version_codes_the_days_it_is_in_force(rules_copy: Path) -> None:
    text = (rules_copy / encounters.RULES_FILE).read_text()
    start = text.index("  - effective_from: 2022-01-01")
    later = (
        text[start:]
        .replace("effective_from: 2022-01-01", "effective_from: 2026-07-01")
        .replace("by_role: {}", "by_role: {provider_supervisor: clinical}")
    )
    text = text.replace(
        "  - effective_from: 2022-01-01\n", "  - effective_from: 2022-01-01\n    effective_to: 2026-06-30\n"
    )
    (rules_copy / encounters.RULES_FILE).write_text(text + later.replace('"2026.1"', '"2026.2"'))
    rules = ecm_code_rules_read(rules_copy)
    supervisor = contact("in_person", before=False, role=Role.PROVIDER_SUPERVISOR)
    june = rules_on(rules, dt.date(2026, 6, 30))
    july = rules_on(rules, dt.date(2026, 7, 1))
    assert june is not None and july is not None
    assert ecm_code(dataclasses.replace(supervisor, day=dt.date(2026, 6, 30)), june).hcpcs == "G9012"  # type: ignore[union-attr]
    assert ecm_code(dataclasses.replace(supervisor, day=dt.date(2026, 7, 1)), july).hcpcs == "G9008"  # type: ignore[union-attr]
    assert rules_on(rules, dt.date(2021, 12, 31)) is None


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "outreach: {hcpcs: G9012, modifiers: [U8]}",
            "outreach: {hcpcs: G901, modifiers: [U8]}",
            ["'outreach'", "HCPCS"],
        ),
        (
            "outreach: {hcpcs: G9012, modifiers: [U8]}",
            "outreach: {hcpcs: G9012, modifiers: []}",
            ["'outreach'", "one to four"],
        ),
        ("      mail: not_coded\n", "", ["'methods'", "'mail' is missing"]),
        ("      video: remote", "      video: telepathy", ["'methods'", "video: 'telepathy'"]),
        ("by_role: {}", "by_role: {nurse: clinical}", ["'staff_types'", "unknown 'nurse'"]),
        ("default: non_clinical", "default: licensed", ["'staff_types'", "'licensed'"]),
        ("remote_modifier: GQ", "remote_modifier: GQQ", ["'remote_modifier'", "not a modifier"]),
        ("units: 1", "units: 0", ["'units'", "from 1 to 99"]),
        (
            'place_of_service: {in_person: "", remote: ""}',
            'place_of_service: {in_person: "1", remote: ""}',
            ["'place_of_service'", "two-digit"],
        ),
        ("code_unreached_contacts: false", "code_unreached_contacts: no way", ["'code_unreached_contacts'", "bool"]),
        ("    units: 1\n", "    units: 1\n    rate: 10\n", ["'rate'", "unknown key"]),
    ],
)
def test_a_bad_rules_file_names_the_file_entry_and_key(
    rules_copy: Path, old: str, new: str, expected: list[str]
) -> None:
    _edit(rules_copy, old, new)
    with pytest.raises(ReferenceDataError) as caught:
        ecm_code_rules_read(rules_copy)
    message = caught.value.message
    assert message.startswith("encounter_codes.yaml, entry 1"), message
    for fragment in expected:
        assert fragment in message, message


def test_overlapping_versions_are_refused(rules_copy: Path) -> None:
    text = (rules_copy / encounters.RULES_FILE).read_text()
    start = text.index("  - effective_from: 2022-01-01")
    (rules_copy / encounters.RULES_FILE).write_text(text + text[start:].replace("2022-01-01", "2026-01-01"))
    with pytest.raises(ReferenceDataError, match="overlap"):
        ecm_code_rules_read(rules_copy)


def test_the_installed_file_is_read_once_until_it_changes() -> None:
    assert ecm_code_rules() is ecm_code_rules()
    assert ecm_code_rules()[0].codes[OUTREACH].modifiers == ("U8",)


# ---- From calaim's records ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_outreach_and_contacts_from_the_records(network: Any) -> None:
    """Attempts before enrollment are outreach (reached or not, any source), after it contacts; each has a code or
    the reason it has none; other providers, plans and days are not the provider's encounters here."""
    alpha = network.provider_a
    enrollment = enrolled_member(alpha, assigned=dt.date(2026, 2, 20), enrolled=dt.date(2026, 3, 5))
    supervisor = UserFactory(role=Role.PROVIDER_SUPERVISOR, organization=alpha)
    made = [
        attempt_by(enrollment, dt.date(2026, 3, 2), "phone", reached=False),
        attempt_by(enrollment, dt.date(2026, 3, 3), "in_person", reached=False, source="otf"),
        attempt_by(enrollment, dt.date(2026, 3, 4), "mail", reached=False),
        attempt_by(enrollment, dt.date(2026, 3, 5), "video", reached=True, by=supervisor),
        attempt_by(enrollment, dt.date(2026, 3, 9), "phone", reached=False),
        attempt_by(enrollment, dt.date(2026, 4, 1), "in_person", reached=True),  # next month
    ]
    # The same provider's contact with another plan's member, and another provider's with this plan's.
    attempt_by(
        enrolled_member(alpha, assigned=dt.date(2026, 2, 20), plan="HPSM"),
        dt.date(2026, 3, 2),
        "in_person",
        reached=True,
    )
    bravo = enrolled_member(network.provider_b, assigned=dt.date(2026, 2, 20))
    attempt_by(bravo, dt.date(2026, 3, 2), "in_person", reached=True, by=network.users["cm_b"])
    found = ecm_encounters(Plan.objects.get(code="HPSJ"), alpha, dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert [c.attempt for c in found] == made[:5]
    codes = [(c.code.hcpcs, c.code.modifiers) if c.code else c.reason for c in found]
    assert codes[0] == ("G9012", ("U8", "GQ"))
    assert codes[1] == ("G9012", ("U8",))
    assert codes[2] == "method mail is not coded (encounter rules 2026.1)"
    assert codes[3] == ("G9012", ("U2", "GQ"))  # enrolled that day: a contact
    assert "did not reach the enrolled member" in codes[4]


@pytest.mark.django_db
def test_load_reference_checks_the_rules_file(network: Any, rules_copy: Path, monkeypatch: Any) -> None:
    from calaim.workflows.reference import reference_data_load

    assert reference_data_load()["ecm_encounter_rules"] == 1
    _edit(rules_copy, "units: 1", "units: many")
    monkeypatch.setattr(encounters, "REFERENCE_DIR", rules_copy)
    with pytest.raises(ReferenceDataError, match=r"encounter_codes\.yaml, entry 1, key 'units'"):
        reference_data_load()
