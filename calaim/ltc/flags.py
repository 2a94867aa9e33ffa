"""The PASRR flags of a nursing-facility stay (no Level I, a late Level I, a Level II awaiting its determination),
and those UM sees on an authorization: a SNF authorization with no Level I on file is flagged."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from calaim.accounts.models import User
from calaim.authorizations.models import UNDECIDED, AuthorizationRequest
from calaim.core.clock import local_date
from calaim.ltc.models import FacilityStay, PasrrScreening
from calaim.ltc.reference import facility_types_on
from calaim.ltc.selectors import late_days, stay_scope


@dataclass(frozen=True)
class Flag:
    severity: str  # "warning" or "info"
    text: str


def stay_flags(stay: FacilityStay, screenings: list[PasrrScreening]) -> list[Flag]:
    """What is missing or late in a nursing-facility stay's PASRR; nothing for other facility types."""
    kind = facility_types_on(stay.admitted_on).get(stay.facility_type)
    if kind is None or not kind.nursing_facility:
        return []
    where = f"{stay.facility_name} (admitted {stay.admitted_on:%Y-%m-%d})"
    if not screenings:
        return [Flag("warning", f"No PASRR Level I on file for {where}.")]
    flags = []
    first = min(screenings, key=lambda s: s.level1_on)
    if days := late_days(stay, first):
        flags.append(Flag("warning", f"Late Level I: {days} day{'s' if days != 1 else ''} after admission to {where}."))
    for screening in screenings:
        if screening.level2_needed and screening.determination_on is None:
            flags.append(Flag("warning", f"Level II needed, no determination yet for {where}."))
    return flags


def authorization_flags(user: User, authorization: AuthorizationRequest) -> list[Flag]:
    """PASRR flags of the nursing-facility stays a request bears on: those whose PASRR names it, and, while it is
    undecided, the member's open stay (calaim has no SNF authorization kind; the stay is what makes it one)."""
    linked = Q(pasrr_screenings__authorization_id=authorization.pk)
    received = local_date(authorization.received_at)
    open_then = Q(discharged_on__isnull=True) | Q(discharged_on__gte=received)
    condition = linked | open_then if authorization.status in UNDECIDED else linked
    stays = (
        stay_scope(user)
        .filter(condition, member_id=authorization.member_id)
        .distinct()
        .prefetch_related("pasrr_screenings")
        .order_by("-admitted_on")
    )
    return [flag for stay in stays for flag in stay_flags(stay, list(stay.pasrr_screenings.all()))]
