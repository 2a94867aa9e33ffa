"""The supervisor names a Lead Care Manager knowing each care manager's name, caseload and languages, sees names
(never bare usernames) in their tables, and records the languages their own care staff speak."""

from __future__ import annotations

import re
from typing import Any

import pytest

from calaim.accounts.models import Role
from calaim.core.models import AuditEvent
from calaim.ecm.models import CareManagerLanguages
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def named(network: Any) -> dict[str, Any]:
    """Care staff with their names and cm_a2's languages on record."""
    for key, (first, last) in {"cm_a": ("Ana", "Ruiz"), "cm_a2": ("Bao", "Nguyen"), "sup_a": ("Sam", "Lee")}.items():
        user = network.users[key]
        user.first_name, user.last_name = first, last
        user.save(update_fields=["first_name", "last_name"])
    CareManagerLanguages.objects.create(user=network.users["cm_a2"], languages=["en", "hmn", "vi"])
    return network.users


def _options(page: str) -> dict[str, str]:
    return dict(re.findall(r'<option value="([^"]+)"[^>]*>([^<]*)</option>', page))


def test_the_dropdown_shows_name_caseload_and_languages(web, enrolled, named):
    page = web("sup_a").get(f"/enrollments/{enrolled['enrollment']}/lead-care-manager/").content.decode()
    options = _options(page)
    assert options["cm_a"] == "Ana Ruiz, Alpha Care Partners (1 member now; languages not recorded)"
    assert options["cm_a2"] == "Bao Nguyen, Alpha Care Partners (0 members now; English, Hmong, Vietnamese)"
    assert "cm_b" not in options  # another organization's staff are not offered
    response = web("sup_a").post(f"/enrollments/{enrolled['enrollment']}/lead-care-manager/", {"care_manager": "cm_a2"})
    assert "Bao Nguyen, Alpha Care Partners" in web("sup_a").get(response["Location"]).content.decode()


def test_the_supervisor_tables_show_names(web, enrolled, named):
    body = web("sup_a").get("/").content.decode()
    team = body.split('id="team-h"', 1)[1].split("</section>", 1)[0]
    assert "Ana Ruiz, Alpha Care Partners</th><td>1</td>" in team
    assert "Bao Nguyen, Alpha Care Partners</th><td>0</td><td>English, Hmong, Vietnamese" in team
    caseload = body.split('id="case-h"', 1)[1].split("</section>", 1)[0]
    assert "Ana Ruiz, Alpha Care Partners" in caseload and ">cm_a<" not in caseload


def test_the_supervisor_records_languages(web, named):
    path = "/care-managers/cm_a/languages/"
    page = web("sup_a").get(path).content.decode()
    assert 'value="es"' in page and "Spanish" in page and "Languages Ana Ruiz, Alpha Care Partners speaks" in page
    response = web("sup_a").post(path, {"languages": ["es", "en"]})
    assert response.status_code == 302
    assert CareManagerLanguages.objects.get(user=named["cm_a"]).languages == ["en", "es"]
    event = AuditEvent.objects.get(action="care_manager.languages")
    assert event.actor == named["sup_a"] and event.after["languages"] == ["en", "es"]


@pytest.mark.parametrize(("caller", "status"), [(None, 302), ("cm_b", 404), ("intake", 404), ("sup_b", 404)])
def test_languages_outside_the_supervisors_organization(web, network, named, caller, status):
    other = UserFactory(username="sup_b", role=Role.PROVIDER_SUPERVISOR, organization=network.provider_b)
    network.users["sup_b"] = other
    assert web(caller).get("/care-managers/cm_a/languages/").status_code == status
    assert web(caller).post("/care-managers/cm_a/languages/", {"languages": ["es"]}).status_code == status
    assert not CareManagerLanguages.objects.filter(user=named["cm_a"]).exists()
    assert not AuditEvent.objects.filter(action="care_manager.languages").exists()


def test_a_care_manager_may_not_record_languages(web, named):
    response = web("cm_a").post("/care-managers/cm_a2/languages/", {"languages": ["es"]})
    assert response.status_code == 400 and "may not record care managers" in response.content.decode()
    assert CareManagerLanguages.objects.get(user=named["cm_a2"]).languages == ["en", "hmn", "vi"]
    assert web("sup_a").post("/care-managers/nobody/languages/", {"languages": ["es"]}).status_code == 404
