"""A Community Supports provider's worklist: its assigned requests awaiting delivery and its recent deliveries."""

from __future__ import annotations

import datetime as dt
from typing import Any

from calaim.accounts.models import User
from calaim.community_supports.models import CsRequestStatus
from calaim.community_supports.selectors import cs_deliveries_of, cs_request_scope
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
    since = plan_today() - dt.timedelta(days=RECENT_DELIVERY_DAYS)
    deliveries = (
        cs_deliveries_of(assigned)
        .filter(start_date__gte=since)
        .select_related("request", "member", "recorded_by")
        .order_by("-start_date", "-created_at")
    )
    return {
        "awaiting_first": shown(
            assigned.filter(status=CsRequestStatus.AUTHORIZED).order_by("requested_start"), WORKLIST_ROWS
        ),
        "in_service": shown(
            assigned.filter(status=CsRequestStatus.IN_SERVICE).order_by("requested_end"), WORKLIST_ROWS
        ),
        "recent_deliveries": shown(deliveries, WORKLIST_ROWS),
        "recent_days": RECENT_DELIVERY_DAYS,
        **worklist_context(user),
    }
