"""One authorization request's clock in words, the same on the UM queue, the decision page and the member record:
time left, overdue (and when it becomes a denial), extended and why, decided late, or denied by operation of law."""

from __future__ import annotations

from django import template
from django.utils import timezone

from calaim.authorizations.models import UNDECIDED, AuthorizationRequest
from calaim.authorizations.selectors import authorization_expired, authorization_overdue

register = template.Library()


@register.inclusion_tag("web/um/_clock.html")
def um_clock(authorization: AuthorizationRequest) -> dict[str, object]:
    """The request's timeliness: `state` is deemed_denied, decided_late, decided, expired, overdue or open."""
    now = timezone.now()
    if authorization.deemed_denied:
        state = "deemed_denied"
    elif authorization.status not in UNDECIDED:
        state = "decided_late" if authorization.decided_late else "decided"
    elif authorization_expired(authorization, now):
        state = "expired"
    elif authorization_overdue(authorization, now):
        state = "overdue"
    else:
        state = "open"
    return {"a": authorization, "state": state}
