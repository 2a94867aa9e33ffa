"""Which language a member's letter is written in (domain doc §5.3, [M] for the exact rule): the member's
preferred language when it is a threshold language of their plan and county and the letter is translated into it;
otherwise English with the taglines insert, recording that interpretation was offered."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from calaim.notices.reference import languages_config

ENGLISH = "en"
# calaim stores ISO 639-1 codes (Member.language); Django's catalogues name Simplified Chinese zh_Hans.
DJANGO_LANGUAGE = {"zh": "zh-hans"}
# The BCP 47 tag a letter's HTML (and so its PDF) declares, which also picks the right CJK glyphs.
LANGUAGE_TAG = {"zh": "zh-Hans", "tl": "tl"}


@dataclass(frozen=True)
class LanguageChoice:
    language: str
    preferred_language: str
    in_preferred_language: bool


def language_code(value: str) -> str:
    """A stored language as calaim's short code: lower case, no region ("zh-Hans" and "zh_CN" are "zh")."""
    code = (value or ENGLISH).strip().lower().replace("_", "-").split("-")[0]
    return code or ENGLISH


def django_language(code: str) -> str:
    """The name Django's translation machinery knows a language by."""
    return DJANGO_LANGUAGE.get(code, code)


def language_tag(code: str) -> str:
    return LANGUAGE_TAG.get(code, code)


def letter_language_choose(
    *, preferred: str, plan_code: str, county: str, day: dt.date, translated: tuple[str, ...]
) -> LanguageChoice:
    """The letter's language for a member who prefers `preferred`, given the version's translations."""
    wanted = language_code(preferred)
    if wanted == ENGLISH:
        return LanguageChoice(ENGLISH, wanted, True)
    thresholds = languages_config().thresholds_for(plan_code, county, day)
    if wanted in thresholds and wanted in translated:
        return LanguageChoice(wanted, wanted, True)
    return LanguageChoice(ENGLISH, wanted, False)
