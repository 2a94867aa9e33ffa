"""The member's audit trail as people read it: grouped by the plan's day, who did it by name, what in words, what
changed (before → after, values labelled as the pages label them) and why."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models

from calaim.accounts.models import User
from calaim.community_supports.selectors import cs_service_names
from calaim.core import labels
from calaim.core.clock import PLAN_TIME_ZONE, local_date, plan_today
from calaim.core.models import AuditEvent
from calaim.network.models import Organization
from calaim.plans.models import DiscontinuationReason
from calaim.plans.selectors import latest_by_code
from calaim.web.templatetags.label_tags import person

# Bookkeeping columns and the member itself: never news in a member's trail.
_SKIPPED = frozenset({"id", "created_at", "updated_at", "member", "document", "content"})
# A new row lists at most this many of its values (the full row is on the page it belongs to).
_CREATED_VALUES = 6
_LONGEST_VALUE = 160
NONE = "(none)"


@dataclass(frozen=True)
class Change:
    """One field of one event: its label, and the value before and after as words (before is "" for a new row)."""

    field: str
    before: str
    after: str


@dataclass(frozen=True)
class Entry:
    at: dt.datetime
    who: str
    what: str
    changes: list[Change]
    reason: str


@dataclass(frozen=True)
class Day:
    day: dt.date
    entries: list[Entry]


@dataclass(frozen=True)
class _Names:
    """The people, organizations and reference labels the events' values name, each read once for all events."""

    users: dict[int, User]
    organizations: dict[str, str]
    reasons: dict[str, str]
    services: dict[str, str]


def audit_timeline(events: Iterable[AuditEvent]) -> list[Day]:
    """The events, most recent first, as days of entries (events must carry `actor__organization`)."""
    rows = list(events)
    names = _names(rows)
    days: list[Day] = []
    for event in rows:
        entry = Entry(
            at=event.at.astimezone(PLAN_TIME_ZONE),
            who=_who(event),
            what=labels.action_phrase(event.action),
            changes=_changes(event, names),
            reason=event.reason,
        )
        day = local_date(event.at)
        if not days or days[-1].day != day:
            days.append(Day(day, []))
        days[-1].entries.append(entry)
    return days


def _who(event: AuditEvent) -> str:
    if event.actor is not None:
        return person(event.actor)
    return "calaim (automatic)" if event.actor_label in ("", "system") else event.actor_label


def _model(event: AuditEvent) -> type[models.Model] | None:
    try:
        return apps.get_model(event.object_type)
    except (LookupError, ValueError):
        return None


def _field(model: type[models.Model] | None, name: str) -> Any:
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except LookupError:
        return None


def _changes(event: AuditEvent, names: _Names) -> list[Change]:
    before, after = event.before or {}, event.after or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return []
    model = _model(event)
    if not before:  # a new row: what it was created with
        shown = [(k, v) for k, v in after.items() if k not in _SKIPPED and v not in (None, "", [], {})]
        return [
            Change(_label(model, k), "", _value(model, k, v, names)) for k, v in shown[:_CREATED_VALUES]
        ]  # fmt: skip
    changed = [k for k in {**before, **after} if k not in _SKIPPED and before.get(k) != after.get(k)]
    return [
        Change(
            _label(model, k),
            _value(model, k, before.get(k), names) or NONE,
            _value(model, k, after.get(k), names) or NONE,
        )
        for k in changed
    ]


def _label(model: type[models.Model] | None, name: str) -> str:
    if name in _LABELS:
        return _LABELS[name]
    field = _field(model, name)
    verbose = getattr(field, "verbose_name", None)
    if verbose and str(verbose) != name.replace("_", " "):  # a name someone chose (e.g. "CIN", "D-SNP")
        return str(verbose)[:1].upper() + str(verbose)[1:]
    return labels.field_label(name)


def _value(model: type[models.Model] | None, name: str, value: Any, names: _Names) -> str:
    if value in (None, "", [], {}):
        return ""
    field = _field(model, name)
    if field is not None and getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, labels.code_words(str(value))))
    special = _SPECIAL.get(name)
    if special is not None:
        return special(value, names)
    if field is not None and field.is_relation:
        return _related(field, value, names)
    return _plain(value)


def _related(field: Any, value: Any, names: _Names) -> str:
    target = field.related_model
    if target is User and value in names.users:
        return person(names.users[value])
    if target is Organization:
        return names.organizations.get(str(value), "another organization")
    return "a linked record"  # an id means nothing to a reader; the linked record has its own page


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return labels.yes_no(value)
    if isinstance(value, list):
        return "; ".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return "details recorded"
    text = str(value)
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text).strftime("%m/%d/%Y")
        if len(text) > 18 and "T" in text:
            return dt.datetime.fromisoformat(text).astimezone(PLAN_TIME_ZONE).strftime("%m/%d/%Y %I:%M %p")
    except ValueError:
        pass
    return text if len(text) <= _LONGEST_VALUE else f"{text[: _LONGEST_VALUE - 1]}…"


_SPECIAL: dict[str, Callable[[Any, _Names], str]] = {
    "language": lambda v, _: labels.language_name(str(v)),
    "languages": lambda v, _: labels.language_names(list(v)),
    "phone": lambda v, _: labels.phone_display(str(v)),
    "discontinuation_reason": lambda v, n: n.reasons.get(str(v), labels.code_words(str(v))),
    "service_code": lambda v, n: n.services.get(str(v), labels.code_words(str(v))),
    "pof_attestations": lambda v, _: ", ".join(str(a.get("pof", "")) for a in v if isinstance(a, dict)) or "none",
    "qualified_pofs": lambda v, _: ", ".join(map(str, v)) or "none",
}
# Fields whose names read badly as words.
_LABELS = {
    "pof_attestations": "Populations of Focus attested",
    "qualified_pofs": "Populations of Focus met",
    "loop_status": "DHCS referral status",
    "loop_closure_reason": "DHCS closure reason",
    "cin": "CIN",
    "dsnp": "D-SNP",
    "pcp_name": "PCP",
}


def _related_ids(events: list[AuditEvent]) -> tuple[set[int], set[str], bool]:
    """The staff and organizations the events' values name, and whether any names a discontinuation reason."""
    users: set[int] = set()
    organizations: set[str] = set()
    reasons = False
    for event in events:
        model = _model(event)
        for snap in (event.before, event.after):
            for key, value in snap.items() if isinstance(snap, dict) else ():
                reasons = reasons or key == "discontinuation_reason"
                target = getattr(_field(model, key), "related_model", None)
                if value and target is User:
                    users.add(value)
                elif value and target is Organization:
                    organizations.add(str(value))
    return users, organizations, reasons


def _names(events: list[AuditEvent]) -> _Names:
    # Staff and organization names are the directory, not member data: read by id, once for the whole trail.
    user_ids, organization_ids, reasons = _related_ids(events)
    users = User.objects.filter(pk__in=user_ids).select_related("organization") if user_ids else []
    organizations = Organization.objects.filter(pk__in=organization_ids) if organization_ids else []
    return _Names(
        users={u.pk: u for u in users},
        organizations={str(o.pk): o.name for o in organizations},
        reasons={c: r.label for c, r in latest_by_code(DiscontinuationReason, plan_today()).items()} if reasons else {},
        services=cs_service_names(),
    )
