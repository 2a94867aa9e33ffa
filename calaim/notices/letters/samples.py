"""Made-up data for previewing a letter template: no member's name, address or record appears in a preview."""

from __future__ import annotations

import datetime as dt
from typing import Any

SAMPLE_ADDRESSEE = {
    "name": "Sample Member",
    "cin": "00000000A",
    "address_line": "100 Sample Street, Apt 1",
    "city": "Sampletown",
    "state": "CA",
    "zip_code": "95200",
}
_PROVIDER = {"provider": "Sample ECM Provider", "provider_phone": "209-555-0100"}


def sample_content(key: str, day: dt.date) -> dict[str, Any]:
    """What a notice of this template's kind would carry, with made-up values dated around `day`."""

    def later(days: int) -> str:
        return (day + dt.timedelta(days=days)).isoformat()

    samples: dict[str, dict[str, Any]] = {
        "ecm_enrollment_letter": {**_PROVIDER, "enrolled_on": day.isoformat()},
        "ecm_assignment_letter": dict(_PROVIDER),
        "ecm_provider_change_letter": {**_PROVIDER, "change": True, "previous_provider": "Former ECM Provider"},
        "ecm_disenrollment_letter": {
            **_PROVIDER,
            "reason": "Unable to reach or locate the member after outreach",
            "reason_code": "unable_to_reach",
            "effective_on": later(10),
            "other_supports": ["Basic Population Health Management", "211 community resources"],
        },
        "cs_authorization_letter": {
            "service": "Medically Tailored Meals/Medically-Supportive Food",
            "service_code": "medically_tailored_meals",
            "start_date": day.isoformat(),
            "end_date": later(83),
            "units": "168 meals",
            "provider_name": "Sample Meals Provider",
            "provider_phone": "209-555-0101",
        },
        "notice_of_action": {
            "determination": "denied",
            "program": "cs",
            "service": "Recuperative Care (Medical Respite)",
            "service_code": "recuperative_care",
            "requested_start": day.isoformat(),
            "requested_end": later(89),
            "requested_quantity": "90",
            "reason": "The records sent do not show a medical need for recuperative care.",
            "criteria": "DHCS Community Supports Policy Guide, Recuperative Care eligibility criteria.",
            "decision_date": day.isoformat(),
            "appeal_deadline": later(60),
        },
        "authorization_extension_letter": {
            "program": "ecm",
            "service": "Enhanced Care Management",
            "received_on": later(-14),
            "reason": "We need your doctor's records to decide.",
            "decision_due": later(14),
            "extension_days": 14,
        },
        "appeal_acknowledgment": {
            "appeal_id": "A-0001",
            "received_on": day.isoformat(),
            "expedited": False,
            "late": False,
            "resolution_due": later(30),
            "service": "Recuperative Care (Medical Respite)",
        },
        "appeal_extension_letter": {
            "appeal_id": "A-0001",
            "extension_days": 14,
            "reason": "We are waiting for records from your doctor.",
            "resolution_due": later(44),
        },
        "appeal_resolution": {
            "appeal_id": "A-0001",
            "outcome": "upheld",
            "reason": "A doctor reviewed your appeal and the records do not show a medical need.",
            "resolved_on": day.isoformat(),
            "hearing_deadline": later(120),
            "service": "Recuperative Care (Medical Respite)",
        },
        "grievance_acknowledgment": {
            "grievance_id": "G-0001",
            "received_on": day.isoformat(),
            "category": "access_to_care",
            "resolution_due": later(30),
        },
        "grievance_resolution": {
            "grievance_id": "G-0001",
            "category": "access_to_care",
            "resolution": "We spoke with your provider, who will call you back within two business days.",
            "resolved_on": day.isoformat(),
        },
    }
    return samples.get(key, {})
