"""The RTF's columns as the import reads them: each column's parser (exchange-spec §2.2), and the groups of
columns each effect reads. Names are `columns.RTF_COLUMNS`' own."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import Any

from calaim.exchange.columns import RTF_COLUMNS, header_key
from calaim.exchange.values import (
    BadValue,
    parse_cin,
    parse_date,
    parse_email,
    parse_flag,
    parse_npi,
    parse_period,
    parse_phone,
    parse_state,
    parse_text,
    parse_tin,
    parse_whole,
    parse_zip,
)
from calaim.exchange.vocabulary import ExchangeVocabulary

(
    MCP_ID,
    MCP_NAME,
    CIN,
    LAST_NAME,
    FIRST_NAME,
    NEW_ADDRESS,
    HOMELESS,
    ADDRESS,
    CITY,
    STATE,
    ZIP,
    NEW_PHONE,
    PHONE,
    POF_INDICATOR,
    POF,
    ECM_STATUS,
    ACUITY,
    START,
    END,
    CARE_PLAN,
    CARE_CONFERENCE,
    ASSESSMENT_STARTED,
    ASSESSMENT_COMPLETED,
    LAST_ENCOUNTER,
    LCM_NAME,
    LCM_PHONE,
    LCM_EMAIL,
    DISCONTINUED,
    DISCONTINUATION_CODE,
    DISCONTINUATION_TEXT,
    IN_PERSON,
    TELEPHONIC,
    PRODUCED,
    PERIOD,
    PROVIDER_NAME,
    NPI,
    TIN,
    PROVIDER_PHONE,
    STATUS,
    STATUS_DATE,
    REASON,
) = RTF_COLUMNS

DATES = (
    START,
    END,
    CARE_PLAN,
    CARE_CONFERENCE,
    ASSESSMENT_STARTED,
    ASSESSMENT_COMPLETED,
    LAST_ENCOUNTER,
    DISCONTINUED,
    PRODUCED,
    STATUS_DATE,
)
# What a provider report records (RTF 17, 20-27), as ProviderReport field names.
REPORT_FIELDS = {
    ACUITY: "acuity_level",
    CARE_PLAN: "care_plan_revised_on",
    CARE_CONFERENCE: "care_conference_on",
    ASSESSMENT_STARTED: "assessment_started_on",
    ASSESSMENT_COMPLETED: "assessment_completed_on",
    LAST_ENCOUNTER: "last_encounter_on",
    LCM_NAME: "lead_care_manager_name",
    LCM_PHONE: "lead_care_manager_phone",
    LCM_EMAIL: "lead_care_manager_email",
}
CONTACT = (NEW_ADDRESS, HOMELESS, ADDRESS, CITY, STATE, ZIP, NEW_PHONE, PHONE)
COUNTS = (IN_PERSON, TELEPHONIC)
LOOP = (STATUS, STATUS_DATE, REASON)
# A member's values that one period's rows must agree on (the closed-loop columns differ row by row).
MEMBER_LEVEL = (ECM_STATUS, START, *REPORT_FIELDS, DISCONTINUED, DISCONTINUATION_CODE, *CONTACT, *COUNTS)
# Columns only an ECM enrollment gives meaning to (a Community Supports provider's rows carry the loop only).
ECM_ONLY = (START, *REPORT_FIELDS, DISCONTINUED, DISCONTINUATION_CODE, *COUNTS)
MOST_ENCOUNTERS = 10_000


def key(text: str) -> str:
    return header_key(text)


def shown(value: Any) -> str:
    """A parsed value as the file would show it, for messages."""
    if isinstance(value, dt.date):
        return f"{value:%m/%d/%Y}"
    if isinstance(value, bool):
        return "Y" if value else "N"
    return str(value)


def _listed(values: dict[str, Any], what: str, listing: str) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        found = values.get(key(text))
        if found is None:
            raise BadValue(f"unknown {what}: expected one of {listing}", f"unknown {what}")
        return found[0] if isinstance(found, tuple) else found

    return parse


def parsers(vocabulary: ExchangeVocabulary) -> dict[str, Callable[[str], Any]]:
    """Each column the import reads -> its parser (a column absent here is read by nobody and never checked)."""
    text = partial(parse_text, most=200)
    found: dict[str, Callable[[str], Any]] = {
        MCP_ID: partial(parse_text, most=40),
        MCP_NAME: text,
        CIN: parse_cin,
        LAST_NAME: text,
        FIRST_NAME: text,
        NEW_ADDRESS: parse_flag,
        HOMELESS: parse_flag,
        ADDRESS: partial(parse_text, most=300),
        CITY: partial(parse_text, most=100),
        STATE: parse_state,
        ZIP: parse_zip,
        NEW_PHONE: parse_flag,
        PHONE: parse_phone,
        POF_INDICATOR: partial(parse_text, most=40),
        POF: text,
        ACUITY: partial(parse_text, most=40),
        LCM_NAME: text,
        LCM_PHONE: parse_phone,
        LCM_EMAIL: parse_email,
        DISCONTINUATION_TEXT: partial(parse_text, most=300),
        IN_PERSON: partial(parse_whole, most=MOST_ENCOUNTERS),
        TELEPHONIC: partial(parse_whole, most=MOST_ENCOUNTERS),
        PERIOD: parse_period,
        PROVIDER_NAME: text,
        NPI: parse_npi,
        TIN: parse_tin,
        PROVIDER_PHONE: parse_phone,
        ECM_STATUS: _listed(vocabulary.ecm_statuses, "Member ECM Status", vocabulary.listed("ecm_statuses")),
        DISCONTINUATION_CODE: _listed(
            vocabulary.discontinuation, "discontinuation reason code", vocabulary.listed("discontinuation")
        ),
        STATUS: _listed(vocabulary.loop_statuses, "Referral Status", vocabulary.listed("loop_statuses")),
        REASON: _listed(vocabulary.closure_reasons, "reason for loop closure", vocabulary.listed("closure_reasons")),
    }
    found |= dict.fromkeys(DATES, parse_date)
    return found
