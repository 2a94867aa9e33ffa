"""Scoped reads of facility stays, PASRR screenings, PCS and rides, and the lists of the plan's LTC page; each
starts from the caller's member scope (`calaim.access.scopes.member_condition`)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from calaim.access.scopes import member_condition
from calaim.accounts.models import User
from calaim.core.clock import plan_today
from calaim.core.errors import NotFound
from calaim.ltc.models import FacilityStay, PasrrScreening, PhysicianCertification, Ride
from calaim.ltc.reference import facility_types_on, nemt_rules_on

PAGE_ROWS = 200  # each list of the LTC page shows at most this many rows (counts are exact)


def stay_scope(user: User | None) -> QuerySet[FacilityStay]:
    return FacilityStay.objects.filter(member_condition(user, through="member"))


def stay_get(user: User | None, stay_id: uuid.UUID | str) -> FacilityStay:
    try:
        return stay_scope(user).select_related("member", "member__plan").get(pk=stay_id)
    except (FacilityStay.DoesNotExist, ValueError):
        raise NotFound("No facility stay with this id in your scope.") from None


def pasrr_scope(user: User | None) -> QuerySet[PasrrScreening]:
    return PasrrScreening.objects.filter(member_condition(user, through="member"))


def pcs_scope(user: User | None) -> QuerySet[PhysicianCertification]:
    return PhysicianCertification.objects.filter(member_condition(user, through="member"))


def pcs_get(user: User | None, pcs_id: uuid.UUID | str) -> PhysicianCertification:
    try:
        return pcs_scope(user).select_related("member", "member__plan").get(pk=pcs_id)
    except (PhysicianCertification.DoesNotExist, ValueError):
        raise NotFound("No Physician Certification Statement with this id in your scope.") from None


def ride_scope(user: User | None) -> QuerySet[Ride]:
    return Ride.objects.filter(member_condition(user, through="member"))


def current_stay(user: User | None, member_id: uuid.UUID) -> FacilityStay | None:
    """The member's open facility stay, if the caller may see the member."""
    return stay_scope(user).filter(member_id=member_id, discharged_on__isnull=True).first()


def _nursing_codes() -> tuple[str, ...]:
    return facility_types_on(plan_today()).nursing_facility_codes()


def _has_level1() -> Exists:
    return Exists(PasrrScreening.objects.filter(stay_id=OuterRef("pk")))


def _late_level1() -> Exists:
    return Exists(
        PasrrScreening.objects.filter(stay_id=OuterRef("pk"), level1_type="pas", level1_on__gt=OuterRef("admitted_on"))
    )


def in_facility_now(user: User) -> QuerySet[FacilityStay]:
    return (
        stay_scope(user)
        .filter(discharged_on__isnull=True)
        .select_related("member")
        .order_by("facility_type", "-admitted_on")
    )


def in_facility_counts(user: User) -> dict[str, int]:
    """How many members in scope are in a facility now, per facility type code in force today (one query)."""
    codes = [t.code for t in facility_types_on(plan_today()).types]
    counts = {f"n{i}": Count("id", filter=Q(facility_type=code)) for i, code in enumerate(codes)}
    found = stay_scope(user).filter(discharged_on__isnull=True).aggregate(**counts)
    return {code: found[f"n{i}"] for i, code in enumerate(codes)}


def transitions(user: User, days: int = 30) -> QuerySet[FacilityStay]:
    """Stays admitted or discharged in the last `days` days (plan dates), newest first."""
    since = plan_today() - dt.timedelta(days=days)
    recent = Q(admitted_on__gte=since) | Q(discharged_on__gte=since)
    return stay_scope(user).filter(recent).select_related("member").order_by("-updated_at")


def stays_without_level1(user: User) -> QuerySet[FacilityStay]:
    """Open nursing-facility stays with no PASRR Level I on file."""
    stays = stay_scope(user).filter(discharged_on__isnull=True, facility_type__in=_nursing_codes())
    return stays.filter(~_has_level1()).select_related("member").order_by("admitted_on")


def stays_with_late_level1(user: User) -> QuerySet[FacilityStay]:
    """Open nursing-facility stays whose preadmission Level I is dated after the admission."""
    stays = stay_scope(user).filter(discharged_on__isnull=True, facility_type__in=_nursing_codes())
    return stays.filter(_late_level1()).select_related("member").order_by("admitted_on")


def level2_undetermined(user: User) -> QuerySet[PasrrScreening]:
    """Screenings whose Level I was positive (Level II needed) with no determination yet."""
    return (
        pasrr_scope(user)
        .filter(level2_needed=True, determination_on__isnull=True, stay__discharged_on__isnull=True)
        .select_related("member", "stay")
        .order_by("level1_on")
    )


def nemt_rides_without_pcs(user: User) -> QuerySet[Ride]:
    """Open NEMT rides (not ER/hospital-to-SNF transfers) whose member has no current PCS for the ride's mode."""
    today = plan_today()
    nemt = [code for code, _ in nemt_rules_on(today).nemt_modes()]
    current = PhysicianCertification.objects.filter(
        member_id=OuterRef("member_id"),
        mode=OuterRef("mode"),
        revoked_at__isnull=True,
        valid_from__lte=today,
        valid_through__gte=today,
    )
    return (
        ride_scope(user)
        .filter(mode__in=nemt, transfer_to_snf=False, task__status__in=("requested", "in-progress"))
        .filter(~Exists(current))
        .select_related("member", "task")
        .order_by("task__due_date")
    )


def late_days(stay: FacilityStay, screening: PasrrScreening) -> int:
    """Days a preadmission Level I came after the admission (0 when on time or a resident review)."""
    if screening.level1_type != "pas":
        return 0
    return max(0, (screening.level1_on - stay.admitted_on).days)


def member_ltc(user: User, member_id: uuid.UUID) -> dict[str, Any]:
    """A member's stays (with their screenings) and PCS, as the caller may see them (two queries, three with stays)."""
    stays = stay_scope(user).filter(member_id=member_id).prefetch_related("pasrr_screenings").order_by("-admitted_on")
    return {
        "stays": list(stays),
        "certifications": list(pcs_scope(user).filter(member_id=member_id).order_by("-valid_through")),
    }
