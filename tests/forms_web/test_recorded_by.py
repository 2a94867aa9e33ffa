"""Who recorded something is shown with their organization: a CS provider's user can share a care manager's name."""

from __future__ import annotations

import pytest

from calaim.accounts.models import Role
from calaim.core.clock import plan_today
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_outreach_shows_who_recorded_it_with_their_organization(web, network, enrolled):
    cm = network.users["cm_a"]
    cm.first_name, cm.last_name = "Ana", "Ruiz"
    cm.save(update_fields=["first_name", "last_name"])
    namesake = OrganizationFactory(name="Delta Housing Supports", kind="cbo")
    UserFactory(first_name="Ana", last_name="Ruiz", role=Role.REFERRER, organization=namesake)
    path = f"/enrollments/{enrolled['enrollment']}/outreach/"
    body = {
        "attempted_on": plan_today().strftime("%m/%d/%Y"),
        "method": "phone",
        "minutes_spent": 5,
        "notes": "Left a message",
    }
    assert web("cm_a").post(path, body).status_code == 302
    section = web("cm_a").get(f"/members/{enrolled['member'].pk}/sections/outreach/").content.decode()
    assert "Ana Ruiz, Alpha Care Partners" in section and "cm_a" not in section
