"""Community Supports in the browser: the CSS referral, a request's closed loop, deliveries, closing, and Kaiser
reassignment. Each view parses a form, calls the same service as the API and shows a refusal on its field."""

from __future__ import annotations

import re
import uuid
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from calaim.access.scopes import member_scope
from calaim.accounts.models import Role, User
from calaim.authorizations.models import UNDECIDED
from calaim.community_supports.eligibility import what_could_member_get
from calaim.community_supports.models import CS_OPEN_STATUSES, CsRequest, CsRequestStatus
from calaim.community_supports.selectors import cs_request_get, cs_request_scope
from calaim.community_supports.services import (
    CsReferralInput,
    DeliveryInput,
    ServiceRequestInput,
    cs_delivery_record,
    cs_request_complete,
    cs_request_create,
    delegate_reassign,
)
from calaim.ecm.models import ACTIVE_ENROLLMENT_STATUSES
from calaim.ecm.selectors import enrollment_scope
from calaim.members.models import Member
from calaim.network.models import OrganizationKind
from calaim.plans.models import ReferralSourceType
from calaim.referrals.services import referral_sources_for
from calaim.web.access import or_404, staff, verified_required
from calaim.web.forms import apply_service
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
    posted_values,
)
from calaim.web.views.members import scoped_member

SERVICES_PREFIX = "services"
CHECKLIST_PREFIX = re.compile(rf"^{SERVICES_PREFIX}-\d{{1,2}}$")
DELIVERY_STATUSES = (CsRequestStatus.AUTHORIZED, CsRequestStatus.IN_SERVICE)
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
        "attested_on": timezone.localdate(),
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
    services = [
        ServiceRequestInput(**f.service_input()) for f in formset.forms if f.has_changed() or not f.empty_permitted
    ]
    return CsReferralInput(**data, services=services)


def _outcome_messages(request: HttpRequest, created: list[CsRequest]) -> None:
    names = {code: service.name for code, service in catalog().items()}
    for item in created:
        last = item.status_updates.order_by("-at", "-id").first()
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
    sources = referral_sources_for(user, timezone.localdate())
    codes = [source.code for source in sources]
    data = request.POST if request.method == "POST" else None
    if data is not None and "add_service" in data:
        data = formset_with_one_more(data, SERVICES_PREFIX)
    initial = _referral_initial(user, member, codes, enrollments)
    form = CsReferralForm(data, sources=sources, enrollments=enrollments, initial=initial)
    formset = CsServiceFormSet(data, prefix=SERVICES_PREFIX, initial=[{"requested_start": timezone.localdate()}])
    if data is not None and ("add_service" in data or "refresh" in data):
        form = CsReferralForm(sources=sources, enrollments=enrollments, initial=posted_values(form))
        formset = CsServiceFormSet(prefix=SERVICES_PREFIX, initial=[posted_values(f) for f in formset.forms])
        return _referral_page(request, form, formset, member, status=200)
    if data is not None and form.is_valid() and formset.is_valid():
        key = form.cleaned_data["idempotency_key"] or ""
        created = apply_referral(
            form,
            formset,
            lambda: cs_request_create(actor=user, data=_referral_input(form, formset), idempotency_key=key),
        )
        if created:
            _outcome_messages(request, created)
            if len(created) == 1:
                return redirect("web:cs_request", request_id=created[0].pk)
            ids = "&".join(f"id={c.pk}" for c in created)
            return redirect(f"{reverse('web:cs_requests_submitted')}?{ids}")
    return _referral_page(request, form, formset, member, status=400 if data is not None else 200)


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
    options = what_could_member_get(cs_request.member, timezone.localdate())
    return next((o for o in options if o["service"] == cs_request.service_code), None)


def _action_hints(user: User, cs_request: CsRequest) -> dict[str, bool]:
    """Which buttons to show; display hints only, the services decide who may act."""
    assigned = user.is_provider_staff and cs_request.provider_id == user.organization_id
    plan_closer = user.is_plan_staff and user.role in (Role.PLAN_INTAKE, Role.MEMBER_SERVICES)
    authorization = cs_request.authorization
    return {
        "can_record_delivery": assigned and cs_request.status in DELIVERY_STATUSES,
        "can_close": (assigned or plan_closer) and cs_request.status in CS_OPEN_STATUSES,
        "can_decide": user.role == Role.PLAN_UM and authorization is not None and authorization.status in UNDECIDED,
    }


