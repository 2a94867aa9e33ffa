"""The clocks and categories come from the dated editions of appeals.yaml: a new edition changes the clocks of what
is received from its date on, never of what was received before; a malformed file is refused naming the key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from calaim.appeals import rules
from calaim.appeals.rules import REFERENCE_DIR, editions_read, rules_on
from calaim.appeals.services import AppealInput, appeal_extend, appeal_file
from calaim.core.clock import local_date, plan_today
from calaim.core.errors import ValidationFailed
from calaim.plans.reference import ReferenceDataError

pytestmark = pytest.mark.django_db


def shipped() -> dict:
    return yaml.safe_load((REFERENCE_DIR / "appeals.yaml").read_text())


def write(directory: Path, data: dict) -> Path:
    (directory / "appeals.yaml").write_text(yaml.safe_dump(data))
    return directory


def test_the_shipped_edition_carries_the_regulatory_clocks():
    edition = rules_on(plan_today())
    assert (edition.appeal.filing_window_days, edition.appeal.resolution_days) == (60, 30)
    assert (edition.appeal.expedited_resolution_hours, edition.appeal.extension_max_days) == (72, 14)
    assert (edition.appeal.state_fair_hearing_days, edition.appeal.aid_paid_pending_days) == (120, 10)
    assert edition.grievance.resolution_days == 30 and ("other", "Other") in edition.grievance.categories


def test_a_later_edition_applies_from_its_date_only(tmp_path, monkeypatch, staff, denied):
    data = shipped()
    later = yaml.safe_load(yaml.safe_dump(data["editions"][0]))
    later |= {"version": "2099.1", "effective_from": plan_today()}
    later["appeal"] |= {"resolution_days": 20, "extension_max_days": 7}
    data["editions"].append(later)
    monkeypatch.setattr(rules, "REFERENCE_DIR", write(tmp_path, data))
    assert rules_on(plan_today() - dt.timedelta(days=1)).version == "2026.1"
    appeal = appeal_file(actor=staff["member_services"], notice=denied, data=AppealInput(channel="phone"))
    assert appeal.rules_version == "2099.1"
    assert local_date(appeal.resolution_due_at) == plan_today() + dt.timedelta(days=20)
    with pytest.raises(ValidationFailed, match="1 to 7"):
        appeal_extend(actor=staff["appeals"], appeal=appeal, extension_days=10, reason="x")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda e: e["appeal"].pop("resolution_days"), "'appeal'"),
        (lambda e: e["appeal"].update(resolution_days=0), "appeal.resolution_days"),
        (lambda e: e["appeal"].update(resolution_days="thirty"), "appeal.resolution_days"),
        (lambda e: e.update(effective_from="soon"), "effective_from"),
        (lambda e: e["grievance"].update(categories=[]), "grievance.categories"),
        (lambda e: e["grievance"]["categories"].append({"code": "other", "label": "Again"}), "listed twice"),
    ],
)
def test_a_malformed_file_is_refused_naming_the_key(tmp_path, change, message):
    data = shipped()
    change(data["editions"][0])
    with pytest.raises(ReferenceDataError, match=message.replace(".", r"\.")):
        editions_read(write(tmp_path, data))


def test_two_editions_on_one_day_are_refused(tmp_path):
    data = shipped()
    data["editions"].append({**data["editions"][0], "version": "2026.2"})
    with pytest.raises(ReferenceDataError, match="effective_from"):
        editions_read(write(tmp_path, data))
