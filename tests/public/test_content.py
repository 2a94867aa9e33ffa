"""The public pages' content file: read and checked, and its texts translated and filled in with the plan's
contacts (a translation that breaks its blanks falls back to the English rather than breaking the page)."""

from __future__ import annotations

import copy

import pytest
import yaml
from django.utils import translation

from calaim.core.errors import ValidationFailed
from calaim.public.content import CONTENT_FILE, content_parse, public_content
from calaim.public.pages import filled

VALUES = {"plan": "Health Plan of San Mateo", "phone": "650-616-2133", "tty": "711", "fax": ""}


def _shipped() -> dict:
    return yaml.safe_load(CONTENT_FILE.read_text(encoding="utf-8"))


def test_the_shipped_file_reads() -> None:
    content = public_content()
    assert content.version == "2026.1"
    assert content.plan_contacts["HPSJ"]["case_management_fax"] == "209-762-4720"
    assert len(content.faq) >= 6 and len(content.pasrr_steps) == 3
    assert content.facility_types[0].covered_from_for("HPSM") is None  # San Mateo covered it before 2023


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda d: d.pop("faq"), "faq"),
        (lambda d: d["referral_routes"][0].pop("how"), "how"),
        (lambda d: d["long_term_care"]["facility_types"][0]["covered_from"].pop("default"), "default"),
        (lambda d: d["long_term_care"]["pasrr"].pop("steps"), "steps"),
    ],
)
def test_a_missing_text_is_refused_naming_what_is_missing(change: object, named: str) -> None:
    data = copy.deepcopy(_shipped())
    change(data)  # type: ignore[operator]
    with pytest.raises(ValidationFailed, match=named):
        content_parse(data)


def test_a_text_is_translated_and_filled_in() -> None:
    text = "Call %(plan)s Member Services at %(phone)s (TTY %(tty)s)."
    with translation.override("es"):
        assert (
            filled(text, VALUES)
            == "Llame a Servicios para Miembros de Health Plan of San Mateo al 650-616-2133 (TTY 711)."
        )
        # A text no catalogue knows yet stays English.
        assert filled("New text for %(plan)s.", VALUES) == "New text for Health Plan of San Mateo."
