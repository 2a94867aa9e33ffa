"""The API hardened against what a new user mistypes and an attacker sends (issue 11): the second factor for browser
sessions, bounded money and counts, bounded paging, a body too large, control characters, attestation dates, one
error shape for every answer, and the Community Supports Idempotency-Key."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.db import DataError, IntegrityError, transaction
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from calaim.accounts.models import User
from calaim.api.pagination import MAX_LIMIT
from calaim.careplans.models import CareTeamMember, OutreachAttempt
from calaim.community_supports.deliveries import DeliveryInput, cs_delivery_record
from calaim.community_supports.models import CsDelivery, CsRequest
from calaim.core.clock import plan_today
from calaim.core.errors import ValidationFailed
from calaim.core.models import AuditEvent
from calaim.referrals.models import Referral
from calaim.web.forms_care import CareTeamForm, GoalForm
from calaim.web.forms_cs import CsDeliveryForm, CsServiceForm
from config.api import api as ninja_api
from tests.api.test_access_matrix import enrolled  # noqa: F401 - fixture
from tests.community_supports.test_cs_flow import cs_provider, form, service  # noqa: F401 - fixture
from tests.conftest import referral_body
from tests.factories import PASSWORD, MemberFactory
from tests.web.conftest import current_code

pytestmark = pytest.mark.django_db
TODAY = plan_today()
TOMORROW = TODAY + dt.timedelta(days=1)


def verify_second_factor(client: Client, user: User) -> None:
    """Mark a signed-in test client's session as verified, the way django_otp.login records it."""
    device = TOTPDevice.objects.get_or_create(user=user, name="test", defaults={"confirmed": True})[0]
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def detail(response: Any) -> list[dict[str, Any]]:
    """The documented error shape: a list of {type, loc, msg}."""
    body = response.json()
    assert isinstance(body["detail"], list) and body["detail"], body
    for item in body["detail"]:
        assert isinstance(item["type"], str) and isinstance(item["loc"], list) and isinstance(item["msg"], str)
    return body["detail"]


def named(response: Any) -> list[str]:
    return [str(part) for item in detail(response) for part in item["loc"]]


@pytest.fixture
def authorized(api: Any, cs_provider: Any, member: Any) -> dict[str, Any]:  # noqa: F811
    """A recuperative care request approved at discharge and assigned to the CS provider (user "cs")."""
    body = form(member, service("recuperative_care", at_discharge=True), source="hospital_concurrent_review")
    return api("intake").post("/community-supports/requests", body).json()[0]


DELIVERY = {"start_date": TODAY.isoformat(), "end_date": TODAY.isoformat(), "units": "1", "cost": "100"}


# 1. The second factor ------------------------------------------------------------------------------------------


def _password_only(network: Any, name: str) -> Client:
    """A browser that signed in with the password and stopped at the authenticator code."""
    TOTPDevice.objects.create(user=network.users[name], name="phone", confirmed=True)
    client = Client(enforce_csrf_checks=True)
    client.get("/login/")
    credentials = {"username": network.users[name].username, "password": PASSWORD}
    response = client.post("/login/", {**credentials, "csrfmiddlewaretoken": client.cookies["csrftoken"].value})
    assert response.status_code == 302 and client.get("/")["Location"] == "/otp/verify/"
    return client


def test_a_session_short_of_the_second_factor_gets_401_from_every_api_call(network, enrolled):  # noqa: F811
    browser = _password_only(network, "member_services")
    member = enrolled["member"]
    csrf = {"X-CSRFToken": browser.cookies["csrftoken"].value}
    before = (AuditEvent.objects.count(), CareTeamMember.objects.count())
    calls = [
        browser.get(f"/api/members/{member.pk}"),
        browser.get("/api/members"),
        browser.post(
            f"/api/members/{member.pk}/care-team",
            {"role": "pcp", "name": "Dr. Lee"},
            content_type="application/json",
            headers=csrf,
        ),
        browser.post(
            f"/api/authorizations/{enrolled['authorization']}/extension",
            {"reason": "Waiting for records"},
            content_type="application/json",
            headers=csrf,
        ),
    ]
    for response in calls:
        assert response.status_code == 401, response.content
        [error] = detail(response)
        assert error["type"] == "second_factor_required" and "/otp/verify/" in error["msg"]
        assert member.last_name.encode() not in response.content
    assert (AuditEvent.objects.count(), CareTeamMember.objects.count()) == before


