"""Reference data in force today: Populations of Focus, discontinuation reasons, referral sources."""

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema

from calaim.api.errors import LIST_ERRORS, errors
from calaim.api.types import Day
from calaim.core.clock import plan_today
from calaim.plans.models import DiscontinuationReason, ReferralSourceType
from calaim.plans.selectors import latest_by_code, pofs_in_force

router = Router(tags=["reference data"])


class CriterionOut(Schema):
    key: str
    label: str
    member_fact: str | None = None


class PofOut(Schema):
    code: str
    name: str
    age_group: str
    max_age: int | None
    referral_only: bool
    legacy: bool
    version: str
    effective_from: dt.date
    effective_to: dt.date | None
    criteria: list[CriterionOut]


class CodeLabelOut(Schema):
    code: str
    label: str


class ReasonOut(CodeLabelOut):
    is_opt_out: bool
    other_supports: list[str]


@router.get("/reference/populations-of-focus", response={200: list[PofOut], **LIST_ERRORS})
def list_pofs(request: HttpRequest, on: Day | None = None) -> object:
    """Populations of Focus in force on a date, with the criteria a referral attests to."""
    return pofs_in_force(on or plan_today())


@router.get("/reference/discontinuation-reasons", response={200: list[ReasonOut], **errors(401)})
def list_reasons(request: HttpRequest) -> object:
    return list(latest_by_code(DiscontinuationReason, plan_today()).values())


@router.get("/reference/referral-sources", response={200: list[CodeLabelOut], **errors(401)})
def list_sources(request: HttpRequest) -> object:
    return list(latest_by_code(ReferralSourceType, plan_today()).values())
