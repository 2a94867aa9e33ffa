"""The documents attached to a record, with the upload form when the caller may attach (stub: filled in by
calaim.documents)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def documents_panel(context: dict[str, Any], record: Any) -> str:
    """The documents panel of a referral, CS request, authorization or appeal."""
    return ""
