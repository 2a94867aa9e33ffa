"""Scoped reads of roster loads: each starts from the caller's scope (the plan's data analysts and compliance
officers see that plan's loads; to anyone else a load does not exist)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.db.models import QuerySet

from calaim.access.scopes import member_scope, plan_of
from calaim.accounts.models import User
from calaim.core.errors import NotFound
from calaim.members.models import Member
from calaim.plans.models import Plan
from calaim.roster.models import RosterLoad
from calaim.roster.policies import VIEWING_ROLES, can_view_roster_loads

# The most sample CINs a page looks up at once (50 per kind of change, a handful of kinds, and the rejected rows).
_MAX_SAMPLE_LOOKUP = 2000


def roster_load_scope(user: User | None) -> QuerySet[RosterLoad]:
    """The loads of the caller's plan when they are its data analyst or compliance officer; none otherwise."""
    plan_id = plan_of(user)
    if plan_id is None or user is None or user.role not in VIEWING_ROLES:
        return RosterLoad.objects.none()
    return RosterLoad.objects.filter(plan_id=plan_id)


def roster_loads(user: User) -> QuerySet[RosterLoad]:
    """The history of the caller's plan's loads, the latest first; another role is refused (403)."""
    can_view_roster_loads(user).enforce()
    return roster_load_scope(user).select_related("created_by", "confirmed_by").order_by("-created_at", "-id")


def roster_load_get(user: User | None, load_id: uuid.UUID | str) -> RosterLoad:
    """One load in the caller's scope, with who loaded it and the load it repeats; 404 otherwise."""
    try:
        return (
            roster_load_scope(user)
            .select_related("plan", "created_by", "confirmed_by", "duplicate_of", "duplicate_of__created_by")
            .get(pk=load_id)
        )
    except (RosterLoad.DoesNotExist, ValueError):
        raise NotFound("No roster load with this id in your scope.") from None


def roster_plan_of(user: User) -> Plan | None:
    """The plan whose roster the caller would load: their own plan as plan staff, else None."""
    plan_id = plan_of(user)
    return Plan.objects.filter(pk=plan_id).first() if plan_id is not None else None


def load_cins(load: RosterLoad) -> list[str]:
    """Every CIN a load's page shows: its sample members of each kind and its rejected rows that name one."""
    cins: list[str] = []
    for rows in (load.samples or {}).values():
        cins += [str(row["cin"]) for row in rows if isinstance(row, dict) and row.get("cin")]
    cins += [str(error["cin"]) for error in load.errors or [] if isinstance(error, dict) and error.get("cin")]
    return list(dict.fromkeys(cins))[:_MAX_SAMPLE_LOOKUP]


def roster_sample_members(user: User, cins: Iterable[str]) -> dict[str, Member]:
    """The members of the caller's plan among `cins`, by CIN. Showing a load's sample rows shows these members'
    names, so they are loaded as Member rows: the PHI read log records them like any other read of a member. (A
    CIN that is not yet a member of the plan, a row the load would create, is the file's own content.)"""
    wanted = list(cins)
    if not wanted:
        return {}
    members = member_scope(user).filter(cin__in=wanted).only("id", "plan_id", "cin")
    return {member.cin: member for member in members}
