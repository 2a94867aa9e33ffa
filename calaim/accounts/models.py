"""Staff users with one role and one organization, and API tokens for machine clients."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    PLAN_INTAKE = "plan_intake", "Plan intake coordinator"
    PLAN_UM = "plan_um", "Plan UM reviewer"
    MEMBER_SERVICES = "member_services", "Member services"
    PLAN_COMPLIANCE = "plan_compliance", "Plan compliance officer"
    PLAN_DATA_ANALYST = "plan_data_analyst", "Plan data analyst"
    PLAN_APPEALS = "plan_appeals", "Plan appeals and grievances coordinator"
    PROVIDER_CARE_MANAGER = "provider_care_manager", "Provider care manager"
    PROVIDER_SUPERVISOR = "provider_supervisor", "Provider supervisor"
    REFERRER = "referrer", "Referrer"


PLAN_ROLES = frozenset(
    {
        Role.PLAN_INTAKE,
        Role.PLAN_UM,
        Role.MEMBER_SERVICES,
        Role.PLAN_COMPLIANCE,
        Role.PLAN_DATA_ANALYST,
        Role.PLAN_APPEALS,
    }
)
PROVIDER_ROLES = frozenset({Role.PROVIDER_CARE_MANAGER, Role.PROVIDER_SUPERVISOR})


class User(AbstractUser):
    """A person using calaim; what they may see follows from their role and organization."""

    role = models.CharField(max_length=40, choices=Role.choices, blank=True)
    organization = models.ForeignKey(
        "network.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    phone = models.CharField(max_length=40, blank=True)

    @property
    def is_plan_staff(self) -> bool:
        return self.role in PLAN_ROLES and self.organization is not None and self.organization.plan_id is not None

    @property
    def is_provider_staff(self) -> bool:
        return self.role in PROVIDER_ROLES and self.organization_id is not None


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_expiry(days: int | None = None) -> dt.datetime:
    """When a token issued now expires: after `days`, or the plan's default lifetime (settings.API_TOKEN_DAYS)."""
    return timezone.now() + dt.timedelta(days=settings.API_TOKEN_DAYS if days is None else days)


class ApiToken(models.Model):
    """A bearer token for a machine client, acting as its user until it expires or is revoked; only a hash is
    stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. the system that uses it.")
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(default=api_token_expiry)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…) for {self.user}"

    def set_key(self) -> str:
        """Give the token a new random key and return it; only its hash and first characters are kept."""
        raw = "clm_" + secrets.token_urlsafe(32)
        self.prefix, self.key_hash = raw[:10], _hash_token(raw)
        return raw

    @classmethod
    def issue(
        cls, *, user: User, name: str, days: int | None = None, expires_at: dt.datetime | None = None
    ) -> tuple[ApiToken, str]:
        """Create a token and return it with the raw key, which is shown once and never stored (unaudited: for
        tests and fixtures; people issue tokens through `accounts.services.api_token_issue`)."""
        token = cls(user=user, name=name, expires_at=expires_at or api_token_expiry(days))
        raw = token.set_key()
        token.save()
        return token, raw

    @classmethod
    def find_active(cls, raw: str) -> ApiToken | None:
        """The token with this key, if it is neither revoked nor expired and its user is active."""
        return (
            cls.objects.select_related("user", "user__organization")
            .filter(
                key_hash=_hash_token(raw),
                revoked_at__isnull=True,
                expires_at__gt=timezone.now(),
                user__is_active=True,
            )
            .first()
        )
