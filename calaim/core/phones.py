"""Phone numbers are stored in E.164 so they compare and dial reliably."""

from __future__ import annotations

import phonenumbers


def normalize_phone(raw: str, region: str = "US") -> str:
    """E.164 form of a US (or international) number; raises ValueError when it is not a valid number."""
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"not a phone number: {raw!r}") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError(f"not a valid phone number: {raw!r}")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
