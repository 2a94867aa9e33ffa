"""Fixtures for the enrollment pages: the web fixtures (signed-in clients, members at each stage), an authorized
referral waiting for its provider, and an ECM provider that serves only A5/A6 in the member's county."""

from __future__ import annotations

from typing import Any

import pytest

from calaim.authorizations.models import AuthorizationRequest
from tests.conftest import referral_body
from tests.factories import OrganizationFactory, ecm_contract
from tests.web.conftest import enrolled, pending  # noqa: F401  # shared fixtures


@pytest.fixture
def authorized(api: Any, member: Any) -> str:
    """An A1 referral (Spanish-speaking member) that UM approved; no ECM provider yet."""
    rid = str(api("referrer").post("/referrals", referral_body(member)).json()["id"])
    api("intake").post(f"/referrals/{rid}/eligibility-determination")
    auth = AuthorizationRequest.objects.get(referral_id=rid)
    api("um").post(f"/authorizations/{auth.pk}/decision", {"outcome": "approve"})
    return rid


@pytest.fixture
def a5_only(network: Any) -> Any:
    """A provider in the member's county with the most places and the member's language, but serving only A5/A6."""
    provider = OrganizationFactory(name="Carson Long-Term Care ECM")
    ecm_contract(provider, "HPSJ", ["San Joaquin"], capacity=500, pofs=["A5", "A6"], languages=["es", "pa"])
    return provider
