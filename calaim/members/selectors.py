"""The one way to read members: scoped to what the caller may see."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import uuid

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Upper

from calaim.accounts.models import User
from calaim.core.errors import NotFound
from calaim.members.models import Member

_CIN_LENGTH = 9
_CIN_PREFIX = re.compile(r"[0-9]{1,8}[A-Za-z]?")
_BIRTH_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y")
_ASCII_ALNUM = re.compile(r"[A-Z0-9]")


def member_scope(user: User | None) -> QuerySet[Member]:
    """Plan staff see their plan's members; provider staff the members assigned to their organization."""
    from calaim.ecm.models import ACTIVE_ENROLLMENT_STATUSES, Enrollment

    if user is None or not user.is_authenticated or not user.is_active:
        return Member.objects.none()
    if user.is_plan_staff:
        assert user.organization is not None and user.organization.plan_id is not None  # is_plan_staff
        return Member.objects.filter(plan_id=user.organization.plan_id)
    if user.is_provider_staff:
        assigned = Enrollment.objects.filter(
            member=OuterRef("pk"), provider_id=user.organization_id, status__in=ACTIVE_ENROLLMENT_STATUSES
        )
        return Member.objects.filter(Exists(assigned))
    # Referrers see their own referrals, never the member record itself.
    return Member.objects.none()


def member_get(user: User | None, member_id: uuid.UUID | str) -> Member:
    """The member if the caller may see them, else 404 whether or not the member exists."""
    try:
        return member_scope(user).select_related("plan", "county", "delegated_to").get(pk=member_id)
    except (Member.DoesNotExist, ValueError):
        raise NotFound("No member with this id in your scope.") from None


def member_search(user: User | None, query: str) -> QuerySet[Member]:
    """Members in scope matching a CIN (whole or its first digits), a birth date (YYYY-MM-DD or MM/DD/YYYY)
    or a name ("last", "last, first" or "first last", each part a prefix); each kind uses an index."""
    members = member_scope(user)
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
