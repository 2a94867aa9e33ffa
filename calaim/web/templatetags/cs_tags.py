"""Template helpers for Community Supports pages."""

from __future__ import annotations

from django import template

from calaim.community_supports.limits import label_of

register = template.Library()


@register.filter
def cs_service(code: str) -> str:
    """A service code as staff say it: 'recuperative_care' -> 'Recuperative Care'."""
    return label_of(code)
