"""ECM action forms after intake: eligibility, provider assignment and change, enrollment, and the UM's
extension and re-authorization. Each parses input, calls one service and shows a refusal on its field."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from calaim.access.scopes import member_scope
from calaim.authorizations.models import AuthorizationRequest
from calaim.authorizations.selectors import authorization_get
from calaim.authorizations.services import authorization_extend, authorization_reauthorize
from calaim.ecm.assignment import provider_candidates
from calaim.ecm.eligibility import eligibility_determine
from calaim.ecm.models import EligibilityDetermination
from calaim.ecm.services import ecm_enroll, ecm_provider_assign, ecm_provider_change
from calaim.members.models import Member
from calaim.web.access import or_404, staff, verified_required
from calaim.web.forms import apply_service
from calaim.web.forms_ecm import (
    AssignmentForm,
    EnrollForm,
    ExtensionForm,
    ProviderChangeForm,
    ReauthorizationForm,
    chosen_provider,
    submitted,
)
from calaim.web.templatetags.web_tags import time_remaining
from calaim.web.views.actions import form_page, scoped_enrollment
from calaim.web.views.referrals import scoped_referral


def _authorization(request: HttpRequest, authorization_id: uuid.UUID) -> AuthorizationRequest:
    return or_404(lambda: authorization_get(staff(request), authorization_id))


def _back_to_member(request: HttpRequest, member: Member) -> HttpResponse:
    """The member's record, or the worklist when the action took the member out of the caller's scope."""
    if member_scope(staff(request)).filter(pk=member.pk).exists():
        return redirect("web:member", member_id=member.pk)
    return redirect("web:home")


def _outcome_text(determination: EligibilityDetermination) -> str:
    text = f"Eligibility determined: {determination.get_outcome_display()}"
    if determination.qualified_pofs:
        text += f" ({', '.join(determination.qualified_pofs)})"
    return text + "."


@verified_required
def eligibility_determine_view(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    """Determine a received referral's eligibility; the referral page then explains it POF by POF."""
    referral = scoped_referral(request, referral_id)
    form = forms.Form(submitted(request))
    htmx = bool(request.headers.get("HX-Request"))
    if request.method == "POST" and form.is_valid():
        done = apply_service(form, lambda: eligibility_determine(actor=staff(request), referral=referral))
        if htmx:
            context: dict[str, Any] = {"referral": referral, "determination": done, "form": form}
            return render(request, "web/ecm/_eligibility_outcome.html", context)
        if done is not None:
            messages.success(request, _outcome_text(done))
            return redirect("web:referral", referral_id=referral.pk)
    context = {"referral": referral, "title": f"Determine ECM eligibility for {referral.member}"}
    return form_page(request, form, context, "web/ecm/eligibility.html")


@verified_required
def assignment(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    """Assign the authorized member's ECM provider: the member's choice from the contracted list, or automatic."""
    referral = scoped_referral(request, referral_id)
    options = provider_candidates(referral.member, [], timezone.localdate())
    form = AssignmentForm(submitted(request), options=options)
    if request.method == "POST" and form.is_valid():
        provider_id = chosen_provider(form.cleaned_data["provider_id"])
        done = apply_service(
            form, lambda: ecm_provider_assign(actor=staff(request), referral=referral, provider_id=provider_id)
        )
        if done is not None:
            messages.success(request, f"Assigned to {done.provider.name}: {'; '.join(done.assignment_reasons)}.")
            return redirect("web:referral", referral_id=referral.pk)
    title = f"Assign an ECM provider for {referral.member}"
    return form_page(request, form, {"title": title, "member": referral.member, "submit": "Assign provider"})


@verified_required
def enroll(request: HttpRequest, enrollment_id: uuid.UUID) -> HttpResponse:
    enrollment = scoped_enrollment(request, enrollment_id)
    form = EnrollForm(submitted(request), initial={"enrolled_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        enrolled_on = form.cleaned_data["enrolled_on"]
        done = apply_service(
            form, lambda: ecm_enroll(actor=staff(request), enrollment=enrollment, enrolled_on=enrolled_on)
        )
        if done is not None:
            messages.success(request, f"Enrolled in ECM from {enrolled_on}. The welcome call is on the task list.")
            return _back_to_member(request, enrollment.member)
    title = f"Enroll {enrollment.member} in ECM with {enrollment.provider}"
    return form_page(request, form, {"title": title, "member": enrollment.member, "submit": "Enroll member"})


@verified_required
def provider_change(request: HttpRequest, enrollment_id: uuid.UUID) -> HttpResponse:
    """Move the member to another ECM provider at their request; open tasks move with them."""
    enrollment = scoped_enrollment(request, enrollment_id)
    options = [
        (contract, free)
        for contract, free in provider_candidates(enrollment.member, [], timezone.localdate())
        if contract.organization_id != enrollment.provider_id
    ]
    form = ProviderChangeForm(submitted(request), options=options)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = apply_service(
            form,
            lambda: ecm_provider_change(
                actor=staff(request),
                enrollment=enrollment,
                reason=data["reason"],
                provider_id=chosen_provider(data["provider_id"]),
            ),
        )
        if done is not None:
            messages.success(request, f"ECM provider changed to {done.provider.name}.")
            return _back_to_member(request, enrollment.member)
    title = f"Change the ECM provider for {enrollment.member} (now {enrollment.provider})"
    return form_page(request, form, {"title": title, "member": enrollment.member, "submit": "Change provider"})


@verified_required
def extension(request: HttpRequest, authorization_id: uuid.UUID) -> HttpResponse:
    """Extend an undecided authorization request once, with a reason."""
    authorization = _authorization(request, authorization_id)
    form = ExtensionForm(submitted(request))
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        done = apply_service(
            form, lambda: authorization_extend(actor=staff(request), authorization=authorization, reason=reason)
        )
        if done is not None:
            due = timezone.localtime(done.due_at)
            messages.success(request, f"Decision extended: now due {due:%Y-%m-%d %H:%M} ({time_remaining(due)}).")
            return _back_to_member(request, authorization.member)
    context = {
        "title": f"Extend the decision for {authorization.member}",
        "member": authorization.member,
        "authorization": authorization,
        "submit": "Extend decision",
    }
    return form_page(request, form, context)


@verified_required
def reauthorization(request: HttpRequest, authorization_id: uuid.UUID) -> HttpResponse:
    """Ask to continue ECM past an approved period."""
    authorization = _authorization(request, authorization_id)
    form = ReauthorizationForm(submitted(request))
    if request.method == "POST" and form.is_valid():
        urgency = form.cleaned_data["urgency"]
        done = apply_service(
            form,
            lambda: authorization_reauthorize(actor=staff(request), authorization=authorization, urgency=urgency),
        )
        if done is not None:
            due = timezone.localtime(done.due_at)
            messages.success(request, f"Re-authorization requested: due {due:%Y-%m-%d %H:%M}.")
            return _back_to_member(request, authorization.member)
    context = {
        "title": f"Request re-authorization of ECM for {authorization.member}",
        "member": authorization.member,
        "authorization": authorization,
        "submit": "Request re-authorization",
    }
    return form_page(request, form, context)
