"""Configuration labels a letter prints, listed here so the catalogues translate them (the `known` filter looks
each up at render time): Community Supports' names, the other supports a member is offered, why ECM ended.

The names of the Community Supports are also kept by their service code, for a letter whose content names only the
code (this layer may not read the Community Supports catalogue); tests/notices check them against that catalogue.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

SERVICE_NAMES = {
    "ecm": gettext_noop("Enhanced Care Management"),
    "htns": gettext_noop("Housing Transition Navigation Services"),
    "housing_deposits": gettext_noop("Housing Deposits"),
    "htss": gettext_noop("Housing Tenancy and Sustaining Services"),
    "stphh": gettext_noop("Short-Term Post-Hospitalization Housing"),
    "recuperative_care": gettext_noop("Recuperative Care (Medical Respite)"),
    "transitional_rent": gettext_noop("Transitional Rent"),
    "respite": gettext_noop("Respite Services"),
    "day_habilitation": gettext_noop("Day Habilitation Programs"),
    "nf_transition_alf": gettext_noop("Nursing Facility Transition/Diversion to Assisted Living Facilities"),
    "community_transition": gettext_noop("Community Transition Services/Nursing Facility Transition to a Home"),
    "personal_care": gettext_noop("Personal Care and Homemaker Services"),
    "environmental_accessibility": gettext_noop("Environmental Accessibility Adaptations (Home Modifications)"),
    "medically_tailored_meals": gettext_noop("Medically Tailored Meals/Medically-Supportive Food"),
    "sobering_center": gettext_noop("Sobering Center"),
    "asthma_remediation": gettext_noop("Asthma Remediation"),
}

OTHER_SUPPORTS = (
    gettext_noop("Complex Care Management"),
    gettext_noop("Community Supports"),
    gettext_noop("Basic Population Health Management"),
    gettext_noop("County behavioral health services"),
    gettext_noop("211 community resources"),
    gettext_noop("Medi-Cal renewal help from the county social services agency"),
    gettext_noop("ECM through the new county's Medi-Cal plan"),
    gettext_noop("Care coordination from the excluding program"),
    gettext_noop("ECM again on release (justice-involved Population of Focus)"),
)

DISCONTINUATION_REASONS = (
    gettext_noop("Care plan goals met / ready for a lower level of care"),
    gettext_noop("Member declined or opted out"),
    gettext_noop("Unable to reach or locate the member after outreach"),
    gettext_noop("Member lost Medi-Cal eligibility or left the plan"),
    gettext_noop("Member moved out of the plan's service area"),
    gettext_noop("Member deceased"),
    gettext_noop("Member entered a program that excludes ECM (hospice, PACE, waiver, D-SNP)"),
    gettext_noop("Member incarcerated or institutionalized long-term"),
    gettext_noop("Safety concerns for the member or staff"),
    gettext_noop("Other"),
)
