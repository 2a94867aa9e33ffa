"""The inbox: every signed-in user's own notifications, newest first; opening one marks it read and goes to its
page; one or all marked read by a POST (with htmx, the row or the list comes back refreshed)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from calaim.core.paging import page_number, page_of
from calaim.notices.inbox import (
    notification_get,
    notification_mark_read,
    notification_scope,
    notifications_mark_all_read,
)
from calaim.notices.models import Notification
from calaim.web.access import or_404, staff, verified_required

PAGE_SIZE = 25


def _scoped(request: HttpRequest, notification_id: uuid.UUID) -> Notification:
    return or_404(lambda: notification_get(staff(request), notification_id))


def _list_context(request: HttpRequest, number: int) -> dict[str, object]:
    unread_only = request.GET.get("unread") == "1"
    page = page_of(notification_scope(staff(request), unread=unread_only), number, PAGE_SIZE)
    return {"page": page, "unread_only": unread_only}


def _inbox_url(page: str | None) -> str:
    number = page_number(page)
    return reverse("web:inbox") + (f"?page={number}" if number > 1 else "")


@require_GET
@verified_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The user's notifications, newest first, unread ones marked; ?unread=1 for the unread alone."""
    return render(request, "web/inbox/list.html", _list_context(request, page_number(request.GET.get("page"))))


@require_GET
@verified_required
def inbox_open(request: HttpRequest, notification_id: uuid.UUID) -> HttpResponse:
    """Open a notification: marked read, then its page (a page of calaim only, else back to the inbox)."""
    notification = _scoped(request, notification_id)
    notification_mark_read(actor=staff(request), notification=notification)
    link = notification.link
    safe = link.startswith("/") and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()})
    return redirect(link if safe else reverse("web:inbox"))


@require_POST
@verified_required
def inbox_read(request: HttpRequest, notification_id: uuid.UUID) -> HttpResponse:
    """Mark one notification read; with htmx, its row comes back."""
    notification = notification_mark_read(actor=staff(request), notification=_scoped(request, notification_id))
    if request.headers.get("HX-Request"):
        return render(request, "web/inbox/_row.html", {"n": notification})
    return redirect(_inbox_url(request.POST.get("page")))


@require_POST
@verified_required
def inbox_read_all(request: HttpRequest) -> HttpResponse:
    """Mark every unread notification read; with htmx, the list comes back."""
    marked = notifications_mark_all_read(actor=staff(request))
    if request.headers.get("HX-Request"):
        return render(request, "web/inbox/_items.html", _list_context(request, 1))
    messages.success(request, f"{marked} notification{'' if marked == 1 else 's'} marked read.")
    return redirect("web:inbox")
