"""Community Supports in the browser: the CSS referral, a request's closed loop, deliveries, closing, and Kaiser
reassignment. Each view parses a form, calls the same workflow or service as the API and shows a refusal on its
field; all but the CSS referral form (a form with a formset of services, refreshed in place) are an `Action`."""

from __future__ import annotations

import re
import uuid
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from calaim.access.scopes import member_visible
from calaim.accounts.models import Role, User
from calaim.authorizations.policies import can_decide
from calaim.community_supports.deliveries import DeliveryInput, cs_delivery_record
from calaim.community_supports.eligibility import what_could_member_get
from calaim.community_supports.models import CsRequest, CsRequestStatus
from calaim.community_supports.policies import can_close_request, can_record_delivery
from calaim.community_supports.referral_review import cs_referral_problems
from calaim.community_supports.selectors import cs_loop_history, cs_request_get, cs_request_scope
from calaim.community_supports.services import CsReferralInput, ServiceRequestInput
from calaim.core.clock import local_date, plan_today
from calaim.ecm.models import ACTIVE_ENROLLMENT_STATUSES
from calaim.ecm.selectors import enrollment_scope
from calaim.members.models import Member
from calaim.network.models import OrganizationKind
from calaim.plans.models import ReferralSourceType
from calaim.plans.selectors import latest_by_code
from calaim.referrals.policies import referral_sources_for
from calaim.web.access import or_404, staff, verified_required
from calaim.web.forms_cs import (
    CsCloseForm,
    CsDeliveryForm,
    CsReferralForm,
    CsServiceForm,
    CsServiceFormSet,
    DelegateReassignForm,
    apply_delivery,
    apply_referral,
    catalog,
    formset_with_one_more,
    place_referral_error,
    posted_values,
    referral_draft,
    submitted_service_forms,
)
from calaim.web.views.actions import Action, act, posted
from calaim.web.views.members import scoped_member
from calaim.web.views.roster_facts import cs_close_facts
from calaim.workflows.community_supports import cs_request_end, cs_request_submit, delegate_reassign

SERVICES_PREFIX = "services"
CHECKLIST_PREFIX = re.compile(rf"^{SERVICES_PREFIX}-\d{{1,2}}$")
# Display hints only (the source a caller with several usually means); the services decide what is allowed.
SOURCE_HINTS: dict[str, str] = {
    Role.MEMBER_SERVICES: "member_self_family_phone",
    OrganizationKind.HOSPITAL: "hospital_transition_of_care",
}


def _scoped_request(request: HttpRequest, request_id: uuid.UUID) -> CsRequest:
    return or_404(lambda: cs_request_get(staff(request), request_id))


def _referral_initial(
    user: User, member: Member | None, sources: list[str], enrollments: list[tuple[str, str]]
) -> dict[str, Any]:
    name = user.get_full_name() or user.username
    kind = user.organization.kind if user.organization is not None else ""
    source = sources[0] if len(sources) == 1 else SOURCE_HINTS.get(user.role, SOURCE_HINTS.get(kind, ""))
    initial: dict[str, Any] = {
        "source_type": source,
        "referrer_name": name,
        "attested_by": name,
        "attested_on": plan_today(),
        "idempotency_key": uuid.uuid4().hex,
        "ecm_enrollment_id": enrollments[0][0] if enrollments else "",
    }
    if member is not None:
        initial.update(member_cin=member.cin, member_birth_date=member.birth_date)
    return initial


def _member_param(request: HttpRequest) -> Member | None:
    """?member=<uuid>: the form was opened from a member's record; out of scope is 404."""
    raw = request.GET.get("member")
    if not raw:
        return None
    try:
        return scoped_member(request, uuid.UUID(raw))
    except ValueError:
        raise Http404("No such member.") from None


def _enrollment_choices(user: User, member: Member | None) -> list[tuple[str, str]]:
    """The caller's active ECM enrollments for the member: a care manager requesting from the care plan."""
    if member is None or not user.is_provider_staff:
        return []
    enrollments = enrollment_scope(user).filter(member=member, status__in=ACTIVE_ENROLLMENT_STATUSES)
    return [(str(e.pk), f"{e.provider} ({e.get_status_display()})") for e in enrollments.select_related("provider")]


def _referral_input(form: CsReferralForm, formset: Any) -> CsReferralInput:
    data = {k: v for k, v in form.cleaned_data.items() if k != "idempotency_key"}
    services = [ServiceRequestInput(**f.service_input()) for f in submitted_service_forms(formset)]
    return CsReferralInput(**data, services=services)


