"""Filters for the public pages: dates and language names as the page's reader writes them, and phone links."""

from __future__ import annotations

import datetime as dt
import re

from babel import Locale
from django import template

from calaim.public.languages import PageLanguage, long_date

register = template.Library()


@register.filter(name="long_date")
def long_date_filter(day: dt.date, language: PageLanguage) -> str:
    return long_date(day, language)


@register.filter
def language_names(codes: list[str] | tuple[str, ...], language: PageLanguage) -> str:
    """ISO 639-1 codes as language names in the page's language, e.g. ["en", "es"] as "English, Spanish"."""
    # CLDR's language names by code: "tl" is Tagalog there, where its locale would say Filipino (Philippines).
    names = Locale.parse(language.babel_locale).languages
    return ", ".join(names.get(code, code) for code in codes)


@register.filter
def tel_href(phone: str) -> str:
    """A dialable tel: address for a US number as the plans write it (1-888-936-7526, 650-616-2133)."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) == 10:
        digits = "1" + digits
    return f"tel:+{digits}"
