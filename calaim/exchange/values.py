"""One value of a provider file at a time, as exchange-spec's common rules read it; plain Python, no Django.

Each parser returns the value in calaim's form, or raises `BadValue` with what was expected, in words a provider's
analyst can act on. An empty cell never reaches a parser: empty is null.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from calaim.roster.reader_values import npi_valid, phone_e164

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_US = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_CIN = re.compile(r"^\d{8}[A-Z]$")
_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")
_ZIP = re.compile(r"^(\d{5})(?:-?(\d{4}))?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
FLAG_TRUE = frozenset({"y", "yes", "1", "true"})
FLAG_FALSE = frozenset({"n", "no", "0", "false"})
EARLIEST = dt.date(1900, 1, 1)

DATE_EXPECTED = "expected a date MM/DD/YYYY or YYYY-MM-DD"
FLAG_EXPECTED = "expected Y or N (also Yes/No, 1/0, true/false)"
CIN_EXPECTED = "expected a Medi-Cal CIN: 8 digits then an upper-case letter, e.g. 91234567A"


class BadValue(ValueError):
    """A value that is not what its column holds; `expected` says what would be."""

    def __init__(self, expected: str, kind: str = "not valid") -> None:
        super().__init__(expected)
        self.expected = expected
        self.kind = kind


def parse_date(text: str) -> dt.date:
    """A date written MM/DD/YYYY (one-digit month and day too) or YYYY-MM-DD, from 1900 on."""
    found = _ISO.match(text)
    try:
        if found:
            day = dt.date(int(found[1]), int(found[2]), int(found[3]))
        elif found := _US.match(text):
            day = dt.date(int(found[3]), int(found[1]), int(found[2]))
        else:
            raise BadValue(DATE_EXPECTED, "not a date")
    except ValueError:
        raise BadValue(f"{DATE_EXPECTED} (this is no day of the calendar)", "not a date") from None
    if day < EARLIEST:
        raise BadValue(f"expected a date on or after {EARLIEST:%m/%d/%Y}", "before 1900")
    return day


def parse_dates(text: str) -> list[dt.date]:
    """A `;`-list of dates (one outreach attempt each); empty items are ignored, at least one is needed."""
    items = [item.strip() for item in text.split(";") if item.strip()]
    if not items:
        raise BadValue(f"{DATE_EXPECTED}, or a ;-list of them", "not a date")
    days = []
    for item in items:
        try:
            days.append(parse_date(item))
        except BadValue as exc:
            raise BadValue(f"{exc.expected}, or a ;-list of them ({item!r} is not one)", exc.kind) from None
    return days


def parse_flag(text: str) -> bool:
    folded = text.casefold()
    if folded in FLAG_TRUE:
        return True
    if folded in FLAG_FALSE:
        return False
    raise BadValue(FLAG_EXPECTED, "not Y or N")


def parse_cin(text: str) -> str:
    if _CIN.match(text):
        return text
    if _CIN.match(text.upper()):
        raise BadValue(f"{CIN_EXPECTED} (the letter here is lower case)", "not a Medi-Cal CIN")
    raise BadValue(CIN_EXPECTED, "not a Medi-Cal CIN")


def parse_npi(text: str) -> str:
    if not (len(text) == 10 and text.isascii() and text.isdigit()):
        raise BadValue("expected an NPI of 10 digits", "not a valid NPI")
    if not npi_valid(text):
        raise BadValue(
            "expected a valid NPI: its last digit is not the check digit of the first nine", "not a valid NPI"
        )
    return text


def parse_tin(text: str) -> str:
    digits = text.replace("-", "")
    if len(digits) != 9 or not digits.isascii() or not digits.isdigit():
        raise BadValue("expected a Tax ID Number of 9 digits (12-3456789 or 123456789)", "not a TIN")
    return digits


def parse_period(text: str) -> str:
    """A reporting period YYYY-MM (also MM/YYYY and YYYYMM, as spreadsheets write it)."""
    candidates = [text]
    if re.match(r"^\d{1,2}/\d{4}$", text):
        month, year = text.split("/")
        candidates.append(f"{year}-{int(month):02d}")
    if re.match(r"^\d{6}$", text):
        candidates.append(f"{text[:4]}-{text[4:]}")
    for candidate in candidates:
        found = _PERIOD.match(candidate)
        if found and 1 <= int(found[2]) <= 12 and int(found[1]) >= 2000:
            return candidate
    raise BadValue("expected a reporting period YYYY-MM, e.g. 2026-01", "not a period")


def parse_whole(text: str, *, most: int | None = None) -> int:
    """A whole number of 0 or more (at most `most`); "3.0" as a spreadsheet writes it is 3."""
    number: float | int
    try:
        number = int(text)
    except ValueError:
        try:
            number = float(text)
        except ValueError:
            number = math.nan
    if not (isinstance(number, int) or (math.isfinite(number) and number.is_integer())) or number < 0:
        expected = "expected a whole number, 0 or more" + (f" and at most {most}" if most is not None else "")
        raise BadValue(expected, "not a whole number")
    if most is not None and number > most:
        raise BadValue(f"expected a whole number from 0 to {most}", "too large")
    return int(number)


def parse_phone(text: str) -> str:
    found = phone_e164(text)
    if found is None:
        raise BadValue("expected a valid US phone number with its area code, e.g. (209) 555-0100", "not a phone number")
    return found


def parse_zip(text: str) -> str:
    found = _ZIP.match(text)
    if not found:
        raise BadValue("expected a ZIP code of 5 or 9 digits: 12345, 123456789 or 12345-6789", "not a ZIP code")
    return f"{found[1]}-{found[2]}" if found[2] else found[1]


def parse_state(text: str) -> str:
    if len(text) != 2 or not text.isascii() or not text.isalpha():
        raise BadValue("expected a two-letter state code, e.g. CA", "not a state")
    return text.upper()


def parse_email(text: str) -> str:
    if len(text) > 254 or not _EMAIL.match(text):
        raise BadValue("expected an email address, e.g. name@example.org", "not an email address")
    return text


def parse_text(text: str, *, most: int) -> str:
    if CONTROL.search(text):
        raise BadValue("expected text without control characters", "control character")
    if len(text) > most:
        raise BadValue(f"expected at most {most} characters (this value has {len(text)})", "too long")
    return text
