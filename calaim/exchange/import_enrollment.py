"""What an RTF row's discontinuation does: the steps of `calaim.workflows.ecm_enrollment.ecm_disenroll`, so a
provider who only sends files ends in the state one working in calaim's pages does (ECM ended for the plan's reason,
the open tasks cancelled, roster facts resolved, the referrer's loop closed, the member's letter). Enrollments are
`import_enroll_bulk`'s.

The workflows check the caller's role against the enrollment (`calaim.ecm.policies`); a file's authority is the
load's (`calaim.exchange.policies.can_import_provider_file`, checked when the load was offered), so the steps run
here without that check, under the load's user.
"""

from __future__ import annotations

import datetime as dt
import uuid

from calaim.accounts.models import User
from calaim.core.clock import plan_today
from calaim.ecm.models import ACTIVE_ENROLLMENT_STATUSES, Enrollment
from calaim.ecm.services import enrollment_lock
from calaim.plans.selectors import discontinuation_reason_get
from calaim.workflows.ecm_enrollment import ecm_end, ecm_loop_close


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
    ecm_loop_close(actor, locked, reason)
    return True