def test_after_the_code_the_session_works_and_its_writes_need_the_csrf_token(network, enrolled):  # noqa: F811
    browser = _password_only(network, "member_services")
    device = TOTPDevice.objects.get(user=network.users["member_services"])
    token = browser.cookies["csrftoken"].value
    verified = browser.post("/otp/verify/", {"code": current_code(device), "csrfmiddlewaretoken": token})
    assert verified["Location"] == "/"
    member = enrolled["member"]
    assert browser.get(f"/api/members/{member.pk}").status_code == 200
    path, body = f"/api/members/{member.pk}/care-team", {"role": "pcp", "name": "Dr. Lee"}
    refused = browser.post(path, body, content_type="application/json")
    assert refused.status_code == 403 and "CSRF" in detail(refused)[0]["msg"]
    assert not CareTeamMember.objects.exists()
    token = browser.cookies["csrftoken"].value  # rotated at sign-in
    created = browser.post(path, body, content_type="application/json", headers={"X-CSRFToken": token})
    assert created.status_code == 201, created.content


def test_bearer_tokens_need_no_second_factor_and_no_csrf_token(api, enrolled):  # noqa: F811
    member = enrolled["member"]
    assert api("member_services").get(f"/members/{member.pk}").status_code == 200
    response = api("member_services").post(f"/members/{member.pk}/care-team", {"role": "pcp", "name": "Dr. Lee"})
    assert response.status_code == 201


def test_no_credentials_is_a_401_that_says_how_to_authenticate(api, network):
    response = api(None).get("/members")
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")
    assert detail(response)[0]["type"] == "not_authenticated" and "Bearer" in detail(response)[0]["msg"]


# 2. Bounded money and counts --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"cost": 1e30}, "cost"),
        ({"cost": "100000.01"}, "cost"),
        ({"cost": "1.005"}, "cost"),
        ({"cost": "NaN"}, "cost"),
        ({"units": "1e30"}, "units"),
        ({"hours": 9000}, "hours"),
        ({"meals_per_day": 11}, "meals_per_day"),
    ],
)
def test_a_delivery_beyond_its_bounds_is_a_422_and_pages_keep_working(api, web_client, authorized, change, field):
    response = api("cs").post(f"/community-supports/requests/{authorized['id']}/deliveries", {**DELIVERY, **change})
    assert response.status_code == 422 and field in named(response), response.content
    assert not CsDelivery.objects.exists()
    assert api("cs").get(f"/community-supports/requests/{authorized['id']}/deliveries").status_code == 200
    assert web_client("cs").get(f"/community-supports/requests/{authorized['id']}/").status_code == 200


def test_the_largest_delivery_allowed_is_stored_and_shown(api, web_client, authorized):
    body = {**DELIVERY, "cost": "7500.00", "units": "1"}
    assert api("cs").post(f"/community-supports/requests/{authorized['id']}/deliveries", body).status_code == 201
    listed = api("cs").get(f"/community-supports/requests/{authorized['id']}/deliveries").json()
    assert Decimal(listed[0]["cost"]) == Decimal("7500.00")
    assert web_client("cs").get(f"/community-supports/requests/{authorized['id']}/").status_code == 200


@pytest.mark.parametrize(("name", "value"), [("quantity", "1e30"), ("amount", 1e12), ("amount", "100000.01")])
def test_a_cs_request_beyond_its_bounds_is_a_422(api, network, cs_provider, member, name, value):  # noqa: F811
    body = form(member, service("housing_deposits", criteria=["homeless"], **{name: value}))
    response = api("referrer").post("/community-supports/requests", body)
    assert response.status_code == 422 and name in named(response), response.content
    assert not CsRequest.objects.exists()


def test_outreach_minutes_are_bounded(api, enrolled):  # noqa: F811
    body = {"attempted_on": TODAY.isoformat(), "method": "phone", "reached": True, "minutes_spent": 1441}
    response = api("cm_a").post(f"/enrollments/{enrolled['enrollment']}/outreach-attempts", body)
    assert response.status_code == 422 and "minutes_spent" in named(response)


def _refused_by_the_database(create: Any) -> None:
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        create()


def test_the_database_refuses_what_no_form_would_send(api, authorized, enrolled):  # noqa: F811
    request = CsRequest.objects.get(pk=authorized["id"])
    delivery = {
        "request": request,
        "member": request.member,
        "service_code": request.service_code,
        "provider": request.provider,
        "start_date": TODAY,
        "end_date": TODAY,
        "recorded_by": request.submitted_by,
    }
    _refused_by_the_database(lambda: CsDelivery.objects.create(**delivery, units=1, cost=Decimal("100000.01")))
    _refused_by_the_database(lambda: CsDelivery.objects.create(**delivery, units=-1, cost=1))
    _refused_by_the_database(lambda: CsDelivery.objects.create(**delivery, units=1, cost=1, meals_per_day=11))
    _refused_by_the_database(lambda: CsRequest.objects.filter(pk=request.pk).update(amount=Decimal("100000.01")))
    outreach = {"attempted_on": TODAY.isoformat(), "method": "phone", "reached": True, "minutes_spent": 5}
    api("cm_a").post(f"/enrollments/{enrolled['enrollment']}/outreach-attempts", outreach)
    _refused_by_the_database(lambda: OutreachAttempt.objects.update(minutes_spent=1441))


