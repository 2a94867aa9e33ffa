"""ECM and authorization actions: eligibility, provider assignment and change, enrollment, outreach, the Lead Care
Manager, ending ECM, and the UM's decision, extension and re-authorization. Each is one `Action`: it parses a
form, calls one workflow or service, and shows a refusal on the field it names."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from calaim.access.scopes import member_visible
from calaim.authorizations.models import AuthorizationRequest
from calaim.authorizations.selectors import authorization_get
from calaim.careplans.selectors import provider_care_staff
from calaim.careplans.services import outreach_record
from calaim.core.clock import plan_today
from calaim.ecm.assignment import provider_candidates
from calaim.ecm.models import EligibilityDetermination, Enrollment
from calaim.ecm.selectors import enrollment_get
from calaim.members.models import Member
from calaim.web.access import or_404, staff, verified_required
from calaim.web.forms import OutreachForm, apply_service
from calaim.web.forms_enrollment import (
    AssignmentForm,
    DisenrollForm,
    EnrollForm,
    LeadCareManagerForm,
    ProviderChangeForm,
    chosen_provider,
)
from calaim.web.views.actions import Action, act, posted
from calaim.web.views.referrals import scoped_referral
from calaim.web.views.roster_facts import disenroll_facts
from calaim.workflows.ecm_enrollment import (
    ecm_disenroll,
    ecm_enroll,
    ecm_lead_care_manager_assign,
    ecm_provider_assign,
    ecm_provider_change,
)
from calaim.workflows.eligibility import eligibility_determine


def scoped_enrollment(request: HttpRequest, enrollment_id: uuid.UUID) -> Enrollment:
    return or_404(lambda: enrollment_get(staff(request), enrollment_id))


def _authorization(request: HttpRequest, authorization_id: uuid.UUID) -> AuthorizationRequest:
    return or_404(lambda: authorization_get(staff(request), authorization_id))


def _member_or_home(request: HttpRequest, member: Member) -> Callable[[object], str]:
    """After the action: the member's record, or the worklist when the action took the member out of scope."""

    def url(_: object) -> str:
        if member_visible(staff(request), member.pk):
            return reverse("web:member", args=[member.pk])
        return reverse("web:home")

    return url


def _outcome_text(determination: EligibilityDetermination) -> str:
    text = f"Eligibility determined: {determination.get_outcome_display()}"
    if determination.qualified_pofs:
        text += f" ({', '.join(determination.qualified_pofs)})"
    return text + "."


