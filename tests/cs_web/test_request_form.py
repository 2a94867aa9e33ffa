"""The CSS referral form: every error in one round (the form's fields and the service's rules together), and a
request over a limit explained (which limit, used, left, for which period) with the form shown again to change the
dates, never as a success."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from calaim.community_supports.models import CsRequest
from calaim.core.clock import plan_today
from tests.factories import CsRequestFactory
from tests.web.test_cs_actions import NEW, field_error, nothing_written, referral, service

pytestmark = pytest.mark.django_db
TODAY = plan_today()


def test_field_and_rule_errors_come_in_one_round(web: Any, network: Any, cs_provider: Any, member: Any) -> None:
    before = nothing_written()
    over = service("medically_tailored_meals", days=85, quantity="2", criteria=["diet_sensitive_condition"])
    body = referral(
        member,
        service(justification=""),  # a field error
        over,  # the service's limit
        referrer_name="",  # a field error on the form
        attested_on=(TODAY + dt.timedelta(days=1)).isoformat(),  # the service's rule
    )
    response = web("referrer").post(NEW, body)
    field_error(response, "referrer_name", "required")
    field_error(response, "services-0-justification", "required")
    field_error(response, "attested_on", "cannot be in the future")
    field_error(response, "services-1-requested_end", "Over a limit")
    assert nothing_written() == before


def test_a_member_mismatch_shows_with_the_service_errors(web: Any, network: Any, cs_provider: Any, member: Any) -> None:
    body = referral(member, service(justification=""), member_birth_date="1950-01-01")
    response = web("referrer").post(NEW, body)
    field_error(response, "member_cin", "No plan member matches")
    field_error(response, "services-0-justification", "required")


def test_a_future_birth_date_is_named_as_such(web: Any, network: Any, member: Any) -> None:
    future = (TODAY + dt.timedelta(days=30)).isoformat()
    response = web("referrer").post(NEW, referral(member, service(), member_birth_date=future))
    field_error(response, "member_birth_date", "cannot be in the future")
    assert "No plan member matches" not in response.content.decode()


def test_a_cin_typed_in_lower_case_with_spaces_is_read(web: Any, network: Any, cs_provider: Any, member: Any) -> None:
    typed = f" {member.cin[:4]} {member.cin[4:8]}-{member.cin[8:].lower()} "
    response = web("referrer").post(NEW, referral(member, service(), member_cin=typed))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert CsRequest.objects.get().member == member


def test_over_a_limit_is_explained_and_resubmitted_with_other_dates(
    web: Any, network: Any, cs_provider: Any, member: Any
) -> None:
    # 150 room-and-board days already approved in the last 12 months (short-term post-hospitalization housing).
    CsRequestFactory(
        member=member,
        authorized=True,
        service_code="stphh",
        requested_start=TODAY - dt.timedelta(days=170),
        requested_end=TODAY - dt.timedelta(days=21),
    )
    before = nothing_written()
    body = referral(member, service(days=40))
    response = web("referrer").post(NEW, body)
    field_error(response, "services-0-requested_end", "Over a limit")
    html = response.content.decode()
    assert "at most 183 are allowed" in html and "in the 12 months ending" in html
    assert "(requested 40, already used 150, 33 left)" in html
    assert 'class="msg success"' not in html and "Authorization pending" not in html
    end = (TODAY + dt.timedelta(days=39)).isoformat()
    assert f'name="services-0-requested_end" value="{end}"' in html  # the dates come back, to be changed
    assert nothing_written() == before
    body["services-0-requested_end"] = (TODAY + dt.timedelta(days=32)).isoformat()
    done = web("referrer").post(NEW, body)
    assert done.status_code == 302
    request = CsRequest.objects.get(service_code="recuperative_care")
    assert request.status == "pending_authorization"
    page = web("referrer").get(done["Location"]).content.decode()
    assert 'class="msg success"' in page and "Authorization pending" in page


def test_a_request_recorded_over_a_limit_reads_the_same_everywhere(
    api: Any, web: Any, network: Any, cs_provider: Any, member: Any
) -> None:
    """Over the API the request is still recorded (not eligible, over a limit); its page says so in one voice."""
    from tests.community_supports.test_cs_flow import form
    from tests.community_supports.test_cs_flow import service as api_service

    meals = api_service("medically_tailored_meals", days=85, quantity="2", criteria=["diet_sensitive_condition"])
    created = api("referrer").post("/community-supports/requests", form(member, meals))
    request = CsRequest.objects.get(pk=created.json()[0]["id"])
    assert request.status == "not_eligible"
    page = web("referrer").get(f"/community-supports/requests/{request.pk}/").content.decode()
    assert "Not eligible: over a limit." in page and "12 weeks" in page and "Criteria met" in page
    assert "<strong>Eligible</strong>" not in page
    assert "Request again with other dates" in page
