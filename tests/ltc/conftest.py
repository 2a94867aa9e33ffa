"""A member enrolled with provider A, a transportation task for them, and helpers for LTC records."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from calaim.careplans.services import task_open
from calaim.core.clock import plan_today
from calaim.ltc import nemt, services
from tests.factories import EnrollmentFactory

TODAY = plan_today()
NPI = "1234567893"  # CMS's example of a valid NPI


def day(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


@pytest.fixture
def enrollment(network: Any, member: Any) -> Any:
    """The member enrolled with provider A."""
    return EnrollmentFactory(referral__member=member, enrolled=True)


@pytest.fixture
def ride_task(enrollment: Any) -> Any:
    """An open transportation task of provider A for the member."""
    return task_open(actor=None, enrollment=enrollment, kind="transportation", due_date=day(2), description="Dialysis")


def snf_stay(network: Any, member: Any, admitted: int = -10, **facts: Any) -> Any:
    values = {"facility_name": "Delta Skilled Nursing", "facility_type": "SNF/NF-B", "admitted_on": day(admitted)}
    return services.stay_record(actor=network.users["intake"], member=member, **{**values, **facts})


def pasrr(network: Any, stay: Any, level1_on: dt.date, **facts: Any) -> Any:
    values = {"level1_type": "pas", "level1_on": level1_on, "level1_by": "gach", "level1_positive": False}
    return services.pasrr_record(actor=network.users["intake"], stay=stay, **{**values, **facts})


def pcs(network: Any, member: Any, mode: str = "wheelchair_van", **facts: Any) -> Any:
    values = {
        "signer_type": "physician",
        "signer_name": "Dr. Ana Rivera",
        "signer_npi": NPI,
        "mode": mode,
        "valid_from": day(-1),
        "valid_through": day(90),
        "form_version": "HPSJ PCS (2023-03)",
    }
    return nemt.pcs_record(actor=network.users["intake"], member=member, **{**values, **facts})
