"""Who may read and write LTC records, through the API and the pages: anonymous, wrong role, another plan or
organization, allowed. A refused caller learns nothing and changes nothing."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from calaim.core.models import AuditEvent
from calaim.ltc.models import FacilityStay, PasrrScreening, PhysicianCertification
from tests.factories import AuthorizationFactory
from tests.ltc.conftest import NPI, TODAY, day, snf_stay

pytestmark = pytest.mark.django_db

STAY = {"facility_name": "Delta SNF", "facility_type": "SNF/NF-B", "admitted_on": day(-3).isoformat()}
PCS = {
    "signer_type": "physician",
    "signer_name": "Dr. Rivera",
    "signer_npi": NPI,
    "mode": "litter_van",
    "valid_from": TODAY.isoformat(),
    "valid_through": day(60).isoformat(),
    "form_version": "HPSJ PCS (2023-03)",
}


def _unchanged(before: int) -> None:
    assert AuditEvent.objects.count() == before
    assert not FacilityStay.objects.exists() and not PhysicianCertification.objects.exists()


@pytest.mark.parametrize(
    ("caller", "status"),
    [(None, 401), ("referrer", 404), ("hpsm_intake", 404), ("cm_b", 404), ("cm_a", 403)],
)
def test_stay_create_refused(api, member, enrollment, caller, status):
    before = AuditEvent.objects.count()
    response = api(caller).post(f"/members/{member.pk}/facility-stays", STAY)
    assert response.status_code == status, response.json()
    assert "Delta" not in response.content.decode()
    _unchanged(before)


@pytest.mark.parametrize("caller", ["intake", "um", "member_services"])
def test_plan_staff_record_a_stay_and_read_it(api, member, caller):
    response = api(caller).post(f"/members/{member.pk}/facility-stays", STAY)
    assert response.status_code == 201, response.json()
    listed = api("um").get(f"/members/{member.pk}/facility-stays").json()
    assert [s["facility_name"] for s in listed] == ["Delta SNF"]
    assert api("hpsm_intake").get(f"/members/{member.pk}/facility-stays").status_code == 404


def test_bad_stay_names_the_field(api, member):
    response = api("intake").post(f"/members/{member.pk}/facility-stays", {**STAY, "facility_npi": "1234567890"})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][-1] == "facility_npi"


@pytest.mark.parametrize(("caller", "status"), [(None, 401), ("referrer", 404), ("hpsm_intake", 404), ("cm_b", 404)])
def test_pcs_create_refused(api, member, enrollment, caller, status):
    before = AuditEvent.objects.count()
    assert api(caller).post(f"/members/{member.pk}/pcs", PCS).status_code == status
    _unchanged(before)


@pytest.mark.parametrize("caller", ["intake", "cm_a"])
def test_plan_staff_and_the_members_provider_record_a_pcs(api, member, enrollment, caller):
    response = api(caller).post(f"/members/{member.pk}/pcs", PCS)
    assert response.status_code == 201, response.json()
    assert [p["mode"] for p in api("cm_a").get(f"/members/{member.pk}/pcs").json()] == ["litter_van"]
    too_long = {**PCS, "valid_through": day(400).isoformat()}
    refused = api(caller).post(f"/members/{member.pk}/pcs", too_long)
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"][-1] == "valid_through"


def test_pasrr_through_the_api(api, network, member):
    stay = snf_stay(network, member)
    body = {"level1_type": "pas", "level1_on": day(-9).isoformat(), "level1_by": "gach", "level1_positive": False}
    for caller, status in ((None, 401), ("hpsm_intake", 404), ("referrer", 404)):
        assert api(caller).post(f"/facility-stays/{stay.pk}/pasrr", body).status_code == status
    assert not PasrrScreening.objects.exists()
    assert api("intake").post(f"/facility-stays/{stay.pk}/pasrr", body).status_code == 201
    assert [p["level1_type"] for p in api("um").get(f"/members/{member.pk}/pasrr").json()] == ["pas"]


def test_ride_through_the_api(api, ride_task):
    assert api("cm_b").post(f"/tasks/{ride_task.pk}/ride", {"mode": "ambulance"}).status_code == 404
    assert api("cm_a").post(f"/tasks/{ride_task.pk}/ride", {"mode": "ambulance"}).status_code == 200
    refused = api("cm_a").post(f"/tasks/{ride_task.pk}/complete")
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"][-1] == "pcs"


def test_ltc_page_is_for_plan_staff(web, network, member, ride_task):
    stay = snf_stay(network, member)
    assert web(None).get("/ltc/").status_code == 302
    assert web("cm_a").get("/ltc/").status_code == 404
    page = web("um").get("/ltc/").content.decode()
    assert "No PASRR" not in page and "No Level I on file (1)" in page and stay.facility_name in page
    other = web("hpsm_intake").get("/ltc/").content.decode()
    assert stay.facility_name not in other and "No Level I on file (0)" in other


def test_member_section_records_a_stay_without_javascript(web, network, member):
    path = f"/members/{member.pk}/ltc/stays/"
    refused = web("intake").post(path, {**STAY, "facility_type": ""})
    assert refused.status_code == 400 and 'id="ltc-stay-new-facility_type-error"' in refused.content.decode()
    assert web("cm_b").post(path, STAY).status_code == 404
    assert web("hpsm_intake").post(path, STAY).status_code == 404
    assert not FacilityStay.objects.exists()
    assert web("intake").post(path, STAY).status_code == 302
    section = web("intake").get(f"/members/{member.pk}/sections/ltc/").content.decode()
    assert "Delta SNF" in section and "No PASRR Level I on file" in section and "Record a PASRR screening" in section


def test_ltc_flags_tag_renders_for_um(network, member):
    authorization = AuthorizationFactory(member=member, referral=None)
    snf_stay(network, member)
    template = Template("{% load ltc_tags %}{% ltc_flags authorization %}")
    request = RequestFactory().get("/")
    request.user = network.users["um"]
    html = template.render(Context({"request": request, "authorization": authorization}))
    assert "No PASRR Level I on file for Delta Skilled Nursing" in html
    request.user = network.users["hpsm_um"]
    assert template.render(Context({"request": request, "authorization": authorization})).strip() == ""
