"""Community Supports in the browser: the CSS referral form, a request's page, deliveries, closing and Kaiser
reassignment call the services; refusals land on their fields; out of scope is 404 and changes nothing."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from calaim.accounts.models import Role
from calaim.community_supports.models import CsDelivery, CsRequest, DelegateReassignment
from calaim.core.clock import plan_today
from calaim.core.models import AuditEvent
from tests.community_supports.test_cs_flow import cs_provider  # noqa: F401 - fixture
from tests.factories import MemberFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = plan_today()
NEW = "/community-supports/requests/new/"


@pytest.fixture
def other_cs(network: Any) -> Any:
    """A second CS provider, assigned nothing."""
    org = OrganizationFactory(name="Other Recuperative Care", kind="cs_provider")
    network.users["cs_other"] = UserFactory(username="cs_other", role=Role.PROVIDER_CARE_MANAGER, organization=org)
    return org


def service(code: str = "recuperative_care", days: int = 14, **extra: Any) -> dict[str, Any]:
    return {
        "service_code": code,
        "justification": "Discharged after pneumonia; nowhere to recover.",
        "criteria": ["needs_recovery_care"],
        "requested_start": TODAY.isoformat(),
        "requested_end": (TODAY + dt.timedelta(days=days - 1)).isoformat(),
        **extra,
    }


def referral(member: Any, *services: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "member_cin": member.cin,
        "member_birth_date": member.birth_date.isoformat(),
        "source_type": "pcp",
        "referrer_name": "Dr. Rivera",
        "member_aware": "on",
        "attested_by": "Dr. Rivera",
        "attested_on": TODAY.isoformat(),
        "submit": "1",
        "services-TOTAL_FORMS": str(len(services)),
        "services-INITIAL_FORMS": "0",
        "services-MIN_NUM_FORMS": "1",
        "services-MAX_NUM_FORMS": "20",
        **overrides,
    }
    for index, item in enumerate(services):
        data.update({f"services-{index}-{key}": value for key, value in item.items()})
    return data


def field_error(response: Any, field: str, text: str) -> None:
    body = response.content.decode()
    assert response.status_code == 400, body[:500]
    assert f'id="id_{field}-error"' in body, body
    assert text in body
    assert re.search(rf'aria-describedby="[^"]*id_{field}-error"', body)


def nothing_written() -> tuple[int, int, int, int]:
    return (
        AuditEvent.objects.count(),
        CsRequest.objects.count(),
        CsDelivery.objects.count(),
        DelegateReassignment.objects.count(),
    )


@pytest.fixture
def authorized(web: Any, network: Any, cs_provider: Any, member: Any) -> CsRequest:  # noqa: F811
    """A recuperative care request sent by the PCP's referrer, approved by UM, assigned to the CS provider."""
    web("referrer").post(NEW, referral(member, service()))
    request = CsRequest.objects.get()
    assert request.authorization is not None
    web("um").post(f"/authorizations/{request.authorization_id}/decision/", {"outcome": "approve"})
    request.refresh_from_db()
    assert request.status == "authorized" and request.provider == cs_provider
    return request


def test_member_services_takes_a_phone_request(web, network, cs_provider, member):  # noqa: F811
    page = web("member_services").get(f"{NEW}?member={member.pk}").content.decode()
    assert member.cin in page and 'value="member_self_family_phone" selected' in page
    assert 'name="idempotency_key"' in page
    body = referral(member, service(), source_type="member_self_family_phone", idempotency_key="call-1")
    response = web("member_services").post(f"{NEW}?member={member.pk}", body)
    request = CsRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/community-supports/requests/{request.pk}/"
    assert request.status == "pending_authorization" and request.source_type == "member_self_family_phone"
    event = AuditEvent.objects.get(action="cs_request.create", object_id=str(request.pk))
    assert event.actor == network.users["member_services"]
    detail = web("member_services").get(response["Location"]).content.decode()
    assert "Recuperative Care (Medical Respite): Authorization pending." in detail  # the outcome message
    assert "Eligible" in detail and "attested by the referrer" in detail
    # A double submit of the same form (same key) makes no second request.
    web("member_services").post(f"{NEW}?member={member.pk}", body)
    assert CsRequest.objects.count() == 1


