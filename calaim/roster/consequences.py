"""Roster facts: what a load changed that bears on a member's open ECM or Community Supports work.

A fact is raised only for a member with open work the fact bears on (`reference/fact_reasons.yaml` says which
work each kind touches), one per piece of work so each reaches the provider that should act: the ECM enrollment
(its provider), an open ECM referral not yet assigned (the plan alone), each open Community Supports request (its
assigned provider, or the plan alone before one is assigned). Nothing is changed on the work itself: the provider
or the plan decides (exchange-spec §1, "consequences are shown, never silently applied")."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from django.utils import timezone

from calaim.community_supports.models import CS_OPEN_STATUSES, CsRequest
from calaim.core.models import AuditEvent
from calaim.ecm.models import ACTIVE_ENROLLMENT_STATUSES, Enrollment
from calaim.plans.selectors import excluded_program_order, program_settings_for
from calaim.referrals.models import OPEN_STATUSES, Referral
from calaim.roster.fact_selectors import CS, ECM, FactReasons, fact_reasons_in_force
from calaim.roster.models import FactKind, RosterFact, RosterLoad

# Members looked up at once (three queries a chunk): well under the limit on query parameters of SQLite (32,766).
CHUNK = 2000


@dataclass(frozen=True)
class MemberRosterChange:
    """One roster fact of one member, as the apply step found it (e.g. TERMED on as_of - 1, PROGRAM HOSPICE)."""

    member_id: uuid.UUID
    kind: FactKind
    detail: str
    effective_date: dt.date


@dataclass
class _OpenWork:
    """A member's open work: the active ECM enrollment, open ECM referrals not yet assigned, open CS requests."""

    enrollments: list[Enrollment]
    referrals: list[Referral]
    cs_requests: list[CsRequest]


def facts_raise(*, load: RosterLoad, changes: Iterable[MemberRosterChange]) -> int:
    """Inside the load's transaction: a RosterFact for each change of a member with an open ECM enrollment,
    referral or Community Supports request, with the provider that should act; returns how many were raised.

    A fact already on record (same member, kind, detail, date and work, resolved or not) is not raised again, so a
    corrected resubmission that repeats a change adds nothing."""
    raised = 0
    mappings: dict[dt.date, FactReasons] = {}
    for chunk in _chunks(_bearing(load, changes), CHUNK):
        work = _open_work({change.member_id for change in chunk})
        if not work:
            continue
        facts = []
        for change in chunk:
            day = change.effective_date
            if day not in mappings:
                mappings[day] = fact_reasons_in_force(day)
            facts += _facts_for(load, change, work.get(change.member_id), mappings[day])
        facts = _not_on_record(facts)
        RosterFact.objects.bulk_create(facts)
        _audit(load, facts)
        raised += len(facts)
    return raised


def _bearing(load: RosterLoad, changes: Iterable[MemberRosterChange]) -> Iterator[MemberRosterChange]:
    """The changes that can bear on ECM or CS work: a program only if it excludes ECM on its date, a D-SNP only
    where the plan's settings say D-SNP members do not qualify for ECM."""
    excluding: dict[dt.date, tuple[str, ...]] = {}
    dsnp_excludes: dict[dt.date, bool] = {}
    for change in changes:
        day = change.effective_date
        if change.kind == FactKind.PROGRAM:
            if day not in excluding:
                excluding[day] = excluded_program_order(day)
            if change.detail not in excluding[day]:
                continue
        if change.kind == FactKind.DSNP:
            if day not in dsnp_excludes:
                dsnp_excludes[day] = program_settings_for(load.plan, day).dsnp_excludes_ecm
            if not dsnp_excludes[day]:
                continue
        yield change


def _chunks(changes: Iterator[MemberRosterChange], size: int) -> Iterator[list[MemberRosterChange]]:
    while chunk := list(islice(changes, size)):
        yield chunk


