"""Action forms: each parses input, calls one service and shows a refusal on the field it names."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from calaim.accounts.models import PROVIDER_ROLES, User
from calaim.authorizations.selectors import authorization_get
from calaim.authorizations.services import authorization_decide
from calaim.careplans.services import outreach_record
from calaim.ecm.models import Enrollment
from calaim.ecm.selectors import enrollment_get
from calaim.ecm.services import ecm_disenroll, ecm_lead_care_manager_assign
from calaim.web.access import or_404, staff, verified_required
from calaim.web.forms import DecisionForm, DisenrollForm, LeadCareManagerForm, OutreachForm, apply_service


def scoped_enrollment(request: HttpRequest, enrollment_id: uuid.UUID) -> Enrollment:
    return or_404(lambda: enrollment_get(staff(request), enrollment_id))


def form_page(
    request: HttpRequest, form: forms.Form, context: dict[str, Any], template: str = "web/action_form.html"
) -> HttpResponse:
    """An action's own page: 400 when it carries a refused submission, so the status says so too."""
    return render(request, template, {"form": form, **context}, status=400 if form.is_bound else 200)


@verified_required
def outreach_create(request: HttpRequest, enrollment_id: uuid.UUID) -> HttpResponse:
    enrollment = scoped_enrollment(request, enrollment_id)
    form = OutreachForm(request.POST or None, initial={"attempted_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = apply_service(
            form,
            lambda: outreach_record(actor=staff(request), enrollment=enrollment, **data),
        )
        if done is not None:
            messages.success(request, "Outreach attempt recorded.")
            return redirect("web:member", member_id=enrollment.member_id)
    title = f"Record an outreach attempt for {enrollment.member}"
    return form_page(request, form, {"title": title, "member": enrollment.member, "submit": "Record attempt"})


@verified_required
def disenroll(request: HttpRequest, enrollment_id: uuid.UUID) -> HttpResponse:
    enrollment = scoped_enrollment(request, enrollment_id)
    form = DisenrollForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = apply_service(
            form,
            lambda: ecm_disenroll(
                actor=staff(request),
                enrollment=enrollment,
                reason_code=data["reason"],
                effective_on=data["effective_on"],
                note=data["note"],
            ),
        )
        if done is not None:
            offered = ", ".join(done[1])
            messages.success(request, f"ECM ended. Offer the member: {offered}." if offered else "ECM ended.")
            return redirect("web:member", member_id=enrollment.member_id)
    title = f"End ECM or record an opt-out for {enrollment.member}"
    return form_page(request, form, {"title": title, "member": enrollment.member, "submit": "End ECM"})


def _provider_staff_choices(request: HttpRequest) -> list[tuple[str, str]]:
    """The caller's own organization's care staff: the only people a provider may name as Lead Care Manager."""
    user = staff(request)
    if user.organization_id is None:
        return []
    people = User.objects.filter(organization_id=user.organization_id, role__in=PROVIDER_ROLES, is_active=True)
    return [(p.username, f"{p.get_full_name() or p.username} ({p.username})") for p in people.order_by("last_name")]


@verified_required
def lead_care_manager_assign(request: HttpRequest, enrollment_id: uuid.UUID) -> HttpResponse:
    enrollment = scoped_enrollment(request, enrollment_id)
    form = LeadCareManagerForm(request.POST or None, staff_choices=_provider_staff_choices(request))
    if request.method == "POST" and form.is_valid():
        care_manager = form.cleaned_data["care_manager"]
        done = apply_service(
            form,
            lambda: ecm_lead_care_manager_assign(
                actor=staff(request), enrollment=enrollment, care_manager=care_manager
            ),
        )
        if done is not None:
            messages.success(request, f"Lead Care Manager for {enrollment.member}: {care_manager}.")
            return redirect("web:home")
    title = f"Assign the Lead Care Manager for {enrollment.member}"
    return form_page(request, form, {"title": title, "member": enrollment.member, "submit": "Assign"})


@verified_required
def decision(request: HttpRequest, authorization_id: uuid.UUID) -> HttpResponse:
    authorization = or_404(lambda: authorization_get(staff(request), authorization_id))
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = apply_service(
            form, lambda: authorization_decide(actor=staff(request), authorization=authorization, **data)
        )
        if done is not None:
            messages.success(request, f"Decision recorded: {done.get_status_display()}.")
            return redirect("web:home")
    context = {
        "title": f"UM decision for {authorization.member}",
        "member": authorization.member,
        "authorization": authorization,
        "submit": "Record decision",
    }
    return form_page(request, form, context)
