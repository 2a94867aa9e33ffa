"""Grievances: filed by member services or the appeals coordinator under a configured category (acknowledged at
once, with its letter), resolved by the coordinator within the configured clock (with its letter). Each is atomic
and writes one audit event; a grievance may name the authorization, referral or Community Supports request it is
about, which must be the member's and in the caller's scope."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import TypeVar

from django.db import transaction
from django.db.models import Model, QuerySet
from django.urls import reverse
from django.utils import timezone

from calaim.accounts.models import User
from calaim.appeals import clocks
from calaim.appeals.letters import grievance_letter_queue
from calaim.appeals.models import Channel, Grievance, GrievanceStatus
from calaim.appeals.policies import can_file_grievance, can_resolve_grievance
from calaim.appeals.rules import rules_on, rules_version
from calaim.appeals.selectors import appeals_coordinators_of
from calaim.appeals.services import member_reference, received_check
from calaim.authorizations.selectors import authorization_scope
from calaim.community_supports.selectors import cs_request_scope
from calaim.core.audit import audit_record, snapshot
from calaim.core.clock import local_date
from calaim.core.errors import ValidationFailed
from calaim.members.models import Member
from calaim.notices.models import NoticeKind
from calaim.notices.notify import notification_send
from calaim.referrals.selectors import referral_scope

M = TypeVar("M", bound=Model)
GRIEVANCE_FIELDS = ["status", "category", "expedited", "resolution_due_at", "authorization", "referral", "cs_request"]


@dataclass(frozen=True)
class GrievanceInput:
    category: str
    description: str
    channel: str
    received_at: dt.datetime | None = None
    expedited: bool = False
    authorization_id: uuid.UUID | None = None
    referral_id: uuid.UUID | None = None
    cs_request_id: uuid.UUID | None = None


def _related(scope: QuerySet[M], member: Member, pk: uuid.UUID | None, field: str) -> M | None:
    """The named record if it is the member's and the caller may see it, else a refusal on its field."""
    if pk is None:
        return None
    found = scope.filter(member=member, pk=pk).first()
    if found is None:
        raise ValidationFailed("No record of this member's with this id in your scope.", field=field)
    return found


def _grievance_check(data: GrievanceInput, categories: dict[str, str]) -> None:
    if data.category not in categories:
        raise ValidationFailed(f"category must be one of {', '.join(categories)}.", field="category")
    if not data.description.strip():
        raise ValidationFailed("Describe the grievance in the member's words.", field="description")
    if data.channel not in Channel.values:
        raise ValidationFailed(f"channel must be one of {', '.join(Channel.values)}.", field="channel")


def grievance_file(*, actor: User, member: Member, data: GrievanceInput) -> Grievance:
    """Record a grievance, acknowledge it with a letter and tell the plan's coordinators."""
    now = timezone.now()
    can_file_grievance(actor, member).enforce()
    received_at = received_check(data.received_at, now)
    edition = rules_on(local_date(received_at))
    rules = edition.grievance
    _grievance_check(data, dict(rules.categories))
    with transaction.atomic():
        grievance = Grievance.objects.create(
            reference=member_reference("GR", Grievance, local_date(received_at)),
            member=member,
            category=data.category,
            description=data.description.strip(),
            channel=data.channel,
            received_at=received_at,
            filed_by=actor,
            expedited=data.expedited,
            status=GrievanceStatus.ACKNOWLEDGED,
            acknowledged_at=now,
            resolution_due_at=clocks.resolution_due(
                received_at,
                expedited=data.expedited,
                days=rules.resolution_days,
                expedited_hours=rules.expedited_resolution_hours,
            ),
            authorization=_related(authorization_scope(actor), member, data.authorization_id, "authorization_id"),
            referral=_related(referral_scope(actor), member, data.referral_id, "referral_id"),
            cs_request=_related(cs_request_scope(actor), member, data.cs_request_id, "cs_request_id"),
            rules_version=edition.version,
        )
        audit_record(
            actor=actor,
            action="grievance.file",
            obj=grievance,
            member=member,
            after=snapshot(grievance, GRIEVANCE_FIELDS),
        )
        due = clocks.acknowledgment_due(received_at, grievance.resolution_due_at, rules.acknowledgment_days)
        content = {
            "received_on": local_date(received_at).isoformat(),
            "category": rules.category_label(grievance.category),
            "resolution_due": local_date(grievance.resolution_due_at).isoformat(),
        }
        grievance_letter_queue(actor, grievance, NoticeKind.GRIEVANCE_ACKNOWLEDGMENT, due, content)
        notification_send(
            users=appeals_coordinators_of(member.plan_id),
            event="grievance.filed",
            message=f"{'An expedited grievance' if grievance.expedited else 'A grievance'} was filed.",
            link=reverse("web:grievance", args=[grievance.pk]),
        )
    return grievance


def grievance_resolve(*, actor: User, grievance: Grievance, resolution: str) -> Grievance:
    """Resolve an open grievance with what was done; the member is sent the resolution letter that day."""
    with transaction.atomic():
        locked = Grievance.objects.select_for_update(of=("self",)).select_related("member__plan").get(pk=grievance.pk)
        can_resolve_grievance(actor, locked).enforce()
        if not resolution.strip():
            raise ValidationFailed("Say how the grievance was resolved; the member is sent it.", field="resolution")
        before, now = snapshot(locked, GRIEVANCE_FIELDS), timezone.now()
        locked.status, locked.resolution = GrievanceStatus.RESOLVED, resolution.strip()
        locked.resolved_at, locked.resolved_by = now, actor
        locked.save()
        audit_record(
            actor=actor,
            action="grievance.resolve",
            obj=locked,
            member=locked.member,
            before=before,
            after=snapshot(locked, GRIEVANCE_FIELDS),
            reason=resolution,
        )
        content = {
            "category": rules_version(locked.rules_version).grievance.category_label(locked.category),
            "resolution": locked.resolution,
            "resolved_on": local_date(now).isoformat(),
        }
        grievance_letter_queue(actor, locked, NoticeKind.GRIEVANCE_RESOLUTION, local_date(now), content)
    return locked
