"""Appeals of Notices of Action: filing (acknowledged at once, with its letter), one extension, the resolution
(upheld, with the State Fair Hearing deadline, or overturned, which authorizes the service through the UM's own
steps: calaim.workflows.appeal_overturn), and withdrawal. Each is atomic on the locked rows and writes one audit
event; the clocks and windows are the edition of appeals.yaml in force on the day the appeal was received."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone

from calaim.accounts.models import User
from calaim.appeals import clocks
from calaim.appeals.letters import appeal_acknowledgment_queue, appeal_extension_queue, appeal_resolution_queue
from calaim.appeals.models import Appeal, AppealOutcome, AppealStatus, Channel, OnBehalf
from calaim.appeals.policies import can_extend_appeal, can_file_appeal, can_resolve_appeal, can_withdraw_appeal
from calaim.appeals.rules import AppealRules, rules_on, rules_version
from calaim.appeals.selectors import appeals_coordinators_of
from calaim.authorizations.models import NoticeOfAction
from calaim.authorizations.services import authorization_lock
from calaim.core.audit import audit_record, snapshot
from calaim.core.clock import PLAN_TIME_ZONE, local_date
from calaim.core.errors import ValidationFailed
from calaim.notices.notify import notification_send
from calaim.workflows.appeal_overturn import authorization_overturn

APPEAL_FIELDS = [
    "status",
    "expedited",
    "late",
    "aid_paid_pending_requested",
    "aid_paid_pending_timely",
    "resolution_due_at",
    "extension_days",
    "outcome",
    "hearing_deadline",
]
# Letters and digits a person reads out on the phone without confusing them (no 0/O, 1/I/L).
_REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True)
class AppealInput:
    """What member services, the coordinator or a provider records when the member appeals."""

    channel: str
    received_at: dt.datetime | None = None
    expedited: bool = False
    aid_paid_pending: bool = False
    on_behalf: str = OnBehalf.MEMBER
    description: str = ""


def member_reference(prefix: str, model: type[Model], day: dt.date) -> str:
    """A number to give the member, e.g. AP-260503-K7QX2M: the day it was received and six random characters."""
    while True:
        token = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(6))
        reference = f"{prefix}-{day:%y%m%d}-{token}"
        if not model._default_manager.filter(reference=reference).exists():
            return reference


def received_check(
    received_at: dt.datetime | None, now: dt.datetime, earliest: dt.datetime | None = None
) -> dt.datetime:
    """When it was received: now unless given, never in the future, never before `earliest` (the notice's date)."""
    moment = received_at or now
    if moment > now:
        raise ValidationFailed("The time received cannot be in the future.", field="received_at")
    if earliest is not None and moment < earliest:
        raise ValidationFailed("The appeal cannot be received before the notice was issued.", field="received_at")
    return moment


def _appeal_check(actor: User, notice: NoticeOfAction, data: AppealInput) -> None:
    if data.channel not in Channel.values:
        raise ValidationFailed(f"channel must be one of {', '.join(Channel.values)}.", field="channel")
    if data.on_behalf not in OnBehalf.values:
        raise ValidationFailed(f"on_behalf must be one of {', '.join(OnBehalf.values)}.", field="on_behalf")
    if (
        actor.is_plan_staff
        and data.on_behalf == OnBehalf.PROVIDER
        and notice.authorization.requesting_organization_id is None
    ):
        raise ValidationFailed("No provider asked for this service; file it for the member.", field="on_behalf")


def appeal_file(*, actor: User, notice: NoticeOfAction, data: AppealInput) -> Appeal:
    """Record the member's appeal of a notice, acknowledge it with a letter and tell the plan's coordinators; an
    appeal received after the filing window is accepted and recorded as late. Provider staff always file on the
    member's behalf, for their own organization."""
    now = timezone.now()
    with transaction.atomic():
        authorization = authorization_lock(notice.authorization_id)  # one filing of a notice at a time
        can_file_appeal(actor, notice).enforce()
        _appeal_check(actor, notice, data)
        received_at = received_check(data.received_at, now, notice.issued_at)
        appeal = Appeal(
            member=notice.member,
            notice_of_action=notice,
            authorization=authorization,
            filed_by=actor,
            channel=data.channel,
            description=data.description.strip(),
            received_at=received_at,
            expedited=data.expedited,
            aid_paid_pending_requested=data.aid_paid_pending,
            status=AppealStatus.ACKNOWLEDGED,
            acknowledged_at=now,
        )
        _filer_set(appeal, actor, data.on_behalf)
        rules = _clocks_set(appeal, local_date(notice.issued_at))
        appeal.save()
        audit_record(actor=actor, action="appeal.file", obj=appeal, member=appeal.member, after=_snapshot(appeal))
        appeal_acknowledgment_queue(
            actor, appeal, clocks.acknowledgment_due(received_at, appeal.resolution_due_at, rules.acknowledgment_days)
        )
        kind = "An expedited appeal" if appeal.expedited else "An appeal"
        _tell_coordinators(appeal, "appeal.filed", f"{kind} was filed; {_due_text(appeal.resolution_due_at)}.")
    return appeal


def _filer_set(appeal: Appeal, actor: User, on_behalf: str) -> None:
    """Provider staff file for their organization; plan staff for the member, or for the provider that asked for
    the service when that provider called on the member's behalf."""
    if actor.is_provider_staff:
        appeal.on_behalf, appeal.provider_organization = OnBehalf.PROVIDER, actor.organization
    elif on_behalf == OnBehalf.PROVIDER:
        appeal.on_behalf = OnBehalf.PROVIDER
        appeal.provider_organization_id = appeal.authorization.requesting_organization_id
    else:
        appeal.on_behalf = OnBehalf.MEMBER


def _clocks_set(appeal: Appeal, notice_on: dt.date) -> AppealRules:
    """The edition in force on the day received, and what it makes of the appeal: late or not, aid paid pending
    in time or not, when the resolution is due, and the member's reference number."""
    received_on = local_date(appeal.received_at)
    edition = rules_on(received_on)
    rules = edition.appeal
    appeal.rules_version = edition.version
    appeal.reference = member_reference("AP", Appeal, received_on)
    appeal.late = clocks.filed_late(notice_on, received_on, rules)
    if appeal.aid_paid_pending_requested:
        appeal.aid_paid_pending_timely = clocks.aid_paid_pending_timely(notice_on, received_on, rules)
    appeal.resolution_due_at = clocks.resolution_due(
        appeal.received_at,
        expedited=appeal.expedited,
        days=rules.resolution_days,
        expedited_hours=rules.expedited_resolution_hours,
    )
    return rules


def appeal_lock(appeal: Appeal) -> Appeal:
    """The appeal's row, locked until the end of the caller's transaction."""
    return (
        Appeal.objects.select_for_update(of=("self",))
        .select_related("member__plan", "notice_of_action", "authorization", "filed_by")
        .get(pk=appeal.pk)
    )


def appeal_extend(*, actor: User, appeal: Appeal, extension_days: int, reason: str) -> Appeal:
    """Extend an open appeal's resolution once, by at most the configured days, with a reason the member is sent."""
    with transaction.atomic():
        locked = appeal_lock(appeal)
        can_extend_appeal(actor, locked).enforce()
        rules = rules_version(locked.rules_version).appeal
        if not reason.strip():
            raise ValidationFailed("Give the reason for the extension; the member is sent it.", field="reason")
        if not 1 <= extension_days <= rules.extension_max_days:
            raise ValidationFailed(
                f"An extension is 1 to {rules.extension_max_days} calendar days.", field="extension_days"
            )
        before, now = _snapshot(locked), timezone.now()
        locked.resolution_due_at = clocks.extended_due(locked.resolution_due_at, extension_days)
        locked.status, locked.extended_at = AppealStatus.EXTENDED, now
        locked.extension_days, locked.extension_reason = extension_days, reason.strip()
        locked.due_soon_notified_at = None  # the new due time has its own reminder
        locked.save()
        audit_record(
            actor=actor,
            action="appeal.extend",
            obj=locked,
            member=locked.member,
            before=before,
            after=_snapshot(locked),
            reason=reason,
        )
        appeal_extension_queue(actor, locked, local_date(now) + dt.timedelta(days=rules.extension_notice_days))
    return locked


def appeal_resolve(*, actor: User, appeal: Appeal, outcome: str, reason: str) -> Appeal:
    """Resolve an open appeal: upheld, the member may ask for a State Fair Hearing by the configured deadline;
    overturned, the service is authorized as a UM approval would authorize it. The member is sent the letter."""
    with transaction.atomic():
        locked = appeal_lock(appeal)
        can_resolve_appeal(actor, locked).enforce()
        if outcome not in AppealOutcome.values:
            raise ValidationFailed(f"outcome must be one of {', '.join(AppealOutcome.values)}.", field="outcome")
        if not reason.strip():
            raise ValidationFailed("Give the reason for the resolution; the member is sent it.", field="reason")
        before, now = _snapshot(locked), timezone.now()
        if outcome == AppealOutcome.OVERTURNED:
            why = f"Overturned on appeal {locked.reference}: {reason.strip()}"
            locked.authorization = authorization_overturn(actor=actor, authorization=locked.authorization, reason=why)
        else:
            rules = rules_version(locked.rules_version).appeal
            locked.hearing_deadline = clocks.hearing_deadline(local_date(now), rules)
        locked.status, locked.outcome, locked.resolution_reason = AppealStatus.RESOLVED, outcome, reason.strip()
        locked.resolved_at, locked.resolved_by = now, actor
        locked.save()
        audit_record(
            actor=actor,
            action=f"appeal.{outcome}",
            obj=locked,
            member=locked.member,
            before=before,
            after=_snapshot(locked),
            reason=reason,
        )
        appeal_resolution_queue(actor, locked)
        if locked.filed_by.is_provider_staff and locked.filed_by.is_active:
            notification_send(
                users=[locked.filed_by],
                event="appeal.resolved",
                message="An appeal you filed was resolved.",
                link=_link(locked),
            )
    return locked


def appeal_withdraw(*, actor: User, appeal: Appeal, reason: str) -> Appeal:
    """The member withdraws an open appeal (the notice may be appealed again while its window is open)."""
    with transaction.atomic():
        locked = appeal_lock(appeal)
        can_withdraw_appeal(actor, locked).enforce()
        if not reason.strip():
            raise ValidationFailed("Say how the member asked to withdraw.", field="reason")
        before = _snapshot(locked)
        locked.status, locked.withdrawn_at, locked.withdrawal_reason = AppealStatus.WITHDRAWN, timezone.now(), reason
        locked.save()
        audit_record(
            actor=actor,
            action="appeal.withdraw",
            obj=locked,
            member=locked.member,
            before=before,
            after=_snapshot(locked),
            reason=reason,
        )
    return locked


def _snapshot(appeal: Appeal) -> dict[str, object]:
    return snapshot(appeal, APPEAL_FIELDS)


def _link(appeal: Appeal) -> str:
    return reverse("web:appeal", args=[appeal.pk])


def _due_text(due_at: dt.datetime) -> str:
    return f"resolution due {due_at.astimezone(PLAN_TIME_ZONE):%Y-%m-%d %H:%M}"


def _tell_coordinators(appeal: Appeal, event: str, message: str) -> None:
    """Tell the plan's appeals coordinators (no PHI: what happened, when it is due, and the page's link)."""
    notification_send(
        users=appeals_coordinators_of(appeal.member.plan_id), event=event, message=message, link=_link(appeal)
    )
