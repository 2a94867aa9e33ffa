"""Roster facts: the changes in the plan's roster (left the plan, entered an excluding program, D-SNP, delegated,
moved) that bear on a member's open ECM or Community Supports work, until someone acts on them."""

import datetime as dt
import uuid
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from calaim.api.auth import actor
from calaim.api.errors import ERRORS, LIST_ERRORS, READ_ERRORS
from calaim.api.pagination import paginated
from calaim.api.types import Line, Note
from calaim.core.paging import count_upto
from calaim.roster.fact_selectors import FactView, fact_views, roster_fact_get, roster_facts_list
from calaim.roster.fact_services import NOTE_MAX, roster_fact_dismiss, roster_fact_resolve
from calaim.roster.models import FactKind, RosterFact

router = Router(tags=["roster"])


class RosterFactOut(Schema):
    id: uuid.UUID
    member_id: uuid.UUID
    member_cin: str
    plan: str
    load_id: uuid.UUID
    roster_as_of: dt.date
    kind: FactKind
    detail: str
    effective_date: dt.date
    sentence: str = Field(description='What the roster said, with the plan-local date: "left the plan on 11/30/2026".')
    work: str = Field(description="The open work the fact bears on.")
    enrollment_id: uuid.UUID | None
    referral_id: uuid.UUID | None
    cs_request_id: uuid.UUID | None
    provider_id: uuid.UUID | None = Field(description="The organization that should act (null: the plan).")
    reason_code: str = Field(description="The discontinuation reason that answers the fact (empty: none in force).")
    reason_label: str
    resolved_at: dt.datetime | None
    resolution: str
    note: str


class RosterFactFilter(Schema):
    kind: FactKind | None = None
    member_id: uuid.UUID | None = None
    include_resolved: bool = Field(False, description="Also list the facts already resolved or dismissed.")


class DismissIn(Schema):
    note: Note = Field(min_length=1, max_length=NOTE_MAX, description="Why the fact calls for nothing.")


class ResolveIn(Schema):
    resolution: Line = Field(min_length=1, max_length=200, description="What was done.")
    note: Note = Field("", max_length=NOTE_MAX)


def _out(view: FactView) -> dict[str, Any]:
    fact = view.fact
    return {
        **{name: getattr(fact, name) for name in ("id", "member_id", "load_id", "kind", "detail", "effective_date")},
        **{name: getattr(fact, name) for name in ("enrollment_id", "referral_id", "cs_request_id", "provider_id")},
        **{name: getattr(fact, name) for name in ("resolved_at", "resolution", "note")},
        "member_cin": fact.member.cin,
        "plan": fact.plan.code,
        "roster_as_of": fact.load.as_of,
        "sentence": view.sentence,
        "work": view.work,
        "reason_code": view.reason_code,
        "reason_label": view.reason_label,
    }


class _Page:
    """The facts of one page read as a list: each shown with its sentence, the names looked up once a page."""

    def __init__(self, facts: QuerySet[RosterFact]) -> None:
        self.facts = facts

    def __getitem__(self, page: slice) -> list[dict[str, Any]]:
        return [_out(view) for view in fact_views(self.facts.select_related("plan")[page])]

    def __len__(self) -> int:
        return self.facts.count()

    def count_upto(self, bound: int) -> int:
        return count_upto(self.facts, bound)


@router.get("/roster-facts", response={200: list[RosterFactOut], **LIST_ERRORS})
@paginated
def list_roster_facts(request: HttpRequest, filters: Query[RosterFactFilter]) -> object:
    """Open roster facts in your scope, most recent first: plan staff see their plan's, provider staff those whose
    provider is their organization; by kind and member."""
    caller = actor(request)
    return _Page(
        roster_facts_list(
            caller, kind=filters.kind, member_id=filters.member_id, include_resolved=filters.include_resolved
        )
    )


@router.get("/roster-facts/{fact_id}", response={200: RosterFactOut, **READ_ERRORS})
def get_roster_fact(request: HttpRequest, fact_id: uuid.UUID) -> dict[str, Any]:
    return _out(fact_views([roster_fact_get(actor(request), fact_id)])[0])


@router.post("/roster-facts/{fact_id}/dismiss", response={200: RosterFactOut, **ERRORS})
def dismiss_roster_fact(request: HttpRequest, fact_id: uuid.UUID, payload: DismissIn) -> dict[str, Any]:
    """Dismiss a fact that calls for nothing, saying why (the provider's care staff, plan intake, member services)."""
    fact = roster_fact_get(actor(request), fact_id)
    roster_fact_dismiss(actor=actor(request), fact=fact, note=payload.note)
    return _out(fact_views([roster_fact_get(actor(request), fact_id)])[0])


@router.post("/roster-facts/{fact_id}/resolve", response={200: RosterFactOut, **ERRORS})
def resolve_roster_fact(request: HttpRequest, fact_id: uuid.UUID, payload: ResolveIn) -> dict[str, Any]:
    """Mark a fact acted on, saying what was done (ending ECM or closing the request resolves it by itself)."""
    fact = roster_fact_get(actor(request), fact_id)
    roster_fact_resolve(actor=actor(request), fact=fact, resolution=payload.resolution, note=payload.note)
    return _out(fact_views([roster_fact_get(actor(request), fact_id)])[0])
