"""Long-term care flags shown to UM: the PASRR gaps of the nursing-facility stays an authorization bears on (a SNF
stay with no Level I on file, a late Level I, a Level II awaiting its determination)."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string

from calaim.ltc.flags import authorization_flags, stay_flags
from calaim.ltc.reference import facility_types_on
from calaim.ltc.selectors import current_stay

register = template.Library()


@register.simple_tag(takes_context=True)
def ltc_flags(context: dict[str, Any], authorization: Any) -> str:
    """The LTC flags of an authorization request, as an alert list; nothing when there are none."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if authorization is None or user is None or not user.is_authenticated:
        return ""
    flags = authorization_flags(user, authorization)
    return render_to_string("web/ltc/_flags.html", {"flags": flags}) if flags else ""


@register.simple_tag(takes_context=True)
def ltc_current_stay(context: dict[str, Any], member: Any) -> str:
    """The member's current facility stay with its PASRR flags (for the A5/A6 referral), if the caller may see it."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if member is None or user is None or not user.is_authenticated:
        return ""
    stay = current_stay(user, member.pk)
    if stay is None:
        return ""
    kind = facility_types_on(stay.admitted_on).get(stay.facility_type)
    flags = stay_flags(stay, list(stay.pasrr_screenings.all()))
    context_data = {"stay": stay, "type_label": kind.label if kind else stay.facility_type, "flags": flags}
    return render_to_string("web/ltc/_current_stay.html", context_data)
