"""Fixtures for the Community Supports pages: the CS provider and a second one, and a request approved by UM."""

from __future__ import annotations

from typing import Any

import pytest

from tests.community_supports.test_cs_flow import cs_provider  # noqa: F401 - fixture
from tests.web.test_cs_actions import NEW, authorized, other_cs, referral, service  # noqa: F401 - fixtures

__all__ = ["NEW", "referral", "service"]


@pytest.fixture
def meals(web: Any, network: Any, cs_provider: Any, member: Any) -> Any:  # noqa: F811
    """Medically tailored meals sent by the PCP's referrer, approved by UM and assigned to the CS provider."""
    from calaim.community_supports.models import CsRequest

    body = service("medically_tailored_meals", days=14, quantity="2", criteria=["diet_sensitive_condition"])
    web("referrer").post(NEW, referral(member, body))
    request = CsRequest.objects.get(service_code="medically_tailored_meals")
    web("um").post(f"/authorizations/{request.authorization_id}/decision/", {"outcome": "approve"})
    request.refresh_from_db()
    assert request.status == "authorized" and request.provider is not None
    return request
