"""Signing in through a real browser: password with lockout, the second factor, signing out, session expiry."""

from __future__ import annotations

import base64
import datetime as dt
import re

from django.contrib.sessions.models import Session
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.factories import PASSWORD
from tests.web.conftest import current_code

THROTTLE_WAIT_MS = 1_100  # one wrong code makes django-otp refuse the next try for a second


def _submit_login(page, username: str, password: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def _wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def test_keyboard_only_sign_in_and_lockout_after_five_wrong_passwords(page, network, shot):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/\?next=%2F$"))
    shot(page, "login")
    # Keyboard only: the username field has focus when the page opens, Tab moves on, Enter submits.
    expect(page.get_by_label("Username")).to_be_focused()
    page.keyboard.type("ms")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type("wrong-password")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Please enter a correct username and password")).to_be_visible()
    for _ in range(3):
        _submit_login(page, "ms", "wrong-password")
        expect(page.get_by_text("Please enter a correct username and password")).to_be_visible()
    shot(page, "wrong-password")
    _submit_login(page, "ms", "wrong-password")  # the fifth failure locks the account
    expect(page.get_by_role("heading", name="Account locked")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("locked for 15 minutes")
    shot(page, "locked")
    page.get_by_role("link", name="Back to sign in").click()
    _submit_login(page, "ms", PASSWORD)  # now even the right password is refused
    expect(page.get_by_role("heading", name="Account locked")).to_be_visible()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/"))


def test_first_sign_in_sets_up_the_authenticator(page, network, shot):
    page.goto("/login/")
    _submit_login(page, "um", PASSWORD)
    expect(page).to_have_url(re.compile(r"/otp/setup/$"))
    expect(page.get_by_role("heading", name="Set up your authenticator")).to_be_visible()
    qr = page.get_by_role("img", name="QR code to add calaim to your authenticator app")
    expect(qr).to_be_visible()
    # The app serves the QR code itself (no third-party service); the browser must be able to draw it.
    page.wait_for_function("() => { const qr = document.querySelector('img.qr'); return qr.naturalWidth > 0; }")
    shot(page, "otp-setup")
    # Type the key shown on the page into "an authenticator app": the code it computes must be accepted.
    secret = page.locator("code.secret").inner_text().strip()
    device = TOTPDevice.objects.get(user=network.users["um"], confirmed=False)
    totp = TOTP(base64.b32decode(secret), device.step, device.t0, device.digits, device.drift)
    code = f"{totp.token():06d}"
    page.get_by_label("6-digit code").fill(_wrong(code))
    page.get_by_role("button", name="Confirm").click()
    field = page.get_by_label("6-digit code")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_attribute("aria-describedby", "id_code-error")
    expect(page.locator("#id_code-error")).to_contain_text("does not match")
    shot(page, "otp-setup-wrong-code")
    page.goto("/")  # nothing opens until the authenticator is confirmed
    expect(page).to_have_url(re.compile(r"/otp/setup/$"))
    assert page.locator("code.secret").inner_text().strip() == secret  # the same pending secret
    page.wait_for_timeout(THROTTLE_WAIT_MS)
    page.get_by_label("6-digit code").fill(f"{totp.token():06d}")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Authorization queue")).to_be_visible()
    device.refresh_from_db()
    assert device.confirmed
    # A confirmed secret is never shown again.
    page.goto("/otp/setup/")
    expect(page).to_have_url(re.compile(r"/otp/verify/$"))
    assert page.request.get("/otp/setup/qr.svg").status == 404


def test_later_sign_ins_verify_a_code_wrong_then_right(page, network, shot):
    device = TOTPDevice.objects.create(user=network.users["intake"], name="phone", confirmed=True)
    page.goto("/login/")
    _submit_login(page, "intake", PASSWORD)
    expect(page).to_have_url(re.compile(r"/otp/verify/$"))
    shot(page, "otp-verify")
    page.get_by_label("6-digit code").fill("12")
    page.get_by_role("button", name="Verify").click()
    expect(page.locator("#id_code-error")).to_contain_text("Enter the 6 digits")
    page.get_by_label("6-digit code").fill(_wrong(current_code(device)))
    page.get_by_role("button", name="Verify").click()
    expect(page.locator("#id_code-error")).to_contain_text("is not valid")
    expect(page.get_by_role("alert")).to_contain_text("Please correct the fields marked below")
    shot(page, "otp-verify-wrong-code")
    page.goto("/members/search/?q=x")  # still gated: no page opens without the second factor
    expect(page).to_have_url(re.compile(r"/otp/verify/$"))
    page.wait_for_timeout(THROTTLE_WAIT_MS)
    page.get_by_label("6-digit code").fill(current_code(device))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="Intake worklist")).to_be_visible()
    expect(page.get_by_role("banner")).to_contain_text("Health Plan of San Joaquin")


def test_sign_out_ends_the_session(signed_in, network, shot):
    page = signed_in("cm_a")
    expect(page.get_by_role("heading", name="My worklist")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.go_back()
    page.reload()
    expect(page).to_have_url(re.compile(r"/login/"))
    assert not page.context.cookies() or all(c["name"] != "sessionid" for c in page.context.cookies())


def test_an_idle_session_expires(signed_in, network):
    page = signed_in("um")
    expect(page.get_by_role("heading", name="Authorization queue")).to_be_visible()
    session_key = next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")
    session = Session.objects.get(session_key=session_key)
    # Each request moves the expiry 30 minutes ahead...
    assert abs((session.expire_date - timezone.now()).total_seconds() - 30 * 60) < 60
    # ...and 30 minutes without one end it: the next page asks for the password again.
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    page.reload()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
