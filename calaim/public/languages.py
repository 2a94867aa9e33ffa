"""The languages the public pages are written in: English, and each threshold language with a catalogue."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from babel.dates import format_date
from django.conf import settings
from django.utils.translation import to_locale

LOCALE_DIR = Path(__file__).with_name("locale")


@dataclass(frozen=True)
class PageLanguage:
    """A language as the pages use it: the URL's code, its name in itself, `<html lang>` and Babel's locale."""

    code: str
    name: str
    html_lang: str
    babel_locale: str


# BCP 47 for <html lang> and hreflang; Babel has Filipino (fil) where Django and the state say Tagalog.
_HTML_LANG = {"zh-hans": "zh-Hans"}
_BABEL_LOCALE = {"en": "en_US", "es": "es_US", "zh-hans": "zh_Hans", "tl": "fil"}


def catalogued_languages() -> list[PageLanguage]:
    """English and each of settings.LANGUAGES with a compiled catalogue here, in the settings' order."""
    found = []
    for code, name in settings.LANGUAGES:
        if code == "en" or (LOCALE_DIR / to_locale(code) / "LC_MESSAGES" / "django.mo").exists():
            found.append(PageLanguage(code, name, _HTML_LANG.get(code, code), _BABEL_LOCALE.get(code, code)))
    return found


def plan_languages(plan_code: str, county_names: list[str]) -> list[PageLanguage]:
    """The languages a plan's pages are offered in: English, then its counties' threshold languages with a catalogue.

    TODO(lead): read the threshold languages per plan and county from calaim/notices/reference/languages.yaml once
    the letters work commits it (through its selector); until then every catalogued language is offered.
    """
    return catalogued_languages()


def long_date(day: dt.date, language: PageLanguage) -> str:
    """A date as a reader of the language writes it (January 1, 2022; 1 de enero de 2022; 2022年1月1日)."""
    return format_date(day, format="long", locale=language.babel_locale)
