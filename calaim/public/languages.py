"""The languages the public pages are written in: English, and each threshold language with a catalogue."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from babel.dates import format_date
from django.conf import settings
from django.utils.translation import to_locale

from calaim.notices.letters.language import django_language
from calaim.notices.reference import languages_config

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


def plan_languages(plan_code: str, county_names: list[str], day: dt.date) -> list[PageLanguage]:
    """The languages a plan's pages are offered in on `day`: English, then each threshold language of any of its
    counties (the letters' configuration, calaim/notices/reference/languages.yaml) that has a catalogue here."""
    config = languages_config()
    wanted = {
        django_language(code) for county in county_names for code in config.thresholds_for(plan_code, county, day)
    }
    return [language for language in catalogued_languages() if language.code == "en" or language.code in wanted]


def long_date(day: dt.date, language: PageLanguage) -> str:
    """A date as a reader of the language writes it (January 1, 2022; 1 de enero de 2022; 2022年1月1日)."""
    return format_date(day, format="long", locale=language.babel_locale)