def test_several_services_each_get_an_outcome(web, network, cs_provider, member):  # noqa: F811
    body = referral(
        member,
        service(),
        service("sobering_center", days=1, criteria=["intoxicated"]),
    )
    body["services-1-requested_start"] = body["services-1-requested_end"] = (TODAY + dt.timedelta(days=3)).isoformat()
    # A stay in the future breaks the sobering center's after-the-fact rule: the form comes back to change the dates.
    field_error(web("referrer").post(NEW, body), "services-1-requested_start", "after the fact")
    assert not CsRequest.objects.exists()
    body["services-1-requested_start"] = body["services-1-requested_end"] = TODAY.isoformat()
    response = web("referrer").post(NEW, body)
    assert response.status_code == 302 and response["Location"].startswith("/community-supports/requests/submitted/")
    page = web("referrer").get(response["Location"]).content.decode()
    assert "Recuperative Care" in page and "Sobering Center" in page
    assert "Authorization pending" in page
    assert CsRequest.objects.count() == 2


def test_a_duplicate_is_linked_to_the_open_request(web, network, cs_provider, member):  # noqa: F811
    web("referrer").post(NEW, referral(member, service()))
    first = CsRequest.objects.get()
    web("member_services").post(NEW, referral(member, service(), source_type="member_self_family_phone"))
    second = CsRequest.objects.exclude(pk=first.pk).get()
    assert second.status == "linked" and second.linked_to == first
    page = web("member_services").get(f"/community-supports/requests/{second.pk}/").content.decode()
    assert "Linked to an open request for the same service" in page
    assert f'href="/community-supports/requests/{first.pk}/"' in page


def test_refusals_land_on_their_fields_and_write_nothing(web, network, cs_provider, member):  # noqa: F811
    before = nothing_written()
    client = web("referrer")
    field_error(client.post(NEW, referral(member, service(justification=""))), "services-0-justification", "required")
    early = service(requested_end=(TODAY - dt.timedelta(days=3)).isoformat())
    field_error(client.post(NEW, referral(member, early)), "services-0-requested_end", "end date is before the start")
    wrong_birth = referral(member, service(), member_birth_date="1901-01-01")
    field_error(client.post(NEW, wrong_birth), "member_cin", "No plan member matches")
    field_error(client.post(NEW, referral(member, service(), member_cin="12")), "member_cin", "8 digits and a letter")
    hospital = referral(member, service(), source_type="hospital_transition_of_care")
    field_error(client.post(NEW, hospital), "source_type", "Select a valid choice")  # offered: what they may use
    bad_criterion = service(criteria=["teleportation"])
    field_error(client.post(NEW, referral(member, bad_criterion)), "services-0-criteria", "Select a valid choice")
    assert nothing_written() == before


def test_a_request_over_a_limit_says_which_limit(web, network, cs_provider, member):  # noqa: F811
    meals = service("medically_tailored_meals", days=85, quantity="2", criteria=["diet_sensitive_condition"])
    response = web("referrer").post(NEW, referral(member, meals))
    field_error(response, "services-0-requested_end", "Over a limit")
    assert "12 weeks" in response.content.decode() and not CsRequest.objects.exists()


def test_add_a_service_and_show_its_checklist_without_javascript(web, network, cs_provider, member):  # noqa: F811
    body = referral(member, {"service_code": "stphh"}, add_service="1")
    del body["submit"]
    page = web("referrer").post(NEW, body)
    html = page.content.decode()
    assert page.status_code == 200 and "Service 2" in html and 'name="services-1-service_code"' in html
    assert "error" not in re.sub(r"error-summary|-error|aria-invalid", "", html.split("<main", 1)[1]).lower()
    assert "Has no residence" in html or "no_residence" in html  # STPHH's checklist
    assert not CsRequest.objects.exists()


def test_checklist_partial_follows_the_chosen_service(web, network):
    client = web("referrer")
    html = client.get("/community-supports/requests/new/checklist/?prefix=services-0&services-0-service_code=stphh")
    assert html.status_code == 200 and 'name="services-0-criteria"' in html.content.decode()
    assert 'value="no_residence"' in html.content.decode()
    assert (
        b"Choose a Community Support"
        in client.get("/community-supports/requests/new/checklist/?prefix=services-0").content
    )
    assert client.get("/community-supports/requests/new/checklist/?prefix=evil").status_code == 404


