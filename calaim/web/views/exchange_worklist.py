"""What provider files put on worklists: the providers whose RTF has not arrived by the plan's due day (on the plan's
intake worklist, loaded after the page, and on its provider files page), and the contact updates providers report
in their RTF (member services' worklist: each shows the member, what the provider reported and what the roster says,
with Accept, and Dismiss with a note). The roster stays the source of truth; a review records that member services
checked it (calaim.exchange.contact_updates)."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from calaim.accounts.models import User
from calaim.core.clock import plan_today
from calaim.core.errors import Forbidden
from calaim.core.paging import WORKLIST_ROWS, shown
from calaim.exchange.contact_updates import contact_update_accept, contact_update_dismiss
from calaim.exchange.models import ContactUpdate
from calaim.exchange.schedule import rtf_missing
from calaim.exchange.selectors import (
    contact_update_get,
    contact_updates_pending,
    exchange_access_check,
    exchange_plans_for,
)
from calaim.web.access import or_404, staff, verified_required
from calaim.web.forms_exchange import ContactUpdateReviewForm
from calaim.web.views.actions import Action, act, posted

TEMPLATE = "web/exchange/contact_update_form.html"


def contact_updates_context(user: User) -> dict[str, Any]:
    """What member services' worklist adds: the contact updates waiting on them, the oldest first."""
    return {"contact_updates": shown(contact_updates_pending(user), WORKLIST_ROWS)}


def rtf_missing_context(user: User) -> dict[str, Any]:
    """What a plan page adds: the providers whose RTF for last month has not arrived by the plan's due day."""
    plan = exchange_plans_for(user).first() if user.is_plan_staff else None
    return {"rtf_missing": rtf_missing(plan, plan_today()) if plan is not None else []}


@require_GET
@verified_required
def rtf_missing_panel(request: HttpRequest) -> HttpResponse:
    """The plan's "RTF not received" list alone: the intake worklist loads it after the page (htmx), so the
    worklist's own answer stays as quick as before however many providers and members the plan has."""
    user = staff(request)
    try:
        exchange_access_check(user)
    except Forbidden as refusal:
        raise PermissionDenied(refusal.message) from refusal
    if not user.is_plan_staff:
        raise Http404("The providers' missing RTFs are the plan's worklist.")
    return render(request, "web/exchange/_rtf_missing.html", rtf_missing_context(user))


def _update(request: HttpRequest, update_id: uuid.UUID) -> ContactUpdate:
    return or_404(lambda: contact_update_get(staff(request), update_id))


def _review(request: HttpRequest, update_id: uuid.UUID, *, accept: bool) -> HttpResponse:
    user = staff(request)
    update = _update(request, update_id)
    member = update.member
    name = f"{member.first_name} {member.last_name}"
    if accept:
        call, verb = (lambda d: contact_update_accept(actor=user, update=update, note=d["note"])), "Accept"
    else:
        call, verb = (lambda d: contact_update_dismiss(actor=user, update=update, note=d["note"])), "Dismiss"
    return act(
        request,
        Action(
            form=ContactUpdateReviewForm(posted(request)),
            call=call,
            title=f"{verb} the contact update for {name}",
            submit=f"{verb} the update",
            done=f"Contact update for {name} {'accepted' if accept else 'dismissed'}.",
            next_url=reverse("web:home"),
            context={"update": update, "member": member, "accept": accept},
            template=TEMPLATE,
        ),
    )


@verified_required
def accept(request: HttpRequest, update_id: uuid.UUID) -> HttpResponse:
    """Accept a reported address or phone once checked with the member."""
    return _review(request, update_id, accept=True)


@verified_required
def dismiss(request: HttpRequest, update_id: uuid.UUID) -> HttpResponse:
    """Dismiss a reported address or phone that calls for nothing, saying why."""
    return _review(request, update_id, accept=False)
