"""Human labels for codes staff would otherwise read raw: language codes as names, E.164 phones as people write them,
and the audit trail's dotted actions ("referral.pending_authorization") as words."""

from __future__ import annotations

from functools import cache

import phonenumbers
from babel import Locale

# Codes CLDR does not name that Medi-Cal members' preferred languages use (DHCS threshold-language lists).
_EXTRA_LANGUAGE_NAMES = {"mien": "Mien", "ilo": "Ilocano"}


@cache
def _english_language_names() -> dict[str, str]:
    return dict(Locale("en").languages)


def language_name(code: str | None) -> str:
    """The English name of an ISO 639 language code ("pa" → "Punjabi", "hmn" → "Hmong"); the code if unknown."""
    if not code:
        return "Not recorded"
    key = code.strip().replace("-", "_")
    names = _english_language_names()
    return names.get(key) or names.get(key.lower()) or _EXTRA_LANGUAGE_NAMES.get(key.lower(), code)


def language_names(codes: list[str] | tuple[str, ...] | None) -> str:
    """Codes as a comma-separated list of names ("en", "es" → "English, Spanish")."""
    return ", ".join(language_name(code) for code in codes or ()) or "Not listed"


def phone_display(value: str | None) -> str:
    """An E.164 US number as people write it ("+12095550100" → "(209) 555-0100"); other numbers internationally."""
    if not value:
        return ""
    try:
        parsed = phonenumbers.parse(value, "US")
    except phonenumbers.NumberParseException:
        return value
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if parsed.country_code == 1
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(parsed, style)


def action_label(action: str) -> str:
    """A dotted audit action as words: "referral.pending_authorization" → "Referral: pending authorization"."""
    subject, _, verb = action.partition(".")
    subject_words = subject.replace("_", " ").strip().capitalize()
    if not verb:
        return subject_words
    return f"{subject_words}: {verb.replace('_', ' ').replace('.', ' ').strip()}"


