"""Signing in: password with lockout, TOTP setup and verification, logout, inactivity expiry."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD
from tests.web.conftest import current_code

pytestmark = pytest.mark.django_db


def _login(client: Client, username: str, password: str = PASSWORD) -> object:
    return client.post("/login/", {"username": username, "password": password})


def test_anonymous_is_sent_to_login(network):
    for path in ["/", "/members/search/?q=a", f"/members/{network.hpsj.pk}/"]:
        response = Client().get(path)
        assert response.status_code == 302 and response["Location"].startswith("/login/?next=")


def test_login_page_labels_its_fields(db):
    body = Client().get("/login/").content.decode()
    assert '<label for="id_username"' in body and '<label for="id_password"' in body


def test_first_login_sets_up_totp_then_opens_the_worklist(network):
    client = Client()
    assert _login(client, "um").status_code == 302
    assert client.get("/")["Location"] == "/otp/setup/"
    page = client.get("/otp/setup/")
    assert page.status_code == 200 and "Cannot scan?" in page.content.decode()
    qr = client.get("/otp/setup/qr.svg")
    assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content
    device = TOTPDevice.objects.get(user=network.users["um"])
    wrong = client.post("/otp/setup/", {"code": "000000" if current_code(device) != "000000" else "111111"})
    assert 'aria-describedby="id_code-error"' in wrong.content.decode()
    assert client.get("/")["Location"] == "/otp/setup/"
    device.refresh_from_db()
    device.throttle_reset()  # a wrong code throttles the next try for a second
    assert client.post("/otp/setup/", {"code": current_code(device)})["Location"] == "/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/otp/setup/qr.svg").status_code == 404  # the secret is never shown again
    assert client.get("/").status_code == 200


def test_later_logins_ask_for_the_code(network):
    device = TOTPDevice.objects.create(user=network.users["intake"], name="phone", confirmed=True)
    client = Client()
    _login(client, "intake")
    assert client.get("/")["Location"] == "/otp/verify/"
    assert client.get("/otp/setup/")["Location"] == "/otp/verify/"
    assert client.post("/otp/verify/", {"code": "12"}).status_code == 200
    wrong = "000000" if current_code(device) != "000000" else "111111"
    assert "is not valid" in client.post("/otp/verify/", {"code": wrong}).content.decode()
    assert "Too many wrong codes" in client.post("/otp/verify/", {"code": wrong}).content.decode()
    assert client.get("/")["Location"] == "/otp/verify/"
    device.refresh_from_db()
    device.throttle_reset()
    assert client.post("/otp/verify/", {"code": current_code(device)})["Location"] == "/"
    assert client.get("/").status_code == 200


def test_lockout_after_five_failures(network):
    client = Client()
    for _ in range(4):
        response = _login(client, "ms", "wrong-password")
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.content.decode()
    assert _login(client, "ms", "wrong-password").status_code == 429  # the fifth failure locks
    locked = _login(client, "ms")  # now even the right password is refused
    assert locked.status_code == 429
    assert "Account locked" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # The lockout is per username and address: another user from the same address can still sign in.
    assert _login(Client(), "intake").status_code == 302


def test_logout_needs_post_and_ends_the_session(web):
    client = web("um")
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/")["Location"] == "/login/"
    assert client.get("/")["Location"].startswith("/login/")


def test_sessions_expire_after_thirty_minutes_of_inactivity(web):
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST
    client = web("um")
    assert client.get("/").status_code == 200
    session = Session.objects.get(session_key=client.session.session_key)
    # Each request pushes the expiry 30 minutes ahead of now...
    assert abs((session.expire_date - timezone.now()).total_seconds() - 30 * 60) < 60
    # ...and once 30 minutes pass without one, the session is gone.
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    assert client.get("/")["Location"].startswith("/login/")


def test_demo_totp_prints_the_current_code(network, settings):
    device = TOTPDevice.objects.create(user=network.users["cm_a"], name="phone", confirmed=True)
    settings.DEBUG = True
    out = io.StringIO()
    call_command("demo_totp", "cm_a", stdout=out)
    assert out.getvalue().strip() == current_code(device)
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo_totp", "cm_a")
