"""What people may type, in the API and the forms alike: text without NUL, escape or other control characters (tabs
and line breaks only in free-text notes), and dates in a sensible range.

A NUL cannot be stored in PostgreSQL at all, and escape sequences in a name reach every page, letter and export
that shows it; date arithmetic on the year 9999 (a deadline, a window, a course of meals) overflows. So both are
refused on the way in, naming the field.
"""

from __future__ import annotations

import datetime as dt
import re

# Birth dates start in 1900; nothing the program plans or records runs past 2100.
EARLIEST_DAY = dt.date(1900, 1, 1)
LATEST_DAY = dt.date(2100, 12, 31)
# A note, a reason, the facts behind a criterion: what the API's free-text fields take, and a text area without a
# limit of its own.
NOTE_MAX_LENGTH = 4000

# C0 controls, DEL, C1 controls and lone surrogates (which JSON's \\u escapes can smuggle in, but no database
# encoding can store). A note keeps tab, line feed and carriage return.
_LINE_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_NOTE_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# What people put between a CIN's characters when they read it off a card or say it on the phone.
_CIN_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015.]")

# The same rules as JSON Schema patterns (ECMA-262), for the OpenAPI document.
LINE_PATTERN = r"^[^\x00-\x1f\x7f-\x9f]*$"
NOTE_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"


def control_character_problem(value: str, *, multiline: bool = False) -> str | None:
    """Why the text is refused, or None when it holds no forbidden character."""
    found = (_NOTE_FORBIDDEN if multiline else _LINE_FORBIDDEN).search(value)
    if found is None:
        return None
    allowed = " (tabs and line breaks are allowed here)" if multiline else ""
    return (
        f"Remove the control character U+{ord(found.group()):04X}: text may not contain NUL, escape or other "
        f"control characters{allowed}."
    )


def date_range_problem(day: dt.date) -> str | None:
    """Why the date is refused, or None when it lies in the range the program uses."""
    if EARLIEST_DAY <= day <= LATEST_DAY:
        return None
    return f"Give a date from {EARLIEST_DAY:%Y-%m-%d} to {LATEST_DAY:%Y-%m-%d}."


def cin_normalized(raw: str) -> str:
    """A CIN as stored: spaces, dashes and dots removed, letters upper-cased ("9123 4567-a" -> "91234567A"); whether
    the result is a CIN at all is the caller's check (calaim.members.models.CIN_PATTERN)."""
    return _CIN_SEPARATORS.sub("", raw).upper()
