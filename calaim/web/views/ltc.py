"""The plan's long-term care page (members in facilities, recent admissions and discharges, PASRR gaps, NEMT rides
without a PCS) and the actions of the member record's "Long-term care" section.

Each action loads its object through a scoped selector (outside scope: 404), parses one form and calls one
service; posted with htmx the answer is the refreshed section, without JavaScript a redirect to the record.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import partial
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from calaim.authorizations.selectors import authorization_get
from calaim.careplans.selectors import task_get
from calaim.core.clock import plan_today
from calaim.ltc import nemt, selectors, services
from calaim.ltc.policies import can_view_ltc
from calaim.ltc.reference import facility_types_on, nemt_rules_on
from calaim.ltc.selectors import PAGE_ROWS
from calaim.members.models import Member
from calaim.web.access import or_404, staff, verified_required
from calaim.web.views import ltc_section as ls
from calaim.web.views.actions import Action, act, posted
from calaim.web.views.members import SECTIONS, scoped_member

SECTION = "ltc"


@verified_required
def ltc_home(request: HttpRequest) -> HttpResponse:
    user = staff(request)
    if not can_view_ltc(user):
        raise Http404("No such page.")
    modes = nemt_rules_on(plan_today())
    labels = {t.code: t.label for t in facility_types_on(plan_today()).types}
    now = selectors.in_facility_now(user)
    counts = selectors.in_facility_counts(user)
    by_type = [{"label": labels[code], "count": n} for code, n in counts.items() if n]
    late = [
        (s, selectors.late_days(s, min(s.pasrr_screenings.all(), key=lambda p: p.level1_on)))
        for s in selectors.stays_with_late_level1(user).prefetch_related("pasrr_screenings")[:PAGE_ROWS]
    ]
    context = {
        "by_type": by_type,
        "in_facility": [(stay, labels.get(stay.facility_type, stay.facility_type)) for stay in now[:PAGE_ROWS]],
        "transitions": selectors.transitions(user)[:PAGE_ROWS],
        "no_level1": selectors.stays_without_level1(user)[:PAGE_ROWS],
        "late_level1": late,
        "undetermined": selectors.level2_undetermined(user)[:PAGE_ROWS],
        "rides": [(ride, modes.mode_label(ride.mode)) for ride in selectors.nemt_rides_without_pcs(user)[:PAGE_ROWS]],
        "since": plan_today(),
    }
    return render(request, "web/ltc/home.html", context)


def _section(
    request: HttpRequest, member: Member, bound: ls.Bound | None = None, flash: str = "", refusal: str = ""
) -> HttpResponse:
    title = SECTIONS[SECTION][0]
    ctx: dict[str, Any] = {"member": member, "section": SECTION, "title": title, "flash": flash, "refusal": refusal}
    ctx.update(ls.ltc_section(staff(request), member, bound))
    return render(
        request, "web/partials/section.html", {"ctx": ctx, "member": member, "section": SECTION, "title": title}
    )


def _act(
    request: HttpRequest,
    member: Member,
    key: str,
    form: forms.Form,
    call: Callable[[dict[str, Any]], object],
    done: str,
    title: str,
    submit: str,
) -> HttpResponse:
    return act(
        request,
        Action(
            form=form,
            call=call,
            title=title,
            submit=submit,
            done=done,
            next_url=f"{reverse('web:member', args=[member.pk])}#{SECTION}",
            context={"member": member},
            section=partial(_section, request, member),
            section_key=key,
        ),
    )


@verified_required
def stay_record(request: HttpRequest, member_id: uuid.UUID) -> HttpResponse:
    member = scoped_member(request, member_id)
    form = ls.stay_form(posted(request))
    call = lambda d: services.stay_record(actor=staff(request), member=member, **d)  # noqa: E731
    return _act(
        request, member, "ltc-stay-new", form, call, "Facility stay recorded.", "Record a facility stay", "Record stay"
    )


@verified_required
def stay_discharge(request: HttpRequest, stay_id: uuid.UUID) -> HttpResponse:
    stay = or_404(lambda: selectors.stay_get(staff(request), stay_id))
    form = ls.discharge_form(stay, posted(request))
    call = lambda d: services.stay_discharge(actor=staff(request), stay=stay, **d)  # noqa: E731
    title = f"Discharge from {stay.facility_name}"
    return _act(
        request, stay.member, f"ltc-stay-{stay.pk}", form, call, "Discharge recorded.", title, "Record discharge"
    )


def _pasrr_call(request: HttpRequest, member: Member, form: Any) -> Callable[[dict[str, Any]], object]:
    def call(_: dict[str, Any]) -> object:
        user = staff(request)
        data = form.service_data()
        stay = selectors.stay_get(user, data.pop("stay"))
        if stay.member_id != member.pk:
            raise Http404("No such stay.")
        auth_id = data.pop("authorization")
        authorization = authorization_get(user, auth_id) if auth_id else None
        return services.pasrr_record(actor=user, stay=stay, authorization=authorization, **data)

    return call


@verified_required
def pasrr_record(request: HttpRequest, member_id: uuid.UUID) -> HttpResponse:
    member = scoped_member(request, member_id)
    form = ls.pasrr_form(staff(request), member, posted(request))
    return _act(
        request,
        member,
        "ltc-pasrr-new",
        form,
        _pasrr_call(request, member, form),
        "PASRR screening recorded.",
        "Record a PASRR screening",
        "Record PASRR",
    )


@verified_required
def pcs_record(request: HttpRequest, member_id: uuid.UUID) -> HttpResponse:
    member = scoped_member(request, member_id)
    form = ls.pcs_form(member, posted(request))
    call = lambda d: nemt.pcs_record(actor=staff(request), member=member, **d)  # noqa: E731
    title = "Record a Physician Certification Statement (PCS)"
    return _act(
        request, member, "ltc-pcs-new", form, call, "Physician Certification Statement recorded.", title, "Record PCS"
    )


@verified_required
def pcs_revoke(request: HttpRequest, pcs_id: uuid.UUID) -> HttpResponse:
    pcs = or_404(lambda: selectors.pcs_get(staff(request), pcs_id))
    form = ls.pcs_revoke_form(pcs, posted(request))
    call = lambda d: nemt.pcs_revoke(actor=staff(request), pcs=pcs, **d)  # noqa: E731
    return _act(
        request, pcs.member, f"ltc-pcs-{pcs.pk}-revoke", form, call, "PCS revoked.", "Revoke the PCS", "Revoke PCS"
    )


@verified_required
def ride_set(request: HttpRequest, task_id: uuid.UUID) -> HttpResponse:
    task = or_404(lambda: task_get(staff(request), task_id))
    form = ls.ride_form(task, None, posted(request))
    call = lambda d: nemt.ride_record(actor=staff(request), task=task, **d)  # noqa: E731
    title = f"How the ride travels: task due {task.due_date:%Y-%m-%d}"
    return _act(request, task.member, f"ltc-ride-{task.pk}", form, call, "Ride recorded.", title, "Save ride")
