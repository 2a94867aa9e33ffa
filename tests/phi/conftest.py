"""PHI read log fixtures: each plan's compliance officer, and helpers to read what the log wrote."""

from __future__ import annotations

from typing import Any

import pytest

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


def reads(**lookups: Any) -> list[PhiRead]:
    """The log's rows, oldest first."""
    return list(PhiRead.objects.filter(**lookups).order_by("id"))


def read_members(**lookups: Any) -> set[Any]:
    return {read.member_id for read in reads(**lookups)}
