"""Long-term care flags shown to UM and on worklists (stub: filled in by calaim.ltc)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def ltc_flags(context: dict[str, Any], authorization: Any) -> str:
    """The LTC flags of an authorization request (e.g. a SNF stay with no PASRR Level I on file)."""
    return ""
