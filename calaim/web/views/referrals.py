"""Referral pages: intake from a person (phone or outside referrer), the closed-loop page, duplicate review."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from calaim.access.scopes import member_get, member_visible
from calaim.accounts.models import Role, User
from calaim.authorizations.selectors import authorization_scope
from calaim.core.clock import local_date, plan_today
from calaim.ecm.models import ACTIVE_ENROLLMENT_STATUSES
from calaim.ecm.selectors import determination_scope, enrollment_scope
from calaim.members.models import Member
from calaim.plans.models import ReferralSourceType
from calaim.plans.selectors import latest_by_code, pofs_in_force
from calaim.referrals.models import Referral, ReferralStatus
from calaim.referrals.policies import (
    can_assign_provider,
    can_determine_eligibility,
    can_review_duplicate,
    referral_sources_for,
)
from calaim.referrals.selectors import loop_history, referral_get, referral_scope
from calaim.referrals.services import referral_check, referral_duplicate_confirm, referral_duplicate_reject
from calaim.web.access import or_404, staff, verified_required
from calaim.web.forms_ecm import DuplicateReviewForm, ReferralCreateForm, remap_errors
from calaim.web.views.actions import Action, act, posted
from calaim.workflows.referral_intake import referral_submit

PHONE_SOURCE = "member_self_family_phone"


def scoped_referral(request: HttpRequest, referral_id: uuid.UUID) -> Referral:
    return or_404(lambda: referral_get(staff(request), referral_id))


def _prefill_member(request: HttpRequest) -> Member | None:
    """?member=<id> fills in the member; a member outside the caller's scope is a 404 like everywhere else."""
    member_id = request.GET.get("member")
    if not member_id:
        return None
    return or_404(lambda: member_get(staff(request), member_id))


def _initial(user: User, member: Member | None, sources: list[str]) -> dict[str, Any]:
    name = user.get_full_name() or user.username
    initial: dict[str, Any] = {
        "attested_by": name,
        "attested_on": plan_today(),
        "idempotency_key": uuid.uuid4(),
    }
    if user.role == Role.MEMBER_SERVICES and PHONE_SOURCE in sources:
        initial["source_type"] = PHONE_SOURCE  # member services takes the member's or family's call
    else:
        initial.update(referrer_name=name, referrer_phone=user.phone)
        if len(sources) == 1:
            initial["source_type"] = sources[0]
    if member is not None:
        initial.update(member_cin=member.cin, member_birth_date=member.birth_date, member_phone=member.phone)
    return initial


@verified_required
def referral_create_view(request: HttpRequest) -> HttpResponse:
    """The ECM referral form: a phone referral taken by member services, or an outside referrer's own."""
    user = staff(request)
    today = plan_today()
    member = _prefill_member(request)
    sources = referral_sources_for(user, today)
    form = ReferralCreateForm(
        posted(request),
        initial=_initial(user, member, [s.code for s in sources]),
        sources=sources,
        pofs=pofs_in_force(today),
        verification_form=user.is_provider_staff,
    )
    return act(
        request,
        Action(
            form=form,
            call=remap_errors(
                lambda d: referral_submit(actor=user, data=form.referral_input(), idempotency_key=d["idempotency_key"]),
                form.field_for,
            ),
            title="Refer a member for ECM",
            submit="Submit referral",
            done=lambda done: _created_message(*done),
            next_url=lambda done: reverse("web:referral", args=[done[0].pk]),
            context={"member": member, "may_refer": bool(sources)},
            template="web/ecm/referral_form.html",
            check=remap_errors(lambda: referral_check(actor=user, **form.draft()), form.field_for),
        ),
    )


def _created_message(referral: Referral, created: bool) -> str:
    if not created:
        return "This referral was already submitted; here it is."
    if referral.status == ReferralStatus.LINKED and referral.linked_to is not None:
        received = local_date(referral.linked_to.received_at)
        return (
            f"Referral received. The member already has an open ECM referral (received {received}), so this one "
            "was linked to it instead of starting over; the plan will confirm whether it is a duplicate."
        )
    return f"Referral received. Status: {referral.get_status_display()}."


def _actions(user: User, referral: Referral) -> dict[str, object]:
    """Which buttons to show: the same policies the workflows enforce."""
    return {
        "can_determine": can_determine_eligibility(user, referral),
        "can_assign": can_assign_provider(user, referral),
        "can_review_duplicate": can_review_duplicate(user, referral),
    }


def _attestations(referral: Referral) -> list[dict[str, Any]]:
    """The referral's attestations with the POF names and criterion labels of the day it was received."""
    pofs = {p.code: p for p in pofs_in_force(local_date(referral.received_at))}
    rows = []
    for attestation in referral.pof_attestations:
        pof = pofs.get(attestation["pof"])
        labels = {c["key"]: c["label"] for c in pof.criteria} if pof else {}
        rows.append(
            {
                "code": attestation["pof"],
                "name": pof.name if pof else "",
                "criteria": [labels.get(key, key) for key in attestation.get("criteria", [])],
                "facts": attestation.get("facts", ""),
            }
        )
    return rows


def _source_label(referral: Referral) -> str:
    source = latest_by_code(ReferralSourceType, local_date(referral.received_at)).get(referral.source_type)
    return source.label if source else referral.source_type


@verified_required
def referral_detail(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    """One referral and its closed loop, as far as the caller may see: referrers see their own."""
    user = staff(request)
    referral = scoped_referral(request, referral_id)
    in_scope = referral_scope(user)
    context = {
        "referral": referral,
        "updates": loop_history(referral),
        "attestations": _attestations(referral),
        "source_label": _source_label(referral),
        "member_visible": member_visible(user, referral.member_id),
        "linked_to_visible": referral.linked_to_id is not None and in_scope.filter(pk=referral.linked_to_id).exists(),
        "linked_referrals": in_scope.filter(linked_to=referral).order_by("received_at"),
        "determinations": determination_scope(user).filter(referral=referral).order_by("-created_at"),
        "authorizations": authorization_scope(user).filter(referral=referral).order_by("received_at"),
        "enrollments": enrollment_scope(user).filter(referral=referral).select_related("provider"),
        "active_statuses": ACTIVE_ENROLLMENT_STATUSES,
        **_actions(user, referral),
    }
    return render(request, "web/ecm/referral.html", context)


DUPLICATE_OUTCOMES = {
    DuplicateReviewForm.CONFIRM: "Duplicate confirmed: the referral is closed and its referrer told the open referral "
    "carries on.",
    DuplicateReviewForm.REJECT: "Not a duplicate: the referral is received again and waits for its eligibility "
    "determination.",
}


@verified_required
def referral_duplicate(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    """Intake confirms a linked referral is a duplicate, or sends it on as a referral of its own."""
    user = staff(request)
    referral = scoped_referral(request, referral_id)
    form = DuplicateReviewForm(posted(request))

    def review(data: dict[str, Any]) -> Referral:
        if data["decision"] == DuplicateReviewForm.CONFIRM:
            return referral_duplicate_confirm(actor=user, referral=referral, note=data["reason"])
        return referral_duplicate_reject(actor=user, referral=referral, reason=data["reason"])

    original = referral_scope(user).filter(pk=referral.linked_to_id).first() if referral.linked_to_id else None
    return act(
        request,
        Action(
            form=form,
            call=review,
            title="Review a possible duplicate referral",
            submit="",
            done=lambda _: DUPLICATE_OUTCOMES[form.cleaned_data["decision"]],
            next_url=reverse("web:referral", args=[referral.pk]),
            context={"referral": referral, "original": original},
            template="web/ecm/duplicate.html",
        ),
    )
