"""Every refusal a CSS referral form would meet, found in one pass, so the requester corrects everything in one
round: who may send it, the member, the attestation date, each service's values, and each service that would take
the member over a limit (named with what is used and what is left, for which period, so the dates can change)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar

from calaim.accounts.models import User
from calaim.community_supports import limits
from calaim.community_supports.eligibility import (
    limit_settings_for,
    request_use,
    service_eligibility,
    services_in_force,
    usage_history,
)
from calaim.community_supports.models import CS_OPEN_STATUSES, CsRequest
from calaim.community_supports.services import ServiceRequestInput, service_item_check
from calaim.core.errors import DomainError, ValidationFailed
from calaim.members.models import Member
from calaim.referrals.policies import can_refer_as
from calaim.referrals.services import attestation_date_check, member_resolve

T = TypeVar("T")

# The limits engine names a use's fields; on the referral form they are these service fields.
LIMIT_FIELDS = {
    "start_date": "requested_start",
    "end_date": "requested_end",
    "amount": "amount",
    "hours": "quantity",
    "meals_per_day": "quantity",
    "service": "change_in_circumstances",
    "started_at": "requested_start",
    "ended_at": "requested_end",
}


@dataclass
class ReferralDraft:
    """What the form could read; None where a value was missing or unreadable (the form reports those itself)."""

    source_type: str | None
    member_cin: str | None
    member_birth_date: dt.date | None
    attested_on: dt.date | None
    services: list[ServiceRequestInput | None]
    # Services whose form had errors of its own: only their limits are checked, on what did parse.
    incomplete: set[int] = field(default_factory=set)


def _attempt(problems: list[DomainError], check: Callable[[], T]) -> T | None:
    try:
        return check()
    except DomainError as error:
        problems.append(error)
        return None


def cs_referral_problems(*, actor: User, draft: ReferralDraft, day: dt.date) -> list[DomainError]:
    """Every refusal the form would meet on `day`, each naming its field ("services[i].<field>" for a service)."""
    problems: list[DomainError] = []
    if draft.source_type:
        _attempt(problems, lambda: can_refer_as(actor, str(draft.source_type)).enforce())
    member = None
    if draft.member_cin and draft.member_birth_date:
        cin, born = draft.member_cin, draft.member_birth_date
        member = _attempt(problems, lambda: member_resolve(actor, cin, born))
    if draft.attested_on:
        attested = draft.attested_on
        _attempt(problems, lambda: attestation_date_check(attested, day))
    known = set(services_in_force(day))
    for index, item in enumerate(draft.services):
        if item is None:
            continue
        if index in draft.incomplete:
            fits = item.service_code in known and item.requested_start <= item.requested_end
        else:
            before = len(problems)
            _attempt(problems, partial(service_item_check, index, item, known))
            fits = len(problems) == before
        if member is not None and fits:
            problems += service_limit_problems(member, index, item, day)
    return problems


def service_limit_problems(member: Member, index: int, item: ServiceRequestInput, day: dt.date) -> list[DomainError]:
    """Each limit the service would break, as the routing would find it: only for a request that would be checked
    against the limits (eligible, not linked to an open request for the same service)."""
    service = services_in_force(day)[item.service_code]
    if CsRequest.objects.filter(member=member, service_code=item.service_code, status__in=CS_OPEN_STATUSES).exists():
        return []
    if service_eligibility(member, service, set(item.criteria), day).outcome != "eligible":
        return []
    draft = CsRequest(
        member=member,
        service_code=item.service_code,
        requested_start=item.requested_start,
        requested_end=item.requested_end,
        quantity=item.quantity,
        amount=item.amount,
        change_in_circumstances=item.change_in_circumstances,
        extended=item.extended,
    )
    check = limits.check_request(request_use(draft), usage_history(member), limit_settings_for(member, day), day)
    return [
        ValidationFailed(
            f"Over a limit: {v.message} Change the dates or amounts and send again.",
            field=f"services[{index}].{LIMIT_FIELDS.get(v.field, 'requested_end')}",
            code=f"limit_{v.limit}",
        )
        for v in check.violations
    ]
