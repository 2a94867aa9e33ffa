"""What an authorization's letters to the member say: the service asked for, whether a denial was by operation of
law, and the written notice of an extended decision time (42 CFR 438.404(c)(4))."""

from __future__ import annotations

from calaim.accounts.models import User
from calaim.authorizations.models import AuthorizationRequest
from calaim.core.clock import local_date, plan_today
from calaim.notices.models import NoticeKind, NoticeRecipient
from calaim.notices.services import member_letter_due, notice_queue
from calaim.plans.models import ProgramSettings


def is_deemed_denial(authorization: AuthorizationRequest) -> bool:
    """Denied by operation of law: by no one, at the moment its time ran out (calaim.authorizations.timeliness)."""
    return authorization.deemed_denied


def requested_service(authorization: AuthorizationRequest) -> dict[str, str]:
    """What the member asked for, as their letters name it: the program, and for Community Supports the service's
    code and the dates and quantity asked for (the letters name the service from its code)."""
    found: dict[str, str] = {"program": authorization.program, "request_kind": authorization.kind}
    if authorization.program != "cs":
        return found
    # The Community Supports request this decides, through its reverse relation (Community Supports is a layer
    # above this one, and is not imported).
    request = authorization.cs_requests.order_by("created_at").first()
    if request is not None:
        found |= {
            "service_code": request.service_code,
            "requested_start": request.requested_start.isoformat(),
            "requested_end": request.requested_end.isoformat(),
            "requested_quantity": f"{request.quantity.normalize():f}" if request.quantity else "",
        }
    return found


def authorization_extension_letter_queue(
    *, actor: User, authorization: AuthorizationRequest, settings: ProgramSettings
) -> None:
    """The member's written notice of an extension: the reason, the new date, the right to grieve (42 CFR
    438.404(c)(4)); inside the extension's transaction."""
    today = plan_today()
    due = authorization.due_at
    notice_queue(
        actor=actor,
        member=authorization.member,
        kind=NoticeKind.AUTHORIZATION_EXTENSION_LETTER,
        recipient=NoticeRecipient.MEMBER,
        due_date=member_letter_due(authorization.member, today, NoticeKind.AUTHORIZATION_EXTENSION_LETTER),
        referral_id=authorization.referral_id,
        content={
            **requested_service(authorization),
            "authorization_id": str(authorization.pk),
            "received_on": local_date(authorization.received_at).isoformat(),
            "reason": authorization.extension_reason,
            "extension_days": settings.extension_calendar_days,
            # An expedited request's time is counted in hours: its letter gives the hour too.
            "decision_due": due.isoformat() if authorization.urgency == "expedited" else local_date(due).isoformat(),
        },
    )