def _outcome_messages(request: HttpRequest, created: list[CsRequest]) -> None:
    names = {code: service.name for code, service in catalog().items()}
    for item in created:
        last = cs_loop_history(item).last()
        reason = f" {last.reason}" if last and last.reason else ""
        text = f"{names.get(item.service_code, item.service_code)}: {item.get_status_display()}.{reason}"
        good = item.status in (CsRequestStatus.PENDING_AUTHORIZATION, CsRequestStatus.AUTHORIZED)
        messages.add_message(request, messages.SUCCESS if good else messages.WARNING, text)


@verified_required
def cs_request_create_view(request: HttpRequest) -> HttpResponse:
    """The CSS referral form: member, source, attestation and one or more services, each routed at once."""
    user = staff(request)
    member = _member_param(request)
    enrollments = _enrollment_choices(user, member)
    sources = referral_sources_for(user, plan_today())
    codes = [source.code for source in sources]
    data = posted(request)
    if data is not None and "add_service" in data:
        data = formset_with_one_more(data, SERVICES_PREFIX)
    initial = _referral_initial(user, member, codes, enrollments)
    form = CsReferralForm(data, sources=sources, enrollments=enrollments, initial=initial)
    formset = CsServiceFormSet(data, prefix=SERVICES_PREFIX, initial=[{"requested_start": plan_today()}])
    if data is not None and ("add_service" in data or "refresh" in data):
        form = CsReferralForm(sources=sources, enrollments=enrollments, initial=posted_values(form))
        formset = CsServiceFormSet(prefix=SERVICES_PREFIX, initial=[posted_values(f) for f in formset.forms])
        return _referral_page(request, form, formset, member, status=200)
    if data is not None and _referral_checked(user, form, formset):
        key = form.cleaned_data["idempotency_key"] or ""
        created = apply_referral(
            form,
            formset,
            lambda: cs_request_submit(actor=user, data=_referral_input(form, formset), idempotency_key=key),
        )
        if created:
            _outcome_messages(request, created)
            if len(created) == 1:
                return redirect("web:cs_request", request_id=created[0].pk)
            ids = "&".join(f"id={c.pk}" for c in created)
            return redirect(f"{reverse('web:cs_requests_submitted')}?{ids}")
    return _referral_page(request, form, formset, member, status=400 if data is not None else 200)


def _referral_checked(user: User, form: CsReferralForm, formset: Any) -> bool:
    """Validate the form, its services and the service's rules (limits included) in one round, each refusal on its
    field, so the requester sees every error at once; True when there are none."""
    form_valid = form.is_valid()
    services_valid = formset.is_valid()  # not short-circuited: both forms' errors show together
    for problem in cs_referral_problems(actor=user, draft=referral_draft(form, formset), day=plan_today()):
        place_referral_error(form, formset, problem)
    return form_valid and services_valid and not form.errors and not formset.total_error_count()


def _referral_page(
    request: HttpRequest, form: CsReferralForm, formset: Any, member: Member | None, *, status: int
) -> HttpResponse:
    context = {"form": form, "formset": formset, "member": member, "title": "Request Community Supports"}
    return render(request, "web/cs/request_form.html", context, status=status)


@verified_required
def cs_service_checklist(request: HttpRequest) -> HttpResponse:
    """htmx: the criteria checklist and limits of the service just chosen on one service of the form."""
    prefix = request.GET.get("prefix", "")
    if not CHECKLIST_PREFIX.match(prefix):
        raise Http404("No such service on the form.")
    form = CsServiceForm(prefix=prefix, initial={"service_code": request.GET.get(f"{prefix}-service_code", "")})
    return render(request, "web/cs/checklist.html", {"sform": form})


@verified_required
def cs_requests_submitted(request: HttpRequest) -> HttpResponse:
    """The outcome of each service of a referral just sent with several services."""
    ids = []
    for raw in request.GET.getlist("id")[:20]:
        try:
            ids.append(uuid.UUID(raw))
        except ValueError:
            continue
    found = cs_request_scope(staff(request)).filter(pk__in=ids).select_related("member").order_by("received_at")
    names = {code: service.name for code, service in catalog().items()}
    rows = [{"request": r, "name": names.get(r.service_code, r.service_code)} for r in found]
    return render(request, "web/cs/submitted.html", {"rows": rows})


def _remaining_for(cs_request: CsRequest) -> dict[str, Any] | None:
    options = what_could_member_get(cs_request.member, plan_today())
    return next((o for o in options if o["service"] == cs_request.service_code), None)


def _actions(user: User, cs_request: CsRequest) -> dict[str, object]:
    """Which buttons to show: the same policies the services enforce."""
    authorization = cs_request.authorization
    return {
        "can_record_delivery": can_record_delivery(user, cs_request),
        "can_close": can_close_request(user, cs_request),
        "can_decide": authorization is not None and can_decide(user, authorization),
    }


