"""The demo's summary in plain words: each step's counts as a sentence a plan's staff can read, not internal codes."""

from __future__ import annotations

from collections.abc import Mapping

# Each count's words, in the order a reader expects; a count with no entry is shown with its key's words.
PHRASES: dict[str, str] = {
    # reference data
    "counties": "counties",
    "plans": "plans",
    "populations_of_focus": "Populations of Focus",
    "pof_go_lives": "Population of Focus go-live dates",
    "excluded_programs": "programs that exclude ECM",
    "discontinuation_reasons": "reasons for ending ECM",
    "referral_sources": "referral sources",
    "program_settings": "plans' program settings",
    "closed_loop_values": "closed-loop referral statuses",
    "closed_loop_transitions": "closed-loop status changes allowed",
    "cs_services": "Community Supports",
    "cs_billing_codes": "Community Supports billing codes",
    "cs_limit_settings": "Community Supports limits",
    "cs_offerings": "Community Supports offered by county",
    "ecm_encounter_rules": "ECM encounter coding rules",
    "exchange_editions": "DHCS file editions",
    "exchange_values": "DHCS file values",
    "fact_reasons": "roster facts and their reasons",
    "loop_monitoring_settings": "closed-loop monitoring settings",
    "qimr_tabs": "quarterly report tabs",
    # population
    "organizations": "organizations",
    "users": "staff logins",
    "members": "members",
    "enrollment_spans": "Medi-Cal enrollment spans",
    "member_programs": "members in other programs",
    "roster_loads": "roster loads",
    "roster_created": "members added by the roster",
    "roster_updated": "members updated by the roster",
    "roster_termed": "members termed by the roster",
    # referrals and their states
    "received": "received, not yet reviewed",
    "linked": "linked to an earlier referral",
    "excluded": "excluded (another program)",
    "routed_to_delegate": "routed to a delegated plan",
    "not_eligible": "not eligible",
    "pending_authorization": "awaiting the UM decision",
    "pending": "awaiting a decision",
    "overdue": "past their decision date",
    "pended": "pended for information",
    "extended": "with the decision extended",
    "expedited": "expedited",
    "presumptive": "presumptively authorized",
    "denied": "denied",
    "authorized": "authorized",
    "assigned": "assigned to an ECM provider",
    "enrolled": "enrolled",
    "declined": "declined by the member",
    "closed": "closed",
    "transferred": "transferred to another provider",
    # Community Supports
    "in_service": "in service",
    "completed": "completed",
    "deposit_used": "with the one-time housing deposit used",
    "near_room_board_limit": "near the room-and-board limit",
    "at_room_board_limit": "at the room-and-board limit",
    # the month's roster
    "created": "members joined",
    "updated": "members changed",
    "termed": "members left the plan",
    "delegated": "members delegated",
    "facts": "changes shown to providers on their worklists",
    # provider files
    "file_only_members": "members of file-only providers",
    "file_only_providers_without_members": "file-only providers with no member this month",
    "mifs": "Member Information Files made",
    "rtf_applied": "Return Transmission Files applied",
    "rtf_rejected": "Return Transmission Files rejected",
    "otf_applied": "Outreach Tracker Files applied",
    # letters and appeals
    "letters_produced": "letters produced as PDF",
    "letters_mailed": "letters mailed",
    "letters_returned": "letters returned by the post office",
    "letters_left_for_worker": "letters left for the background worker",
    "mail_batches": "mail batches",
    "notifications_read": "referrers' notifications read",
    "notifications_unread": "referrers' notifications unread",
    "appeals_overturned": "appeals overturned",
    "appeals_upheld": "appeals upheld",
    "appeals_open_expedited": "expedited appeals open",
    "appeals_late": "appeals filed late",
    "grievances": "grievances",
}
_IDENTIFIED = "identified "


def phrase(key: str) -> str:
    """The words for one count's key; history's "identified <state>" keys read as "<state> (identified by the plan)"."""
    if key.startswith(_IDENTIFIED):
        return f"{phrase(key.removeprefix(_IDENTIFIED))} (identified from the plan's data)"
    return PHRASES.get(key, key.replace("_", " "))


def summary_line(title: str, counts: Mapping[str, int]) -> str:
    """`title: 8 received, not yet reviewed; 24 enrolled; ...`, in the phrases' order, then any other keys by name."""
    order = {key: index for index, key in enumerate(PHRASES)}
    keys = sorted(
        counts, key=lambda k: (order.get(k.removeprefix(_IDENTIFIED), len(order)), k.startswith(_IDENTIFIED), k)
    )
    parts = [f"{counts[key]:,} {phrase(key)}" for key in keys]
    return f"{title}: " + ("; ".join(parts) if parts else "nothing new") + "."
