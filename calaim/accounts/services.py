"""The second factor and API tokens: each change to a person's credentials in one place, audited."""

from __future__ import annotations

from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from calaim.accounts.models import ApiToken, User
from calaim.core.audit import audit_record


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


def api_token_authenticate(raw: str) -> User | None:
    """The active user behind a bearer token, recording when the token was last used."""
    found = ApiToken.find_active(raw)
    if found is None:
        return None
    ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
    return found.user
