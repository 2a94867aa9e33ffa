"""The inbox badge on every staff page: how many of the user's notifications are unread."""

from __future__ import annotations

from django.http import HttpRequest

from calaim.notices.models import Notification


def inbox(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not getattr(user, "is_verified", lambda: False)():
        return {}

    def unread() -> int:
        return Notification.objects.filter(user=user, read_at__isnull=True).count()

    # Counted only if the page shows the badge.
    return {"inbox_unread": unread}
