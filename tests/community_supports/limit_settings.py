"""The one way tests build `LimitSettings`: the reference values of `limits.yaml`, written out here on purpose.

The engine has no defaults, so a test states the plan it checks against. These numbers are the ones the tests'
expectations were written for (calaim-ecm-cs.md §3); a test that needs another plan passes the changes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from calaim.community_supports.limits import LimitSettings

LABELS = {
    "htns": "Housing Transition Navigation Services",
    "housing_deposits": "Housing Deposits",
    "htss": "Housing Tenancy and Sustaining Services",
    "stphh": "Short-Term Post-Hospitalization Housing",
    "recuperative_care": "Recuperative Care",
    "transitional_rent": "Transitional Rent",
    "respite": "Respite Services",
    "day_habilitation": "Day Habilitation Programs",
    "nf_transition_alf": "Nursing Facility Transition/Diversion to Assisted Living Facilities",
    "community_transition": "Community Transition Services",
    "personal_care": "Personal Care and Homemaker Services",
    "environmental_accessibility": "Environmental Accessibility Adaptations",
    "medically_tailored_meals": "Medically Tailored Meals",
    "sobering_center": "Sobering Center",
    "asthma_remediation": "Asthma Remediation",
}

REFERENCE: dict[str, Any] = {
    "version": "test-reference-2026.1",
    "deposit_approvals": 1,
    "deposit_approvals_with_change": 1,
    "room_board_services": frozenset({"recuperative_care", "stphh", "transitional_rent"}),
    "room_board_max_days": 183,
    "room_board_window_days": 365,
    "recuperative_care_max_days": 90,
    "stphh_max_days": 183,
    "transitional_rent_max_days": 183,
    "sobering_max_hours": 24,
    "mtm_max_meals_per_day": 2,
    "mtm_weeks": 12,
    "mtm_extended_weeks": 26,
    "respite_hours_per_year": Decimal(336),
    "lifetime_dollar_caps": {
        "housing_deposits": Decimal(5000),
        "environmental_accessibility": Decimal(7500),
        "community_transition": Decimal(7500),
        "asthma_remediation": Decimal(7500),
    },
    "labels": LABELS,
}


def limit_settings(**changes: Any) -> LimitSettings:
    """The reference plan's limits, with `changes` (any `LimitSettings` field) applied."""
    unknown = set(changes) - set(REFERENCE)
    assert not unknown, f"not LimitSettings fields: {sorted(unknown)}"
    return LimitSettings(**{**REFERENCE, **changes})
