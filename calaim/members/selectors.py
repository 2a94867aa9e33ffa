"""Reading members without a caller: search conditions, matching a form's CIN and birth date, and the roster
facts the rule engines check. Reads for a caller go through `calaim.access.scopes`, which composes these."""

from __future__ import annotations

import contextlib
import datetime as dt
import re

from dateutil.relativedelta import relativedelta
from django.db.models import Q, QuerySet
from django.db.models.functions import Upper

from calaim.core.errors import ValidationFailed
from calaim.core.models import AuditEvent
from calaim.members.facts import MemberFacts
from calaim.members.models import Member
from calaim.plans.selectors import excluded_program_order

_CIN_LENGTH = 9
_CIN_PREFIX = re.compile(r"[0-9]{1,8}[A-Za-z]?")
_BIRTH_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y")
_ASCII_ALNUM = re.compile(r"[A-Z0-9]")
BIRTH_EQUITY_RACES = frozenset({"black", "aian", "pacific_islander"})


def member_search_in(members: QuerySet[Member], query: str) -> QuerySet[Member]:
    """Those of `members` matching a CIN (whole or its first digits), a birth date (YYYY-MM-DD or MM/DD/YYYY)
    or a name ("last", "last, first" or "first last", each part a prefix); each kind uses an index."""
    query = " ".join(query.split())
    if not query:
        return members
    birth_date = _parse_birth_date(query)
    if birth_date is not None:
        return members.filter(birth_date=birth_date)
    if _CIN_PREFIX.fullmatch(query):
        cin = query.upper()
        return members.filter(cin=cin) if len(cin) == _CIN_LENGTH else members.filter(_prefix("cin", cin))
    keys = members.alias(last_key=Upper("last_name"), first_key=Upper("first_name"))
    return keys.filter(_name_condition(query))


def member_match(cin: str, birth_date: dt.date, *, plan_id: int | None = None) -> Member:
    """The member a form names by CIN and birth date (within one plan when given); a mismatch says nothing
    about whether the CIN exists."""
    member = Member.objects.select_related("plan", "county").filter(cin=cin).first()
    if member is None or member.birth_date != birth_date or (plan_id is not None and member.plan_id != plan_id):
        raise ValidationFailed("No plan member matches this CIN and birth date.", field="member_cin")
    return member


def member_facts(member: Member, day: dt.date) -> MemberFacts:
    """The roster facts the eligibility rules can check, as of `day`."""
    facts: dict[str, str] = {}
    if member.experiencing_homelessness:
        facts["homeless"] = "experiencing homelessness on the plan's roster"
    if member.release_date and day - relativedelta(months=12) < member.release_date <= day:
        facts["released_within_12_months"] = f"released from incarceration on {member.release_date}"
    if member.ccs_enrolled:
        facts["ccs_enrolled"] = "enrolled in CCS/Whole Child Model"
    if member.foster_care:
        facts["foster_care"] = f"foster care: {member.get_foster_care_display()}"
    if member.race_ethnicity in BIRTH_EQUITY_RACES:
        facts["birth_equity_race"] = f"race/ethnicity: {member.get_race_ethnicity_display()}"
    current = {p.program_code for p in member.programs.all() if p.covers(day)}
    enrolled = any(span.covers(day) for span in member.enrollment_spans.all())
    return MemberFacts(
        age=member.age_on(day),
        plan_enrolled=enrolled,
        facts=frozenset(facts),
        fact_details=facts,
        programs=tuple(code for code in excluded_program_order(day) if code in current),
        dsnp=member.dsnp,
        delegated_to=(member.delegated_to.code or member.delegated_to.name) if member.delegated_to else None,
    )


def _parse_birth_date(query: str) -> dt.date | None:
    for fmt in _BIRTH_DATE_FORMATS:
        with contextlib.suppress(ValueError):
            return dt.datetime.strptime(query, fmt).date()
    return None


def _name_condition(query: str) -> Q:
    """ "last, first" is explicit; otherwise the whole text as a last name, or the first word as the first
    name and the rest as the last name ("Ana De La Cruz"); one word matches a first name too."""
    if "," in query:
        last, _, first = (part.strip() for part in query.partition(","))
        condition = _prefix("last_key", last.upper())
        return condition & _prefix("first_key", first.upper()) if first else condition
    words = query.upper().split(" ")
    condition = _prefix("last_key", " ".join(words))
    if len(words) == 1:
        return condition | _prefix("first_key", words[0])
    return condition | (_prefix("first_key", words[0]) & _prefix("last_key", " ".join(words[1:])))


def _prefix(key: str, prefix: str) -> Q:
    """Rows whose `key` starts with `prefix`, asked as a range that an ordinary B-tree index answers on SQLite
    and PostgreSQL alike (LIKE would need a NOCASE column on SQLite and a pattern opclass on PostgreSQL).

    The range is drawn around the prefix's leading letters and digits only, because some collations skip
    punctuation and spaces, so that it never leaves out a match; `startswith` then keeps exactly the matches."""
    condition = Q(**{f"{key}__startswith": prefix})
    core = prefix
    while core and not _ASCII_ALNUM.fullmatch(core[-1]):
        core = core[:-1]
    if not core:
        return condition
    condition &= Q(**{f"{key}__gte": core})
    upper = _successor(core)
    return condition & Q(**{f"{key}__lt": upper}) if upper else condition


def _successor(core: str) -> str | None:
    """The shortest string above every string that starts with `core` (A-Z, 0-9 carry like an odometer)."""
    while core and core[-1] in "Z9":
        core = core[:-1]
    if not core or not _ASCII_ALNUM.fullmatch(core[-1]):
        return None
    return core[:-1] + chr(ord(core[-1]) + 1)


def member_audit_trail(member: Member) -> QuerySet[AuditEvent]:
    """Every recorded change to the member's records, oldest first (the caller has already scoped the member)."""
    return AuditEvent.objects.filter(member=member).order_by("at", "id")