def test_the_delivery_service_refuses_what_the_api_schema_would_whoever_calls_it(network, authorized):
    request = CsRequest.objects.get(pk=authorized["id"])
    data = DeliveryInput(start_date=TODAY, end_date=TODAY, units=Decimal(1), cost=Decimal("100000.01"))
    with pytest.raises(ValidationFailed) as refused:
        cs_delivery_record(actor=network.users["cs"], request=request, data=data)
    assert refused.value.field == "cost" and not CsDelivery.objects.exists()


def test_web_forms_bound_the_same_numbers(reference):
    delivery = CsDeliveryForm({**DELIVERY, "cost": "1e30"}, service=None)
    assert not delivery.is_valid() and "cost" in delivery.errors
    assert not CsDeliveryForm({**DELIVERY, "units": "10000.01"}, service=None).is_valid()
    services = CsServiceForm({"service_code": "housing_deposits", "amount": "1000000", "quantity": "99999"})
    services.is_valid()
    assert {"amount", "quantity"} <= set(services.errors)


# 3. Paging ----------------------------------------------------------------------------------------------------------


PAGED = ["/members", "/referrals", "/enrollments", "/authorizations", "/tasks", "/notices"]
PAGED += ["/community-supports/requests"]


@pytest.mark.parametrize("path", PAGED)
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"offset": 2**63}, "offset"),
        ({"limit": 2**63}, "limit"),
        ({"limit": 100000}, "limit"),
        ({"offset": 1_000_001}, "offset"),
        ({"limit": 0}, "limit"),
    ],
)
def test_paging_beyond_its_bounds_is_a_422_naming_the_parameter(api, network, path, params, field):
    response = api("intake").get(path, **params)
    assert response.status_code == 422 and field in named(response), response.content


def test_a_page_holds_at_most_200_and_every_list_documents_it(api, network):
    assert api("intake").get("/members", limit=MAX_LIMIT, offset=1_000_000).status_code == 200
    schema = ninja_api.get_openapi_schema()
    paged = 0
    for operations in schema["paths"].values():
        for operation in operations.values():
            params = {p["name"]: p["schema"] for p in operation.get("parameters", []) if p["in"] == "query"}
            if "limit" in params:
                paged += 1
                assert params["limit"]["maximum"] == MAX_LIMIT and "maximum" in params["offset"], operation
    assert paged >= len(PAGED)


# 4. A body too large ------------------------------------------------------------------------------------------------


def test_a_5_mb_body_is_a_413_in_the_error_shape(api, member):
    body = referral_body(member, notes="x" * (5 * 1024 * 1024))
    response = api("referrer").post("/referrals", body)
    assert response.status_code == 413 and detail(response)[0]["type"] == "request_too_large"
    assert not Referral.objects.exists()


# 5. Control characters ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"referrer_name": "Dr. Rivera\x00"}, "referrer_name"),
        ({"attested_by": "\x1b[31mDr. Rivera"}, "attested_by"),
        ({"member_address": "1 Main St\nApt 2"}, "member_address"),
        ({"notes": "bell\x07"}, "notes"),
        ({"referrer_email": "a\x00@b.co"}, "referrer_email"),
        ({"notes": "lone \ud800 surrogate"}, "notes"),
    ],
)
def test_control_characters_are_refused_naming_the_field(api, member, change, field):
    response = api("referrer").post("/referrals", referral_body(member, **change))
    assert response.status_code == 422 and field in named(response), response.content
    assert not Referral.objects.exists()


def test_notes_keep_their_tabs_and_line_breaks(api, member):
    notes = "Lives with her sister.\n\tPrefers calls after 5 pm.\r\n"
    response = api("referrer").post("/referrals", referral_body(member, notes=notes))
    assert response.status_code == 201, response.content
    assert Referral.objects.get().notes == notes


def test_control_characters_in_query_parameters_and_headers_are_refused(api, network, member):
    response = api("intake").get("/members", q="Ana\x00")
    assert response.status_code == 422 and "q" in named(response)
    response = api("referrer").post("/referrals", referral_body(member), headers={"Idempotency-Key": "k\x1b"})
    assert response.status_code == 422 and "Idempotency-Key" in named(response)


def test_web_forms_refuse_control_characters_but_not_line_breaks_in_text_areas(reference):
    assert "name" in CareTeamForm({"role": "pcp", "name": "Dr.\x1b[2J Lee"}).errors
    assert "name" in CareTeamForm({"role": "pcp", "name": "Dr.\x00 Lee"}).errors
    assert CareTeamForm({"role": "pcp", "name": "Dr. Lee"}).is_valid()
    goal = {"description": "Find housing\nand keep it", "domain": "housing", "target_date": TODAY.isoformat()}
    assert GoalForm(goal).is_valid()
    assert "description" in GoalForm({**goal, "description": "Find housing\x7f"}).errors
    assert "target_date" in GoalForm({**goal, "target_date": "9999-12-31"}).errors


