"""The UM reviewer's pages on one authorization request: decide, extend once, and ask to re-authorize ECM."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone

from calaim.authorizations.models import AuthorizationRequest
from calaim.authorizations.services import authorization_extend, authorization_reauthorize
from calaim.web.access import staff, verified_required
from calaim.web.forms_um import DecisionForm, ExtensionForm, ReauthorizationForm
from calaim.web.templatetags.web_tags import time_remaining
from calaim.web.views.actions import Action, act, posted
from calaim.web.views.ecm_actions import _authorization, _member_or_home
from calaim.workflows.authorization_decision import authorization_decide


def _authorization_action(
    request: HttpRequest, authorization: AuthorizationRequest, form: forms.Form, **action: Any
) -> HttpResponse:
    context = {"member": authorization.member, "authorization": authorization}
    return act(request, Action(form=form, context=context, **action))


@verified_required
def decision(request: HttpRequest, authorization_id: uuid.UUID) -> HttpResponse:
    authorization = _authorization(request, authorization_id)
    return _authorization_action(
        request,
        authorization,
        DecisionForm(posted(request)),
        call=lambda d: authorization_decide(actor=staff(request), authorization=authorization, **d),
        title=f"UM decision for {authorization.member}",
        submit="Record decision",
        done=lambda a: f"Decision recorded: {a.get_status_display()}.",
        next_url=reverse("web:home"),
    )


@verified_required
def extension(request: HttpRequest, authorization_id: uuid.UUID) -> HttpResponse:
    """Extend an undecided authorization request once, with a reason."""
    authorization = _authorization(request, authorization_id)
    return _authorization_action(
        request,
        authorization,
        ExtensionForm(posted(request)),
        call=lambda d: authorization_extend(actor=staff(request), authorization=authorization, reason=d["reason"]),
        title=f"Extend the decision for {authorization.member}",
        submit="Extend decision",
        done=lambda a: (
            f"Decision extended: now due {timezone.localtime(a.due_at):%Y-%m-%d %H:%M} ({time_remaining(a.due_at)})."
        ),
        next_url=_member_or_home(request, authorization.member),
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