def _source_label(cs_request: CsRequest) -> str:
    source = latest_by_code(ReferralSourceType, local_date(cs_request.received_at)).get(cs_request.source_type)
    return source.label if source else cs_request.source_type


@verified_required
def cs_request_detail(request: HttpRequest, request_id: uuid.UUID) -> HttpResponse:
    """One request: its closed loop, eligibility explained, authorization, deliveries and what remains."""
    user = staff(request)
    cs_request = _scoped_request(request, request_id)
    scope = cs_request_scope(user)
    facts, close_initial = cs_close_facts(user, cs_request)
    service = catalog().get(cs_request.service_code)
    context = {
        "cs": cs_request,
        "service_name": service.name if service else cs_request.service_code,
        "source_label": _source_label(cs_request),
        "history": cs_loop_history(cs_request),
        "deliveries": cs_request.deliveries.select_related("recorded_by__organization").order_by("-start_date"),
        "authorization": cs_request.authorization,
        "linked_to": scope.filter(pk=cs_request.linked_to_id).first() if cs_request.linked_to_id else None,
        "linked": scope.filter(linked_to=cs_request).order_by("received_at"),
        "option": _remaining_for(cs_request),
        "member_visible": member_visible(user, cs_request.member_id),
        "close_form": CsCloseForm(initial=close_initial),
        **facts,
        **_actions(user, cs_request),
    }
    return render(request, "web/cs/request.html", context)


def _request_action(request: HttpRequest, cs_request: CsRequest, form: Any, **action: Any) -> HttpResponse:
    service = catalog().get(cs_request.service_code)
    context = {
        "cs": cs_request,
        "service_name": service.name if service else cs_request.service_code,
        "back_url": reverse("web:cs_request", args=[cs_request.pk]),
        "back_label": "Back to the request",
        **action.pop("context", {}),
    }
    next_url = reverse("web:cs_request", args=[cs_request.pk])
    return act(
        request,
        Action(form=form, next_url=next_url, context=context, template="web/cs/action_form.html", **action),
    )


@verified_required
def cs_delivery_create(request: HttpRequest, request_id: uuid.UUID) -> HttpResponse:
    """The assigned CS provider records a delivered service; a limit refusal shows on its field."""
    cs_request = _scoped_request(request, request_id)
    service = catalog().get(cs_request.service_code)
    today = plan_today()
    form = CsDeliveryForm(posted(request), service=service, initial={"start_date": today, "end_date": today})
    name = service.name if service else cs_request.service_code
    return _request_action(
        request,
        cs_request,
        form,
        call=lambda _: cs_delivery_record(
            actor=staff(request), request=cs_request, data=DeliveryInput(**form.delivery_input())
        ),
        apply=apply_delivery,
        title=f"Record a delivery of {name}",
        submit="Record delivery",
        done=lambda d: f"Delivery recorded: {d.start_date} to {d.end_date}.",
        context={"option": _remaining_for(cs_request)},
    )


@verified_required
def cs_request_close(request: HttpRequest, request_id: uuid.UUID) -> HttpResponse:
    """The provider or plan staff close a request with the reason the referrer will see."""
    cs_request = _scoped_request(request, request_id)
    facts, initial = cs_close_facts(staff(request), cs_request)
    return _request_action(
        request,
        cs_request,
        CsCloseForm(posted(request), initial=initial),
        call=lambda d: cs_request_end(actor=staff(request), request=cs_request, reason=d["reason"]),
        title="Close this Community Supports request",
        submit="Close request",
        done=lambda r: f"Request {r.get_status_display().lower()}.",
        context=facts,
    )


@verified_required
def delegate_reassign_view(request: HttpRequest, member_id: uuid.UUID) -> HttpResponse:
    """Member services records a Kaiser member's choice of reassignment to the plan."""
    member = scoped_member(request, member_id)
    form = DelegateReassignForm(posted(request), initial={"services_wanted": request.GET.getlist("service")})
    return act(
        request,
        Action(
            form=form,
            call=lambda d: delegate_reassign(
                actor=staff(request), member=member, services_wanted=d["services_wanted"], note=d["note"]
            ),
            title=f"Reassign {member} from {member.delegated_to or 'the delegate'} to {member.plan.code}",
            submit="Reassign to the plan",
            done=lambda r: f"{member} reassigned to {member.plan.code} on {r.reassigned_on}.",
            next_url=reverse("web:member", args=[member.pk]),
            context={"back_url": reverse("web:member", args=[member.pk]), "back_label": str(member)},
            template="web/cs/action_form.html",
        ),
    )
