"""What a UM reviewer reads before deciding, per program: for ECM the attested Populations of Focus, the
eligibility determination and its evidence, and the referrer; for Community Supports the service, dates, units,
justification and what remains of the member's limits; for both, the member's earlier decisions and appeals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from calaim.accounts.models import User
from calaim.authorizations.models import AuthorizationRequest
from calaim.authorizations.selectors import authorization_history
from calaim.community_supports import limits
from calaim.community_supports.eligibility import limit_settings_for, request_use, services_in_force, usage_history
from calaim.community_supports.models import CsRequest, CsService
from calaim.community_supports.selectors import cs_service_names
from calaim.core.clock import plan_today
from calaim.core.errors import ValidationFailed
from calaim.ecm.selectors import determination_scope
from calaim.web.views.referrals import _attestations

PRIOR_SHOWN = 20


def ecm_review(user: User, authorization: AuthorizationRequest) -> dict[str, Any]:
    """The referral's attested Populations of Focus with their facts, and the eligibility determinations with the
    evidence behind each criterion."""
    referral = authorization.referral
    determinations = determination_scope(user).select_related("determined_by").order_by("-created_at")
    if referral is not None:
        determinations = determinations.filter(referral=referral)
    else:
        determinations = determinations.filter(member_id=authorization.member_id)[:1]
    return {
        "referral": referral,
        "attestations": _attestations(referral) if referral is not None else [],
        "determinations": list(determinations),
    }


def _units(request: CsRequest, service: CsService | None) -> str:
    """The request's units in the catalog's terms: days of a stay, hours, meals a day, dollars, or services."""
    unit = service.unit if service else "service"
    days = (request.requested_end - request.requested_start).days + 1
    span = f"{days} day{'s' if days != 1 else ''}"
    if unit == "hour":
        return f"{_number(request.quantity)} hours over {span}"
    if unit == "meal":
        return f"{_number(request.quantity)} meals a day for {span}"
    if unit == "dollars":
        return f"${request.amount:,.2f}"
    if unit == "day":
        return span
    return f"{_number(request.quantity)} {unit}" if request.quantity else f"{unit} over {span}"


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _limits(request: CsRequest, settings: limits.LimitSettings | None, today: dt.date) -> dict[str, Any]:
    """Whether approving fits the member's limits, and what remains of each limit on this service."""
    if settings is None:
        return {"limits_known": False, "violations": [], "remaining": []}
    history = usage_history(request.member, request.pk)
    check = limits.check_request(request_use(request), history, settings, today)
    code = request.service_code
    remaining = [
        r
        for r in limits.remaining(history, settings, today)
        if code in r.limit or (code in settings.room_board_services and r.limit == limits.ROOM_BOARD)
    ]
    return {"limits_known": True, "violations": check.violations, "remaining": remaining, "version": check.version}


def cs_review(authorization: AuthorizationRequest) -> dict[str, Any]:
    """Each Community Supports request this authorization decides: the service, dates, units, justification,
    eligibility, and the member's limits."""
    today = plan_today()
    catalog = services_in_force(today)
    requests = list(authorization.cs_requests.select_related("referrer_organization").order_by("created_at"))
    try:
        settings: limits.LimitSettings | None = limit_settings_for(authorization.member, today)
    except ValidationFailed:
        settings = None  # the plan has no limit settings today: the page says so rather than failing
    rows = []
    for request in requests:
        request.member = authorization.member  # already read, with its plan
        service = catalog.get(request.service_code)
        rows.append(
            {
                "request": request,
                "service": service.name if service else request.service_code,
                "unit": service.unit if service else "",
                "units": _units(request, service),
                "criteria": _criteria_labels(request, service),
                **_limits(request, settings, today),
            }
        )
    return {"cs_rows": rows}


def _criteria_labels(request: CsRequest, service: CsService | None) -> list[str]:
    labels = {c.get("key"): c.get("label", c.get("key")) for c in (service.criteria if service else [])}
    return [str(labels.get(key, key)) for key in request.criteria_attested]


def prior_decisions(user: User, authorization: AuthorizationRequest) -> list[dict[str, Any]]:
    """The member's other requests, the latest first, with what was decided and any appeal of it."""
    names = cs_service_names()
    others = authorization_history(user, authorization).prefetch_related("appeals", "cs_requests")[:PRIOR_SHOWN]
    rows = []
    for other in others:
        codes = [r.service_code for r in other.cs_requests.all()]
        service = ", ".join(names.get(c, c) for c in codes) if codes else "Enhanced Care Management"
        rows.append({"authorization": other, "service": service, "appeals": list(other.appeals.all())})
    return rows
