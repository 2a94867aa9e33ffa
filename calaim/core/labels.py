"""Human labels for codes staff would otherwise read raw: language codes as names, E.164 phones as people write them,
and the audit trail's dotted actions ("referral.pending_authorization") as words."""

from __future__ import annotations

from functools import cache

import phonenumbers
from babel import Locale

# Codes CLDR does not name that Medi-Cal members' preferred languages use (DHCS threshold-language lists).
_EXTRA_LANGUAGE_NAMES = {"mien": "Mien", "ilo": "Ilocano"}


@cache
def _english_language_names() -> dict[str, str]:
    return dict(Locale("en").languages)


def language_name(code: str | None) -> str:
    """The English name of an ISO 639 language code ("pa" → "Punjabi", "hmn" → "Hmong"); the code if unknown."""
    if not code:
        return "Not recorded"
    key = code.strip().replace("-", "_")
    names = _english_language_names()
    return names.get(key) or names.get(key.lower()) or _EXTRA_LANGUAGE_NAMES.get(key.lower(), code)


def language_names(codes: list[str] | tuple[str, ...] | None) -> str:
    """Codes as a comma-separated list of names ("en", "es" → "English, Spanish")."""
    return ", ".join(language_name(code) for code in codes or ()) or "Not listed"


def phone_display(value: str | None) -> str:
    """An E.164 US number as people write it ("+12095550100" → "(209) 555-0100"); other numbers internationally."""
    if not value:
        return ""
    try:
        parsed = phonenumbers.parse(value, "US")
    except phonenumbers.NumberParseException:
        return value
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if parsed.country_code == 1
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(parsed, style)


def action_label(action: str) -> str:
    """A dotted audit action as words: "referral.pending_authorization" → "Referral: pending authorization"."""
    subject, _, verb = action.partition(".")
    subject_words = subject.replace("_", " ").strip().capitalize()
    if not verb:
        return subject_words
    return f"{subject_words}: {verb.replace('_', ' ').replace('.', ' ').strip()}"