@verified_required
def eligibility_determine_view(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    """Determine a received referral's eligibility; the referral page then explains it POF by POF. With htmx the
    answer is the outcome in place, refusal or not."""
    referral = scoped_referral(request, referral_id)
    form = forms.Form(posted(request))
    if request.method == "POST" and request.headers.get("HX-Request") and form.is_valid():
        done = apply_service(form, lambda: eligibility_determine(actor=staff(request), referral=referral))
        context: dict[str, Any] = {"referral": referral, "determination": done, "form": form}
        return render(request, "web/ecm/_eligibility_outcome.html", context)
    return act(
        request,
        Action(
            form=form,
            call=lambda _: eligibility_determine(actor=staff(request), referral=referral),
            title=f"Determine ECM eligibility for {referral.member}",
            submit="Determine eligibility",
            done=_outcome_text,
            next_url=reverse("web:referral", args=[referral.pk]),
            context={"referral": referral},
            template="web/ecm/eligibility.html",
        ),
    )


@verified_required
def assignment(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    """Assign the authorized member's ECM provider: the member's choice from the contracted list, or automatic."""
    referral = scoped_referral(request, referral_id)
    options = provider_candidates(referral.member, [], plan_today())
    return act(
        request,
        Action(
            form=AssignmentForm(posted(request), options=options),
            call=lambda d: ecm_provider_assign(
                actor=staff(request), referral=referral, provider_id=chosen_provider(d["provider_id"])
            ),
            title=f"Assign an ECM provider for {referral.member}",
            submit="Assign provider",
            done=lambda e: f"Assigned to {e.provider.name}: {'; '.join(e.assignment_reasons)}.",
            next_url=reverse("web:referral", args=[referral.pk]),
            context={"member": referral.member},
        ),
    )


@verified_required
def enroll(request: HttpRequest, enrollment_id: uuid.UUID) -> HttpResponse:
    enrollment = scoped_enrollment(request, enrollment_id)
    return act(
        request,
        Action(
            form=EnrollForm(posted(request), initial={"enrolled_on": plan_today()}),
            call=lambda d: ecm_enroll(actor=staff(request), enrollment=enrollment, enrolled_on=d["enrolled_on"]),
            title=f"Enroll {enrollment.member} in ECM with {enrollment.provider}",
            submit="Enroll member",
            done=lambda e: f"Enrolled in ECM from {e.enrolled_on}. The welcome call is on the task list.",
            next_url=_member_or_home(request, enrollment.member),
            context={"member": enrollment.member},
        ),
    )


@verified_required
def provider_change(request: HttpRequest, enrollment_id: uuid.UUID) -> HttpResponse:
    """Move the member to another ECM provider at their request; open tasks move with them."""
    enrollment = scoped_enrollment(request, enrollment_id)
    options = [
        (contract, free)
        for contract, free in provider_candidates(enrollment.member, [], plan_today())
        if contract.organization_id != enrollment.provider_id
    ]
    return act(
        request,
        Action(
            form=ProviderChangeForm(posted(request), options=options),
            call=lambda d: ecm_provider_change(
                actor=staff(request),
                enrollment=enrollment,
                reason=d["reason"],
                provider_id=chosen_provider(d["provider_id"]),
            ),
            title=f"Change the ECM provider for {enrollment.member} (now {enrollment.provider})",
            submit="Change provider",
            done=lambda e: f"ECM provider changed to {e.provider.name}.",
            next_url=_member_or_home(request, enrollment.member),
            context={"member": enrollment.member},
        ),
    )


@verified_required
def outreach_create(request: HttpRequest, enrollment_id: uuid.UUID) -> HttpResponse:
    enrollment = scoped_enrollment(request, enrollment_id)
    return act(
        request,
        Action(
            form=OutreachForm(posted(request), initial={"attempted_on": plan_today()}),
            call=lambda d: outreach_record(actor=staff(request), enrollment=enrollment, **d),
            title=f"Record an outreach attempt for {enrollment.member}",
            submit="Record attempt",
            done="Outreach attempt recorded.",
            next_url=reverse("web:member", args=[enrollment.member_id]),
            context={"member": enrollment.member},
        ),
    )


def _offered(result: tuple[Enrollment, list[str]]) -> str:
    offered = ", ".join(result[1])
    return f"ECM ended. Offer the member: {offered}." if offered else "ECM ended."


@verified_required
def disenroll(request: HttpRequest, enrollment_id: uuid.UUID) -> HttpResponse:
    enrollment = scoped_enrollment(request, enrollment_id)
    facts, initial = disenroll_facts(staff(request), enrollment)
    return act(
        request,
        Action(
            form=DisenrollForm(posted(request), initial=initial),
            call=lambda d: ecm_disenroll(
                actor=staff(request),
                enrollment=enrollment,
                reason_code=d["reason"],
                effective_on=d["effective_on"],
                note=d["note"],
            ),
            title=f"End ECM or record an opt-out for {enrollment.member}",
            submit="End ECM",
            done=_offered,
            next_url=_member_or_home(request, enrollment.member),
            context={"member": enrollment.member, **facts},
        ),
    )


@verified_required
def lead_care_manager_assign(request: HttpRequest, enrollment_id: uuid.UUID) -> HttpResponse:
    """The provider names the Lead Care Manager; only its own care staff are offered."""
    enrollment = scoped_enrollment(request, enrollment_id)
    choices = [
        (p.username, f"{p.get_full_name() or p.username} ({p.username})") for p in provider_care_staff(staff(request))
    ]
    return act(
        request,
        Action(
            form=LeadCareManagerForm(posted(request), staff_choices=choices),
            call=lambda d: ecm_lead_care_manager_assign(
                actor=staff(request), enrollment=enrollment, care_manager=d["care_manager"]
            ),
            title=f"Assign the Lead Care Manager for {enrollment.member}",
            submit="Assign",
            done=lambda e: f"Lead Care Manager for {e.member}: {e.lead_care_manager.username}.",
            next_url=reverse("web:home"),
            context={"member": enrollment.member},
        ),
    )
