"""The UM reviewer's pages on one authorization request: decide (with what the decision rests on), extend once
before the due time, and ask to re-authorize ECM."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone

from calaim.accounts.models import User
from calaim.authorizations.models import AuthorizationRequest
from calaim.authorizations.policies import can_decide, can_extend
from calaim.authorizations.selectors import authorization_review_get
from calaim.authorizations.services import authorization_extend, authorization_reauthorize
from calaim.core.clock import plan_today
from calaim.web.access import or_404, staff, verified_required
from calaim.web.forms_um import DecisionForm, ExtensionForm, ReauthorizationForm
from calaim.web.templatetags.web_tags import time_remaining
from calaim.web.views.actions import Action, act, posted
from calaim.web.views.ecm_actions import _authorization, _member_or_home
from calaim.web.views.um_review import cs_review, ecm_review, prior_decisions
from calaim.workflows.authorization_decision import authorization_decide


def _authorization_action(
    request: HttpRequest, authorization: AuthorizationRequest, form: forms.Form, **action: Any
) -> HttpResponse:
    context = {"member": authorization.member, "authorization": authorization, **action.pop("context", {})}
    return act(request, Action(form=form, context=context, **action))


def _review(user: User, authorization: AuthorizationRequest) -> dict[str, Any]:
    """What the reviewer reads before deciding: the member, the request and its program's evidence, the member's
    earlier decisions, and whether this caller may decide it now (and why not)."""
    member = authorization.member
    may_decide = can_decide(user, authorization)
    program = cs_review(authorization) if authorization.program == "cs" else ecm_review(user, authorization)
    return {
        "age": member.age_on(plan_today()),
        "may_decide": may_decide,
        "may_extend": can_extend(user, authorization),
        "prior": prior_decisions(user, authorization),
        **program,
    }


@verified_required
def decision(request: HttpRequest, authorization_id: uuid.UUID) -> HttpResponse:
    """The UM review of one request and its decision form; plan staff only (anyone else: 404)."""
    user = staff(request)
    authorization = or_404(lambda: authorization_review_get(user, authorization_id))
    return _authorization_action(
        request,
        authorization,
        DecisionForm(posted(request)),
        call=lambda d: authorization_decide(actor=user, authorization=authorization, **d),
        title=f"UM decision for {authorization.member.first_name} {authorization.member.last_name}",
        submit="Record decision",
        done=lambda a: f"Decision recorded: {a.get_status_display()}" + (" (decided late)." if a.decided_late else "."),
        next_url=reverse("web:home"),
        context=_review(user, authorization),
        template="web/um/decision.html",
    )


@verified_required
def extension(request: HttpRequest, authorization_id: uuid.UUID) -> HttpResponse:
    """Extend an undecided request once, before its due time, with a reason; an overdue one is refused."""
    authorization = _authorization(request, authorization_id)
    return _authorization_action(
        request,
        authorization,
        ExtensionForm(posted(request)),
        call=lambda d: authorization_extend(actor=staff(request), authorization=authorization, reason=d["reason"]),
        title=f"Extend the decision for {authorization.member.first_name} {authorization.member.last_name}",
        submit="Extend decision",
        done=lambda a: (
            f"Decision extended: now due {timezone.localtime(a.due_at):%Y-%m-%d %H:%M} ({time_remaining(a.due_at)})."
        ),
        next_url=_member_or_home(request, authorization.member),
        context={"may_extend": can_extend(staff(request), authorization)},
        template="web/um/extension.html",
    )


@verified_required
def reauthorization(request: HttpRequest, authorization_id: uuid.UUID) -> HttpResponse:
    """Ask to continue ECM past an approved period."""
    authorization = _authorization(request, authorization_id)
    return _authorization_action(
        request,
        authorization,
        ReauthorizationForm(posted(request)),
        call=lambda d: authorization_reauthorize(
            actor=staff(request), authorization=authorization, urgency=d["urgency"]
        ),
        title=f"Request re-authorization of ECM for {authorization.member}",
        submit="Request re-authorization",
        done=lambda a: f"Re-authorization requested: due {timezone.localtime(a.due_at):%Y-%m-%d %H:%M}.",
        next_url=_member_or_home(request, authorization.member),
    )
