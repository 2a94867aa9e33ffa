"""Builders for the encounter tests: members enrolled with a provider on chosen days, their contacts, and Community
Supports deliveries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from calaim.accounts.models import User
from calaim.careplans.models import OutreachAttempt
from calaim.community_supports.models import CsDelivery, CsRequest
from calaim.ecm.models import Enrollment
from calaim.members.models import Member
from calaim.network.models import Organization
from tests.exchange_export import assign, plan_member
from tests.factories import CsRequestFactory


def enrolled_member(
    provider: Organization,
    *,
    assigned: dt.date,
    enrolled: dt.date | None = None,
    plan: str = "HPSJ",
    **member_fields: object,
) -> Enrollment:
    """A new member of `plan` assigned to `provider` (and enrolled) on the days given."""
    return assign(plan_member(plan, **member_fields), provider, assigned=assigned, enrolled=enrolled)


def attempt_by(
    enrollment: Enrollment,
    day: dt.date,
    method: str,
    *,
    reached: bool,
    by: User | None = None,
    source: str = "calaim",
) -> OutreachAttempt:
    """A contact recorded by the provider's care manager (or `by`), in calaim or from an Outreach Tracker File."""
    return OutreachAttempt.objects.create(
        member=enrollment.member,
        enrollment=enrollment,
        organization=enrollment.provider,
        attempted_on=day,
        method=method,
        reached=reached,
        minutes_spent=20,
        performed_by=by or User.objects.get(username="cm_a"),
        source=source,
        source_ref="load-1" if source == "otf" else "",
    )


def delivery(
    member: Member,
    provider: Organization,
    service_code: str,
    start: dt.date,
    end: dt.date,
    *,
    units: str = "1",
    cost: str = "0",
    hours: str = "0",
) -> CsDelivery:
    """A Community Supports delivery recorded by the provider on an authorized request for the service."""
    request: CsRequest = CsRequestFactory(
        member=member,
        service_code=service_code,
        authorized=True,
        provider=provider,
        requested_start=start,
        requested_end=end,
    )
    return CsDelivery.objects.create(
        request=request,
        member=member,
        service_code=service_code,
        provider=provider,
        start_date=start,
        end_date=end,
        units=Decimal(units),
        cost=Decimal(cost),
        hours=Decimal(hours),
        recorded_by=User.objects.get(username="intake"),
    )
