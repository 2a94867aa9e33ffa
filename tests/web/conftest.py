"""Web fixtures: browser clients signed in with a verified second factor, and members at each stage."""

from __future__ import annotations

from typing import Any

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from calaim.authorizations.models import AuthorizationRequest
from calaim.core.clock import plan_today
from tests.conftest import referral_body
from tests.factories import MemberFactory

TODAY = plan_today().isoformat()


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


@pytest.fixture
def enrolled(api: Any, network: Any, member: Any) -> dict[str, Any]:
    """A member enrolled with provider A (cm_a as Lead Care Manager), referred by the PCP's referrer."""
    rid = api("referrer").post("/referrals", referral_body(member)).json()["id"]
    api("intake").post(f"/referrals/{rid}/eligibility-determination")
    auth = AuthorizationRequest.objects.get(referral_id=rid)
    api("um").post(f"/authorizations/{auth.pk}/decision", {"outcome": "approve"})
    eid = api("intake").post(f"/referrals/{rid}/assignment", {"provider_id": str(network.provider_a.pk)}).json()["id"]
    api("sup_a").post(f"/enrollments/{eid}/lead-care-manager", {"care_manager": "cm_a"})
    api("cm_a").post(f"/enrollments/{eid}/enroll", {"enrolled_on": TODAY})
    return {"member": member, "referral": rid, "authorization": str(auth.pk), "enrollment": eid}


@pytest.fixture
def pending(api: Any, network: Any) -> dict[str, Any]:
    """A second member whose ECM authorization waits in the UM queue."""
    member = MemberFactory(experiencing_homelessness=True, last_name="Pendingson")
    rid = api("referrer_cbo").post("/referrals", referral_body(member, source_type="cbo")).json()["id"]
    api("intake").post(f"/referrals/{rid}/eligibility-determination")
    auth = AuthorizationRequest.objects.get(referral_id=rid)
    return {"member": member, "referral": rid, "authorization": auth}
