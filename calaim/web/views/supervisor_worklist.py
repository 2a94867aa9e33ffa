"""The ECM provider supervisor's worklist: caseloads by Lead Care Manager (by name, with their languages), capacity
and the caseload; and the page where the supervisor records the languages each care manager speaks."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from calaim.accounts.models import Role, User
from calaim.ecm.models import ACTIVE_ENROLLMENT_STATUSES, Enrollment
from calaim.ecm.selectors import care_manager_get, care_manager_loads, enrollment_scope
from calaim.ecm.services import care_manager_languages_set
from calaim.network.selectors import ecm_contracts_of
from calaim.web.access import or_404, staff, verified_required
from calaim.web.forms_enrollment import CareManagerLanguagesForm
from calaim.web.queues import Column, MemberFilters, Queue, queue_page, queue_register
from calaim.web.templatetags.label_tags import person
from calaim.web.views.actions import Action, act, posted
from calaim.web.views.roster_facts import worklist_context


class CaseloadFilters(MemberFilters):
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Assigned or enrolled"), *((s.value, s.label) for s in ACTIVE_ENROLLMENT_STATUSES)],
    )
    lead = forms.ChoiceField(
        label="Lead Care Manager", required=False, choices=[("", "Anyone"), ("none", "Not yet assigned")]
    )
    lookups = {
        **MemberFilters.lookups,
        "status": "status",
        "lead": lambda rows, value: rows.filter(lead_care_manager__isnull=True) if value == "none" else rows,
    }


def _caseload_rows(user: User) -> QuerySet[Enrollment]:
    return enrollment_scope(user).select_related("member", "lead_care_manager__organization")


CASELOAD = queue_register(
    Queue(
        name="team_caseload",
        filename="team-caseload",
        source=_caseload_rows,
        allowed=lambda user: user.role == Role.PROVIDER_SUPERVISOR and user.is_provider_staff,
        columns=(
            Column("Member", "name"),
            Column("Status", "status"),
            Column("Lead Care Manager", "lead"),
            Column("Action", sr_only=True),
        ),
        sorts={
            "name": ("member__last_name", "member__first_name"),
            "status": ("status", "member__last_name"),
            "lead": ("lead_care_manager__last_name", "lead_care_manager__first_name", "member__last_name"),
        },
        default_sort="name",
        filters=CaseloadFilters,
        csv=(
            ("Last name", lambda e: e.member.last_name),
            ("First name", lambda e: e.member.first_name),
            ("CIN", lambda e: e.member.cin),
            ("Status", lambda e: e.get_status_display()),
            ("Lead Care Manager", lambda e: person(e.lead_care_manager) if e.lead_care_manager else "Not assigned"),
        ),
    )
)


def supervisor_worklist(user: User, request: HttpRequest) -> dict[str, Any]:
    enrollments = enrollment_scope(user)
    by_plan = dict(enrollments.values_list("member__plan__code").annotate(n=Count("id")))
    assert user.organization_id is not None  # provider staff always belong to an organization
    contracts = ecm_contracts_of(user.organization_id)
    capacity = []
    for contract in contracts:
        serving = by_plan.get(contract.plan.code, 0)
        capacity.append({"contract": contract, "serving": serving, "free": max(contract.capacity - serving, 0)})
    return {
        "by_manager": care_manager_loads(user),
        "unassigned": enrollments.filter(lead_care_manager__isnull=True).count(),
        "capacity": capacity,
        "caseload": queue_page(request, CASELOAD),
        **worklist_context(user),
    }


def _language_codes(user: User, current: list[str]) -> set[str]:
    """The languages to offer: those the provider's contracts list, English and Spanish, and any already recorded."""
    assert user.organization_id is not None  # provider staff
    listed = {code for contract in ecm_contracts_of(user.organization_id) for code in contract.languages}
    return listed | {"en", "es"} | set(current)


@verified_required
def care_manager_languages(request: HttpRequest, username: str) -> HttpResponse:
    """The supervisor records which languages one of their care staff speaks (shown when naming a Lead Care
    Manager); anyone outside the supervisor's organization is not found."""
    user = staff(request)
    manager = or_404(lambda: care_manager_get(user, username))
    current = list(getattr(getattr(manager, "ecm_languages", None), "languages", []) or [])
    form = CareManagerLanguagesForm(
        posted(request), initial={"languages": current}, codes=_language_codes(user, current)
    )
    return act(
        request,
        Action(
            form=form,
            call=lambda d: care_manager_languages_set(actor=user, manager=manager, languages=d["languages"]),
            title=f"Languages {person(manager)} speaks",
            submit="Save languages",
            done=f"Languages recorded for {person(manager)}.",
            next_url=reverse("web:home"),
            template="web/ecm/care_manager_languages.html",
        ),
    )
