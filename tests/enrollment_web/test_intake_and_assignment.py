"""Intake sees authorized referrals waiting for a provider; the assignment page offers only providers that fit the
member, with the member's language by name and free places, and says on request why the others do not fit."""

from __future__ import annotations

import re

import pytest

from calaim.core.models import AuditEvent
from calaim.ecm.models import Enrollment
from calaim.network.models import Contract
from calaim.referrals.models import Referral

pytestmark = pytest.mark.django_db


def _section(body: str, heading_id: str) -> str:
    return body.split(f'id="{heading_id}"', 1)[1].split("</section>", 1)[0]


def _offered(page: str) -> list[str]:
    """The provider ids the form's radio buttons offer (besides "automatic")."""
    return [v for v in re.findall(r'name="provider_id" value="([^"]+)"', page) if v != "automatic"]


# Intake: authorized, awaiting provider assignment --------------------------------------------------------------


def test_intake_lists_an_authorized_referral_without_a_provider(web, member, authorized):
    body = web("intake").get("/").content.decode()
    waiting = _section(body, "await-h")
    assert "Authorized, awaiting provider assignment (1)" in body
    assert member.last_name in waiting and member.cin in waiting
    assert f'href="/referrals/{authorized}/assignment/"' in waiting and "0 days" in waiting


def test_an_assigned_referral_leaves_the_list(web, api, network, member, authorized):
    api("intake").post(f"/referrals/{authorized}/assignment", {"provider_id": str(network.provider_a.pk)})
    waiting = _section(web("intake").get("/").content.decode(), "await-h")
    assert member.cin not in waiting and "No authorized referral is waiting for a provider." in waiting


def test_the_oldest_waits_first_with_its_days(web, api, network, member, authorized, pending):
    api("um").post(f"/authorizations/{pending['authorization'].pk}/decision", {"outcome": "approve"})
    older = Referral.objects.get(pk=authorized)
    Referral.objects.filter(pk=older.pk).update(status_changed_at=older.status_changed_at.replace(year=2026, month=11))
    waiting = _section(web("intake").get("/").content.decode(), "await-h")
    assert waiting.index(member.cin) < waiting.index(pending["member"].cin)
    assert re.search(r"<td>\d{2,} days</td>", waiting)


def test_another_plans_intake_does_not_see_it(web, member, authorized):
    assert member.cin not in web("hpsm_intake").get("/").content.decode()


# The assignment page ---------------------------------------------------------------------------------------------


def test_assignment_offers_only_fitting_providers(web, network, authorized, a5_only):
    page = web("intake").get(f"/referrals/{authorized}/assignment/").content.decode()
    assert set(_offered(page)) == {str(network.provider_a.pk), str(network.provider_b.pk)}
    form = page.split('id="not-offered"')[0]
    assert "Carson Long-Term Care ECM" not in form  # serves only A5/A6; the member is A1
    assert "Member's language</dt><dd>Spanish" in page and "speaks Spanish" in page
    assert "languages English, Spanish" in page and "50 places free" in page
    assert not re.search(r"languages [a-z]{2}\b", page)  # no bare codes


def test_why_others_do_not_fit_on_request(web, network, authorized, a5_only):
    Contract.objects.filter(organization=network.provider_b).update(capacity=0)
    page = web("intake").get(f"/referrals/{authorized}/assignment/?all=1").content.decode()
    others = page.split('id="not-offered" open', 1)[1].split("</details>", 1)[0]
    carson = others.split("Carson Long-Term Care ECM", 1)[1].split("</tr>", 1)[0]
    assert "does not serve the member&#x27;s Populations of Focus A1 (serves A5, A6)" in carson
    assert "Spanish, Punjabi" in carson
    bravo = others.split("Bravo Health Navigators", 1)[1].split("</tr>", 1)[0]
    assert "no free places" in bravo and "does not list the member&#x27;s language (Spanish)" in bravo
    assert "Mateo ECM Collaborative" not in page  # another plan's provider is not listed at all
    assert 'id="not-offered" open' not in web("intake").get(f"/referrals/{authorized}/assignment/").content.decode()


