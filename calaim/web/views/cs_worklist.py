"""A Community Supports provider's worklist: its assigned requests awaiting delivery and its recent deliveries."""

from __future__ import annotations

import datetime as dt
from typing import Any

from calaim.accounts.models import User
from calaim.community_supports.models import CsRequestStatus
from calaim.community_supports.selectors import (
    cs_authorization_ended,
    cs_deliveries_of,
    cs_in_force,
    cs_request_scope,
)
from calaim.core.clock import plan_today
from calaim.core.paging import WORKLIST_ROWS, shown
from calaim.network.models import OrganizationKind
from calaim.web.views.roster_facts import worklist_context

RECENT_DELIVERY_DAYS = 30


def is_cs_provider_staff(user: User) -> bool:
    """Staff of an organization that provides Community Supports land on the CS provider worklist."""
    return (
        user.is_provider_staff
        and user.organization is not None
        and user.organization.kind == (OrganizationKind.CS_PROVIDER)
    )


def _cs_provider(user: User) -> dict[str, Any]:
    assigned = cs_request_scope(user).filter(provider_id=user.organization_id).select_related("member")
    today = plan_today()
    since = today - dt.timedelta(days=RECENT_DELIVERY_DAYS)
    serving = assigned.filter(status=CsRequestStatus.IN_SERVICE)
    deliveries = (
        cs_deliveries_of(assigned)
        .filter(start_date__gte=since)
        .select_related("request", "member", "recorded_by__organization")
        .order_by("-start_date", "-created_at")
    )
    return {
        "awaiting_first": shown(
            assigned.filter(status=CsRequestStatus.AUTHORIZED).order_by("requested_start"), WORKLIST_ROWS
        ),
        # In service means authorized today; an ended one stays open until closed, so it is listed apart.
        "in_service": shown(cs_in_force(serving, today).order_by("authorized_end"), WORKLIST_ROWS),
        "ended": shown(cs_authorization_ended(serving, today).order_by("-authorized_end"), WORKLIST_ROWS),
        "recent_deliveries": shown(deliveries, WORKLIST_ROWS),
        "recent_days": RECENT_DELIVERY_DAYS,
        **worklist_context(user),
    }