# 6. Attestation dates ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("day", [TOMORROW.isoformat(), "9999-12-31"])
def test_an_attestation_cannot_be_dated_in_the_future(api, network, cs_provider, member, day):  # noqa: F811
    response = api("referrer").post("/referrals", referral_body(member, attested_on=day))
    assert response.status_code == 422 and "attested_on" in named(response), response.content
    body = {**form(member, service("htns", criteria=["homeless"])), "attested_on": day}
    response = api("referrer").post("/community-supports/requests", body)
    assert response.status_code == 422 and "attested_on" in named(response), response.content
    assert not Referral.objects.exists() and not CsRequest.objects.exists()


def test_an_attestation_dated_today_is_taken(api, network, cs_provider, member):  # noqa: F811
    assert api("referrer").post("/referrals", referral_body(member, attested_on=TODAY.isoformat())).status_code == 201
    body = {**form(member, service("htns", criteria=["homeless"])), "attested_on": TODAY.isoformat()}
    assert api("referrer").post("/community-supports/requests", body).status_code == 201


# 7. One error shape, every status documented -----------------------------------------------------------------------


def test_every_error_has_the_documented_shape(api, member):
    client, headers = api("referrer").client, api("referrer").headers
    malformed = client.post("/api/referrals", "{not json", content_type="application/json", headers=headers)
    assert malformed.status_code == 400 and detail(malformed)[0]["type"] == "parse_error"
    not_allowed = client.put("/api/referrals", "{}", content_type="application/json", headers=headers)
    assert not_allowed.status_code == 405 and "POST" in not_allowed["Allow"] and detail(not_allowed)
    nowhere = client.get("/api/no-such-thing", headers=headers)
    assert nowhere.status_code == 404 and detail(nowhere)[0]["type"] == "not_found"
    out_of_scope = api("referrer").get("/members/00000000-0000-0000-0000-000000000000")
    assert out_of_scope.status_code == 404 and detail(out_of_scope)
    invalid = api("referrer").get("/members/not-a-uuid")
    assert invalid.status_code == 422 and "member_id" in named(invalid)


def test_every_operation_documents_401_and_422_and_every_write_400_409_and_413():
    schema = ninja_api.get_openapi_schema()
    error_ref = "#/components/schemas/ErrorOut"
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            statuses = {str(status) for status in operation["responses"]}
            expected = {"401", "422"} if operation.get("parameters") or "requestBody" in operation else {"401"}
            if method in ("post", "delete"):
                expected |= {"400", "403", "404", "409", "413"}
            assert expected <= statuses, (method, path, statuses)
            for status, answer in operation["responses"].items():
                if str(status) in ("200", "201", "202"):
                    continue
                content = answer["content"]["application/json"]["schema"]
                assert content == {"$ref": error_ref}, (method, path, status)
    assert schema["components"]["schemas"]["ErrorOut"]["properties"]["detail"]["type"] == "array"


# 8. The Community Supports Idempotency-Key --------------------------------------------------------------------------


def test_the_cs_idempotency_key_replays_the_same_form_and_refuses_another(api, network, cs_provider, member):  # noqa: F811
    key = {"Idempotency-Key": "css-form-1"}
    first_form = form(member, service("htns", criteria=["homeless"]))
    first = api("referrer").post("/community-supports/requests", first_form, headers=key)
    assert first.status_code == 201
    again = api("referrer").post("/community-supports/requests", json.loads(json.dumps(first_form)), headers=key)
    assert again.status_code == 201 and [r["id"] for r in again.json()] == [r["id"] for r in first.json()]
    other_member = form(MemberFactory(experiencing_homelessness=True), service("htns", criteria=["homeless"]))
    other_service = form(member, service("housing_deposits", criteria=["homeless"], amount="2400"))
    before = (CsRequest.objects.count(), AuditEvent.objects.count())
    for body in (other_member, other_service):
        conflict = api("referrer").post("/community-supports/requests", body, headers=key)
        assert conflict.status_code == 409 and "Idempotency-Key" in named(conflict), conflict.content
    assert (CsRequest.objects.count(), AuditEvent.objects.count()) == before


@pytest.fixture
def web_client(network: Any) -> Any:
    """A verified browser session for a named user (for checking the pages still render)."""
    cache: dict[str, Client] = {}

    def as_user(name: str) -> Client:
        if name not in cache:
            client = Client()
            client.force_login(network.users[name])
            verify_second_factor(client, network.users[name])
            cache[name] = client
        return cache[name]

    return as_user
