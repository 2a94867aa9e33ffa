"""Member search from every page's header, for each staff role that may see members, within its scope."""

from __future__ import annotations

import pytest

from calaim.accounts.models import Role
from tests.factories import EnrollmentFactory, MemberFactory, OrganizationFactory, UserFactory
from tests.queues.helpers import page

pytestmark = pytest.mark.django_db

HEADER_BOX = 'id="top-q"'


@pytest.mark.parametrize("name", ["member_services", "intake", "um", "cm_a", "sup_a", "hpsm_intake"])
def test_staff_who_see_members_have_the_box_on_every_page(web, name):
    # Pages other than the worklists (tested with theirs); member services' search page is its own lookup.
    paths = ("/inbox/",) if name == "member_services" else ("/inbox/", "/members/search/")
    for path in paths:
        body = page(web(name), path)
        assert HEADER_BOX in body and 'action="/members/search/"' in body and 'role="search"' in body


def test_referrers_and_community_supports_providers_have_no_member_search(web, network, enrolled):
    cs_org = OrganizationFactory(name="Valley Recuperative Care", kind="cs_provider")
    network.users["cs_staff"] = UserFactory(username="cs_staff", role=Role.PROVIDER_CARE_MANAGER, organization=cs_org)
    member = enrolled["member"]
    for name in ("referrer", "cs_staff"):
        assert HEADER_BOX not in page(web(name), "/")
        assert web(name).get("/members/search/", {"q": member.cin}).status_code == 404
    assert 'name="my_referrals-member"' in page(web("referrer"), "/")  # they find their referrals there instead


def test_a_care_manager_finds_its_caseload_member_and_not_another_organizations(web, network, enrolled):
    member = enrolled["member"]
    other = EnrollmentFactory(provider=network.provider_b, referral__member__last_name=member.last_name + "x")
    body = page(web("cm_a"), "/members/search/", q=member.last_name)
    assert "Find a member" in body and "organization's ECM caseload" in body
    assert f"/members/{member.pk}/" in body and f"/members/{other.member_id}/" not in body
    assert member.cin in page(web("cm_a"), "/members/search/", q=f" {member.cin[:4]} {member.cin[4:].lower()} ")
    assert f"/members/{member.pk}/" not in page(web("cm_b"), "/members/search/", q=member.cin)
    assert f"/members/{other.member_id}/" in page(web("cm_b"), "/members/search/", q=other.member.cin)


def test_plan_staff_find_their_plans_members_only(web, network):
    here = MemberFactory(last_name="Herewego", cin="94000001A")
    hpsm = network.hpsm.plan
    there = MemberFactory(last_name="Herewego", cin="94000002B", plan=hpsm, county=hpsm.counties.first())
    body = page(web("um"), "/members/search/", q="herewego")
    assert "Searches the members of Health Plan of San Joaquin" in body
    assert f"/members/{here.pk}/" in body and f"/members/{there.pk}/" not in body
    assert 'value="herewego"' in body  # the header box keeps what was typed
    assert f"/members/{there.pk}/" in page(web("hpsm_intake"), "/members/search/", q="9400 0002b")


def test_member_services_keeps_its_lookup_page(web, network):
    MemberFactory(last_name="Lookupson")
    body = page(web("member_services"), "/members/search/", q="lookupson")
    assert "Member lookup" in body and "Lookupson" in body and "Take a phone referral" in body
    # One search box on the lookup page: its own, not a second in the header.
    for lookup in (body, page(web("member_services"), "/")):
        assert HEADER_BOX not in lookup and lookup.count('type="search"') == 1
