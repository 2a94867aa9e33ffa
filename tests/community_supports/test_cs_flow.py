"""Community Supports end to end over the API: referral, eligibility, authorization with limits, provider,
deliveries against the limits, closed loop, Kaiser routing and reassignment, and "what could I get"."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from calaim.accounts.models import Role
from calaim.authorizations.models import AuthorizationRequest
from calaim.community_supports.models import CsDelivery, CsRequest
from calaim.core.clock import plan_today
from calaim.core.models import AuditEvent
from calaim.network.models import Contract
from calaim.plans.models import County, Plan
from tests.factories import MemberFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = plan_today()


@pytest.fixture
def cs_provider(network):
    org = OrganizationFactory(name="Valley Recuperative Care", kind="cs_provider")
    contract = Contract.objects.create(
        plan=Plan.objects.get(code="HPSJ"),
        organization=org,
        program="cs",
        capacity=10,
        languages=["en", "es"],
        start_date=dt.date(2022, 1, 1),
        services=[
            "recuperative_care",
            "stphh",
            "housing_deposits",
            "htns",
            "medically_tailored_meals",
            "sobering_center",
        ],
    )
    contract.counties.set(County.objects.filter(name__in=["San Joaquin", "Stanislaus"]))
    network.users["cs"] = UserFactory(username="cs_coord", role=Role.PROVIDER_CARE_MANAGER, organization=org)
    return org


def form(member, *services, source="pcp"):
    return {
        "member_cin": member.cin,
        "member_birth_date": member.birth_date.isoformat(),
        "source_type": source,
        "referrer_name": "Dr. Rivera",
        "member_aware": True,
        "attested_by": "Dr. Rivera",
        "attested_on": TODAY.isoformat(),
        "services": list(services),
    }


def service(code, days=30, start=TODAY, **extra):
    return {
        "service_code": code,
        "justification": "Discharged after pneumonia; nowhere to recover.",
        "criteria": ["needs_recovery_care"],
        "requested_start": start.isoformat(),
        "requested_end": (start + dt.timedelta(days=days - 1)).isoformat(),
        **extra,
    }


def test_recuperative_care_from_referral_to_delivery(api, network, cs_provider, member):
    created = api("referrer").post("/community-supports/requests", form(member, service("recuperative_care")))
    assert created.status_code == 201, created.content
    request = created.json()[0]
    assert request["status"] == "pending_authorization"
    assert request["eligibility"]["outcome"] == "eligible"
    decided = api("um").post(f"/authorizations/{request['authorization_id']}/decision", {"outcome": "approve"})
    assert decided.status_code == 200, decided.content
    request = api("referrer").get(f"/community-supports/requests/{request['id']}").json()
    assert request["status"] == "authorized" and request["provider_id"] == str(cs_provider.pk)
    delivery = api("cs").post(
        f"/community-supports/requests/{request['id']}/deliveries",
        {"start_date": TODAY.isoformat(), "end_date": TODAY.isoformat(), "units": "1", "cost": "180.00"},
    )
    assert delivery.status_code == 201, delivery.content
    assert api("referrer").get(f"/community-supports/requests/{request['id']}").json()["status"] == "in_service"
    closed = api("cs").post(f"/community-supports/requests/{request['id']}/close", {"reason": "Recovered; housed."})
    assert closed.json()["status"] == "completed"
    history = api("referrer").get(f"/community-supports/requests/{request['id']}").json()["status_updates"]
    assert [u["status"] for u in history] == [
        "received",
        "pending_authorization",
        "authorized",
        "in_service",
        "completed",
    ]
    assert history[-1]["reason"] == "Recovered; housed."
    assert {"cs_request.create", "cs_request.authorized", "cs_delivery.record", "cs_request.completed"} <= set(
        AuditEvent.objects.filter(member=member).values_list("action", flat=True)
    )


def test_streamlined_at_discharge_is_approved_at_once(api, network, cs_provider, member):
    created = api("intake").post(
        "/community-supports/requests",
        form(member, service("recuperative_care", at_discharge=True), source="hospital_concurrent_review"),
    )
    request = created.json()[0]
    assert request["status"] == "authorized", request
    assert AuthorizationRequest.objects.get(pk=request["authorization_id"]).status == "approved"


def test_duplicate_request_for_same_service_is_linked(api, network, cs_provider, member):
    first = api("referrer").post("/community-supports/requests", form(member, service("recuperative_care"))).json()[0]
    second = (
        api("member_services")
        .post(
            "/community-supports/requests",
            form(member, service("recuperative_care"), source="member_self_family_phone"),
        )
        .json()[0]
    )
    assert second["status"] == "linked" and second["linked_to_id"] == first["id"]
    assert AuthorizationRequest.objects.filter(program="cs").count() == 1


def test_room_and_board_limit_across_services_refuses_with_message(api, network, cs_provider, member):
    long_ago = TODAY - dt.timedelta(days=200)
    past = CsRequest.objects.create(
        member=member,
        service_code="stphh",
        source_type="pcp",
        submitted_by=network.users["referrer"],
        referrer_name="x",
        justification="x",
        requested_start=long_ago,
        requested_end=long_ago + dt.timedelta(days=159),
        member_aware=True,
        attested_by="x",
        attested_on=long_ago,
        received_at=network.users["referrer"].date_joined,
        status_changed_at=network.users["referrer"].date_joined,
        status="completed",
        provider=cs_provider,
    )
    CsDelivery.objects.create(
        request=past,
        member=member,
        service_code="stphh",
        provider=cs_provider,
        start_date=long_ago,
        end_date=long_ago + dt.timedelta(days=159),
        units=160,
        cost=Decimal(16000),
        recorded_by=network.users["referrer"],
    )
    # 160 days of STPHH in the last 12 months: 23 days of recuperative care fit, 24 do not.
    fits = api("referrer").post("/community-supports/requests", form(member, service("recuperative_care", days=23)))
    assert fits.json()[0]["status"] == "pending_authorization", fits.content
    over = api("referrer").post(
        "/community-supports/requests",
        form(member, service("stphh", days=24, criteria=["leaving_institution", "no_residence", "high_needs"])),
    )
    assert over.json()[0]["status"] == "not_eligible"
    assert "184" in over.json()[0]["closure_reason"] and "183" in over.json()[0]["closure_reason"]
    options = api("intake").get(f"/members/{member.pk}/community-supports").json()
    recup = next(o for o in options if o["service"] == "recuperative_care")
    assert any("160 of 183 days" in r["summary"] for r in recup["remaining"])


def test_delivery_over_the_limit_is_refused_and_not_written(api, network, cs_provider, member):
    request = (
        api("referrer")
        .post(
            "/community-supports/requests",
            form(
                member,
                service("medically_tailored_meals", days=14, quantity="2", criteria=["diet_sensitive_condition"]),
            ),
        )
        .json()[0]
    )
    api("um").post(f"/authorizations/{request['authorization_id']}/decision", {"outcome": "approve"})
    over = api("cs").post(
        f"/community-supports/requests/{request['id']}/deliveries",
        {
            "start_date": TODAY.isoformat(),
            "end_date": TODAY.isoformat(),
            "units": "3",
            "cost": "45",
            "meals_per_day": 3,
        },
    )
    assert over.status_code == 422
    assert over.json()["detail"][0]["loc"] == ["body", "meals_per_day"]
    assert CsDelivery.objects.count() == 0


def test_sobering_center_is_authorized_after_the_fact_only(api, network, cs_provider, member):
    future = api("referrer").post(
        "/community-supports/requests",
        form(member, service("sobering_center", days=1, start=TODAY + dt.timedelta(days=2), criteria=["intoxicated"])),
    )
    assert future.json()[0]["status"] == "not_eligible"
    assert "future" in future.json()[0]["closure_reason"] or "after" in future.json()[0]["closure_reason"]


def test_kaiser_member_is_routed_and_may_choose_reassignment(api, network, cs_provider):
    member = MemberFactory(delegated_to=network.kaiser, experiencing_homelessness=True)
    kaiser_offers = api("referrer").post("/community-supports/requests", form(member, service("recuperative_care")))
    assert kaiser_offers.json()[0]["status"] == "routed_to_delegate"
    plan_only = api("referrer").post(
        "/community-supports/requests", form(member, service("sobering_center", days=1, criteria=["intoxicated"]))
    )
    assert plan_only.json()[0]["status"] == "not_eligible"
    assert "reassignment" in plan_only.json()[0]["closure_reason"]
    moved = api("member_services").post(
        f"/members/{member.pk}/delegate-reassignment",
        {"services_wanted": ["sobering_center"], "note": "Called member services"},
    )
    assert moved.status_code == 201 and moved.json()["reassigned_on"] == TODAY.isoformat()
    member.refresh_from_db()
    assert member.delegated_to is None
    again = api("referrer").post(
        "/community-supports/requests", form(member, service("sobering_center", days=1, criteria=["intoxicated"]))
    )
    assert again.json()[0]["status"] == "pending_authorization"


@pytest.mark.parametrize(
    ("code", "county", "day", "offered"),
    [
        ("transitional_rent", "San Joaquin", dt.date(2025, 12, 31), False),
        ("transitional_rent", "San Joaquin", dt.date(2026, 1, 1), True),
        ("community_transition", "Stanislaus", dt.date(2023, 6, 30), False),
        ("community_transition", "Stanislaus", dt.date(2023, 7, 1), True),
        ("htns", "Stanislaus", dt.date(2022, 6, 30), False),
        ("htns", "San Joaquin", dt.date(2022, 6, 30), True),
        ("sobering_center", "San Mateo", dt.date(2026, 6, 1), False),
    ],
)
def test_offering_dates_per_plan_and_county(network, code, county, day, offered):
    from calaim.community_supports.eligibility import service_eligibility, services_in_force

    plan = Plan.objects.get(code="HPSM" if county == "San Mateo" else "HPSJ")
    member = MemberFactory(county=County.objects.get(name=county), plan=plan)
    result = service_eligibility(member, services_in_force(day)[code], set(), day)
    assert (result.outcome != "not_offered") == offered, result.why_not


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"service_code": "teleportation"}, "services.0.service_code"),
        ({"justification": ""}, "justification"),
        ({"requested_end": "2000-01-01"}, "services[0].requested_end"),
        ({"amount": "-5"}, "amount"),
    ],
)
def test_invalid_cs_request_names_the_field_and_writes_nothing(api, network, cs_provider, member, change, field):
    response = api("referrer").post("/community-supports/requests", form(member, {**service("htns"), **change}))
    assert 400 <= response.status_code < 500
    locs = [".".join(str(p) for p in item["loc"]) for item in response.json()["detail"]]
    assert any(field.split(".")[-1] in loc for loc in locs), locs
    assert CsRequest.objects.count() == 0 and AuditEvent.objects.count() == 0


@pytest.mark.parametrize(
    ("caller", "status"),
    [(None, 401), ("cm_b", 404), ("hpsm_intake", 404), ("referrer_cbo", 404), ("referrer", 200), ("intake", 200)],
)
def test_cs_request_scoping(api, network, cs_provider, member, caller, status):
    request = (
        api("referrer")
        .post("/community-supports/requests", form(member, service("htns", criteria=["homeless"])))
        .json()[0]
    )
    response = api(caller).get(f"/community-supports/requests/{request['id']}")
    assert response.status_code == status
    if status != 200:
        assert member.cin.encode() not in response.content
        listed = api(caller).get("/community-supports/requests") if caller else None
        assert listed is None or request["id"] not in listed.content.decode()


def test_only_the_assigned_cs_provider_records_deliveries(api, network, cs_provider, member):
    request = (
        api("intake")
        .post(
            "/community-supports/requests",
            form(member, service("recuperative_care", at_discharge=True), source="hospital_concurrent_review"),
        )
        .json()[0]
    )
    body = {"start_date": TODAY.isoformat(), "end_date": TODAY.isoformat(), "units": "1", "cost": "100"}
    for caller in ("cm_a", "intake", "referrer"):
        assert api(caller).post(f"/community-supports/requests/{request['id']}/deliveries", body).status_code in (
            403,
            404,
        )
    assert CsDelivery.objects.count() == 0
    assert api("cs").post(f"/community-supports/requests/{request['id']}/deliveries", body).status_code == 201


def test_what_could_this_member_get(api, network, cs_provider):
    homeless = MemberFactory(experiencing_homelessness=True)
    options = {o["service"]: o for o in api("member_services").get(f"/members/{homeless.pk}/community-supports").json()}
    assert options["htns"]["outcome"] == "eligible"  # homelessness on the roster meets an HTNS criterion
    assert options["recuperative_care"]["outcome"] == "may_be_eligible"
    assert options["recuperative_care"]["needs_attestation"]
    assert any("183 days" in r["summary"] for r in options["recuperative_care"]["remaining"])
    san_mateo = MemberFactory(plan=Plan.objects.get(code="HPSM"), county=County.objects.get(name="San Mateo"))
    hpsm = api("hpsm_intake").get(f"/members/{san_mateo.pk}/community-supports").json()
    assert "sobering_center" not in {o["service"] for o in hpsm}  # not offered by HPSM
    assert api("cm_b").get(f"/members/{homeless.pk}/community-supports").status_code == 404


def test_meals_past_twelve_weeks_need_an_extension(api, network, cs_provider, member):
    meals = {"criteria": ["diet_sensitive_condition"], "quantity": "2"}
    standard = (
        api("referrer")
        .post("/community-supports/requests", form(member, service("medically_tailored_meals", days=85, **meals)))
        .json()[0]
    )
    assert standard["status"] == "not_eligible" and "12 weeks" in standard["closure_reason"]
    extended = (
        api("referrer")
        .post(
            "/community-supports/requests",
            form(member, service("medically_tailored_meals", days=85, extended=True, **meals)),
        )
        .json()[0]
    )
    assert extended["status"] == "pending_authorization", extended["closure_reason"]


def test_a_partly_delivered_stay_still_books_its_remaining_days(api, network, cs_provider, member):
    stay = (
        api("intake")
        .post(
            "/community-supports/requests",
            form(member, service("recuperative_care", days=60, at_discharge=True), source="hospital_concurrent_review"),
        )
        .json()[0]
    )
    api("cs").post(
        f"/community-supports/requests/{stay['id']}/deliveries",
        {"start_date": TODAY.isoformat(), "end_date": TODAY.isoformat(), "units": "1", "cost": "180"},
    )
    after = TODAY + dt.timedelta(days=60)
    stphh = ["leaving_institution", "no_residence", "high_needs"]
    over = (
        api("referrer")
        .post("/community-supports/requests", form(member, service("stphh", days=124, start=after, criteria=stphh)))
        .json()[0]
    )
    assert over["status"] == "not_eligible" and "184" in over["closure_reason"]
    fits = (
        api("referrer")
        .post("/community-supports/requests", form(member, service("stphh", days=123, start=after, criteria=stphh)))
        .json()[0]
    )
    assert fits["status"] == "pending_authorization", fits["closure_reason"]


def test_a_plan_without_limit_settings_refuses_requests_clearly_and_writes_nothing(api, network, cs_provider, member):
    from calaim.community_supports.models import CsLimitSettings

    CsLimitSettings.objects.filter(plan=member.plan).delete()
    response = api("referrer").post(
        "/community-supports/requests", form(member, service("htns", criteria=["homeless"]))
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == (
        f"Plan HPSJ has no Community Supports limit settings in force on {TODAY}."
    )
    assert CsRequest.objects.count() == 0 and AuditEvent.objects.count() == 0


def test_the_api_takes_a_cin_typed_with_dashes_and_lower_case(api, network, cs_provider, member):
    body = form(member, service("recuperative_care")) | {
        "member_cin": f"{member.cin[:4]}-{member.cin[4:8]} {member.cin[8:].lower()}"
    }
    created = api("referrer").post("/community-supports/requests", body)
    assert created.status_code == 201, created.content
    assert CsRequest.objects.get(pk=created.json()[0]["id"]).member_id == member.pk
