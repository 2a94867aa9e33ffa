"""The member letters an appeal or a grievance owes, queued through calaim.notices (which renders them): what each
carries, and when each is due. Called inside the transaction of the change that owes the letter."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.contrib.auth.models import AbstractBaseUser

from calaim.appeals.models import Appeal, Grievance
from calaim.authorizations.models import AuthorizationRequest
from calaim.community_supports.eligibility import services_in_force
from calaim.core.clock import local_date
from calaim.network.models import Program
from calaim.notices.models import Notice, NoticeKind, NoticeRecipient
from calaim.notices.services import notice_queue

ECM_SERVICE = "Enhanced Care Management (ECM)"


def service_label(authorization: AuthorizationRequest) -> str:
    """The service the decision was about, as the member reads it: ECM, or the Community Supports asked for."""
    if authorization.program != Program.CS:
        return ECM_SERVICE
    names = services_in_force(local_date(authorization.received_at))
    codes = authorization.cs_requests.order_by("service_code").values_list("service_code", flat=True)
    return ", ".join(names[code].name if code in names else code for code in codes) or "Community Supports"


def _queue(
    actor: AbstractBaseUser | None, appeal: Appeal, kind: str, due: dt.date, content: dict[str, object]
) -> Notice:
    return notice_queue(
        actor=actor,
        member=appeal.member,
        kind=kind,
        recipient=NoticeRecipient.MEMBER,
        due_date=due,
        referral_id=appeal.authorization.referral_id,
        content={"appeal_id": str(appeal.pk), "reference": appeal.reference, **content},
    )


def appeal_acknowledgment_queue(actor: AbstractBaseUser, appeal: Appeal, due: dt.date) -> Notice:
    """The acknowledgment: received when, expedited or not, late or not, resolution due when, about what."""
    return _queue(
        actor,
        appeal,
        NoticeKind.APPEAL_ACKNOWLEDGMENT,
        due,
        {
            "received_on": local_date(appeal.received_at).isoformat(),
            "expedited": appeal.expedited,
            "late": appeal.late,
            "resolution_due": local_date(appeal.resolution_due_at).isoformat(),
            "determination": appeal.notice_of_action.determination,
            "service": service_label(appeal.authorization),
        },
    )


def appeal_extension_queue(actor: AbstractBaseUser, appeal: Appeal, due: dt.date) -> Notice:
    """The notice of an extension: how many days, why, and the new resolution date."""
    return _queue(
        actor,
        appeal,
        NoticeKind.APPEAL_EXTENSION_LETTER,
        due,
        {
            "extension_days": appeal.extension_days,
            "reason": appeal.extension_reason,
            "resolution_due": local_date(appeal.resolution_due_at).isoformat(),
        },
    )


def appeal_resolution_queue(actor: AbstractBaseUser, appeal: Appeal) -> Notice:
    """The resolution, owed the day it is made: upheld (with the State Fair Hearing deadline) or overturned."""
    assert appeal.resolved_at is not None  # resolved before its letter
    resolved_on = local_date(appeal.resolved_at)
    return _queue(
        actor,
        appeal,
        NoticeKind.APPEAL_RESOLUTION,
        resolved_on,
        {
            "outcome": appeal.outcome,
            "reason": appeal.resolution_reason,
            "resolved_on": resolved_on.isoformat(),
            "hearing_deadline": appeal.hearing_deadline.isoformat() if appeal.hearing_deadline else "",
            "service": service_label(appeal.authorization),
        },
    )


def grievance_letter_queue(
    actor: AbstractBaseUser, grievance: Grievance, kind: str, due: dt.date, content: Mapping[str, object]
) -> Notice:
    """A grievance's acknowledgment or resolution letter, with its id and reference."""
    return notice_queue(
        actor=actor,
        member=grievance.member,
        kind=kind,
        recipient=NoticeRecipient.MEMBER,
        due_date=due,
        referral_id=grievance.referral_id,
        content={"grievance_id": str(grievance.pk), "reference": grievance.reference, **content},
    )
