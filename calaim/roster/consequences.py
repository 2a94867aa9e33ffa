"""Roster facts: what a load changed that bears on a member's open ECM or Community Supports work.

CONTRACT (the lead's stub; the consequences' author replaces the body, keeping the names)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from calaim.roster.models import FactKind, RosterLoad


@dataclass(frozen=True)
class MemberRosterChange:
    """One roster fact of one member, as the apply step found it (e.g. TERMED on as_of - 1, PROGRAM HOSPICE)."""

    member_id: uuid.UUID
    kind: FactKind
    detail: str
    effective_date: dt.date


def facts_raise(*, load: RosterLoad, changes: Iterable[MemberRosterChange]) -> int:
    """Inside the load's transaction: a RosterFact for each change of a member with an open ECM enrollment,
    referral or Community Supports request, with the provider that should act; returns how many were raised."""
    raise NotImplementedError
