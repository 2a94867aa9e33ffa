"""Electronic notifications: the in-app inbox and email (through Django's SMTP backend), with no PHI in them.

`notification_dispatch(notice)` turns a referrer's or provider's notice into the notifications it owes (an inbox
item for each user to be told, an email to each address). `notification_send(...)` is the same for any other
event (an appeal filed, a letter returned). Both must be called inside the transaction of the change; the emails
are sent after it commits.
"""

from __future__ import annotations

from collections.abc import Iterable

from calaim.accounts.models import User
from calaim.notices.models import Notice, Notification


def notification_dispatch(notice: Notice) -> list[Notification]:
    """Create the notice's notifications; the caller holds the notice's row lock inside a transaction."""
    return []


def notification_send(
    *,
    users: Iterable[User],
    emails: Iterable[str] = (),
    event: str,
    message: str,
    link: str,
    notice: Notice | None = None,
) -> list[Notification]:
    """Tell these users (inbox, and email when they have an address) and these addresses (email) that `event`
    happened; `message` and `link` carry no PHI."""
    return []
