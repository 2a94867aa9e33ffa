"""What ending ECM will do, said before anything changes: the steps of `calaim.workflows.ecm_enrollment.ecm_disenroll`
read as a list, so staff confirm knowing which tasks are cancelled and what the member and the referrer are told."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from calaim.accounts.models import User
from calaim.careplans.models import OPEN_TASK_STATUSES, CarePlan, Task
from calaim.community_supports.models import CS_OPEN_STATUSES, CsRequest
from calaim.core.clock import plan_today
from calaim.ecm.models import Enrollment, EnrollmentStatus
from calaim.ecm.services import enrollment_end_check
from calaim.plans.selectors import discontinuation_reason_get
from calaim.referrals.models import OPEN_STATUSES as OPEN_REFERRAL_STATUSES
from calaim.roster.models import RosterFact


@dataclass(frozen=True)
class EndingPreview:
    """What confirming will change, and what it leaves alone."""

    reason_label: str
    note: str
    effective_on: dt.date
    new_status: str
    tasks: list[Task] = field(default_factory=list)
    care_plan: CarePlan | None = None
    roster_facts: list[RosterFact] = field(default_factory=list)
    referral_closes: bool = False
    referrer_name: str = ""
    other_supports: list[str] = field(default_factory=list)
    cs_requests_open: int = 0


def ecm_ending_preview(
    *, actor: User, enrollment: Enrollment, reason_code: str, effective_on: dt.date | None = None, note: str = ""
) -> EndingPreview:
    """Check ending ECM as `ecm_disenroll` would (same refusals, on the same fields) and list what it would do,
    writing nothing."""
    effective_on = effective_on or plan_today()
    enrollment_end_check(
        actor=actor, enrollment=enrollment, effective_on=effective_on, reason_code=reason_code, note=note
    )
    reason = discontinuation_reason_get(reason_code, plan_today())
    declined = enrollment.status == EnrollmentStatus.ASSIGNED and reason.is_opt_out
    tasks = Task.objects.filter(enrollment=enrollment, status__in=OPEN_TASK_STATUSES).select_related("owner")
    facts = RosterFact.objects.filter(enrollment=enrollment, resolved_at__isnull=True).order_by("created_at")
    referral = enrollment.referral
    return EndingPreview(
        reason_label=reason.label,
        note=note,
        effective_on=effective_on,
        new_status=str((EnrollmentStatus.DECLINED if declined else EnrollmentStatus.DISENROLLED).label),
        tasks=list(tasks.order_by("due_date", "created_at")),
        care_plan=CarePlan.objects.filter(enrollment=enrollment).first(),
        roster_facts=list(facts),
        referral_closes=referral.status in OPEN_REFERRAL_STATUSES,
        referrer_name=referral.referrer_name,
        other_supports=list(reason.other_supports),
        cs_requests_open=CsRequest.objects.filter(member_id=enrollment.member_id, status__in=CS_OPEN_STATUSES).count(),
    )
