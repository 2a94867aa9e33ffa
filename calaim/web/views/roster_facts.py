"""Roster facts in the browser: dismissing one with a note, and what the worklists, the member record and the
discontinuation and close forms show of them (the facts of the work at hand and the reason to preselect)."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from calaim.access.scopes import member_visible
from calaim.accounts.models import User
from calaim.community_supports.models import CsRequest
from calaim.ecm.models import Enrollment
from calaim.members.models import Member
from calaim.roster.fact_selectors import (
    FactView,
    fact_views,
    leading_fact,
    open_facts_of_cs_request,
    open_facts_of_enrollment,
    open_facts_of_member,
    roster_fact_get,
    worklist_facts,
)
from calaim.roster.fact_services import NOTE_MAX, roster_fact_dismiss
from calaim.roster.models import RosterFact
from calaim.web.access import or_404, staff, verified_required
from calaim.web.forms import CalaimForm
from calaim.web.views.actions import Action, act, posted


class RosterFactDismissForm(CalaimForm):
    note = forms.CharField(
        label="Why does this fact call for nothing?",
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: the member re-enrolled in the plan on 12/03; the hospice election was revoked.",
    )


def worklist_context(user: User) -> dict[str, Any]:
    """What a worklist adds to show its roster facts (web/partials/roster_facts.html)."""
    return {"roster_facts": worklist_facts(user)}


def member_fact_views(user: User, member: Member) -> list[FactView]:
    """The member's open facts the caller may see, read once per member object (one page reads them twice)."""
    memo: dict[Any, list[FactView]] = member.__dict__.setdefault("_open_fact_views", {})
    if user.pk not in memo:
        memo[user.pk] = fact_views(open_facts_of_member(user, member))
    return memo[user.pk]


def member_facts_context(user: User, member: Member) -> dict[str, Any]:
    """The member record's alert (web/partials/roster_facts_member.html)."""
    return {"roster_facts": member_fact_views(user, member)}


def _form_context(views: list[FactView]) -> tuple[dict[str, Any], FactView | None]:
    leading = leading_fact(views)
    return {"roster_facts": views, "roster_fact_leading": leading}, leading


def disenroll_facts(user: User, enrollment: Enrollment) -> tuple[dict[str, Any], dict[str, str]]:
    """The facts beside the ECM discontinuation form, and its initial data with the matching reason."""
    context, leading = _form_context(fact_views(open_facts_of_enrollment(user, enrollment)))
    return context, ({"reason": leading.reason_code} if leading else {})


def member_disenroll_initial(user: User, member: Member) -> dict[str, str]:
    """The member record's inline discontinuation form starts at the reason of the member's ECM roster facts."""
    leading = leading_fact([view for view in member_fact_views(user, member) if view.fact.enrollment_id is not None])
    return {"reason": leading.reason_code} if leading else {}


def cs_close_facts(user: User, cs_request: CsRequest) -> tuple[dict[str, Any], dict[str, str]]:
    """The facts beside the Community Supports close form, and its reason filled in from the leading one."""
    context, leading = _form_context(fact_views(open_facts_of_cs_request(user, cs_request)))
    return context, ({"reason": leading.cs_close_text} if leading else {})


def _scoped_fact(request: HttpRequest, fact_id: uuid.UUID) -> RosterFact:
    return or_404(lambda: roster_fact_get(staff(request), fact_id))


@verified_required
def dismiss(request: HttpRequest, fact_id: uuid.UUID) -> HttpResponse:
    """Dismiss a roster fact that calls for nothing, saying why; the fact leaves every worklist."""
    user = staff(request)
    fact = _scoped_fact(request, fact_id)
    member = fact.member
    back = reverse("web:member", args=[member.pk]) if member_visible(user, member.pk) else reverse("web:home")
    return act(
        request,
        Action(
            form=RosterFactDismissForm(posted(request)),
            call=lambda d: roster_fact_dismiss(actor=user, fact=fact, note=d["note"]),
            title=f"Dismiss a roster fact for {member.first_name} {member.last_name}",
            submit="Dismiss the fact",
            done=lambda f: f"Roster fact dismissed for {f.member.first_name} {f.member.last_name}.",
            next_url=reverse("web:home"),
            context={"roster_facts": fact_views([fact]), "back_url": back, "member": member},
            template="web/partials/roster_facts_dismiss.html",
        ),
    )
