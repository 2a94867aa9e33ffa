"""Template helpers for member search: whether the header offers it to the signed-in person."""

from __future__ import annotations

from typing import Any

from django import template

from calaim.accounts.models import User
from calaim.web.queues import may_search_members

register = template.Library()


@register.filter
def searches_members(user: Any) -> bool:
    """Plan staff and ECM provider staff search members (calaim.web.queues.may_search_members)."""
    return isinstance(user, User) and user.is_authenticated and may_search_members(user)