def test_a_care_manager_requests_from_the_care_plan(web, network, cs_provider, enrolled):  # noqa: F811
    member = enrolled["member"]
    page = web("cm_a").get(f"{NEW}?member={member.pk}").content.decode()
    assert f'value="{enrolled["enrollment"]}" selected' in page and 'value="ecm_provider" selected' in page
    body = referral(
        member,
        service("medically_tailored_meals", quantity="2", criteria=["diet_sensitive_condition"]),
        source_type="ecm_provider",
        ecm_enrollment_id=enrolled["enrollment"],
    )
    response = web("cm_a").post(f"{NEW}?member={member.pk}", body)
    assert response.status_code == 302, response.content.decode()[:2000]
    request = CsRequest.objects.get()
    assert str(request.ecm_enrollment_id) == enrolled["enrollment"]
    assert AuditEvent.objects.get(action="cs_request.create").actor == network.users["cm_a"]
    # Another organization's care manager cannot open the form for this member, nor use the enrollment.
    assert web("cm_b").get(f"{NEW}?member={member.pk}").status_code == 404
    assert web("cm_b").post(f"{NEW}?member={member.pk}", body).status_code == 404
    assert CsRequest.objects.count() == 1
    # Without the member's record, the form offers no enrollment: a posted one is not taken.
    assert web("cm_b").post(NEW, body).status_code == 302
    assert CsRequest.objects.exclude(pk=request.pk).get().ecm_enrollment is None


def test_request_page_shows_the_closed_loop_and_the_decision_link(web, network, cs_provider, member):  # noqa: F811
    web("referrer").post(NEW, referral(member, service()))
    request = CsRequest.objects.get()
    path = f"/community-supports/requests/{request.pk}/"
    page = web("referrer").get(path).content.decode()
    assert "Closed-loop status" in page and "Received" in page and "Authorization pending" in page
    assert '<dd id="cs-loop-status">Pending</dd>' in page  # the DHCS status beside calaim's
    assert "Decide the authorization" not in page and "Record a delivery" not in page
    um = web("um").get(path).content.decode()
    assert f'href="/authorizations/{request.authorization_id}/decision/"' in um
    assert "Decide the authorization" in um
    assert "183 days" in um  # what remains of the room-and-board limit, in words


@pytest.mark.parametrize("caller", ["cm_b", "referrer_cbo", "hpsm_intake", "cs_other"])
def test_another_organization_gets_404_everywhere(web, network, other_cs, authorized, caller):
    before = nothing_written()
    base = f"/community-supports/requests/{authorized.pk}"
    client = web(caller)
    assert client.get(f"{base}/").status_code == 404
    assert client.get(f"{base}/deliveries/new/").status_code == 404
    delivery = {"start_date": TODAY.isoformat(), "end_date": TODAY.isoformat(), "units": "1", "cost": "100"}
    response = client.post(f"{base}/deliveries/new/", delivery)
    assert response.status_code == 404 and authorized.member.cin.encode() not in response.content
    assert client.post(f"{base}/close/", {"reason": "Moved away"}).status_code == 404
    assert nothing_written() == before
    authorized.refresh_from_db()
    assert authorized.status == "authorized"


def test_the_cs_provider_records_a_delivery(web, network, authorized):
    path = f"/community-supports/requests/{authorized.pk}/deliveries/new/"
    page = web("cs").get(path).content.decode()
    assert "Record a delivery of Recuperative Care" in page and 'name="meals_per_day"' not in page
    body = {"start_date": TODAY.isoformat(), "end_date": TODAY.isoformat(), "units": "1", "cost": "180.00"}
    response = web("cs").post(path, body)
    assert response["Location"] == f"/community-supports/requests/{authorized.pk}/"
    delivery = CsDelivery.objects.get()
    assert delivery.cost == 180 and delivery.recorded_by == network.users["cs"]
    assert AuditEvent.objects.get(action="cs_delivery.record").actor == network.users["cs"]
    authorized.refresh_from_db()
    assert authorized.status == "in_service"
    detail = web("cs").get(response["Location"]).content.decode()
    assert "Delivery recorded" in detail and "$180.00" in detail


def test_plan_staff_who_can_see_a_request_still_cannot_record_deliveries(web, authorized):
    body = {"start_date": TODAY.isoformat(), "end_date": TODAY.isoformat(), "units": "1", "cost": "1"}
    assert web("intake").post(f"/community-supports/requests/{authorized.pk}/deliveries/new/", body).status_code == 404
    assert not CsDelivery.objects.exists()


