"""What provider files put on worklists and on the member record: the providers whose RTF has not arrived (the plan's
intake worklist and provider files page), the contact updates waiting on member services (accept, dismiss with a
note; each audited; nobody else sees or acts on them), and what a provider reported in its RTF (Lead Care Manager,
acuity, milestones, encounters) on the member record, each provider's to its own staff."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from calaim.accounts.models import Role
from calaim.core.clock import plan_today
from calaim.core.models import AuditEvent, PhiRead
from calaim.exchange.models import ContactUpdate, ContactUpdateStatus, EncounterCount, LoadStatus, ProviderReport
from calaim.plans.models import Plan
from calaim.web.views import exchange_worklist
from tests.exchange_web import test_exchange_views as views
from tests.factories import EnrollmentFactory, MemberFactory, OrganizationFactory, UserFactory, ecm_contract

# The pages' fixtures: the network with NPIs and each plan's analyst, and a data folder of the test's own.
network = views.network
data_dir = views.data_dir
make_load = views.make_load

pytestmark = pytest.mark.django_db


# RTF not received ---------------------------------------------------------------------------------------------------


@pytest.fixture
def after_the_due_day(monkeypatch: Any) -> dt.date:
    """Today is the 15th, after the plans' RTF due day (the 10th in the reference settings)."""
    day = plan_today().replace(day=15)
    monkeypatch.setattr(exchange_worklist, "plan_today", lambda: day)
    return day


def serving(network: Any, provider: Any) -> Any:
    """A member the provider has served since two months ago."""
    return EnrollmentFactory(provider=provider, enrolled=True, assigned_at=timezone.now() - dt.timedelta(days=60))


def file_only_provider(name: str, npi: str) -> Any:
    """An ECM provider of HPSJ with no staff account in calaim: it reports by file alone."""
    provider = OrganizationFactory(name=name, npi=npi, tin="941234567")
    ecm_contract(provider, "HPSJ", ["San Joaquin"])
    return provider