def test_a_provider_in_another_county_is_explained(web, network, authorized):
    from tests.factories import OrganizationFactory, ecm_contract

    ecm_contract(OrganizationFactory(name="Stanislaus Only ECM"), "HPSJ", ["Stanislaus"])
    page = web("intake").get(f"/referrals/{authorized}/assignment/?all=1").content.decode()
    row = page.split("Stanislaus Only ECM", 1)[1].split("</tr>", 1)[0]
    assert "not contracted in San Joaquin county (serves Stanislaus)" in row


def test_posting_a_provider_that_does_not_fit_is_refused_with_its_reasons(web, authorized, a5_only):
    response = web("intake").post(f"/referrals/{authorized}/assignment/", {"provider_id": str(a5_only.pk)})
    body = response.content.decode()
    assert response.status_code == 400 and 'id="id_provider_id-error"' in body
    assert "Carson Long-Term Care ECM is not offered: does not serve the member&#x27;s Populations of Focus" in body
    assert not Enrollment.objects.exists() and not AuditEvent.objects.filter(action="enrollment.assign").exists()


def test_the_api_refuses_it_too(api, authorized, a5_only):
    response = api("intake").post(f"/referrals/{authorized}/assignment", {"provider_id": str(a5_only.pk)})
    assert response.status_code == 422 and "does not serve" in str(response.json())
    assert not Enrollment.objects.exists()


def test_automatic_assignment_picks_a_fitting_provider_and_records_why(web, network, authorized, a5_only):
    response = web("intake").post(f"/referrals/{authorized}/assignment/", {"provider_id": "automatic"})
    assert response.status_code == 302
    enrollment = Enrollment.objects.get(referral_id=authorized)
    assert enrollment.provider == network.provider_a  # speaks Spanish and serves A1; Carson has more places
    assert enrollment.assignment_method == "automatic"
    assert "serves the member's language (Spanish)" in enrollment.assignment_reasons
    assert "serves Populations of Focus A1" in enrollment.assignment_reasons
    event = AuditEvent.objects.get(action="enrollment.assign", object_id=str(enrollment.pk))
    assert event.after["assignment_reasons"] == enrollment.assignment_reasons


def test_provider_change_offers_only_fitting_providers(web, network, enrolled, a5_only):
    page = web("member_services").get(f"/enrollments/{enrolled['enrollment']}/provider-change/?all=1").content
    page = page.decode()
    assert _offered(page) == [str(network.provider_b.pk)]
    assert "Carson Long-Term Care ECM" in page.split('id="not-offered"', 1)[1]
    body = {"provider_id": str(a5_only.pk), "reason": "Member asked"}
    refused = web("member_services").post(f"/enrollments/{enrolled['enrollment']}/provider-change/", body)
    assert refused.status_code == 400 and "is not offered" in refused.content.decode()
    assert Enrollment.objects.count() == 1


@pytest.mark.parametrize(
    ("caller", "expected"),
    [(None, 302), ("hpsm_intake", 404), ("referrer_cbo", 404), ("cm_b", 404), ("intake", 200)],
)
def test_assignment_page_access(web, authorized, a5_only, caller, expected):
    response = web(caller).get(f"/referrals/{authorized}/assignment/")
    assert response.status_code == expected
    if expected != 200:
        assert b"Carson" not in response.content


def test_a_role_that_may_not_assign_changes_nothing(web, authorized):
    path, body = f"/referrals/{authorized}/assignment/", {"provider_id": "automatic"}
    response = web("um").post(path, body)
    assert response.status_code == 400 and "may not assign ECM providers" in response.content.decode()
    assert web(None).post(path, body).status_code == 302
    assert web("hpsm_intake").post(path, body).status_code == 404
    assert not Enrollment.objects.exists()