def _source_label(code: str) -> str:
    source = ReferralSourceType.objects.filter(code=code).order_by("-effective_from").first()
    return source.label if source else code


@verified_required
def cs_request_detail(request: HttpRequest, request_id: uuid.UUID) -> HttpResponse:
    """One request: its closed loop, eligibility explained, authorization, deliveries and what remains."""
    user = staff(request)
    cs_request = _scoped_request(request, request_id)
    scope = cs_request_scope(user)
    service = catalog().get(cs_request.service_code)
    context = {
        "cs": cs_request,
        "service_name": service.name if service else cs_request.service_code,
        "source_label": _source_label(cs_request.source_type),
        "history": cs_request.status_updates.all(),
        "deliveries": cs_request.deliveries.select_related("recorded_by").order_by("-start_date"),
        "authorization": cs_request.authorization,
        "linked_to": scope.filter(pk=cs_request.linked_to_id).first() if cs_request.linked_to_id else None,
        "linked": scope.filter(linked_to=cs_request).order_by("received_at"),
        "option": _remaining_for(cs_request),
        "member_visible": member_scope(user).filter(pk=cs_request.member_id).exists(),
        "close_form": CsCloseForm(),
        **_action_hints(user, cs_request),
    }
    return render(request, "web/cs/request.html", context)


def _action_page(
    request: HttpRequest, form: Any, cs_request: CsRequest, title: str, submit: str, **extra: Any
) -> HttpResponse:
    service = catalog().get(cs_request.service_code)
    context = {
        "form": form,
        "cs": cs_request,
        "service_name": service.name if service else cs_request.service_code,
        "title": title,
        "submit": submit,
        "back_url": reverse("web:cs_request", args=[cs_request.pk]),
        "back_label": "Back to the request",
        **extra,
    }
    return render(request, "web/cs/action_form.html", context, status=400 if form.is_bound else 200)


@verified_required
def cs_delivery_create(request: HttpRequest, request_id: uuid.UUID) -> HttpResponse:
    """The assigned CS provider records a delivered service; a limit refusal shows on its field."""
    cs_request = _scoped_request(request, request_id)
    service = catalog().get(cs_request.service_code)
    today = timezone.localdate()
    form = CsDeliveryForm(request.POST or None, service=service, initial={"start_date": today, "end_date": today})
    if request.method == "POST" and form.is_valid():
        data = DeliveryInput(**form.delivery_input())
        done = apply_delivery(form, lambda: cs_delivery_record(actor=staff(request), request=cs_request, data=data))
        if done is not None:
            messages.success(request, f"Delivery recorded: {done.start_date} to {done.end_date}.")
            return redirect("web:cs_request", request_id=cs_request.pk)
    name = service.name if service else cs_request.service_code
    option = _remaining_for(cs_request)
    return _action_page(request, form, cs_request, f"Record a delivery of {name}", "Record delivery", option=option)


@verified_required
def cs_request_close(request: HttpRequest, request_id: uuid.UUID) -> HttpResponse:
    """The provider or plan staff close a request with the reason the referrer will see."""
    cs_request = _scoped_request(request, request_id)
    form = CsCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        done = apply_service(form, lambda: cs_request_complete(actor=staff(request), request=cs_request, reason=reason))
        if done is not None:
            messages.success(request, f"Request {done.get_status_display().lower()}.")
            return redirect("web:cs_request", request_id=cs_request.pk)
    return _action_page(request, form, cs_request, "Close this Community Supports request", "Close request")


@verified_required
def delegate_reassign_view(request: HttpRequest, member_id: uuid.UUID) -> HttpResponse:
    """Member services records a Kaiser member's choice of reassignment to the plan."""
    member = scoped_member(request, member_id)
    form = DelegateReassignForm(request.POST or None, initial={"services_wanted": request.GET.getlist("service")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = apply_service(
            form,
            lambda: delegate_reassign(
                actor=staff(request), member=member, services_wanted=data["services_wanted"], note=data["note"]
            ),
        )
        if done is not None:
            messages.success(request, f"{member} reassigned to {member.plan.code} on {done.reassigned_on}.")
            return redirect("web:member", member_id=member.pk)
    context = {
        "form": form,
        "title": f"Reassign {member} from {member.delegated_to or 'the delegate'} to {member.plan.code}",
        "submit": "Reassign to the plan",
        "back_url": reverse("web:member", args=[member.pk]),
        "back_label": str(member),
    }
    return render(request, "web/cs/action_form.html", context, status=400 if form.is_bound else 200)
