"""Member endpoints: search and record within the caller's scope, and the member's audit trail."""

import datetime as dt
import uuid

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from calaim.access.scopes import member_get, member_search
from calaim.accounts.policies import PLAN_ROLES, plan_staff_in
from calaim.api.auth import actor
from calaim.api.errors import LIST_ERRORS, READ_ERRORS
from calaim.api.pagination import paginated
from calaim.api.types import Line
from calaim.members.models import Member
from calaim.members.selectors import member_audit_trail

router = Router(tags=["members"])


class MemberListOut(Schema):
    id: uuid.UUID
    cin: str
    first_name: str
    last_name: str
    birth_date: dt.date
    plan: str = Field(..., alias="plan.code")
    county: str = Field(..., alias="county.name")


class MemberOut(MemberListOut):
    sex: str
    race_ethnicity: str
    language: str
    phone: str
    address_line: str
    city: str
    zip_code: str
    experiencing_homelessness: bool
    delegated_to: str | None = None
    dsnp: bool
    pcp_name: str
    behavioral_health_provider_name: str
    release_date: dt.date | None
    ccs_enrolled: bool
    foster_care: str
    programs: list[str] = []

    @staticmethod
    def resolve_delegated_to(obj: Member) -> str | None:
        return obj.delegated_to.name if obj.delegated_to else None

    @staticmethod
    def resolve_programs(obj: Member) -> list[str]:
        return [
            f"{p.program_code} from {p.start_date}" + (f" to {p.end_date}" if p.end_date else "")
            for p in obj.programs.all()
        ]


class AuditEventOut(Schema):
    at: dt.datetime
    actor_label: str
    action: str
    object_type: str
    object_id: str
    before: dict[str, object] | None
    after: dict[str, object] | None
    reason: str


class MemberSearch(Schema):
    q: Line = Field("", max_length=100, description="A CIN, a name or a birth date (YYYY-MM-DD).")


@router.get("/members", response={200: list[MemberListOut], **LIST_ERRORS})
@paginated
def list_members(request: HttpRequest, search: Query[MemberSearch]) -> object:
    """Members in your scope, searched by CIN, name or birth date (YYYY-MM-DD)."""
    return member_search(actor(request), search.q, related=("plan", "county"))


@router.get("/members/{member_id}", response={200: MemberOut, **READ_ERRORS})
def get_member(request: HttpRequest, member_id: uuid.UUID) -> Member:
    return member_get(actor(request), member_id)


@router.get("/members/{member_id}/audit-events", response={200: list[AuditEventOut], **READ_ERRORS})
def member_audit(request: HttpRequest, member_id: uuid.UUID) -> object:
    """Every recorded change to the member's ECM record (plan staff only)."""
    member = member_get(actor(request), member_id)
    plan_staff_in(actor(request), PLAN_ROLES, member.plan_id, "read the audit trail").enforce()
    return member_audit_trail(member)
