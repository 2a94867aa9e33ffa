"""The appeals pages as staff use them: the coordinator's worklist (expedited first, overdue marked, filters,
paging), filing an appeal from a Notice of Action, the appeal's extend, resolve and withdraw forms, grievances, and
the member's appeals page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from calaim.appeals.models import Appeal, AppealStatus, Grievance
from calaim.appeals.services import AppealInput, appeal_file
from calaim.authorizations.models import AuthorizationRequest
from calaim.core.clock import PLAN_TIME_ZONE
from calaim.core.models import PhiRead
from tests.appeals.conftest import deny, in_caseload, pending_ecm
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def appeal_of(staff, notice, **data):
    return appeal_file(actor=staff["member_services"], notice=notice, data=AppealInput(channel="phone", **data))


def test_member_services_files_an_appeal_from_the_notice(web, staff, denied):
    url = f"{reverse('web:appeal_create')}?notice_of_action={denied.pk}"
    page = web("member_services").get(url)
    assert page.status_code == 200 and "File the appeal" in page.content.decode()
    refused = web("member_services").post(url, {"channel": "pigeon", "on_behalf": "member"})
    assert refused.status_code == 400 and not Appeal.objects.exists()
    done = web("member_services").post(url, {"channel": "mail", "on_behalf": "member", "expedited": "on"})
    appeal = Appeal.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse("web:appeal", args=[appeal.pk])
    assert appeal.expedited and appeal.channel == "mail" and appeal.filed_by == staff["member_services"]


def test_a_provider_files_for_a_member_in_its_caseload(web, staff, api, member):
    notice = deny(api, pending_ecm(api, member))
    url = f"{reverse('web:appeal_create')}?notice_of_action={notice.pk}"
    assert web("cm_a").get(url).status_code == 404
    in_caseload(member, staff["cm_a"].organization)
    page = web("cm_a").get(url)
    assert page.status_code == 200 and "Filed by" not in page.content.decode()
    web("cm_a").post(url, {"channel": "portal"})
    appeal = Appeal.objects.get()
    assert appeal.on_behalf == "provider" and appeal.provider_organization == staff["cm_a"].organization
    assert web("cm_a").get(reverse("web:appeal", args=[appeal.pk])).status_code == 200
    assert web("cm_b").get(reverse("web:appeal", args=[appeal.pk])).status_code == 404


def test_the_worklist_shows_expedited_first_and_marks_overdue(web, staff, api, denied):
    standard = appeal_of(staff, denied)
    other = deny(api, pending_ecm(api, MemberFactory(experiencing_homelessness=True)))
    expedited = appeal_of(staff, other, expedited=True)
    Appeal.objects.filter(pk=standard.pk).update(resolution_due_at=timezone.now() - dt.timedelta(hours=2))
    page = web("appeals").get(reverse("web:appeals")).content.decode()
    assert page.index(expedited.reference) < page.index(standard.reference)
    assert "Overdue" in page and "overdue by 2 h" in page
    due = expedited.resolution_due_at.astimezone(PLAN_TIME_ZONE)
    assert f"{due:%Y-%m-%d %H:%M}" in page  # plan time, not the server's
    only_expedited = web("appeals").get(reverse("web:appeals"), {"expedited": "on"}).content.decode()
    assert expedited.reference in only_expedited and standard.reference not in only_expedited
    overdue = web("appeals").get(reverse("web:appeals"), {"show": "overdue"}).content.decode()
    assert standard.reference in overdue and expedited.reference not in overdue
    assert 'id="grievances-h"' not in web("appeals").get(reverse("web:appeals"), {"kind": "appeals"}).content.decode()


def test_the_worklist_pages(web, staff, api, denied, monkeypatch):
    monkeypatch.setattr("calaim.web.views.appeals.PAGE_SIZE", 1)
    first = appeal_of(staff, denied)
    second = appeal_of(staff, deny(api, pending_ecm(api, MemberFactory(experiencing_homelessness=True))))
    pages = [web("appeals").get(reverse("web:appeals"), {"apage": n}).content.decode() for n in ("1", "2")]
    assert "apage=2" in pages[0] and "apage=1" in pages[1]
    shown = [[a.reference for a in (first, second) if a.reference in page] for page in pages]
    assert sorted(shown) == sorted([[first.reference], [second.reference]])


def test_the_coordinator_extends_then_resolves_on_the_appeal_page(web, staff, denied):
    appeal = appeal_of(staff, denied)
    page = web("appeals").get(reverse("web:appeal", args=[appeal.pk])).content.decode()
    assert "Extend" in page and "Resolve" in page and "Appeal acknowledgment letter" in page
    too_long = web("appeals").post(
        reverse("web:appeal_extend", args=[appeal.pk]), {"extension_days": 15, "reason": "x"}
    )
    assert too_long.status_code == 400 and "1 to 14" in too_long.content.decode()
    web("appeals").post(reverse("web:appeal_extend", args=[appeal.pk]), {"extension_days": 5, "reason": "Records"})
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.EXTENDED
    web("appeals").post(reverse("web:appeal_resolve", args=[appeal.pk]), {"outcome": "overturned", "reason": "Met"})
    assert Appeal.objects.get(pk=appeal.pk).outcome == "overturned"
    assert AuthorizationRequest.objects.get(pk=denied.authorization_id).status == "approved"


def test_member_services_sees_but_may_not_resolve(web, staff, denied):
    appeal = appeal_of(staff, denied)
    page = web("member_services").get(reverse("web:appeal", args=[appeal.pk])).content.decode()
    assert "Withdraw the appeal" in page and 'action="/appeals/' + str(appeal.pk) + '/resolve/"' not in page
    refused = web("member_services").post(
        reverse("web:appeal_resolve", args=[appeal.pk]), {"outcome": "upheld", "reason": "x"}
    )
    assert refused.status_code == 400 and Appeal.objects.get(pk=appeal.pk).status == AppealStatus.ACKNOWLEDGED


def test_grievance_from_the_member_page_to_resolution(web, staff, denied):
    member = denied.member
    page = web("member_services").get(reverse("web:member_appeals", args=[member.pk])).content.decode()
    assert "File an appeal" in page and "Record a grievance" in page
    url = f"{reverse('web:grievance_create')}?member={member.pk}"
    form = web("member_services").get(url).content.decode()
    assert "Language access and interpreters" in form and "ECM authorization received" in form
    web("member_services").post(
        url,
        {
            "category": "language_access",
            "description": "No interpreter at the visit",
            "channel": "phone",
            "related": f"authorization:{denied.authorization_id}",
        },
    )
    grievance = Grievance.objects.get()
    assert grievance.authorization_id == denied.authorization_id and grievance.category == "language_access"
    assert grievance.member_id == member.pk
    web("appeals").post(reverse("web:grievance_resolve", args=[grievance.pk]), {"resolution": "Interpreter booked"})
    grievance.refresh_from_db()
    assert grievance.status == "resolved" and grievance.resolved_by == staff["appeals"]
    shown = web("compliance").get(reverse("web:grievance", args=[grievance.pk])).content.decode()
    assert "Interpreter booked" in shown and "<form" not in shown.split("</header>")[1]


def test_pages_are_on_the_phi_read_log(web, staff, denied):
    appeal = appeal_of(staff, denied)
    web("compliance").get(reverse("web:appeal", args=[appeal.pk]))
    assert PhiRead.objects.filter(member=denied.member, user=staff["compliance"], view="web:appeal").exists()


def test_the_coordinator_lands_on_the_appeals_worklist(web, staff):
    response = web("appeals").get(reverse("web:home"))
    assert response.status_code == 302 and response["Location"] == reverse("web:appeals")
