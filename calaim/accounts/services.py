"""The second factor and API tokens: each change to a person's credentials in one place, audited."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from calaim.accounts.models import ApiToken, User, api_token_expiry
from calaim.core.audit import audit_record, audited_update, snapshot
from calaim.core.errors import ValidationFailed

# What the audit trail keeps of a token: never its hash.
TOKEN_FIELDS = ["user", "name", "prefix", "created_at", "expires_at", "revoked_at"]
# How precisely a token records when it was last used.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def totp_device_confirmed(user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator, if they have set one up."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def totp_device_pending(user: User) -> TOTPDevice:
    """The user's authenticator being set up, created on the first visit so its secret stays stable."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def totp_device_confirm(*, user: User, device: TOTPDevice) -> None:
    """The user proved the authenticator works: it becomes their second factor."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(actor=user, action="account.totp_confirm", obj=device, after={"device": device.name})


def api_token_issue(
    *, actor: User | None, user: User, name: str, days: int | None = None, expires_at: dt.datetime | None = None
) -> tuple[ApiToken, str]:
    """Issue a token for an active user, expiring after `days` (or the default lifetime); the raw key is returned to
    be shown once."""
    token = ApiToken(user=user, name=name, expires_at=expires_at or api_token_expiry(days))
    return token, api_token_save_new(actor=actor, token=token)


@transaction.atomic
def api_token_save_new(*, actor: User | None, token: ApiToken) -> str:
    """Give an unsaved token its key, save it and record the issue; the raw key is returned to be shown once."""
    if not token.user.is_active:
        raise ValidationFailed("A token for a deactivated user could never be used.", field="user")
    if token.expires_at <= timezone.now():
        raise ValidationFailed("The token would have expired already; choose a later date.", field="expires_at")
    raw = token.set_key()
    token.save()
    audit_record(actor=actor, action="api_token.issue", obj=token, after=snapshot(token, TOKEN_FIELDS))
    return raw


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> bool:
    """Revoke a token for good; answers False if it was already revoked (the first revocation stays on record)."""
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is not None:
        return False
    audited_update(
        locked,
        {"revoked_at": timezone.now()},
        actor=actor,
        action="api_token.revoke",
        fields=TOKEN_FIELDS,
        member=None,
    )
    return True


def api_token_authenticate(raw: str) -> User | None:
    """The active user behind a bearer token that is neither expired nor revoked, recording when it was last used
    (to the minute: a client sending hundreds of requests a second writes the token's row once a minute, not on
    every request, all of them queued on that one row)."""
    found = ApiToken.find_active(raw)
    if found is None:
        return None
    now = timezone.now()
    if found.last_used_at is None or now - found.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
    return found.user
