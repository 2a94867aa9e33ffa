"""The public pages' catalogues: each compiled .mo says what its .po says, every text the pages show is translated
in every language (with the same blanks), nothing stale is kept, and each says it awaits a qualified translator."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from django.utils.translation import to_locale

from calaim.public.catalogue import TRANSLATED, catalogue_msgids, catalogue_read, po_path
from calaim.public.languages import LOCALE_DIR, catalogued_languages, plan_languages

BLANK = re.compile(r"%\(\w+\)s")


@pytest.mark.parametrize("language", TRANSLATED)
def test_each_mo_matches_its_po(language: str) -> None:
    po = catalogue_read(language)
    with po_path(language).with_suffix(".mo").open("rb") as compiled:
        mo = read_mo(compiled)
    translated = {m.id: m.string for m in po if m.id and m.string and not m.fuzzy}
    assert {m.id: m.string for m in mo if m.id} == translated
    assert len(translated) == len([m for m in po if m.id])  # nothing left untranslated or fuzzy


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_text_the_pages_show_is_translated_with_its_blanks(reference: Any, language: str) -> None:
    po = catalogue_read(language)
    needed = catalogue_msgids()
    missing = [msgid for msgid in needed if not (po.get(msgid) and po.get(msgid).string)]
    assert not missing, f"untranslated in {language}: {missing} (see calaim/public/catalogue.py)"
    stale = sorted({m.id for m in po if m.id} - set(needed))
    assert not stale, f"no longer shown, still in {language}: {stale}"
    wrong = [m.id for m in po if m.id and sorted(BLANK.findall(m.id)) != sorted(BLANK.findall(m.string))]
    assert not wrong, f"blanks differ from the English in {language}: {wrong}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_each_catalogue_says_it_awaits_review_by_a_qualified_translator(language: str) -> None:
    text = po_path(language).read_text(encoding="utf-8")
    assert "MACHINE-DRAFTED TRANSLATION, AWAITING REVIEW BY A QUALIFIED TRANSLATOR" in text


def test_a_plan_is_offered_in_english_and_each_threshold_language_of_its_counties_with_a_catalogue() -> None:
    assert [language.code for language in catalogued_languages()] == ["en", "es", "zh-hans", "vi", "tl"]
    day = dt.date(2026, 1, 1)
    hpsj = plan_languages("HPSJ", ["San Joaquin", "Stanislaus"], day)  # San Joaquin: es, zh; Stanislaus: es
    assert [(language.code, language.name) for language in hpsj] == [
        ("en", "English"),
        ("es", "Español"),
        ("zh-hans", "中文"),
    ]
    assert [language.code for language in plan_languages("HPSM", ["San Mateo"], day)] == ["en", "es", "zh-hans", "tl"]
    # Before the configured thresholds begin, and for a county with none, English alone.
    assert [language.code for language in plan_languages("HPSM", ["San Mateo"], dt.date(2024, 6, 30))] == ["en"]
    assert [language.code for language in plan_languages("HPSJ", ["Alpine"], day)] == ["en"]


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_name_the_letters_also_translate_reads_the_same_on_the_pages(language: str) -> None:
    """The letters' catalogue comes first in LOCALE_PATHS and wins for a shared text (a Community Support's name): the
    pages' catalogue says the same, so a member reads one name in the letter and on the page."""
    letters = LOCALE_DIR.parent.parent / "notices" / "locale" / to_locale(language) / "LC_MESSAGES" / "django.po"
    if not letters.exists():
        pytest.skip("the letters have no catalogue in this language")
    with letters.open("rb") as po:
        theirs = {m.id: m.string for m in read_po(po) if m.id and m.string}
    ours = {m.id: m.string for m in catalogue_read(language) if m.id}
    differ = {
        msgid: (ours[msgid], theirs[msgid]) for msgid in ours.keys() & theirs.keys() if ours[msgid] != theirs[msgid]
    }
    assert not differ
