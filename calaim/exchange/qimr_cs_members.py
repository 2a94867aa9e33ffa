"""QIMR Tab 4, CS Members and Services: one row per member approved for or receiving a Community Support in the
quarter, with a 0/1 column per service approved and per service received (`qimr.yaml` names which services each
column counts; "Other Services" counts those no other column names).

Approved: an approved authorization of the member's request for the service whose authorized period overlaps the
quarter (without a period: decided in the quarter) [P: approvals come from authorizations]. Received: a delivery
recorded for the service overlapping the quarter (calaim's deliveries stand where the plan's code reads claims).
Two set-based queries: approvals and deliveries, each with the members it names.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Q, QuerySet

from calaim.authorizations.models import APPROVED
from calaim.community_supports.models import CsDelivery, CsRequest
from calaim.exchange.qimr_period import dhcs_date
from calaim.exchange.qimr_template import TabContext, TabRows


def _approvals(ctx: TabContext) -> QuerySet[CsRequest, Any]:
    q = ctx.quarter
    in_period = Q(authorization__period_start__lte=q.last_day, authorization__period_end__gte=q.first_day)
    decided = Q(
        authorization__period_start__isnull=True,
        authorization__decided_at__gte=q.starts_at,
        authorization__decided_at__lt=q.ends_before,
    )
    return (
        CsRequest.objects.filter(member__plan_id=ctx.plan.pk, authorization__status__in=APPROVED)
        .filter(in_period | decided)
        .order_by()
    )


def _receipts(ctx: TabContext) -> QuerySet[CsDelivery, Any]:
    q = ctx.quarter
    return CsDelivery.objects.filter(
        member__plan_id=ctx.plan.pk, start_date__lte=q.last_day, end_date__gte=q.first_day
    ).order_by()


_MEMBER_FIELDS = (
    "member__cin",
    "member__last_name",
    "member__first_name",
    "member__birth_date",
    "member__county__name",
)


def _services_by_member(rows: QuerySet[Any, Any], members: dict[Any, tuple[Any, ...]]) -> dict[Any, set[str]]:
    """Each member's services among `rows`; the members' own columns are gathered into `members` on the way."""
    found: dict[Any, set[str]] = defaultdict(set)
    distinct = rows.values_list("member_id", "service_code", *_MEMBER_FIELDS).distinct()
    for member_id, service, *member in distinct.iterator(chunk_size=5000):
        found[member_id].add(service)
        members.setdefault(member_id, tuple(member))
    return found


def cs_members_and_services(ctx: TabContext) -> TabRows:
    members: dict[Any, tuple[Any, ...]] = {}
    approved = _services_by_member(_approvals(ctx), members)
    received = _services_by_member(_receipts(ctx), members)
    result = TabRows()
    for member_id, (cin, last_name, first_name, birth_date, county) in sorted(members.items(), key=lambda m: m[1][0]):
        got = frozenset(received.get(member_id, ()))
        record = {
            **ctx.common(county),
            "member_cin": cin,
            "member_last_name": last_name,
            "member_first_name": first_name,
            "member_birth_date": dhcs_date(birth_date),
            "received_any": 1 if got else 0,
        }
        flags = {"approved": frozenset(approved.get(member_id, ())), "received": got}
        result.rows.append(ctx.template.row(record, flags))
        result.member_ids.add(member_id)
    return result
