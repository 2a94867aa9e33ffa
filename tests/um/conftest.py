"""UM fixtures: a pending ECM request found eligible through the real flow, a pending Community Supports request
with the member's earlier stay counted against the limits, and requests whose clocks have run."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from calaim.authorizations.models import AuthorizationRequest
from calaim.referrals.models import ReferralStatus
from tests.appeals.conftest import deny, pending_ecm, staff  # noqa: F401 - fixtures and helpers
from tests.factories import AuthorizationFactory, CsRequestFactory, MemberFactory, ReferralFactory

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


@pytest.fixture
def ecm_pending(api: Any, network: Any, member: Any) -> AuthorizationRequest:
    """The PCP's referral of the member (A1, with facts), found eligible: its request waits for the UM."""
    return pending_ecm(api, member)


@pytest.fixture
def cs_pending(network: Any) -> AuthorizationRequest:
    """A recuperative care request for 14 days from today, with an earlier 10-day approved stay of the member."""
    member = MemberFactory(experiencing_homelessness=True, last_name="Csreview", language="tl")
    earlier = timezone.localdate() - dt.timedelta(days=40)
    CsRequestFactory(
        member=member, authorized=True, requested_start=earlier, requested_end=earlier + dt.timedelta(days=9)
    )
    authorization = AuthorizationFactory(referral=None, member=member, program="cs")
    CsRequestFactory(
        member=member,
        status="pending_authorization",
        authorization=authorization,
        justification="Discharged after pneumonia with IV antibiotics; sleeping in a car.",
        referrer_name="RN Okafor",
    )
    return authorization


def late(**fields: Any) -> AuthorizationRequest:
    """A pending ECM request received eight days ago, four days past its due time, its ceiling still ahead."""
    now = timezone.now()
    values = {
        "received_at": now - 8 * DAY,
        "due_at": now - 4 * DAY,
        "ceiling_at": now + 6 * DAY,
        "referral": ReferralFactory(status=ReferralStatus.PENDING_AUTHORIZATION),
        **fields,
    }
    return AuthorizationFactory(**values)