def test_delivery_refusals_land_on_their_fields(web, network, cs_provider, member):  # noqa: F811
    meals = service("medically_tailored_meals", quantity="2", criteria=["diet_sensitive_condition"])
    web("referrer").post(NEW, referral(member, meals))
    request = CsRequest.objects.get()
    web("um").post(f"/authorizations/{request.authorization_id}/decision/", {"outcome": "approve"})
    path = f"/community-supports/requests/{request.pk}/deliveries/new/"
    day = TODAY.isoformat()
    ok = {"start_date": day, "end_date": day, "units": "2", "cost": "30", "meals_per_day": "2"}
    before = nothing_written()
    client = web("cs")
    field_error(client.post(path, {**ok, "meals_per_day": "3"}), "meals_per_day", "at most 2 meals a day")
    field_error(client.post(path, {**ok, "end_date": "2000-01-01"}), "end_date", "end date is before the start")
    future = (TODAY + dt.timedelta(days=2)).isoformat()
    field_error(client.post(path, {**ok, "start_date": future, "end_date": future}), "start_date", "future")
    field_error(client.post(path, {**ok, "cost": "-1"}), "cost", "greater than or equal to 0")
    assert nothing_written() == before
    assert client.post(path, ok).status_code == 302


def test_close_a_request(web, network, authorized):
    path = f"/community-supports/requests/{authorized.pk}/close/"
    before = nothing_written()
    field_error(web("cs").post(path, {"reason": ""}), "reason", "required")
    refused = web("um").post(path, {"reason": "Not mine to close"})
    assert refused.status_code == 400 and b"may not close" in refused.content
    assert nothing_written() == before
    response = web("cs").post(path, {"reason": "Member moved to another county"})
    assert response.status_code == 302
    authorized.refresh_from_db()
    assert authorized.status == "closed" and authorized.closure_reason == "Member moved to another county"
    event = AuditEvent.objects.get(action="cs_request.closed")
    assert event.actor == network.users["cs"] and event.reason == "Member moved to another county"
    page = web("referrer").get(f"/community-supports/requests/{authorized.pk}/").content.decode()
    assert "Member moved to another county" in page
    again = web("cs").post(path, {"reason": "Twice"})
    assert again.status_code == 400 and b"already closed" in again.content


def test_kaiser_reassignment(web, network):
    member = MemberFactory(delegated_to=network.kaiser)
    path = f"/members/{member.pk}/delegate-reassignment/"
    section = web("member_services").get(f"/members/{member.pk}/sections/community-supports/").content.decode()
    assert f'href="{path}"' in section and "does not offer it" in section
    before = nothing_written()
    for caller in ("cm_a", "hpsm_intake", "referrer"):
        assert web(caller).post(path, {"services_wanted": ["sobering_center"], "confirm": "on"}).status_code == 404
    field_error(web("member_services").post(path, {"confirm": "on"}), "services_wanted", "required")
    refused = web("um").post(path, {"services_wanted": ["sobering_center"], "confirm": "on"})
    assert refused.status_code == 400 and b"may not reassign" in refused.content
    assert nothing_written() == before
    body = {"services_wanted": ["sobering_center"], "note": "Member called", "confirm": "on"}
    response = web("member_services").post(path, body)
    assert response["Location"] == f"/members/{member.pk}/"
    member.refresh_from_db()
    assert member.delegated_to is None
    event = AuditEvent.objects.get(action="member.delegate_reassign")
    assert event.actor == network.users["member_services"] and event.reason == "Member called"
    again = web("member_services").post(path, body)
    assert again.status_code == 400 and b"not delegated" in again.content


def test_cs_provider_worklist(web, network, other_cs, authorized):
    home = web("cs").get("/").content.decode()
    assert "Community Supports worklist" in home and authorized.member.cin in home
    assert f'href="/community-supports/requests/{authorized.pk}/deliveries/new/"' in home
    day = TODAY.isoformat()
    web("cs").post(
        f"/community-supports/requests/{authorized.pk}/deliveries/new/",
        {"start_date": day, "end_date": day, "units": "1", "cost": "180"},
    )
    home = web("cs").get("/").content.decode()
    assert "In service (1)" in home and "$180" in home
    other = web("cs_other").get("/").content.decode()
    assert "Community Supports worklist" in other and authorized.member.cin not in other
    assert "My worklist" in web("cm_a").get("/").content.decode()  # ECM care managers keep theirs


def test_member_record_section(web, network, cs_provider, member):  # noqa: F811
    web("referrer").post(NEW, referral(member, service()))
    request = CsRequest.objects.get()
    html = web("member_services").get(f"/members/{member.pk}/sections/community-supports/").content.decode()
    assert f'href="{NEW}?member={member.pk}"' in html and "Request Community Supports" in html
    assert f'href="/community-supports/requests/{request.pk}/"' in html and "Authorization pending" in html
    assert "May be eligible" in html and "of 183 days used" in html
    um = web("um").get(f"/members/{member.pk}/sections/community-supports/").content.decode()
    assert "Request Community Supports" not in um
