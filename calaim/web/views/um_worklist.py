"""The UM reviewer's authorization queue."""

from __future__ import annotations

from typing import Any

from calaim.accounts.models import User
from calaim.authorizations.models import UNDECIDED
from calaim.authorizations.selectors import authorization_scope
from calaim.core.paging import WORKLIST_ROWS, shown


def um_worklist(user: User) -> dict[str, Any]:
    queue = authorization_scope(user).filter(status__in=UNDECIDED).select_related("member").order_by("due_at")
    return {"queue": shown(queue, WORKLIST_ROWS)}
