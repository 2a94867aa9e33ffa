"""Template helpers for Community Supports pages."""

from __future__ import annotations

from django import template

from calaim.community_supports.selectors import cs_service_names

register = template.Library()


@register.filter
def cs_service(code: str) -> str:
    """A service code as the catalog names it: 'recuperative_care' -> 'Recuperative Care (Medical Respite)'.

    The latest catalog version's name, so a retired service still shows its name; the code when unknown.
    """
    return cs_service_names().get(code) or code
