"""PHI read log fixtures: each plan's compliance officer, a verified browser client per user, and helpers to read
what the log wrote."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from calaim.accounts.models import Role
from calaim.core.models import PhiRead
from tests.factories import UserFactory


@pytest.fixture
def network(network: Any) -> Any:
    """The shared network plus each plan's compliance officer and a superuser for the admin."""
    network.users["compliance"] = UserFactory(
        username="hpsj.compliance", role=Role.PLAN_COMPLIANCE, organization=network.hpsj, first_name="Casey",
        last_name="Reyes",
    )  # fmt: skip
    network.users["hpsm_compliance"] = UserFactory(
        username="hpsm.compliance", role=Role.PLAN_COMPLIANCE, organization=network.hpsm
    )
    network.users["admin"] = UserFactory(username="root", is_staff=True, is_superuser=True)
    return network


@pytest.fixture
def web(network: Any) -> Any:
    """A browser client for a named user, signed in and verified the way django_otp.login records it."""
    cache: dict[str, Client] = {}

    def as_user(name: str | None) -> Client:
        key = name or "anonymous"
        if key not in cache:
            client = Client()
            if name is not None:
                user = network.users[name]
                device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
                client.force_login(user)
                session = client.session
                session[DEVICE_ID_SESSION_KEY] = device.persistent_id
                session.save()
            cache[key] = client
        return cache[key]

    return as_user


def reads(**lookups: Any) -> list[PhiRead]:
    """The log's rows, oldest first."""
    return list(PhiRead.objects.filter(**lookups).order_by("id"))


def read_members(**lookups: Any) -> set[Any]:
    return {read.member_id for read in reads(**lookups)}
