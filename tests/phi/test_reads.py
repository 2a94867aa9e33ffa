"""Every kind of read of member data writes the PHI read log: who, which members, what, when and from where; one
row per (request, member). A refused read, an anonymous caller and work outside a request write nothing."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from calaim.access.scopes import member_get
from calaim.core.clock import plan_today
from calaim.core.models import PhiRead
from calaim.notices.models import Notice
from tests.conftest import referral_body
from tests.factories import AuthorizationFactory, EnrollmentFactory, MemberFactory, ReferralFactory
from tests.phi.conftest import read_members, reads

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def served(network):
    """A member enrolled with provider A (cm_a leads), and one served by provider B."""
    ours = EnrollmentFactory(
        provider=network.provider_a, enrolled=True, lead_care_manager=network.users["cm_a"],
        referral__member__last_name="Ouresson",
    )  # fmt: skip
    theirs = EnrollmentFactory(provider=network.provider_b, enrolled=True, referral__member__last_name="Theirsley")
    PhiRead.objects.all().delete()
    return ours.member, theirs.member


def test_the_member_record_page_records_who_which_member_what_when_and_where(web, network, served):
    member, _ = served
    before = timezone.now()
    response = web("cm_a").get(f"/members/{member.pk}/", REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 200
    [read] = reads()  # the page loads the member many times over: one row for the request
    assert (read.user, read.user_label, read.user_role) == (network.users["cm_a"], "cm_a", "provider_care_manager")
    assert read.member_id == member.pk and read.plan_id == member.plan_id
    assert (read.view, read.method, read.path, read.query) == ("web:member", "GET", f"/members/{member.pk}/", "")
    assert read.ip == "198.51.100.7" and read.status == 200 and read.request_id
    assert before <= read.at <= timezone.now()


def test_an_htmx_partial_of_the_record_is_a_read(web, served):
    member, _ = served
    response = web("cm_a").get(f"/members/{member.pk}/sections/tasks/", headers=HTMX)
    assert response.status_code == 200
    [read] = reads()
    assert (read.member_id, read.view) == (member.pk, "web:member_section")


def test_the_care_managers_worklist_records_every_member_it_lists(web, network, served):
    ours, _theirs = served
    assert web("cm_a").get("/").status_code == 200
    assert read_members(view="web:home") == {ours.pk}


def test_the_um_queue_records_the_members_waiting_in_it(web, network):
    waiting = [AuthorizationFactory().member for _ in range(3)]
    AuthorizationFactory(member=MemberFactory(plan_id=network.hpsm.plan_id, county__name="San Mateo"), referral=None)
    PhiRead.objects.all().delete()
    assert web("um").get("/").status_code == 200
    assert read_members(user=network.users["um"]) == {m.pk for m in waiting}


def test_the_intake_worklist_records_new_referrals_members(web, network):
    referred = [ReferralFactory().member for _ in range(2)]
    PhiRead.objects.all().delete()
    assert web("intake").get("/").status_code == 200
    assert read_members(view="web:home") == {m.pk for m in referred}


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_a_member_search_records_the_members_found_and_the_terms(web, network, headers):
    found = [MemberFactory(last_name=f"Zamora{n}") for n in range(3)]
    MemberFactory(last_name="Quintero")
    PhiRead.objects.all().delete()
    response = web("member_services").get("/members/search/", {"q": "zamora"}, headers=headers)
    assert response.status_code == 200
    assert read_members() == {m.pk for m in found}
    assert {(r.view, r.query) for r in reads()} == {("web:member_search", "q=zamora")}


def test_a_search_that_finds_nobody_records_nothing(web, network):
    MemberFactory(last_name="Quintero")
    PhiRead.objects.all().delete()
    assert web("member_services").get("/members/search/", {"q": "nobody-here"}).status_code == 200
    assert reads() == []


def test_the_api_member_list_and_detail_are_reads(api, network, served):
    ours, _ = served
    listed = api("intake").get("/members", limit=1)
    assert listed.status_code == 200
    first = listed.json()["items"][0]["id"]
    assert {str(m) for m in read_members(view="api:list_members")} == {first}
    assert [r.query for r in reads(view="api:list_members")] == ["limit=1"]
    assert api("cm_a").get(f"/members/{ours.pk}").status_code == 200
    assert read_members(view="api:get_member") == {ours.pk}


def test_rows_that_only_name_their_member_are_reads_too(api, network):
    """Notices and authorizations carry member_id without loading the member: still a read of that member."""
    member = AuthorizationFactory().member
    Notice.objects.create(member=member, kind="referrer_outcome", recipient="referrer", due_date=plan_today())
    PhiRead.objects.all().delete()
    notices = api("intake").get("/notices", member_id=str(member.pk))
    assert notices.status_code == 200 and notices.json()["count"] == 1
    assert read_members(view="api:list_notices") == {member.pk}
    assert api("um").get("/authorizations").status_code == 200
    assert read_members(view="api:list_authorizations") == {member.pk}


def test_a_write_that_shows_the_member_is_on_record_with_its_method(api, network, served):
    member, _ = served
    enrollment = member.ecm_enrollments.get()
    body = {"attempted_on": plan_today().isoformat(), "method": "phone", "reached": False, "minutes_spent": 5}
    response = api("cm_a").post(f"/enrollments/{enrollment.pk}/outreach-attempts", body)
    assert response.status_code == 201
    assert {(r.member_id, r.method, r.status) for r in reads()} == {(member.pk, "POST", 201)}


def test_the_member_admin_list_and_form_are_reads(web, network, served):
    ours, theirs = served
    admin = web("admin")
    assert admin.get(reverse("admin:members_member_changelist")).status_code == 200
    assert read_members(view="admin:members_member_changelist") == {ours.pk, theirs.pk}
    assert admin.get(reverse("admin:members_member_change", args=[ours.pk])).status_code == 200
    assert read_members(view="admin:members_member_change") == {ours.pk}


def test_the_member_admin_search_keeps_its_terms(web, network, served):
    ours, _ = served
    assert web("admin").get(reverse("admin:members_member_changelist"), {"q": "Ouresson"}).status_code == 200
    assert {(r.member_id, r.query) for r in reads()} == {(ours.pk, "q=Ouresson")}


def test_another_organizations_member_is_404_and_logs_nothing(web, api, served):
    ours, _ = served
    assert web("cm_b").get(f"/members/{ours.pk}/").status_code == 404
    assert web("cm_b").get(f"/members/{ours.pk}/sections/identity/", headers=HTMX).status_code == 404
    assert api("cm_b").get(f"/members/{ours.pk}").status_code == 404
    assert api("hpsm_intake").get(f"/members/{uuid.uuid4()}").status_code == 404
    assert reads() == []


def test_a_refusal_after_the_member_was_loaded_logs_nothing(web, api, served):
    """The member is in scope (loaded), but the role may not: 403 or 404 shows nothing, so nothing is on record."""
    ours, _ = served
    assert api("cm_a").get(f"/members/{ours.pk}/eligibility").status_code == 403
    assert api("cm_a").get(f"/members/{ours.pk}/audit-events").status_code == 403
    assert web("cm_a").get(f"/members/{ours.pk}/sections/audit/").status_code == 404
    assert reads() == []


def test_an_api_error_logs_nothing_though_the_member_was_matched(api, network):
    member = MemberFactory(experiencing_homelessness=True)
    body = referral_body(member, member_birth_date="1901-01-01")
    assert api("referrer").post("/referrals", body).status_code in (400, 422)
    assert reads() == []


def test_anonymous_callers_log_nothing(web, api, served):
    ours, _ = served
    assert api(None).get(f"/members/{ours.pk}").status_code == 401
    assert web(None).get(f"/members/{ours.pk}/").status_code == 302
    assert reads() == []


def test_work_outside_a_request_logs_nothing(network, served):
    """Tasks, commands and the shell read members with no request, and nobody to record."""
    ours, _ = served
    assert member_get(network.users["intake"], ours.pk) == ours
    list(ours.ecm_enrollments.all())
    assert reads() == []


def test_the_client_address_ignores_x_forwarded_for_unless_behind_a_trusted_proxy(web, settings, served):
    ours, _ = served
    path = f"/members/{ours.pk}/"
    forwarded = {"HTTP_X_FORWARDED_FOR": "10.9.9.9, 203.0.113.5", "REMOTE_ADDR": "192.0.2.1"}
    settings.CALAIM_TRUSTED_PROXIES = 0
    web("intake").get(path, **forwarded)
    settings.CALAIM_TRUSTED_PROXIES = 1
    web("intake").get(path, **forwarded)
    settings.CALAIM_TRUSTED_PROXIES = 2
    web("intake").get(path, **forwarded)
    assert [r.ip for r in reads()] == ["192.0.2.1", "203.0.113.5", "10.9.9.9"]


def test_reads_are_dated_by_the_server_not_by_the_caller(web, served):
    ours, _ = served
    web("intake").get(f"/members/{ours.pk}/", HTTP_DATE="Thu, 01 Jan 1970 00:00:00 GMT")
    [read] = reads()
    assert abs(read.at - timezone.now()) < dt.timedelta(minutes=1)
