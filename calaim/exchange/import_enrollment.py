"""What an RTF row's enrollment and discontinuation do: the steps of `calaim.workflows.ecm_enrollment`'s
`ecm_enroll` and `ecm_disenroll`, so a provider who only sends files ends in the state one working in calaim's pages
does (the welcome call, the outreach done, the referrer's loop, the member's letters; on a discontinuation the open
tasks cancelled and roster facts resolved).

The workflows check the caller's role against the enrollment (`calaim.ecm.policies`); a file's authority is the
load's (`calaim.exchange.policies.can_import_provider_file`, checked when the load was offered), so the steps run
here without that check, under the load's user.
"""

from __future__ import annotations

import datetime as dt
import uuid

from calaim.accounts.models import User
from calaim.careplans.models import TaskKind
from calaim.careplans.services import task_open, tasks_complete_outreach
from calaim.core.audit import audited_update
from calaim.core.clock import add_business_days, plan_today
from calaim.ecm.models import ACTIVE_ENROLLMENT_STATUSES, Enrollment, EnrollmentStatus
from calaim.ecm.services import ENROLLMENT_FIELDS, enrollment_lock
from calaim.plans.selectors import discontinuation_reason_get, program_settings_for
from calaim.referrals.closed_loop import loop_status_set
from calaim.referrals.models import ReferralStatus
from calaim.workflows.ecm_enrollment import ecm_end, ended_letter, provider_letter


def enroll_reported(*, actor: User | None, enrollment_id: uuid.UUID, enrolled_on: dt.date, source: str) -> bool:
    """The provider reports the assigned member enrolled from `enrolled_on`: False when they no longer wait
    (enrolled or ended meanwhile), else the steps of `ecm_enroll`. Inside the caller's transaction."""
    locked = enrollment_lock(Enrollment(pk=enrollment_id))
    if locked.status != EnrollmentStatus.ASSIGNED:
        return False
    audited_update(
        locked,
        {"status": EnrollmentStatus.ENROLLED, "enrolled_on": enrolled_on},
        actor=actor,
        action="enrollment.enroll",
        fields=ENROLLMENT_FIELDS,
        member=locked.member,
        reason=source,
    )
    settings = program_settings_for(locked.member.plan, plan_today())
    task_open(
        actor=actor,
        enrollment=locked,
        kind=TaskKind.WELCOME_CALL,
        description="Welcome call: introduce the Lead Care Manager and ECM.",
        due_date=add_business_days(plan_today(), settings.welcome_call_business_days),
        owner=locked.lead_care_manager,
    )
    tasks_complete_outreach(actor=actor, enrollment=locked)
    loop_status_set(
        locked.referral,
        ReferralStatus.ENROLLED,
        actor=actor,
        reason=f"Enrolled in ECM with {locked.provider.name} from {enrolled_on} ({source}).",
        letter=provider_letter(locked, enrolled_on=enrolled_on.isoformat()),
    )
    return True


def discontinue_reported(
    *, actor: User | None, enrollment_id: uuid.UUID, reason_code: str, effective_on: dt.date, note: str
) -> bool:
    """The provider reports ECM ended on `effective_on` for a plan's reason: False when the enrollment had already
    ended, else the steps of `ecm_disenroll`. Inside the caller's transaction."""
    locked = enrollment_lock(Enrollment(pk=enrollment_id))
    if locked.status not in ACTIVE_ENROLLMENT_STATUSES:
        return False
    reason = discontinuation_reason_get(reason_code, plan_today())
    ecm_end(actor, locked, reason, note, effective_on)
    loop_status_set(
        locked.referral,
        ReferralStatus.DECLINED if reason.is_opt_out else ReferralStatus.CLOSED,
        actor=actor,
        reason=f"{reason.label}. {note}".strip(),
        cause=reason.code,
        letter=ended_letter(locked, reason),
    )
    return True