def _open_work(member_ids: set[uuid.UUID]) -> dict[uuid.UUID, _OpenWork]:
    """Each member's open work, in three queries for the whole chunk."""
    work: dict[uuid.UUID, _OpenWork] = defaultdict(lambda: _OpenWork([], [], []))
    enrolled_referrals = set()
    enrollments = Enrollment.objects.filter(member_id__in=member_ids, status__in=ACTIVE_ENROLLMENT_STATUSES)
    for enrollment in enrollments.order_by("assigned_at"):
        work[enrollment.member_id].enrollments.append(enrollment)
        enrolled_referrals.add(enrollment.referral_id)
    referrals = Referral.objects.filter(member_id__in=member_ids, status__in=OPEN_STATUSES).exclude(
        pk__in=enrolled_referrals
    )
    for referral in referrals.order_by("received_at"):
        work[referral.member_id].referrals.append(referral)
    requests = CsRequest.objects.filter(member_id__in=member_ids, status__in=CS_OPEN_STATUSES)
    for request in requests.order_by("received_at"):
        work[request.member_id].cs_requests.append(request)
    return dict(work)


def _facts_for(
    load: RosterLoad, change: MemberRosterChange, work: _OpenWork | None, mappings: FactReasons
) -> list[RosterFact]:
    """One fact per piece of open work the change bears on; without a mapping in force, on all of it."""
    if work is None:
        return []
    mapping = mappings.get(change.kind, change.detail)
    programs = mapping.programs if mapping is not None else [ECM, CS]

    def fact(**on: object) -> RosterFact:
        return RosterFact(
            member_id=change.member_id,
            plan_id=load.plan_id,
            load=load,
            kind=change.kind,
            detail=change.detail,
            effective_date=change.effective_date,
            **on,
        )

    facts = []
    if ECM in programs:
        facts += [fact(enrollment=e, referral_id=e.referral_id, provider_id=e.provider_id) for e in work.enrollments]
        facts += [fact(referral=r) for r in work.referrals]
    if CS in programs:
        facts += [fact(cs_request=c, provider_id=c.provider_id) for c in work.cs_requests]
    return facts


def _key(fact: RosterFact) -> tuple[object, ...]:
    return (
        fact.member_id,
        fact.kind,
        fact.detail,
        fact.effective_date,
        fact.enrollment_id,
        fact.referral_id,
        fact.cs_request_id,
    )


def _not_on_record(facts: list[RosterFact]) -> list[RosterFact]:
    if not facts:
        return []
    on_record = RosterFact.objects.filter(member_id__in={f.member_id for f in facts}, kind__in={f.kind for f in facts})
    known = {_key(f) for f in on_record}
    fresh = []
    for fact in facts:
        if _key(fact) not in known:
            known.add(_key(fact))
            fresh.append(fact)
    return fresh


def _audit(load: RosterLoad, facts: list[RosterFact]) -> None:
    """One audit event per fact raised, written in one statement (a load may raise thousands)."""
    actor = load.confirmed_by or load.created_by
    label = actor.get_username() if actor is not None else (load.actor_label or "system")
    now = timezone.now()
    AuditEvent.objects.bulk_create(
        AuditEvent(
            at=now,
            actor=actor,
            actor_label=label,
            action="roster_fact.raise",
            member_id=fact.member_id,
            object_type=RosterFact._meta.label_lower,
            object_id=str(fact.pk),
            after={
                "kind": fact.kind,
                "detail": fact.detail,
                "effective_date": fact.effective_date.isoformat(),
                "load": str(load.pk),
                "enrollment": str(fact.enrollment_id) if fact.enrollment_id else None,
                "referral": str(fact.referral_id) if fact.referral_id else None,
                "cs_request": str(fact.cs_request_id) if fact.cs_request_id else None,
                "provider": str(fact.provider_id) if fact.provider_id else None,
            },
            reason=f"Roster as of {load.as_of:%m/%d/%Y} ({load.file_name})",
        )
        for fact in facts
    )