# Audit actions whose mechanical reading ("Enrollment: lead care manager") reads badly, as the sentence staff would
# write in a case note. An action missing here falls back to `action_label`'s words.
ACTION_PHRASES: dict[str, str] = {
    "referral.create": "ECM referral received",
    "referral.received": "ECM referral received",
    "referral.linked": "ECM referral linked to the member's open referral",
    "referral.routed_to_delegate": "ECM referral routed to the delegated entity",
    "referral.not_eligible": "ECM referral found not eligible",
    "referral.pending_authorization": "ECM referral found eligible; authorization requested",
    "referral.authorized": "ECM referral authorized",
    "referral.denied": "ECM referral not authorized",
    "referral.assigned": "ECM referral assigned to a provider",
    "referral.enrolled": "ECM referral closed: member enrolled",
    "referral.declined": "ECM referral closed: member declined",
    "referral.closed": "ECM referral closed",
    "referral.duplicate_confirm": "Duplicate referral confirmed",
    "referral.duplicate_reject": "Referral confirmed as not a duplicate",
    "eligibility.determine": "ECM eligibility determined",
    "authorization.open": "Authorization requested",
    "authorization.presumptive": "Presumptive authorization opened",
    "authorization.streamlined": "Authorization approved (streamlined)",
    "authorization.approve": "Authorization approved",
    "authorization.approve_modified": "Authorization approved as modified",
    "authorization.deny": "Authorization denied",
    "authorization.pend": "Authorization pended for information",
    "authorization.extend": "Authorization decision deadline extended",
    "authorization.overdue": "Authorization decision overdue",
    "authorization.deemed_denial": "Authorization denied: no decision in time",
    "notice_of_action.issue": "Notice of Action issued",
    "enrollment.assign": "Assigned to an ECM provider",
    "enrollment.enroll": "Enrolled in ECM",
    "enrollment.end": "ECM ended",
    "enrollment.lead_care_manager": "Lead Care Manager named",
    "enrollment.authorize": "ECM enrollment moved under a new authorization",
    "enrollment.transfer_out": "Moved to another ECM provider",
    "enrollment.transfer_in": "Taken on from another ECM provider",
    "outreach.record": "Outreach attempt recorded",
    "task.create": "Task added",
    "task.start": "Task started",
    "task.complete": "Task completed",
    "task.cancel": "Task cancelled",
    "task.assign": "Task assigned",
    "task.transfer": "Task handed to the new ECM provider",
    "care_plan.create": "Care plan created",
    "care_plan.review": "Care plan reviewed",
    "care_plan.goal_add": "Care plan goal added",
    "care_plan.goal_status": "Care plan goal status changed",
    "care_plan.intervention_add": "Care plan intervention added",
    "care_plan.intervention_status": "Care plan intervention status changed",
    "care_team.add": "Care team member added",
    "care_team.remove": "Care team member removed",
    "cs_request.create": "Community Supports request received",
    "cs_request.received": "Community Supports request received",
    "cs_request.link": "Community Supports request linked to an open request",
    "cs_request.linked": "Community Supports request linked to an open request",
    "cs_request.routed_to_delegate": "Community Supports request routed to Kaiser",
    "cs_request.not_eligible": "Community Supports request found not eligible",
    "cs_request.pending_authorization": "Community Supports request sent for authorization",
    "cs_request.authorization": "Community Supports request sent for authorization",
    "cs_request.authorized": "Community Supports request authorized",
    "cs_request.denied": "Community Supports request not authorized",
    "cs_request.provider": "Community Supports provider assigned",
    "cs_request.in_service": "Community Supports services started",
    "cs_request.completed": "Community Supports services completed",
    "cs_request.closed": "Community Supports request closed",
    "cs_delivery.record": "Community Supports delivery recorded",
    "member.delegate_reassign": "Reassigned from the delegate to the plan",
    "member.delegation_end": "Delegation ended",
    "member.roster_created": "Added to the plan by the roster",
    "member.roster_updated": "Details changed by the roster",
    "member.roster_moved": "Moved to another plan (roster)",
    "member.roster_termed": "Left the plan (roster)",
    "roster_fact.raise": "Roster change noted",
    "roster_fact.resolve": "Roster change resolved",
    "notice.queue": "Notice owed",
    "notice.produce": "Letter produced",
    "notice.send": "Notice sent",
    "notice.mail": "Letter mailed",
    "notice.reprint": "Letter reprinted",
    "notice.return": "Returned mail recorded",
    "address_flag.open": "Mailing address flagged",
    "address_flag.resolve": "Mailing address flag resolved",
    "contact_update.create": "Contact update received from a provider",
    "contact_update.accept": "Contact update accepted",
    "contact_update.dismiss": "Contact update dismissed",
    "appeal.file": "Appeal filed",
    "appeal.extend": "Appeal resolution extended",
    "appeal.withdraw": "Appeal withdrawn",
    "appeal.upheld": "Appeal resolved: decision upheld",
    "appeal.overturned": "Appeal resolved: decision overturned",
    "appeal.due_soon": "Appeal resolution due within a day",
    "grievance.file": "Grievance filed",
    "grievance.resolve": "Grievance resolved",
    "grievance.due_soon": "Grievance resolution due within a day",
}


def action_phrase(action: str) -> str:
    """An audit action as a sentence: the phrase staff would write when there is one, else `action_label`'s words."""
    return ACTION_PHRASES.get(action) or action_label(action)


def field_label(name: str) -> str:
    """A model field's name as words, the ids of related rows named by the row: "lead_care_manager" → "Lead care
    manager", "provider_id" → "Provider"."""
    base = name.removesuffix("_id") if name.endswith("_id") and name != "id" else name
    return base.replace("_", " ").strip().capitalize()


def yes_no(value: bool | None) -> str:
    """A flag as people answer it."""
    return "Not recorded" if value is None else ("Yes" if value else "No")


def code_words(code: str | None) -> str:
    """A code nobody has labelled yet, as words rather than raw: "pending_authorization" → "Pending authorization"."""
    return (code or "").replace("_", " ").replace(".", " ").strip().capitalize()
