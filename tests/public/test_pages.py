"""The plans' public pages: anyone reads them in each of the plan's languages, and what they say comes from the
reference data (Populations of Focus and their go-live dates, contracted ECM providers and Community Supports per
county, referral sources, member services), so a change there changes the page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db.models import Q
from django.test import Client

from calaim.community_supports.models import CsOffering
from calaim.core.clock import plan_today
from calaim.plans.models import County, Plan, PofGoLive, PopulationOfFocus, ReferralSourceType
from calaim.public.languages import catalogued_languages, long_date
from tests.factories import OrganizationFactory, ecm_contract
from tests.public.conftest import CAPTIONS
from tests.public.pagehtml import as_dict, column

LANGUAGES = {"en": "en", "es": "es", "zh-hans": "zh-Hans", "vi": "vi", "tl": "tl"}
# Each plan's threshold languages (calaim/notices/reference/languages.yaml) with a catalogue, after English.
PLAN_LANGUAGES = {"HPSJ": ["en", "es", "zh-hans"], "HPSM": ["en", "es", "zh-hans", "tl"]}
ENGLISH = catalogued_languages()[0]


@pytest.mark.parametrize(("plan", "lang"), [(p, lang) for p, langs in PLAN_LANGUAGES.items() for lang in langs])
def test_anyone_reads_each_page_in_each_of_the_plans_languages(network: Any, plan: str, lang: str) -> None:
    for url in [f"/public/{plan}/{lang}/", f"/public/{plan}/{lang}/long-term-care/"]:
        response = Client().get(url)
        assert response.status_code == 200, url
        assert response["Content-Language"] == LANGUAGES[lang]
        assert f'<html lang="{LANGUAGES[lang]}">' in response.content.decode()


@pytest.mark.parametrize(("plan", "lang"), [("HPSJ", "vi"), ("HPSJ", "tl"), ("HPSM", "vi")])
def test_a_catalogued_language_that_is_not_a_threshold_language_of_the_plan_is_not_offered(
    network: Any, plan: str, lang: str
) -> None:
    assert Client().get(f"/public/{plan}/{lang}/").status_code == 404
    assert Client().get(f"/public/{plan}/{lang}/long-term-care/").status_code == 404


def test_the_spanish_and_chinese_pages_are_translated(read: Any) -> None:
    spanish = read("/public/HPSJ/es/")
    assert ("h1", "Administración de Atención Mejorada y Apoyos Comunitarios en Health Plan of San Joaquin") in (
        spanish.headings
    )
    pofs = as_dict(
        spanish.tables["Poblaciones de Enfoque en el condado de San Joaquin y desde cuándo está vigente cada una"]
    )
    assert pofs["Adultos y familias sin hogar"] == "1 de enero de 2022"
    chinese = read("/public/HPSJ/zh-hans/")
    assert ("h2", "谁符合 ECM 资格") in chinese.headings
    assert (
        as_dict(chinese.tables["San Joaquin县的重点人群及各自的开始实施日期"])["无家可归的成人和家庭"] == "2022年1月1日"
    )


def test_who_qualifies_by_county_with_the_go_live_dates(read: Any) -> None:
    page = read("/public/HPSJ/en/")
    san_joaquin = as_dict(page.tables[CAPTIONS["pofs"].format("San Joaquin")])
    stanislaus = as_dict(page.tables[CAPTIONS["pofs"].format("Stanislaus")])
    # The seed page: Transitioning from Incarceration live in San Joaquin from the start, in Stanislaus from 2024.
    assert san_joaquin["Adults Transitioning from Incarceration"] == "January 1, 2022"
    assert stanislaus["Adults Transitioning from Incarceration"] == "January 1, 2024"
    assert stanislaus["Adults and Families Experiencing Homelessness"] == "July 1, 2022"
    assert "Pregnant or Postpartum Adults" not in san_joaquin  # a legacy POF that ended in 2023
    # Every go-live in force for each county is on the page with its date, and nothing else is.
    today, hpsj = plan_today(), Plan.objects.get(code="HPSJ")
    names = {p.code: p.name for p in PopulationOfFocus.objects.all()}
    for county, table in [("San Joaquin", san_joaquin), ("Stanislaus", stanislaus)]:
        rows = PofGoLive.objects.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=today))
        expected = {
            names[r.pof_code]: long_date(r.effective_from, ENGLISH) for r in rows.filter(plan=hpsj, county__name=county)
        }
        assert table == expected


def test_the_contracted_ecm_providers_per_county(read: Any, network: Any) -> None:
    page = read("/public/HPSJ/en/")
    san_joaquin = page.tables[CAPTIONS["providers"].format("San Joaquin")]
    assert column(san_joaquin) == ["Alpha Care Partners", "Bravo Health Navigators"]
    assert column(page.tables[CAPTIONS["providers"].format("Stanislaus")]) == ["Alpha Care Partners"]
    assert san_joaquin[0][2] == "English, Spanish" and san_joaquin[1][2] == "English, Vietnamese"
    for not_an_ecm_provider in [network.clinic.name, network.cbo.name, network.provider_m.name]:
        assert not_an_ecm_provider not in page.text
    assert column(read("/public/HPSM/en/").tables[CAPTIONS["providers"].format("San Mateo")]) == [
        network.provider_m.name
    ]


def test_the_community_supports_per_county_with_their_dates(read: Any) -> None:
    page = read("/public/HPSJ/en/")
    san_joaquin = {row[0]: row[1:] for row in page.tables[CAPTIONS["supports"].format("San Joaquin")]}
    stanislaus = {row[0]: row[1:] for row in page.tables[CAPTIONS["supports"].format("Stanislaus")]}
    assert san_joaquin["Housing Deposits"] == ["January 1, 2022", "From Kaiser"]
    assert stanislaus["Housing Deposits"] == ["July 1, 2022", "From Kaiser"]
    assert stanislaus["Sobering Center"] == ["July 1, 2022", "From Health Plan of San Joaquin, after reassignment"]
    # The seed page's two services effective July 2023, and Transitional Rent, mandatory from 2026.
    assert san_joaquin["Nursing Facility Transition/Diversion to Assisted Living Facilities"][0] == "July 1, 2023"
    assert san_joaquin["Community Transition Services/Nursing Facility Transition to a Home"][0] == "July 1, 2023"
    assert san_joaquin["Transitional Rent"][0] == "January 1, 2026"
    assert len(san_joaquin) == CsOffering.objects.filter(plan__code="HPSJ", county__name="San Joaquin").count()
    hpsm = as_dict(read("/public/HPSM/en/").tables[CAPTIONS["supports"].format("San Mateo")])
    assert "Sobering Center" not in hpsm and "Housing Deposits" in hpsm


def test_the_kaiser_note_follows_the_offerings(read: Any) -> None:
    assert ("h3", "Members delegated to Kaiser") in read("/public/HPSJ/en/").headings
    CsOffering.objects.filter(plan__code="HPSJ").update(delegate_provides=False)
    page = read("/public/HPSJ/en/")
    assert ("h3", "Members delegated to Kaiser") not in page.headings
    assert "Kaiser" not in page.text


def test_how_members_get_ecm_and_how_each_referrer_refers(read: Any) -> None:
    page = read("/public/HPSJ/en/")
    assert "Members who want ECM can call Health Plan of San Joaquin Member Services at 1-888-936-7526." in page.text
    assert "a letter from Health Plan of San Joaquin and a call from their ECM provider" in page.text
    assert ("h3", "Primary care providers and community-based organizations") in page.headings
    assert "fax it to the Health Plan of San Joaquin Case Management Department at 209-762-4720" in page.text
    assert ("h3", "Hospitals and facilities") in page.headings
    assert "Referral sources: Hospital or facility (concurrent review), Hospital or facility (transition of care)" in (
        page.text
    )
    hpsm = read("/public/HPSM/en/")  # no fax number on the seed pages: the forms come from member services
    assert "Call Health Plan of San Mateo Member Services at 650-616-2133 to get the forms." in hpsm.text
    for question in [
        "Do members pay for ECM?",
        "Can members opt out of ECM?",
        "Can members change their ECM provider?",
    ]:
        assert ("h3", question) in hpsm.headings


def test_the_long_term_care_overview(read: Any) -> None:
    hpsj = as_dict(
        read("/public/HPSJ/en/long-term-care/").tables[
            "Long-term care facilities Health Plan of San Joaquin covers, and since when"
        ]
    )
    hpsm_page = read("/public/HPSM/en/long-term-care/")
    hpsm = as_dict(hpsm_page.tables["Long-term care facilities Health Plan of San Mateo covers, and since when"])
    skilled = "Skilled nursing facility, freestanding or part of a hospital (Nursing Facility Level B)"
    assert hpsj[skilled] == "January 1, 2023" and hpsm[skilled] == "Before 2023"  # the 2023 carve-in; San Mateo had it
    assert hpsj["Adult subacute care facility"] == hpsm["Adult subacute care facility"] == "January 1, 2024"
    headings = [text for _, text in hpsm_page.headings]
    assert "Preadmission Screening and Resident Review (PASRR)" in headings
    assert "Transportation for members in long-term care" in headings
    assert "Physician Certification Statement (PCS)" in hpsm_page.text


def test_a_change_in_the_reference_data_changes_the_page(read: Any, network: Any) -> None:
    today, hpsm, san_mateo = plan_today(), Plan.objects.get(code="HPSM"), County.objects.get(name="San Mateo")
    before = read("/public/HPSM/en/")
    assert "Adults Transitioning from Incarceration" in as_dict(before.tables[CAPTIONS["pofs"].format("San Mateo")])
    # A go-live ends, another is coming; a provider's contract ends, another's begins; a service ends, one is coming.
    PofGoLive.objects.filter(plan=hpsm, pof_code="A4").update(effective_to=today - dt.timedelta(days=1))
    coming = today + dt.timedelta(days=40)
    PofGoLive.objects.create(plan=hpsm, county=san_mateo, pof_code="A4", effective_from=coming)  # live again later
    network.provider_m.contracts.update(end_date=today - dt.timedelta(days=1))
    ecm_contract(OrganizationFactory(name="Coastside Care Team"), "HPSM", ["San Mateo"], languages=["en", "tl"])
    CsOffering.objects.filter(plan=hpsm, service_code="respite").update(effective_to=today - dt.timedelta(days=1))
    CsOffering.objects.create(plan=hpsm, county=san_mateo, service_code="sobering_center", effective_from=coming)
    Plan.objects.filter(pk=hpsm.pk).update(member_services_phone="650-555-0199")

    after = read("/public/HPSM/en/")
    pofs = as_dict(after.tables[CAPTIONS["pofs"].format("San Mateo")])
    assert pofs["Adults Transitioning from Incarceration"] == f"Starting {long_date(coming, ENGLISH)}"
    providers = after.tables[CAPTIONS["providers"].format("San Mateo")]
    assert column(providers) == ["Coastside Care Team"] and providers[0][2] == "English, Tagalog"
    supports = as_dict(after.tables[CAPTIONS["supports"].format("San Mateo")])
    assert "Respite Services" not in supports
    assert supports["Sobering Center"] == f"Starting {long_date(coming, ENGLISH)}"
    assert "650-555-0199" in after.text and "650-616-2133" not in after.text


def test_a_referral_source_that_ends_takes_its_route_off_the_page(read: Any) -> None:
    yesterday = plan_today() - dt.timedelta(days=1)
    ReferralSourceType.objects.filter(code__in=["pcp", "cbo"]).update(effective_to=yesterday)
    headings = [text for _, text in read("/public/HPSJ/en/").headings]
    assert "Primary care providers and community-based organizations" not in headings
    assert "Hospitals and facilities" in headings
