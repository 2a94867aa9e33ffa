"""The PHI read log for plan compliance staff: who read which of the plan's members' data, what, when and from
where. Reading it is itself logged."""

import uuid

from django.http import HttpRequest
from ninja import Router

from calaim.access.phi_log import PhiLogFilters, phi_log_member, phi_reads
from calaim.api.auth import actor
from calaim.api.compliance_schemas import PhiReadOut
from calaim.api.errors import ERRORS
from calaim.api.pagination import paginated
from calaim.api.types import Day, Line

router = Router(tags=["compliance"])


@router.get("/phi-reads", response={200: list[PhiReadOut], **ERRORS})
@paginated
def list_phi_reads(
    request: HttpRequest,
    member_id: uuid.UUID | None = None,
    username: Line = "",
    start: Day | None = None,
    end: Day | None = None,
) -> object:
    """Reads of your plan's members' data, latest first (plan compliance staff only): by member, by the user who
    read (username) and by plan-local date, `start` and `end` included."""
    caller = actor(request)
    member = phi_log_member(caller, member_id) if member_id is not None else None
    return phi_reads(caller, PhiLogFilters(member=member, username=username.strip(), start=start, end=end))
