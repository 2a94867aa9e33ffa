"""The plan's Knox-Keene license as a program setting (domain doc §5.4): loaded from program_settings.yaml, false
unless a row says so, a boolean or the load is refused with nothing written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from calaim.plans.models import ProgramSettings
from calaim.plans.reference import REFERENCE_DIR, ReferenceDataError, reference_load

pytestmark = pytest.mark.django_db


@pytest.fixture
def settings_file(tmp_path: Path) -> Path:
    target = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, target)
    return target / "program_settings.yaml"


def _licensed() -> dict[str, bool]:
    return dict(ProgramSettings.objects.values_list("plan__code", "knox_keene_licensed"))


def test_each_plans_license_is_loaded_from_its_settings(reference):
    assert _licensed() == {"HPSJ": True, "HPSM": True}


def test_a_plan_whose_row_does_not_say_is_not_licensed(settings_file):
    text = settings_file.read_text()
    settings_file.write_text(
        text.replace("    knox_keene_licensed: true\n", "", 1).replace("  knox_keene_licensed: false\n", "")
    )
    reference_load(settings_file.parent)
    assert _licensed() == {"HPSJ": False, "HPSM": True}


def test_a_license_that_is_not_a_boolean_is_refused_and_nothing_changes(settings_file):
    before = _licensed()
    settings_file.write_text(
        settings_file.read_text().replace("knox_keene_licensed: true", "knox_keene_licensed: yes please", 1)
    )
    with pytest.raises(ReferenceDataError) as caught:
        reference_load(settings_file.parent)
    assert "'knox_keene_licensed'" in caught.value.message and "expected bool" in caught.value.message
    assert _licensed() == before
