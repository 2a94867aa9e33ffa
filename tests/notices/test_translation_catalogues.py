"""The letters' gettext catalogues: each committed .mo is the compiled form of its .po (so a translator's edit is
not left uncompiled), every message is translated with the same placeholders, and the labels the letters translate
at run time match the configuration they come from."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from calaim.notices.letters.phrases import DISCONTINUATION_REASONS, OTHER_SUPPORTS, SERVICE_NAMES

LOCALE = Path(__file__).resolve().parents[2] / "calaim" / "notices" / "locale"
CATALOGUES = ("es", "zh_Hans", "vi", "tl")
PLACEHOLDER = re.compile(r"%\(\w+\)s|\{\w+\}")


def _messages(catalog) -> dict[tuple[str | None, str], str]:
    return {(m.context, m.id): m.string for m in catalog if m.id and m.string and "fuzzy" not in m.flags}


@pytest.mark.parametrize("folder", CATALOGUES)
def test_each_committed_mo_is_its_po_compiled(folder):
    with (
        (LOCALE / folder / "LC_MESSAGES" / "django.po").open("rb") as po,
        (LOCALE / folder / "LC_MESSAGES" / "django.mo").open("rb") as mo,
    ):
        source, compiled = read_po(po), read_mo(mo)
    assert _messages(compiled) == _messages(source)


@pytest.mark.parametrize("folder", CATALOGUES)
def test_every_message_is_translated_with_its_placeholders(folder):
    with (LOCALE / folder / "LC_MESSAGES" / "django.po").open("rb") as po:
        catalog = read_po(po)
    messages = [m for m in catalog if m.id]
    assert len(messages) > 150
    untranslated = [m.id for m in messages if not m.string or "fuzzy" in m.flags]
    assert untranslated == []
    wrong = [m.id for m in messages if sorted(PLACEHOLDER.findall(m.string)) != sorted(PLACEHOLDER.findall(m.id))]
    assert wrong == []
    assert "awaiting review by a qualified translator" in catalog.language_team


def test_the_labels_translated_at_run_time_are_the_configured_ones():
    root = Path(__file__).resolve().parents[2] / "calaim"
    services = yaml.safe_load((root / "community_supports" / "reference" / "services.yaml").read_text())
    names = {s["code"]: s["name"] for s in services["services"]}
    assert {code: SERVICE_NAMES[code] for code in names} == names
    reasons = yaml.safe_load((root / "plans" / "reference" / "discontinuation_reasons.yaml").read_text())
    assert {r["label"] for r in reasons["discontinuation_reasons"]} == set(DISCONTINUATION_REASONS)
    offered = {s for r in reasons["discontinuation_reasons"] for s in r.get("other_supports", [])}
    settings = yaml.safe_load((root / "plans" / "reference" / "program_settings.yaml").read_text())
    offered |= set(settings["defaults"]["other_supports"])
    assert offered <= set(OTHER_SUPPORTS)
