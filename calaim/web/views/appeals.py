"""Appeals pages: the coordinator's worklist of open appeals and grievances (expedited first, then the soonest due,
with the time left), filing an appeal of a Notice of Action, and an appeal's page with its extension, resolution
and withdrawal. Each action is one `Action` calling one service; reads go through calaim.appeals.selectors."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from calaim.accounts.models import User
from calaim.appeals.letters import service_label
from calaim.appeals.models import OPEN_APPEAL, OPEN_GRIEVANCE, Appeal, Grievance
from calaim.appeals.policies import can_extend_appeal, can_file_appeal, can_resolve_appeal, can_withdraw_appeal
from calaim.appeals.rules import rules_version
from calaim.appeals.selectors import (
    appeal_get,
    appeal_overdue,
    appealable_notice_get,
    appeals_listed,
    grievance_overdue,
    grievances_listed,
)
from calaim.appeals.services import appeal_extend, appeal_file, appeal_resolve, appeal_withdraw
from calaim.authorizations.models import AuthorizationStatus
from calaim.core.paging import page_number, page_of
from calaim.notices.selectors import notice_scope
from calaim.web.access import or_404, staff, verified_required
from calaim.web.forms_appeals import (
    AppealCreateForm,
    AppealExtendForm,
    AppealResolveForm,
    AppealWithdrawForm,
    WorklistFilterForm,
)
from calaim.web.views.actions import Action, act, posted

PAGE_SIZE = 25
ACTION_TEMPLATE = "web/appeals/action.html"


@require_GET
@verified_required
def worklist(request: HttpRequest) -> HttpResponse:
    """Open appeals and grievances in the caller's scope (or those the filters ask for), each list paged on its
    own, each row with its time left and whether it is overdue."""
    user = staff(request)
    form = WorklistFilterForm(request.GET or None)
    filters = form.filters()
    kind = form.cleaned_data.get("kind", "") if form.is_bound and form.is_valid() else ""
    context: dict[str, Any] = {"form": form, "appeals": None, "grievances": None}
    if kind != "grievances":
        appeals = page_of(appeals_listed(user, filters), page_number(request.GET.get("apage")), PAGE_SIZE)
        context |= {"appeals": appeals, "appeal_rows": [_appeal_row(a) for a in appeals.object_list]}
    if kind != "appeals":
        grievances = page_of(grievances_listed(user, filters), page_number(request.GET.get("gpage")), PAGE_SIZE)
        context |= {"grievances": grievances, "grievance_rows": [_grievance_row(g) for g in grievances.object_list]}
    return render(request, "web/appeals/worklist.html", context)


def _appeal_row(appeal: Appeal) -> dict[str, Any]:
    return {
        "item": appeal,
        "open": appeal.status in OPEN_APPEAL,
        "overdue": appeal_overdue(appeal),
        "determination": determination_label(appeal.notice_of_action.determination),
    }


def _grievance_row(grievance: Grievance) -> dict[str, Any]:
    return {
        "item": grievance,
        "open": grievance.status in OPEN_GRIEVANCE,
        "overdue": grievance_overdue(grievance),
        "category": rules_version(grievance.rules_version).grievance.category_label(grievance.category),
    }


def determination_label(determination: str) -> str:
    """The Notice of Action's determination as staff read it ("Denied", "Approved as modified")."""
    return str(dict(AuthorizationStatus.choices).get(determination, determination))


def scoped_appeal(request: HttpRequest, appeal_id: uuid.UUID) -> Appeal:
    return or_404(lambda: appeal_get(staff(request), appeal_id))


def appeal_context(user: User, appeal: Appeal) -> dict[str, Any]:
    """What the appeal's page and its action pages show about it."""
    return {
        "appeal": appeal,
        "member": appeal.member,
        "service": service_label(appeal.authorization),
        "rules": rules_version(appeal.rules_version).appeal,
    }


