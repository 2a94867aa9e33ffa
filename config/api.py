"""The JSON API: one NinjaAPI assembling each app's router; OpenAPI 3 at /api/openapi.json."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from calaim.api.appeals import router as appeals_router
from calaim.api.auth import AUTH
from calaim.api.authorizations import router as authorizations_router
from calaim.api.base import CalaimApi
from calaim.api.careplans import router as careplans_router
from calaim.api.community_supports import router as community_supports_router
from calaim.api.compliance import router as compliance_router
from calaim.api.documents import router as documents_router
from calaim.api.ecm import router as ecm_router
from calaim.api.errors import error_body
from calaim.api.exchange import router as exchange_router
from calaim.api.identification import router as identification_router
from calaim.api.ltc import router as ltc_router
from calaim.api.members import router as members_router
from calaim.api.notices import router as notices_router
from calaim.api.notifications import router as notifications_router
from calaim.api.plans import router as plans_router
from calaim.api.referrals import router as referrals_router
from calaim.api.reports import router as reports_router
from calaim.api.roster import router as roster_router
from calaim.api.roster_facts import router as roster_facts_router
from calaim.core.errors import DomainError

api = CalaimApi(
    title="calaim API",
    version="1",
    description="CalAIM Enhanced Care Management for Medi-Cal plans and their providers. Authenticate with "
    "`Authorization: Bearer <token>` (machine clients) or a browser session signed in with the password and the "
    "authenticator code (writes send the CSRF token). Every error answers a `detail` list of {type, loc, msg}; lists "
    "page with `limit` (at most 200) and `offset`.",
    auth=AUTH,
    urls_namespace="api",
)
for router in (
    referrals_router,
    ecm_router,
    authorizations_router,
    members_router,
    careplans_router,
    notices_router,
    plans_router,
    community_supports_router,
    compliance_router,
    roster_router,
    identification_router,
    roster_facts_router,
    reports_router,
    exchange_router,
    notifications_router,
    appeals_router,
    documents_router,
    ltc_router,
):
    api.add_router("/", router)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    # Several problems found at once (ProblemsFound) are answered together, one item each.
    items = [error_body(e.message, e.field, e.code)["detail"][0] for e in getattr(exc, "problems", [exc])]
    return api.create_response(request, {"detail": items}, status=exc.status_code)
