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
from calaim.careplans.services import outreach_record
from calaim.core.clock import plan_today
from calaim.core.labels import language_name
from calaim.ecm.assignment import ProviderFit, provider_fits
from calaim.ecm.models import EligibilityDetermination, Enrollment
from calaim.ecm.selectors import care_manager_loads, enrollment_get, qualified_pofs
from calaim.members.models import Member
from calaim.web.access import or_404, staff, verified_required
from calaim.web.forms import OutreachForm, apply_service
from calaim.web.forms_enrollment import (
    AssignmentForm,
    DisenrollForm,
    EnrollForm,
    LeadCareManagerForm,
    ProviderChangeForm,
    care_manager_label,
    chosen_provider,
)
from calaim.web.templatetags.label_tags import person
from calaim.web.views.actions import Action, act, posted
from calaim.web.views.referrals import scoped_referral
from calaim.web.views.roster_facts import disenroll_facts
from calaim.workflows.ecm_ending import ecm_ending_preview
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


def _provider_context(request: HttpRequest, member: Member, fits: list[ProviderFit], pofs: list[str]) -> dict[str, Any]:
    """What the provider choice page shows beside the form: the member's needs and why others are not offered."""
    others = [(fit, fit.notes(member)) for fit in fits if not fit.fits]
    return {"member": member, "pofs": pofs, "others": others, "show_all": request.GET.get("all") == "1"}


@verified_required
def assignment(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    """Assign the authorized member's ECM provider: the member's choice among the providers that fit, or
    automatic; on request, why the others do not fit."""
    referral = scoped_referral(request, referral_id)
    pofs = qualified_pofs(referral.pk)
    fits = provider_fits(referral.member, pofs, plan_today())
    return act(
        request,
        Action(
            form=AssignmentForm(posted(request), fits=fits, member=referral.member),
            call=lambda d: ecm_provider_assign(
                actor=staff(request), referral=referral, provider_id=chosen_provider(d["provider_id"])
            ),
            title=f"Assign an ECM provider for {referral.member}",
            submit="Assign provider",
            done=lambda e: f"Assigned to {e.provider.name}: {'; '.join(e.assignment_reasons)}.",
            next_url=reverse("web:referral", args=[referral.pk]),
            context={**_provider_context(request, referral.member, fits, pofs), "referral": referral},
            template="web/ecm/provider_choice.html",
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
    """Move the member to another ECM provider that fits, at their request; open tasks move with them."""
    enrollment = scoped_enrollment(request, enrollment_id)
    pofs = qualified_pofs(enrollment.referral_id)
    fits = [
        f for f in provider_fits(enrollment.member, pofs, plan_today()) if f.organization.pk != enrollment.provider_id
    ]
    return act(
        request,
        Action(
            form=ProviderChangeForm(posted(request), fits=fits, member=enrollment.member),
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
            context=_provider_context(request, enrollment.member, fits, pofs),
            template="web/ecm/provider_choice.html",
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


def _ending(data: dict[str, Any]) -> dict[str, Any]:
    return {"reason_code": data["reason"], "effective_on": data["effective_on"], "note": data["note"]}


@verified_required
def disenroll(request: HttpRequest, enrollment_id: uuid.UUID) -> HttpResponse:
    """End ECM in two steps: the form, then a confirmation listing exactly what will be cancelled, closed and told;
    nothing changes until the confirmation is posted."""
    enrollment = scoped_enrollment(request, enrollment_id)
    user = staff(request)
    facts, initial = disenroll_facts(user, enrollment)
    form = DisenrollForm(posted(request), initial=initial)
    context = {"member": enrollment.member, "enrollment": enrollment, **facts}
    confirmed = request.POST.get("confirmed") == "yes" and "change" not in request.POST
    if request.method == "POST" and not confirmed:
        preview = None
        if form.is_valid() and "change" not in request.POST:
            preview = apply_service(
                form, lambda: ecm_ending_preview(actor=user, enrollment=enrollment, **_ending(form.cleaned_data))
            )
        if preview is not None:
            confirm = {**context, "form": form, "preview": preview}
            return render(request, "web/ecm/disenroll_confirm.html", confirm)
        changing = "change" in request.POST and not form.errors
        page = {**context, "form": form, "title": _ending_title(enrollment), "submit": "Review what ending changes"}
        return render(request, "web/action_form.html", page, status=200 if changing else 400)
    return act(
        request,
        Action(
            form=form,
            call=lambda d: ecm_disenroll(actor=user, enrollment=enrollment, **_ending(d)),
            title=_ending_title(enrollment),
            submit="Review what ending changes",
            done=_offered,
            next_url=_member_or_home(request, enrollment.member),
            context=context,
        ),
    )


def _ending_title(enrollment: Enrollment) -> str:
    return f"End ECM or record an opt-out for {enrollment.member}"


@verified_required
def lead_care_manager_assign(request: HttpRequest, enrollment_id: uuid.UUID) -> HttpResponse:
    """The provider names the Lead Care Manager; only its own care staff are offered, each by name with their
    current caseload and languages."""
    enrollment = scoped_enrollment(request, enrollment_id)
    choices = [(row.user.username, care_manager_label(row)) for row in care_manager_loads(staff(request))]
    return act(
        request,
        Action(
            form=LeadCareManagerForm(posted(request), staff_choices=choices),
            call=lambda d: ecm_lead_care_manager_assign(
                actor=staff(request), enrollment=enrollment, care_manager=d["care_manager"]
            ),
            title=f"Assign the Lead Care Manager for {enrollment.member}",
            submit="Assign",
            done=lambda e: f"Lead Care Manager for {e.member}: {person(e.lead_care_manager)}.",
            next_url=reverse("web:home"),
            context={"member": enrollment.member, "member_language": language_name(enrollment.member.language)},
        ),
    )