@require_GET
@verified_required
def appeal_detail(request: HttpRequest, appeal_id: uuid.UUID) -> HttpResponse:
    """The appeal: its clock, what was appealed, its letters, and the actions the caller may take."""
    user = staff(request)
    appeal = scoped_appeal(request, appeal_id)
    letters = notice_scope(user).filter(member=appeal.member_id, content__appeal_id=str(appeal.pk))
    context = {
        **appeal_context(user, appeal),
        "letters": letters.order_by("created_at"),
        "can_extend": can_extend_appeal(user, appeal),
        "can_resolve": can_resolve_appeal(user, appeal),
        "can_withdraw": can_withdraw_appeal(user, appeal),
        # One page holds the three forms: each its own ids (their fields' names stay what the action pages take).
        "extend_form": AppealExtendForm(auto_id="extend_%s"),
        "resolve_form": AppealResolveForm(auto_id="resolve_%s"),
        "withdraw_form": AppealWithdrawForm(auto_id="withdraw_%s"),
    }
    return render(request, "web/appeals/appeal.html", context)


@verified_required
def appeal_create(request: HttpRequest) -> HttpResponse:
    """File an appeal of the Notice of Action named by ?notice_of_action=<id> (from the member's appeals page)."""
    user = staff(request)
    notice_id = request.GET.get("notice_of_action", "")
    if not notice_id:
        raise Http404("Choose the notice to appeal from the member's appeals page.")
    notice = or_404(lambda: appealable_notice_get(user, notice_id))
    form = AppealCreateForm(posted(request), provider=user.is_provider_staff)
    return act(
        request,
        Action(
            form=form,
            call=lambda _: appeal_file(actor=user, notice=notice, data=form.appeal_input()),
            title=f"Appeal for {notice.member.first_name} {notice.member.last_name}",
            submit="File the appeal",
            done=lambda a: (
                f"Appeal {a.reference} filed{' (late)' if a.late else ''}; the acknowledgment letter is queued."
            ),
            next_url=lambda a: reverse("web:appeal", args=[a.pk]),
            context={
                "member": notice.member,
                "notice": notice,
                "service": service_label(notice.authorization),
                "verdict": can_file_appeal(user, notice),
            },
            template="web/appeals/appeal_form.html",
        ),
    )


AppealCall = Callable[[User, Appeal, dict[str, Any]], object]


def _appeal_action(
    request: HttpRequest, appeal_id: uuid.UUID, form: forms.Form, call: AppealCall, verb: str, done: str
) -> HttpResponse:
    user = staff(request)
    appeal = scoped_appeal(request, appeal_id)
    return act(
        request,
        Action(
            form=form,
            call=lambda d: call(user, appeal, d),
            title=f"{verb} appeal {appeal.reference}",
            submit=verb,
            done=done,
            next_url=reverse("web:appeal", args=[appeal.pk]),
            context=appeal_context(user, appeal),
            template=ACTION_TEMPLATE,
        ),
    )


@verified_required
def appeal_extend_view(request: HttpRequest, appeal_id: uuid.UUID) -> HttpResponse:
    """Extend the resolution once (the member is sent the reason)."""
    return _appeal_action(
        request,
        appeal_id,
        AppealExtendForm(posted(request)),
        lambda user, appeal, d: appeal_extend(
            actor=user, appeal=appeal, extension_days=d["extension_days"], reason=d["reason"]
        ),
        "Extend",
        "Appeal extended; the extension notice is queued.",
    )


@verified_required
def appeal_resolve_view(request: HttpRequest, appeal_id: uuid.UUID) -> HttpResponse:
    """Uphold or overturn; an overturned decision authorizes the service."""
    return _appeal_action(
        request,
        appeal_id,
        AppealResolveForm(posted(request)),
        lambda user, appeal, d: appeal_resolve(actor=user, appeal=appeal, outcome=d["outcome"], reason=d["reason"]),
        "Resolve",
        "Appeal resolved; the resolution letter is queued.",
    )


@verified_required
def appeal_withdraw_view(request: HttpRequest, appeal_id: uuid.UUID) -> HttpResponse:
    """Record that the member withdrew the appeal."""
    return _appeal_action(
        request,
        appeal_id,
        AppealWithdrawForm(posted(request)),
        lambda user, appeal, d: appeal_withdraw(actor=user, appeal=appeal, reason=d["reason"]),
        "Withdraw",
        "Appeal withdrawn.",
    )
