"""Staff users with one role and one organization, and API tokens for machine clients."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    PLAN_INTAKE = "plan_intake", "Plan intake coordinator"
    PLAN_UM = "plan_um", "Plan UM reviewer"
    MEMBER_SERVICES = "member_services", "Member services"
    PLAN_COMPLIANCE = "plan_compliance", "Plan compliance officer"
    PROVIDER_CARE_MANAGER = "provider_care_manager", "Provider care manager"
    PROVIDER_SUPERVISOR = "provider_supervisor", "Provider supervisor"
    REFERRER = "referrer", "Referrer"


PLAN_ROLES = frozenset({Role.PLAN_INTAKE, Role.PLAN_UM, Role.MEMBER_SERVICES, Role.PLAN_COMPLIANCE})
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


class ApiToken(models.Model):
    """A bearer token for a machine client, acting as its user; only a hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…) for {self.user}"

    @classmethod
    def issue(cls, *, user: User, name: str) -> tuple[ApiToken, str]:
        """Create a token and return it with the raw key, which is shown once and never stored."""
        raw = "clm_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=raw[:10], key_hash=_hash_token(raw))
        return token, raw

    @classmethod
    def find_active(cls, raw: str) -> ApiToken | None:
        return (
            cls.objects.select_related("user", "user__organization")
            .filter(key_hash=_hash_token(raw), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
