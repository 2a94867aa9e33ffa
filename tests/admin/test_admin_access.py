"""The authorization matrix extended to the admin: anonymous, each staff role (as created, and with the staff flag
but no permission), a superuser who passed only the password, and a superuser verified with the TOTP code, each
asking for the admin index, a domain record's list, its change form and a POST of a change (an authorization set
from pending to approved), and a configuration record's list and a POST of its change (a plan renamed).

A refused caller learns nothing about the member and changes no row of any table the admin shows. The verified
superuser views domain records without being able to change them, and changes configuration on the record."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from calaim.authorizations.models import AuthorizationRequest, AuthorizationStatus
from calaim.core.models import AuditEvent
from calaim.plans.models import Plan
from tests.admin.conftest import everything, form_data, signed_in
from tests.factories import AuthorizationFactory

pytestmark = pytest.mark.django_db

ROLES = ["intake", "um", "member_services", "compliance", "cm_a", "sup_a", "referrer"]


@dataclass
class Target:
    authorization: AuthorizationRequest
    plan: Plan
    superuser: Any

    @property
    def urls(self) -> dict[str, str]:
        return {
            "index": "/admin/",
            "domain_list": "/admin/authorizations/authorizationrequest/",
            "domain_form": f"/admin/authorizations/authorizationrequest/{self.authorization.pk}/change/",
            "config_list": "/admin/plans/plan/",
            "config_form": f"/admin/plans/plan/{self.plan.pk}/change/",
        }

    def approve(self, client: Client) -> Any:
        body = form_data(AuthorizationRequest, self.authorization, self.superuser, status=AuthorizationStatus.APPROVED)
        return client.post(self.urls["domain_form"], body)

    def rename(self, client: Client) -> Any:
        return client.post(self.urls["config_form"], form_data(Plan, self.plan, self.superuser, name="Renamed plan"))


@pytest.fixture
def target(network: Any, superuser: Any) -> Target:
    authorization = AuthorizationFactory()
    assert authorization.status == AuthorizationStatus.PENDING
    return Target(authorization, Plan.objects.get(code="HPSJ"), superuser)


def _caller(name: str, network: Any, superuser: Any, compliance: Any) -> Client | None:
    if name == "anonymous":
        return None
    if name == "superuser_password_only":
        return signed_in(superuser, verified=False)
    if name == "superuser_verified":
        return signed_in(superuser, verified=True)
    role, _, flag = name.partition("+")
    user = compliance if role == "compliance" else network.users[role]
    if flag == "staff_flag":
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return signed_in(user, verified=True)


def _assert_nothing_leaked_or_changed(response: Any, target: Target, before: dict[str, Any]) -> None:
    member = target.authorization.member
    assert member.cin.encode() not in response.content and member.last_name.encode() not in response.content
    assert everything() == before  # no row of any table the admin shows, not even an audit event


def _assert_sent_to_sign_in(client: Client, response: Any, url: str) -> str:
    """Refused by the admin: sent to its login, which sends the caller on to the app's sign-in or second factor."""
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/?next=")
    return client.get(response["Location"])["Location"]


@pytest.mark.parametrize("name", ["anonymous", "superuser_password_only"])
def test_callers_without_both_factors_are_sent_to_the_apps_sign_in(name, network, superuser, compliance, target):
    client = _caller(name, network, superuser, compliance) or Client()
    for kind, url in target.urls.items():
        before = everything()
        response = client.get(url)
        onward = _assert_sent_to_sign_in(client, response, url)
        step = "/login/" if name == "anonymous" else "/otp/verify/"
        assert onward.startswith(f"{step}?next="), (kind, onward)
        _assert_nothing_leaked_or_changed(response, target, before)
    for write in (target.approve, target.rename):
        before = everything()
        response = write(client)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
        _assert_nothing_leaked_or_changed(response, target, before)


@pytest.mark.parametrize("role", ROLES)
def test_staff_roles_get_nothing_from_the_admin(role, network, superuser, compliance, target):
    """Verified with both factors, every role of the staff app is refused: the admin is not their tool."""
    client = _caller(role, network, superuser, compliance)
    assert client is not None
    for url in target.urls.values():
        before = everything()
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/?next=")
        assert client.get(response["Location"]).status_code == 403
        _assert_nothing_leaked_or_changed(response, target, before)
    for write in (target.approve, target.rename):
        before = everything()
        response = write(client)
        assert response.status_code == 302
        _assert_nothing_leaked_or_changed(response, target, before)


@pytest.mark.parametrize("role", ROLES)
def test_staff_roles_with_the_staff_flag_but_no_permission_see_an_empty_admin(
    role, network, superuser, compliance, target
):
    client = _caller(f"{role}+staff_flag", network, superuser, compliance)
    assert client is not None
    before = everything()
    index = client.get("/admin/")
    assert index.status_code == 200 and b"authorizationrequest" not in index.content
    _assert_nothing_leaked_or_changed(index, target, before)
    for kind in ("domain_list", "domain_form", "config_list", "config_form"):
        response = client.get(target.urls[kind])
        assert response.status_code == 403, kind
        _assert_nothing_leaked_or_changed(response, target, before)
    for write in (target.approve, target.rename):
        response = write(client)
        assert response.status_code == 403
        _assert_nothing_leaked_or_changed(response, target, before)


def test_verified_superuser_views_domain_records_but_cannot_change_them(network, superuser, compliance, target):
    client = _caller("superuser_verified", network, superuser, compliance)
    assert client is not None
    index = client.get("/admin/")
    assert index.status_code == 200 and b"/admin/authorizations/authorizationrequest/" in index.content
    listing = client.get(target.urls["domain_list"])
    assert listing.status_code == 200 and str(target.authorization.pk).encode() in listing.content
    assert b'value="delete_selected"' not in listing.content  # no bulk delete of domain records
    page = client.get(target.urls["domain_form"])
    assert page.status_code == 200
    assert b'name="status"' not in page.content and b'name="_save"' not in page.content  # shown, not editable
    before = everything()
    response = target.approve(client)
    assert response.status_code == 403
    assert everything() == before
    target.authorization.refresh_from_db()
    assert target.authorization.status == AuthorizationStatus.PENDING


def test_verified_superuser_changes_configuration_on_the_record(network, superuser, compliance, target):
    client = _caller("superuser_verified", network, superuser, compliance)
    assert client is not None
    assert client.get(target.urls["config_list"]).status_code == 200
    assert client.get(target.urls["config_form"]).status_code == 200
    old_name = target.plan.name
    response = target.rename(client)
    assert response.status_code == 302 and response["Location"] == "/admin/plans/plan/"
    target.plan.refresh_from_db()
    assert target.plan.name == "Renamed plan"
    event = AuditEvent.objects.get(action="admin.change", object_type="plans.plan", object_id=str(target.plan.pk))
    assert event.actor == superuser
    assert event.before["name"] == old_name != "Renamed plan"
    assert event.after["name"] == "Renamed plan" and "name" in event.reason.lower()
