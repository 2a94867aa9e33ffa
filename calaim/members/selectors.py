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
from calaim.core.paging import QueryChain
from calaim.members.facts import MemberFacts
from calaim.members.models import Member
from calaim.plans.selectors import excluded_program_order

_CIN_LENGTH = 9
_CIN_PREFIX = re.compile(r"[0-9]{1,8}[A-Za-z]?")
_BIRTH_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y")
_ASCII_ALNUM = re.compile(r"[A-Z0-9]")
BIRTH_EQUITY_RACES = frozenset({"black", "aian", "pacific_islander"})
# Name search results, in the order of the index `member_name_order_idx` (see member_search_in).
NAME_ORDER = ("last_key", "first_key", "cin")


def member_search_in(
    members: QuerySet[Member], query: str, *, related: tuple[str, ...] = ()
) -> QuerySet[Member] | QueryChain:
    """Those of `members` matching a CIN (whole or its first digits), a birth date (YYYY-MM-DD or MM/DD/YYYY)
    or a name ("last", "last, first" or "first last", each part a prefix); each kind uses an index.

    Ordered so that an index hands over the first page without sorting every match: CINs by CIN, everything else
    by name, case-insensitively, then CIN (`member_name_order_idx`). A name read two ways ("lee" as a last name
    or a first name) lists the first reading's matches, then the second's, each in that order: one ordered query
    per reading, chained (an OR of the two could not use either index's order, and would sort every GARCIA of the
    plan for each page). `related` is selected with the members."""
    query = " ".join(query.split())
    keys = members.select_related(*related).alias(last_key=Upper("last_name"), first_key=Upper("first_name"))
    if not query:
        return keys.order_by(*NAME_ORDER)
    birth_date = _parse_birth_date(query)
    if birth_date is not None:
        return keys.filter(birth_date=birth_date).order_by(*NAME_ORDER)
    cin = re.sub(r"[\s-]", "", query).upper()  # as read off a card: "9123 4567a", "91234-567A"
    if _CIN_PREFIX.fullmatch(cin):
        return keys.filter(Q(cin=cin) if len(cin) == _CIN_LENGTH else _prefix("cin", cin)).order_by("cin")
    first, *others = _name_readings(query)
    parts, earlier = [keys.filter(first).order_by(*NAME_ORDER)], first
    for reading in others:
        parts.append(keys.filter(reading & ~earlier).order_by(*NAME_ORDER))  # no member twice
        earlier |= reading
    return QueryChain(*parts) if others else parts[0]


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


def _name_readings(query: str) -> list[Q]:
    """The ways to read a name, most likely first: "last, first" is explicit; otherwise the whole text as a last
    name, then the first word as the first name and the rest as the last name ("Ana De La Cruz"); one word is
    a last name, then a first name."""
    if "," in query:
        last, _, first = (part.strip() for part in query.partition(","))
        condition = _prefix("last_key", last.upper())
        return [condition & _prefix("first_key", first.upper()) if first else condition]
    words = query.upper().split(" ")
    whole = _prefix("last_key", " ".join(words))
    if len(words) == 1:
        return [whole, _prefix("first_key", words[0])]
    return [whole, _prefix("first_key", words[0]) & _prefix("last_key", " ".join(words[1:]))]


def _prefix(key: str, prefix: str) -> Q:
    """Rows whose `key` starts with `prefix`, asked as a range that an ordinary B-tree index answers on SQLite
    and PostgreSQL alike (LIKE would need a NOCASE column on SQLite and a pattern opclass on PostgreSQL).

    A prefix of letters and digits is the range alone: exact under a bytewise collation (SQLite's, PostgreSQL's
    C), and under a linguistic one it also finds what differs only by accents or punctuation past the prefix
    (GARCÍA for GARCIA). Asking `startswith` too would make PostgreSQL count the condition twice, expect a few
    hundred GARCIAs where there are twenty thousand, and sort them all rather than read its index in order. A
    prefix with punctuation or spaces ("o'b", "de la") keeps `startswith`, with the range drawn around its
    leading letters and digits, because some collations skip punctuation and spaces."""
    core = prefix
    while core and not _ASCII_ALNUM.fullmatch(core[-1]):
        core = core[:-1]
    if not core:
        return Q(**{f"{key}__startswith": prefix})
    upper = _successor(core)
    condition = Q(**{f"{key}__gte": core}) & Q(**{f"{key}__lt": upper}) if upper else Q(**{f"{key}__gte": core})
    exact = core == prefix and upper is not None and all(_ASCII_ALNUM.fullmatch(c) for c in core)
    return condition if exact else condition & Q(**{f"{key}__startswith": prefix})


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
