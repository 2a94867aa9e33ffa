"""API tokens: stored hashed, expiring (default lifetime from settings, `--days` on the command), revocable in the
admin on the record, issued in the admin with the key shown once, and never usable by a deactivated user, after
expiry or after revocation."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from calaim.accounts.models import ApiToken
from calaim.accounts.services import api_token_issue, api_token_revoke
from calaim.core.errors import ValidationFailed
from calaim.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _calls_api(raw: str) -> int:
    return Client().get("/api/members", headers={"Authorization": f"Bearer {raw}"}).status_code


def test_a_token_works_until_it_expires(network):
    token, raw = api_token_issue(actor=None, user=network.users["intake"], name="sync")
    assert _calls_api(raw) == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert _calls_api(raw) == 401


def test_a_revoked_token_never_works_again_and_the_revocation_is_recorded_once(network, superuser):
    token, raw = api_token_issue(actor=superuser, user=network.users["intake"], name="sync")
    assert _calls_api(raw) == 200
    assert api_token_revoke(actor=superuser, token=token) is True
    assert api_token_revoke(actor=superuser, token=token) is False
    assert _calls_api(raw) == 401
    (event,) = AuditEvent.objects.filter(action="api_token.revoke", object_id=str(token.pk))
    assert event.actor == superuser and event.before["revoked_at"] is None and event.after["revoked_at"]


def test_a_deactivated_users_token_stops_working(network):
    user = network.users["intake"]
    _, raw = api_token_issue(actor=None, user=user, name="sync")
    assert _calls_api(raw) == 200
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert _calls_api(raw) == 401
    with pytest.raises(ValidationFailed):
        api_token_issue(actor=None, user=user, name="again")


def test_tokens_expire_after_the_configured_lifetime_by_default(network, settings):
    settings.API_TOKEN_DAYS = 30
    token, _ = api_token_issue(actor=None, user=network.users["um"], name="x")
    assert abs(token.expires_at - (timezone.now() + dt.timedelta(days=30))) < dt.timedelta(minutes=1)
    fixture_token, _ = ApiToken.issue(user=network.users["um"], name="fixture")  # the tests' Api client's way
    assert abs(fixture_token.expires_at - (timezone.now() + dt.timedelta(days=30))) < dt.timedelta(minutes=1)
    with pytest.raises(ValidationFailed):
        api_token_issue(actor=None, user=network.users["um"], name="x", expires_at=timezone.now())


def test_only_the_hash_is_stored_and_the_issue_is_recorded_without_it(network):
    token, raw = api_token_issue(actor=None, user=network.users["um"], name="x")
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert raw not in str(row) and row["key_hash"] != raw and raw.startswith(row["prefix"])
    (event,) = AuditEvent.objects.filter(action="api_token.issue", object_id=str(token.pk))
    assert "key_hash" not in event.after and raw not in str(event.after) and token.key_hash not in str(event.after)


def test_the_command_takes_days_and_records_the_issue(network):
    out, err = io.StringIO(), io.StringIO()
    call_command("api_token", "intake", "--name", "nightly", "--days", "7", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    token = ApiToken.objects.get(name="nightly")
    assert raw.startswith(token.prefix) and "Expires" in err.getvalue()
    assert abs(token.expires_at - (timezone.now() + dt.timedelta(days=7))) < dt.timedelta(minutes=1)
    assert AuditEvent.objects.filter(action="api_token.issue", object_id=str(token.pk), actor__isnull=True).exists()
    assert _calls_api(raw) == 200
    for bad in ("0", "-3", "x", "99999"):
        with pytest.raises(CommandError):
            call_command("api_token", "intake", "--days", bad, stdout=io.StringIO(), stderr=io.StringIO())


def test_the_admin_issues_a_token_and_shows_its_key_once(root, superuser, network):
    user = network.users["intake"]
    expires = timezone.localtime() + dt.timedelta(days=10)
    body = {"user": str(user.pk), "name": "from admin", "expires_at_0": f"{expires:%Y-%m-%d}",
            "expires_at_1": f"{expires:%H:%M:%S}"}  # fmt: skip
    page = root.post("/admin/accounts/apitoken/add/", body)
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    token = ApiToken.objects.get(name="from admin")
    raw = page.context["raw_key"]
    assert raw.startswith(token.prefix) and raw.encode() in page.content
    assert _calls_api(raw) == 200
    (event,) = AuditEvent.objects.filter(action="api_token.issue", object_id=str(token.pk))
    assert event.actor == superuser and raw not in str(event.after)
    assert not AuditEvent.objects.filter(action="admin.add", object_type="accounts.apitoken").exists()
    for url in ("/admin/accounts/apitoken/", f"/admin/accounts/apitoken/{token.pk}/change/"):
        again = root.get(url)
        assert again.status_code == 200 and raw.encode() not in again.content
        assert token.key_hash.encode() not in again.content


def test_the_admin_refuses_a_token_for_a_deactivated_user_or_in_the_past(root, network):
    user = network.users["um"]
    user.is_active = False
    user.save(update_fields=["is_active"])
    past = timezone.localtime() - dt.timedelta(days=1)
    body = {"user": str(user.pk), "name": "nope", "expires_at_0": f"{past:%Y-%m-%d}", "expires_at_1": "00:00:00"}
    page = root.post("/admin/accounts/apitoken/add/", body)
    assert page.status_code == 200 and b"deactivated user" in page.content and b"expired already" in page.content
    assert not ApiToken.objects.filter(name="nope").exists()


def test_the_admin_lists_tokens_and_revokes_them_on_the_record(root, superuser, network):
    token, raw = api_token_issue(actor=None, user=network.users["intake"], name="partner feed")
    listing = root.get("/admin/accounts/apitoken/")
    assert listing.status_code == 200
    for column in ("column-user", "column-name", "column-prefix", "column-created_at", "column-last_used_at",
                   "column-expires_at", "column-revoked_at"):  # fmt: skip
        assert column.encode() in listing.content
    assert token.prefix.encode() in listing.content and b'value="revoke"' in listing.content
    assert b'value="delete_selected"' not in listing.content  # revoked, never deleted
    response = root.post("/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [str(token.pk)]})
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and _calls_api(raw) == 401
    assert AuditEvent.objects.get(action="api_token.revoke", object_id=str(token.pk)).actor == superuser


def test_the_admin_never_lets_the_hash_or_dates_be_edited(root, superuser, network):
    token, _ = api_token_issue(actor=None, user=network.users["intake"], name="old name")
    page = root.get(f"/admin/accounts/apitoken/{token.pk}/change/")
    assert page.status_code == 200
    for field in (b'name="key_hash"', b'name="prefix"', b'name="expires_at_0"', b'name="revoked_at_0"',
                  b'name="user"'):  # fmt: skip
        assert field not in page.content
    later = timezone.localtime() + dt.timedelta(days=900)
    body = {"name": "new name", "key_hash": "0" * 64, "expires_at_0": f"{later:%Y-%m-%d}", "expires_at_1": "00:00:00"}
    assert root.post(f"/admin/accounts/apitoken/{token.pk}/change/", body).status_code == 302
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.name == "new name" and stored.key_hash == token.key_hash and stored.expires_at == token.expires_at
    event = AuditEvent.objects.get(action="admin.change", object_id=str(token.pk))
    assert event.before["name"] == "old name" and event.after["name"] == "new name" and "key_hash" not in event.after
    assert root.post(f"/admin/accounts/apitoken/{token.pk}/delete/", {"post": "yes"}).status_code == 403
