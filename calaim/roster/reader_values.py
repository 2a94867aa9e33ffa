"""One roster value at a time, in plain Python: what the SQL checks of `reader_checks` cannot say themselves.

These run once per distinct value (a county, a program list, a phone number's area code and exchange), never
once per row, so a million-row roster costs a few thousand calls.
"""

from __future__ import annotations

import datetime as dt
import math
import re

import phonenumbers

# The roster's columns as the spec names them, in the spec's order (the order errors are sorted by).
SPEC_COLUMNS = (
    "member_id", "first_name", "last_name", "birth_date", "sex", "race_ethnicity", "language", "county",
    "plan_code", "enrollment_start", "enrollment_end", "delegated_to", "dsnp", "other_programs", "homeless_flag",
    "release_date", "ccs_enrolled", "foster_care", "phone", "address_line", "city", "zip_code", "pcp_npi",
    "pcp_name", "bh_provider_npi", "bh_provider_name",
)
DATE_COLUMNS = ("birth_date", "enrollment_start", "enrollment_end", "release_date")
FLAG_COLUMNS = ("dsnp", "homeless_flag", "ccs_enrolled")
NPI_COLUMNS = ("pcp_npi", "bh_provider_npi")
# Free text and the most characters the Member model holds.
TEXT_LIMITS = {"first_name": 100, "last_name": 100, "address_line": 200, "city": 100, "pcp_name": 200,
               "bh_provider_name": 200}
SEXES = ("F", "M", "X", "U")
RACES = ("black", "aian", "pacific_islander", "asian", "white", "hispanic", "other", "unknown")
FOSTER = ("current", "former")
FLAG_TRUE = ("y", "yes", "1", "true")
FLAG_FALSE = ("n", "no", "0", "false")
EARLIEST = dt.date(1900, 1, 1)

_SPACES = re.compile(" +")


def header_normalize(name: str) -> str:
    """A header as matched: lower case, surrounding spaces dropped, each run of inner spaces as one space."""
    return _SPACES.sub(" ", name.strip(" ")).lower()


def npi_valid(npi: str) -> bool:
    """A National Provider Identifier: 10 digits whose last is the Luhn check digit of "80840" + the first 9."""
    if len(npi) != 10 or not npi.isascii() or not npi.isdigit():
        return False
    total = 0
    for i, char in enumerate(reversed("80840" + npi)):
        digit = int(char)
        if i % 2:
            digit = digit * 2 - 9 if digit >= 5 else digit * 2
        total += digit
    return total % 10 == 0


def npi_check_digit(first_nine: str) -> str:
    """The check digit that makes `first_nine` + it a valid NPI (for test data and synthetic rosters)."""
    return next(d for d in "0123456789" if npi_valid(first_nine + d))


def phone_prefix_valid(prefix: str) -> bool:
    """Whether the North American numbers starting with this area code and exchange (6 digits) are valid.

    libphonenumber's NANP patterns decide validity on at most the first six national digits (the area code, the
    exchange's first digits); every number sharing them gets the same answer, so one call settles them all.
    """
    return phonenumbers.is_valid_number(phonenumbers.parse(prefix + "0000", "US"))


def phone_e164(text: str) -> str | None:
    """A phone number in any US format (extensions and letters too) as E.164, or None when it is not valid.

    The extension is dropped: E.164 has no place for it and the member record keeps one number.
    """
    try:
        number = phonenumbers.parse(text, "US")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 1 or not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def programs_normalize(text: str, programs: tuple[str, ...]) -> tuple[str | None, str | None]:
    """(`;`-joined codes in the vocabulary's order, None) for a valid list; (None, the first unknown item) else.

    Items are trimmed and upper-cased; empty items are ignored and a code named twice counts once.
    """
    found = set()
    for item in text.split(";"):
        code = item.strip().upper()
        if not code:
            continue
        if code not in programs:
            return None, item.strip()
        found.add(code)
    return ";".join(p for p in programs if p in found), None


def excel_text(value: object) -> str | None:
    """An Excel cell as the text a CSV export would hold: a date cell as YYYY-MM-DD, a whole number without ".0"."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value)
