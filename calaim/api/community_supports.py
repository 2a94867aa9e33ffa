"""Community Supports endpoints: catalog, CSS referrals, deliveries, closing, options for a member."""

import uuid

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from calaim.access.scopes import member_get
from calaim.api.auth import actor
from calaim.api.community_supports_schemas import (
    CloseIn,
    CsReferralIn,
    CsRequestOut,
    DeliveryIn,
    DeliveryOut,
    OptionOut,
    ReassignIn,
    ReassignOut,
    ServiceOut,
)
from calaim.api.errors import ERRORS, LIST_ERRORS, READ_ERRORS, errors
from calaim.api.pagination import paginated
from calaim.api.types import IdempotencyKey, Line
from calaim.community_supports.deliveries import DeliveryInput, cs_delivery_record
from calaim.community_supports.eligibility import services_in_force, what_could_member_get
from calaim.community_supports.models import CsDelivery, CsRequest, DelegateReassignment
from calaim.community_supports.selectors import cs_request_get, cs_request_scope
from calaim.community_supports.services import CsReferralInput, ServiceRequestInput
from calaim.core.clock import plan_today
from calaim.workflows.community_supports import cs_request_end, cs_request_submit, delegate_reassign

router = Router(tags=["community supports"])


class RequestFilter(Schema):
    status: Line | None = Field(None, max_length=30)
    member_id: uuid.UUID | None = None
    service_code: Line | None = Field(None, max_length=40)


@router.get("/community-supports/services", response={200: list[ServiceOut], **errors(401)})
def list_services(request: HttpRequest) -> object:
    """The Community Supports catalog in force today, with criteria checklists, codes and limits."""
    return list(services_in_force(plan_today()).values())


@router.post("/community-supports/requests", response={201: list[CsRequestOut], **ERRORS})
def create_requests(
    request: HttpRequest,
    payload: CsReferralIn,
    idempotency_key: IdempotencyKey = "",
) -> Status[list[CsRequest]]:
    """Submit the CSS referral form: one request per service, each routed at once. Retrying with the same
    Idempotency-Key and the same form returns the first requests; the key used for another form is a 409."""
    data = payload.dict()
    data["services"] = [ServiceRequestInput(**s) for s in data["services"]]
    created = cs_request_submit(actor=actor(request), data=CsReferralInput(**data), idempotency_key=idempotency_key)
    return Status(201, created)


@router.get("/community-supports/requests", response={200: list[CsRequestOut], **LIST_ERRORS})
@paginated
def list_requests(request: HttpRequest, filters: Query[RequestFilter]) -> object:
    requests = cs_request_scope(actor(request))
    for name in ("status", "member_id", "service_code"):
        if value := getattr(filters, name):
            requests = requests.filter(**{name: value})
    return requests


@router.get("/community-supports/requests/{request_id}", response={200: CsRequestOut, **READ_ERRORS})
def get_request(request: HttpRequest, request_id: uuid.UUID) -> CsRequest:
    return cs_request_get(actor(request), request_id)


@router.post("/community-supports/requests/{request_id}/deliveries", response={201: DeliveryOut, **ERRORS})
def record_delivery(request: HttpRequest, request_id: uuid.UUID, payload: DeliveryIn) -> Status[CsDelivery]:
    """The assigned CS provider records a delivered service; refused with the limit's reason if over one."""
    cs_request = cs_request_get(actor(request), request_id)
    return Status(
        201,
        cs_delivery_record(actor=actor(request), request=cs_request, data=DeliveryInput(**payload.dict())),
    )


@router.get("/community-supports/requests/{request_id}/deliveries", response={200: list[DeliveryOut], **READ_ERRORS})
def list_deliveries(request: HttpRequest, request_id: uuid.UUID) -> object:
    return cs_request_get(actor(request), request_id).deliveries.all()


@router.post("/community-supports/requests/{request_id}/close", response={200: CsRequestOut, **ERRORS})
def close_request(request: HttpRequest, request_id: uuid.UUID, payload: CloseIn) -> CsRequest:
    cs_request = cs_request_get(actor(request), request_id)
    return cs_request_end(actor=actor(request), request=cs_request, reason=payload.reason)


@router.get("/members/{member_id}/community-supports", response={200: list[OptionOut], **READ_ERRORS})
def member_options(request: HttpRequest, member_id: uuid.UUID) -> object:
    """What could this member get: each Community Support offered in their county today, with reasons and
    what remains of each limit."""
    member = member_get(actor(request), member_id)
    return what_could_member_get(member, plan_today())


@router.post("/members/{member_id}/delegate-reassignment", response={201: ReassignOut, **ERRORS})
def reassign(request: HttpRequest, member_id: uuid.UUID, payload: ReassignIn) -> Status[DelegateReassignment]:
    """A Kaiser member chooses reassignment to the plan for services Kaiser does not offer."""
    member = member_get(actor(request), member_id)
    return Status(201, delegate_reassign(actor=actor(request), member=member, **payload.dict()))
