"""One authorization request's clock in words, the same on the UM queue, the decision page and the member record:
time left, overdue (and when it becomes a denial), extended and why, decided late, or denied by operation of law."""

from __future__ import annotations

from django import template

from calaim.authorizations.models import AuthorizationRequest
from calaim.authorizations.selectors import authorization_timeliness

register = template.Library()


@register.inclusion_tag("web/um/_clock.html")
def um_clock(authorization: AuthorizationRequest) -> dict[str, object]:
    """The request's timeliness (`authorization_timeliness`) and its extension, in words."""
    return {"a": authorization, "state": authorization_timeliness(authorization)}
