"""The ECM provider supervisor's worklist: caseloads by Lead Care Manager, capacity and the caseload."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from calaim.accounts.models import User
from calaim.core.paging import WORKLIST_ROWS, shown
from calaim.ecm.selectors import enrollment_scope
from calaim.network.selectors import ecm_contracts_of
from calaim.web.views.roster_facts import worklist_context


def supervisor_worklist(user: User) -> dict[str, Any]:
    enrollments = enrollment_scope(user).select_related("member", "lead_care_manager")
    by_manager = (
        enrollments.values(
            "lead_care_manager__username", "lead_care_manager__first_name", "lead_care_manager__last_name"
        )
        .annotate(members=Count("id"))
        .order_by("lead_care_manager__username")
    )
    by_plan = dict(enrollments.values_list("member__plan__code").annotate(n=Count("id")))
    assert user.organization_id is not None  # provider staff always belong to an organization
    contracts = ecm_contracts_of(user.organization_id)
    capacity = []
    for contract in contracts:
        serving = by_plan.get(contract.plan.code, 0)
        capacity.append({"contract": contract, "serving": serving, "free": max(contract.capacity - serving, 0)})
    return {
        "by_manager": by_manager,
        "capacity": capacity,
        "caseload": shown(enrollments.order_by("member__last_name", "member__first_name", "pk"), WORKLIST_ROWS),
        **worklist_context(user),
    }