def test_a_file_only_provider_whose_rtf_has_not_arrived_is_on_the_plans_worklists(web, network, after_the_due_day):
    delta, echo = (
        file_only_provider("Delta File Partners", "1000000012"),
        file_only_provider("Echo Outreach", "1000000020"),
    )
    for provider in (delta, echo, network.provider_a):  # Alpha's staff work in calaim: no RTF expected of it
        serving(network, provider)
    period = (after_the_due_day.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    make_load(network, provider=echo, period=period)  # Echo's RTF for last month arrived
    assert 'hx-get="/data/exchange/rtf-missing/" hx-trigger="load"' in web("intake").get("/").content.decode()
    panel = "/data/exchange/rtf-missing/"
    for role, path in (("intake", panel), ("um", panel), ("data", "/data/exchange/"), ("compliance", panel)):
        html = web(role).get(path).content.decode()
        assert "RTF not received (1)" in html, role
        listed = html.split("RTF not received")[1].split("</section>")[0]
        assert "Delta File Partners" in listed and 'id="rtf-missing-who"' in listed, role
        assert "Echo Outreach" not in listed and "Alpha Care Partners" not in listed, role
    assert "RTF not received" not in web("hpsm_data").get("/data/exchange/").content.decode()
    assert web("sup_a").get(panel).status_code == 404 and web("referrer").get(panel).status_code == 403


def test_a_rejected_rtf_is_not_received_and_nothing_is_missing_before_the_due_day(web, network, after_the_due_day,
                                                                                 monkeypatch):  # fmt: skip
    delta = file_only_provider("Delta File Partners", "1000000012")
    serving(network, delta)
    period = (after_the_due_day.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    make_load(network, LoadStatus.REJECTED, provider=delta, period=period)
    assert "RTF not received (1)" in web("intake").get("/data/exchange/rtf-missing/").content.decode()
    monkeypatch.setattr(exchange_worklist, "plan_today", lambda: after_the_due_day.replace(day=5))
    assert "RTF not received" not in web("intake").get("/data/exchange/rtf-missing/").content.decode()


# Contact updates ----------------------------------------------------------------------------------------------------


@pytest.fixture
def update(network: Any) -> ContactUpdate:
    """A new address and phone provider A reported for a member of HPSJ in its RTF."""
    member = MemberFactory(first_name="Lucia", last_name="Ramos", address_line="1 Old Rd", phone="+12095550100")
    return ContactUpdate.objects.create(
        member=member, plan=member.plan, provider=network.provider_a, load=make_load(network),
        reported_on=plan_today(), new_address=True, address="12 Elm St", city="Stockton", state="CA",
        zip_code="95202", new_phone=True, phone="+12095550177",
    )  # fmt: skip


def test_member_services_see_the_pending_updates_beside_the_roster(web, network, update):
    html = web("member_services").get("/").content.decode()
    assert "Contact updates from providers (1)" in html and "12 Elm St, Stockton 95202" in html
    assert "1 Old Rd" in html and "(209) 555-0177" in html and "Alpha Care Partners" in html
    assert f"/contact-updates/{update.pk}/accept/" in html and f"/contact-updates/{update.pk}/dismiss/" in html
    assert PhiRead.objects.filter(member=update.member, user=network.users["member_services"]).exists()
    assert "Contact updates from providers" not in web("intake").get("/").content.decode()


def test_accepting_an_update_records_who_and_when_and_leaves_the_worklist(web, network, update):
    client = web("member_services")
    form = client.get(f"/contact-updates/{update.pk}/accept/").content.decode()
    assert "12 Elm St" in form and "On the roster: 1 Old Rd" in form
    response = client.post(f"/contact-updates/{update.pk}/accept/", {"note": "Confirmed by phone."})
    assert response.status_code == 302 and response["Location"] == "/"
    update.refresh_from_db()
    assert update.status == ContactUpdateStatus.ACCEPTED and update.reviewed_by == network.users["member_services"]
    assert update.reviewed_at is not None and update.review_note == "Confirmed by phone."
    event = AuditEvent.objects.get(action="contact_update.accept")
    assert event.actor == network.users["member_services"] and event.member_id == update.member_id
    assert event.before["status"] == "pending" and event.after["status"] == "accepted"
    update.member.refresh_from_db()
    assert update.member.address_line == "1 Old Rd"  # the roster stays the source of truth
    after = client.get("/").content.decode()
    assert "Contact updates from providers (0)" in after and "No contact updates waiting." in after
    # Reviewed once: a second review is refused on the form and changes nothing.
    again = client.post(f"/contact-updates/{update.pk}/dismiss/", {"note": "dup"})
    assert again.status_code == 400 and "already reviewed" in again.content.decode()
    assert AuditEvent.objects.filter(action__startswith="contact_update").count() == 1


def test_dismissing_needs_a_note(web, network, update):
    client = web("member_services")
    response = client.post(f"/contact-updates/{update.pk}/dismiss/", {"note": " "})
    assert response.status_code == 400 and "Say why the contact update is dismissed." in response.content.decode()
    update.refresh_from_db()
    assert update.status == ContactUpdateStatus.PENDING and not AuditEvent.objects.exists()
    response = client.post(f"/contact-updates/{update.pk}/dismiss/", {"note": "Not this member's address."})
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.status == ContactUpdateStatus.DISMISSED and update.review_note == "Not this member's address."
    assert AuditEvent.objects.get().action == "contact_update.dismiss"


@pytest.mark.parametrize("role", ["intake", "um", "data", "compliance", "hpsm_ms", "cm_a", "sup_a", "referrer"])
def test_nobody_else_finds_an_update_or_changes_it(web, network, update, role):
    network.users["hpsm_ms"] = UserFactory(username="hpsm.ms", role=Role.MEMBER_SERVICES, organization=network.hpsm)
    client = web(role)
    for action in ("accept", "dismiss"):
        assert client.get(f"/contact-updates/{update.pk}/{action}/").status_code == 404, action
        assert client.post(f"/contact-updates/{update.pk}/{action}/", {"note": "n"}).status_code == 404, action
    update.refresh_from_db()
    assert update.status == ContactUpdateStatus.PENDING and update.reviewed_by is None
    assert not AuditEvent.objects.exists()


# The member record ----------------------------------------------------------------------------------------------


def report(network: Any, enrollment: Any, provider: Any, **values: Any) -> ProviderReport:
    load = make_load(network, provider=provider, produced_on=plan_today())
    return ProviderReport.objects.create(
        enrollment=enrollment, member=enrollment.member, provider=provider, load=load, reported_on=plan_today(),
        **values,
    )  # fmt: skip


def test_the_record_shows_the_latest_report_and_the_encounters_with_their_source(web, network):
    enrollment = EnrollmentFactory(provider=network.provider_a, enrolled=True)
    member = enrollment.member
    older = report(network, enrollment, network.provider_a, acuity_level="Low", lead_care_manager_name="Old Name")
    ProviderReport.objects.filter(pk=older.pk).update(reported_on=plan_today() - dt.timedelta(days=40))
    report(network, enrollment, network.provider_a, acuity_level="High", lead_care_manager_name="Rosa Diaz",
           lead_care_manager_phone="+12095550142", care_plan_revised_on=plan_today())  # fmt: skip
    EncounterCount.objects.create(member=member, enrollment=enrollment, plan=member.plan, provider=network.provider_a,
                                  period="2026-11", in_person=3, telephonic=2, load=older.load)  # fmt: skip
    for role in ("intake", "member_services", "cm_a", "sup_a"):
        html = web(role).get(f"/members/{member.pk}/").content.decode()
        section = html.split('id="provider-reports"')[1].split("</section>")[0]
        assert f"Reported by Alpha Care Partners in the RTF of {plan_today():%m/%d/%Y}" in section, role
        assert "Rosa Diaz" in section and "High" in section and "Old Name" not in section, role
        assert "<td>2026-11</td><td>Alpha Care Partners</td><td>3</td><td>2</td>" in section, role
    assert PhiRead.objects.filter(member=member, user=network.users["cm_a"]).exists()
    partial = web("intake").get(f"/members/{member.pk}/sections/provider-reports/").content.decode()
    assert "Rosa Diaz" in partial


def test_each_provider_sees_only_what_it_reported(web, network):
    enrollment_a = EnrollmentFactory(provider=network.provider_a, enrolled=True)
    member = enrollment_a.member
    enrollment_b = EnrollmentFactory(provider=network.provider_b, referral__member=member)
    report(network, enrollment_a, network.provider_a, lead_care_manager_name="Alpha Manager")
    report(network, enrollment_b, network.provider_b, lead_care_manager_name="Bravo Manager")
    section = web("cm_b").get(f"/members/{member.pk}/sections/provider-reports/").content.decode()
    assert "Bravo Manager" in section and "Alpha Manager" not in section
    section = web("intake").get(f"/members/{member.pk}/sections/provider-reports/").content.decode()
    assert "Bravo Manager" in section and "Alpha Manager" in section
    other_plan = Plan.objects.get(code="HPSM")
    assert member.plan != other_plan
    assert web("hpsm_intake").get(f"/members/{member.pk}/sections/provider-reports/").status_code == 404
