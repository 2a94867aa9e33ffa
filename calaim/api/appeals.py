"""Appeals and grievances endpoints: list, file and read them; extend, resolve and withdraw an appeal; resolve a
grievance. Each reads through calaim.appeals.selectors (out of scope is 404) and writes through one service; a
refusal names the field at fault."""

import uuid

from django.http import HttpRequest
from ninja import Query, Router, Status

from calaim.access.scopes import member_get
from calaim.api.appeals_schemas import (
    AppealExtensionIn,
    AppealIn,
    AppealOut,
    AppealResolutionIn,
    AppealWithdrawalIn,
    CategoryOut,
    GrievanceIn,
    GrievanceOut,
    GrievanceResolutionIn,
    ListFilter,
)
from calaim.api.auth import actor
from calaim.api.errors import ERRORS, LIST_ERRORS, READ_ERRORS
from calaim.api.pagination import paginated
from calaim.appeals.grievances import GrievanceInput, grievance_file, grievance_resolve
from calaim.appeals.models import Appeal, Grievance
from calaim.appeals.rules import rules_on
from calaim.appeals.selectors import (
    ListFilters,
    appeal_get,
    appealable_notice_get,
    appeals_listed,
    grievance_get,
    grievances_listed,
)
from calaim.appeals.services import AppealInput, appeal_extend, appeal_file, appeal_resolve, appeal_withdraw
from calaim.core.clock import plan_today
from calaim.core.errors import NotFound

router = Router(tags=["appeals"])


def _filters(filters: ListFilter) -> ListFilters:
    return ListFilters(show=filters.show, expedited=filters.expedited, member_id=filters.member_id)


@router.get("/appeals", response={200: list[AppealOut], **LIST_ERRORS})
@paginated
def list_appeals(request: HttpRequest, filters: Query[ListFilter]) -> object:
    """Appeals in your scope: open ones (the default) expedited first, then the soonest due."""
    return appeals_listed(actor(request), _filters(filters))


@router.post("/appeals", response={201: AppealOut, **ERRORS})
def file_appeal(request: HttpRequest, payload: AppealIn) -> Status[Appeal]:
    """File the member's appeal of a Notice of Action; one received after the filing window is accepted and
    recorded as late. The acknowledgment letter is queued and the plan's coordinators are told."""
    user = actor(request)
    try:
        notice = appealable_notice_get(user, payload.notice_of_action_id)
    except NotFound as missing:
        raise NotFound(missing.message, field="notice_of_action_id") from None
    data = AppealInput(**payload.dict(exclude={"notice_of_action_id"}))
    return Status(201, appeal_file(actor=user, notice=notice, data=data))


@router.get("/appeals/{appeal_id}", response={200: AppealOut, **READ_ERRORS})
def get_appeal(request: HttpRequest, appeal_id: uuid.UUID) -> Appeal:
    return appeal_get(actor(request), appeal_id)


@router.post("/appeals/{appeal_id}/extension", response={200: AppealOut, **ERRORS})
def extend_appeal(request: HttpRequest, appeal_id: uuid.UUID, payload: AppealExtensionIn) -> Appeal:
    """Extend the resolution once, by at most the configured days; the member is sent the reason."""
    appeal = appeal_get(actor(request), appeal_id)
    return appeal_extend(actor=actor(request), appeal=appeal, **payload.dict())


@router.post("/appeals/{appeal_id}/resolution", response={200: AppealOut, **ERRORS})
def resolve_appeal(request: HttpRequest, appeal_id: uuid.UUID, payload: AppealResolutionIn) -> Appeal:
    """Uphold (the member may ask for a State Fair Hearing by `hearing_deadline`) or overturn (the service is
    authorized as a UM approval would authorize it)."""
    appeal = appeal_get(actor(request), appeal_id)
    return appeal_resolve(actor=actor(request), appeal=appeal, **payload.dict())


@router.post("/appeals/{appeal_id}/withdrawal", response={200: AppealOut, **ERRORS})
def withdraw_appeal(request: HttpRequest, appeal_id: uuid.UUID, payload: AppealWithdrawalIn) -> Appeal:
    appeal = appeal_get(actor(request), appeal_id)
    return appeal_withdraw(actor=actor(request), appeal=appeal, reason=payload.reason)


@router.get("/grievance-categories", response={200: list[CategoryOut], **LIST_ERRORS})
def list_grievance_categories(request: HttpRequest) -> list[dict[str, str]]:
    """The categories a grievance is filed under today (configuration)."""
    return [{"code": code, "label": label} for code, label in rules_on(plan_today()).grievance.categories]


@router.get("/grievances", response={200: list[GrievanceOut], **LIST_ERRORS})
@paginated
def list_grievances(request: HttpRequest, filters: Query[ListFilter]) -> object:
    """Grievances in your scope: open ones (the default) expedited first, then the soonest due."""
    return grievances_listed(actor(request), _filters(filters))


@router.post("/grievances", response={201: GrievanceOut, **ERRORS})
def file_grievance(request: HttpRequest, payload: GrievanceIn) -> Status[Grievance]:
    """Record the member's grievance; the acknowledgment letter is queued and the plan's coordinators are told."""
    user = actor(request)
    try:
        member = member_get(user, payload.member_id)
    except NotFound as missing:
        raise NotFound(missing.message, field="member_id") from None
    data = GrievanceInput(**payload.dict(exclude={"member_id"}))
    return Status(201, grievance_file(actor=user, member=member, data=data))


@router.get("/grievances/{grievance_id}", response={200: GrievanceOut, **READ_ERRORS})
def get_grievance(request: HttpRequest, grievance_id: uuid.UUID) -> Grievance:
    return grievance_get(actor(request), grievance_id)


@router.post("/grievances/{grievance_id}/resolution", response={200: GrievanceOut, **ERRORS})
def resolve_grievance(request: HttpRequest, grievance_id: uuid.UUID, payload: GrievanceResolutionIn) -> Grievance:
    grievance = grievance_get(actor(request), grievance_id)
    return grievance_resolve(actor=actor(request), grievance=grievance, resolution=payload.resolution)
