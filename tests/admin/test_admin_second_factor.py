"""The admin requires the second factor, through the app's own sign-in: password, TOTP code, then back to the admin
page asked for. A password alone never opens it, nor does a user who has no authenticator until they set one up."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD
from tests.web.conftest import current_code

pytestmark = pytest.mark.django_db

PAGE = "/admin/plans/plan/"


def _follow(client: Client, url: str) -> list[str]:
    """The redirects from `url`, in order, up to the first page that answers."""
    hops = []
    response = client.get(url)
    while response.status_code == 302:
        hops.append(response["Location"])
        response = client.get(response["Location"])
    return hops


def test_password_then_code_then_back_to_the_admin_page(superuser):
    device = TOTPDevice.objects.create(user=superuser, name="phone", confirmed=True)
    client = Client()
    assert _follow(client, PAGE) == [f"/admin/login/?next={PAGE}", f"/login/?next={PAGE}"]
    signed = client.post(f"/login/?next={PAGE}", {"username": "root", "password": PASSWORD})
    assert signed["Location"] == PAGE
    assert _follow(client, PAGE) == [f"/admin/login/?next={PAGE}", f"/otp/verify/?next={PAGE}"]
    verified = client.post(f"/otp/verify/?next={PAGE}", {"code": current_code(device)})
    assert verified["Location"] == PAGE
    assert client.get(PAGE).status_code == 200


def test_a_user_without_an_authenticator_must_set_one_up_first(superuser):
    client = Client()
    client.post("/login/", {"username": "root", "password": PASSWORD})
    hops = _follow(client, PAGE)
    assert hops[-1] == f"/otp/setup/?next={PAGE}" and client.get(PAGE).status_code == 302
    client.get(hops[-1])  # the set-up page creates the pending authenticator
    device = TOTPDevice.objects.get(user=superuser, confirmed=False)
    assert client.post(hops[-1], {"code": current_code(device)})["Location"] == PAGE
    assert client.get(PAGE).status_code == 200


def test_after_the_code_a_link_off_the_site_goes_home_instead(superuser):
    device = TOTPDevice.objects.create(user=superuser, name="phone", confirmed=True)
    client = Client()
    client.post("/login/", {"username": "root", "password": PASSWORD})
    evil = "/otp/verify/?next=https://evil.example/admin/"
    assert client.post(evil, {"code": current_code(device)})["Location"] == "/"
    assert client.get("/admin/login/?next=https://evil.example/")["Location"] == "/admin/"


def test_a_verified_user_who_is_not_staff_is_refused(network):
    user = network.users["intake"]
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client()
    client.post("/login/", {"username": "intake", "password": PASSWORD})
    client.post("/otp/verify/", {"code": current_code(device)})
    assert client.get("/").status_code == 200  # the staff app is theirs
    assert client.get("/admin/login/?next=/admin/").status_code == 403
