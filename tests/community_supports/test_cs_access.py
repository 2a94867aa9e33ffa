"""Authorization matrix and invalid input for the Community Supports endpoints."""

from __future__ import annotations

import datetime as dt

import pytest

from calaim.community_supports.models import CsRequest
from calaim.core.clock import plan_today
from tests.api.test_access_matrix import (
    enrolled,  # noqa: F401 - fixture
    everything,
)
from tests.community_supports.test_cs_flow import cs_provider, form, service  # noqa: F401 - fixture
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db
TODAY = plan_today().isoformat()
DELIVERY = {"start_date": TODAY, "end_date": TODAY, "units": "1", "cost": "100"}


@pytest.fixture
def authorized(api, network, cs_provider, member):  # noqa: F811
    body = form(member, service("recuperative_care", at_discharge=True), source="hospital_concurrent_review")
    return api("intake").post("/community-supports/requests", body).json()[0]


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"),
    [
        (
            "post",
            "/community-supports/requests/{id}/deliveries",
            DELIVERY,
            {None: 401, "cm_b": 404, "hpsm_intake": 404, "referrer_cbo": 404, "intake": 404, "cs": 201},
        ),
        (
            "get",
            "/community-supports/requests/{id}/deliveries",
            None,
            {None: 401, "cm_b": 404, "hpsm_intake": 404, "referrer_cbo": 404, "intake": 200, "cs": 200},
        ),
        (
            "post",
            "/community-supports/requests/{id}/close",
            {"reason": "Member moved away"},
            {None: 401, "cm_b": 404, "hpsm_intake": 404, "um": 403, "member_services": 200},
        ),
        (
            "get",
            "/members/{member}/community-supports",
            None,
            {None: 401, "cm_b": 404, "hpsm_intake": 404, "referrer": 404, "member_services": 200},
        ),
    ],
)
def test_cs_access(api, network, member, authorized, method, path, body, expected):
    for caller, status in expected.items():
        url = path.format(id=authorized["id"], member=member.pk)
        before = everything()
        response = api(caller).get(url) if method == "get" else api(caller).post(url, body)
        assert response.status_code == status, (caller, response.content)
        if status >= 400:
            assert everything() == before and member.cin.encode() not in response.content


def test_delegate_reassignment_matrix(api, network):
    member = MemberFactory(delegated_to=network.kaiser)
    body = {"services_wanted": ["sobering_center"]}
    for caller, status in {None: 401, "cm_a": 404, "hpsm_intake": 404, "um": 403, "referrer": 404}.items():
        before = everything()
        assert api(caller).post(f"/members/{member.pk}/delegate-reassignment", body).status_code == status
        assert everything() == before
    assert (
        api("member_services")
        .post(f"/members/{member.pk}/delegate-reassignment", {"services_wanted": ["teleport"]})
        .status_code
        == 422
    )
    assert api("member_services").post(f"/members/{member.pk}/delegate-reassignment", body).status_code == 201
    assert api("member_services").post(f"/members/{member.pk}/delegate-reassignment", body).status_code == 409


def test_catalog_needs_authentication(api, network):
    assert api(None).get("/community-supports/services").status_code == 401
    catalog = api("referrer").get("/community-supports/services").json()
    assert len(catalog) == 15 and {"code", "hcpcs", "criteria", "limits_summary"} <= set(catalog[0])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"end_date": "2000-01-01"}, "end_date"),
        ({"cost": "-1"}, "cost"),
        (
            {
                "start_date": (plan_today() + dt.timedelta(days=3)).isoformat(),
                "end_date": (plan_today() + dt.timedelta(days=3)).isoformat(),
            },
            "start_date",
        ),
        ({"units": "x"}, "units"),
        # outside the 30 days authorized from today (the requested dates)
        ({"end_date": (plan_today() + dt.timedelta(days=30)).isoformat()}, "end_date"),
        ({"start_date": (plan_today() - dt.timedelta(days=1)).isoformat()}, "start_date"),
    ],
)
def test_invalid_delivery_names_the_field(api, authorized, change, field):
    before = everything()
    response = api("cs").post(f"/community-supports/requests/{authorized['id']}/deliveries", {**DELIVERY, **change})
    assert response.status_code == 422, response.content
    assert any(field in [str(p) for p in item["loc"]] for item in response.json()["detail"])
    assert everything() == before


def test_request_from_an_ecm_care_plan(api, network, cs_provider, enrolled):  # noqa: F811
    member = enrolled["member"]
    body = form(
        member,
        service("medically_tailored_meals", criteria=["diet_sensitive_condition"], quantity="2"),
        source="ecm_provider",
    )
    body["ecm_enrollment_id"] = enrolled["enrollment"]
    response = api("cm_a").post("/community-supports/requests", body)
    assert response.status_code == 201, response.content
    request = CsRequest.objects.get(pk=response.json()[0]["id"])
    assert str(request.ecm_enrollment_id) == enrolled["enrollment"]
    assert api("cm_a").get(f"/community-supports/requests/{request.pk}").status_code == 200
    other = form(member, service("htns", criteria=["homeless"]), source="ecm_provider")
    other["ecm_enrollment_id"] = enrolled["enrollment"]
    assert api("cm_b").post("/community-supports/requests", other).status_code in (403, 422)


def test_a_cs_authorization_covers_the_requested_dates(api, authorized):
    request = CsRequest.objects.select_related("authorization").get(pk=authorized["id"])
    authorization = request.authorization
    assert authorization is not None and authorization.status == "approved"
    assert (authorization.period_start, authorization.period_end) == (request.requested_start, request.requested_end)
    response = api("cs").post(
        f"/community-supports/requests/{authorized['id']}/deliveries",
        {**DELIVERY, "end_date": (request.requested_end + dt.timedelta(days=1)).isoformat()},
    )
    assert response.status_code == 422
    assert f"authorized from {request.requested_start:%Y-%m-%d} to {request.requested_end:%Y-%m-%d}" in response.text
