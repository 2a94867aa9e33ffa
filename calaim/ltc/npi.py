"""The National Provider Identifier check (plain Python): 10 digits whose last is the Luhn check digit computed over
the card-issuer prefix 80840 and the first nine (CMS's NPI check-digit rule)."""

from __future__ import annotations

NPI_PREFIX = "80840"


def npi_valid(npi: str) -> bool:
    """Whether `npi` is 10 ASCII digits passing the Luhn check with the 80840 prefix."""
    if len(npi) != 10 or not npi.isascii() or not npi.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(NPI_PREFIX + npi)):
        digit = int(char)
        if position % 2:
            digit = digit * 2 - 9 if digit >= 5 else digit * 2
        total += digit
    return total % 10 == 0


def npi_problem(npi: str) -> str:
    """Why `npi` is not an NPI, in words for the form; empty when it is one."""
    if len(npi) != 10 or not npi.isascii() or not npi.isdigit():
        return "An NPI is exactly 10 digits."
    return "" if npi_valid(npi) else "This is not a valid NPI (its check digit does not match)."
