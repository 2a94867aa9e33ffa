"""Fixtures for the form tests: the web suite's members at each stage, and a filled-in ECM referral form."""

from __future__ import annotations

from typing import Any

from calaim.core.clock import plan_today
from tests.web.conftest import enrolled, pending  # noqa: F401

REFERRAL_PATH = "/referrals/new/"


def referral_form(member: Any, **overrides: Any) -> dict[str, Any]:
    """The ECM referral form as a referrer fills it in, every field valid."""
    data: dict[str, Any] = {
        "member_cin": member.cin,
        "member_birth_date": member.birth_date.isoformat(),
        "source_type": "pcp",
        "form": "ecm_adult",
        "urgency": "routine",
        "referrer_name": "Dr. Rivera",
        "member_experiencing_homelessness": "true",
        "member_aware": "on",
        "attested_by": "Dr. Rivera",
        "attested_on": plan_today().isoformat(),
        "pof_A1": ["homeless", "complex_need"],
        "pof_A1_facts": "Sleeping in car; CHF with 3 missed visits",
    }
    data.update(overrides)
    return data
