"""Acting on roster facts (resolve, dismiss with a note, resolve with the work that ended), each audited, and
loading the fact-to-reason mapping (`reference/fact_reasons.yaml`) with the other reference data."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction
from django.utils import timezone

from calaim.accounts.models import Role, User
from calaim.community_supports.models import CsRequest
from calaim.core.audit import audited_update
from calaim.core.errors import ValidationFailed
from calaim.core.inputs import control_character_problem
from calaim.core.policy import ALLOWED, Verdict, conflict, first_refusal, forbidden, out_of_scope
from calaim.ecm.models import Enrollment
from calaim.plans.models import DiscontinuationReason
from calaim.plans.reference import _entries, _Entry
from calaim.roster.fact_selectors import CS, ECM, in_fact_scope
from calaim.roster.models import FactKind, FactReason, RosterFact

REFERENCE_DIR = Path(__file__).with_name("reference")
# Who acts on a fact: those who may end ECM or close a CS request (the provider, plan intake, member services).
PLAN_ACTING_ROLES = frozenset({Role.PLAN_INTAKE, Role.MEMBER_SERVICES})
PROVIDER_ACTING_ROLES = frozenset({Role.PROVIDER_CARE_MANAGER, Role.PROVIDER_SUPERVISOR})
NOTE_MAX = 2000
_FIELDS = ["resolved_at", "resolved_by", "resolution", "note"]


def can_resolve_fact(user: User, fact: RosterFact) -> Verdict:
    """Whoever sees the fact may read it; the provider's care staff, plan intake and member services act on it,
    once."""
    return first_refusal(
        lambda: ALLOWED if in_fact_scope(user, fact) else out_of_scope("No roster fact with this id in your scope."),
        lambda: (
            ALLOWED
            if user.role in PLAN_ACTING_ROLES | PROVIDER_ACTING_ROLES
            else forbidden("Your role may read roster facts but not resolve them.")
        ),
        lambda: conflict(f"This fact was already resolved: {fact.resolution}.") if fact.resolved_at else ALLOWED,
    )


def roster_fact_resolve(*, actor: User, fact: RosterFact, resolution: str, note: str = "") -> RosterFact:
    """Mark a fact acted on ("called the member; ECM ends at month end"), with what was done."""
    resolution = _clean(resolution, field="resolution", max_length=200, multiline=False)
    if not resolution:
        raise ValidationFailed("Say what was done about this fact.", field="resolution")
    return _close(actor, fact, resolution, note)


def roster_fact_dismiss(*, actor: User, fact: RosterFact, note: str) -> RosterFact:
    """Dismiss a fact that calls for nothing (the member is back in the plan, the program ended), saying why."""
    return _close(actor, fact, "Dismissed", note, note_required=True)


def _clean(value: str, *, field: str, max_length: int, multiline: bool) -> str:
    """Text as people may type it (the forms and the API check the same), stripped."""
    value = value.strip()
    if problem := control_character_problem(value, multiline=multiline):
        raise ValidationFailed(problem, field=field)
    if len(value) > max_length:
        raise ValidationFailed(f"At most {max_length} characters (this has {len(value)}).", field=field)
    return value


def _close(actor: User, fact: RosterFact, resolution: str, note: str, *, note_required: bool = False) -> RosterFact:
    can_resolve_fact(actor, fact).enforce()
    note = _clean(note, field="note", max_length=NOTE_MAX, multiline=True)
    if note_required and not note:
        raise ValidationFailed("Say why the fact is dismissed.", field="note")
    with transaction.atomic():
        locked = RosterFact.objects.select_for_update().select_related("member").get(pk=fact.pk)
        can_resolve_fact(actor, locked).enforce()
        changes = {"resolved_at": timezone.now(), "resolved_by": actor, "resolution": resolution, "note": note}
        audited_update(locked, changes, actor=actor, action="roster_fact.resolve", fields=_FIELDS, member=locked.member)
    return locked


def roster_facts_resolve_with(
    *, actor: User | None, resolution: str, enrollment: Enrollment | None = None, cs_request: CsRequest | None = None
) -> int:
    """Inside the caller's transaction: the open facts of an ECM enrollment or a CS request that just ended are
    resolved with it (the workflow that ends the work calls this); returns how many."""
    if enrollment is None and cs_request is None:
        return 0
    facts = RosterFact.objects.filter(resolved_at__isnull=True).select_for_update().select_related("member")
    facts = facts.filter(enrollment=enrollment) if enrollment is not None else facts.filter(cs_request=cs_request)
    now = timezone.now()
    count = 0
    for fact in facts.order_by("created_at"):
        changes = {"resolved_at": now, "resolved_by": actor, "resolution": resolution[:200]}
        audited_update(fact, changes, actor=actor, action="roster_fact.resolve", fields=_FIELDS, member=fact.member)
        count += 1
    return count


def fact_reasons_load(directory: Path | None = None) -> dict[str, int]:
    """Load `fact_reasons.yaml` idempotently: each row's kind, detail, reason (a discontinuation reason code in
    force on its first day) and programs; an error names the file, the entry and the key."""
    entries, rest = _entries(directory or REFERENCE_DIR, "fact_reasons.yaml", "fact_reasons")
    version = str(rest.get("version", "2026.1"))
    seen: set[tuple[str, str, object]] = set()
    with transaction.atomic():
        for entry in entries:
            entry.allow_only({"kind", "detail", "reason", "programs", "effective_from", "effective_to", "version"})
            kind, detail, start, end = _kind(entry), entry.text("detail", ""), *entry.dates()
            if (kind, detail, start) in seen:
                raise entry.fail("kind", f"{kind} {detail} from {start} appears more than once".replace("  ", " "))
            seen.add((kind, detail, start))
            FactReason.objects.update_or_create(
                kind=kind,
                detail=detail,
                effective_from=start,
                defaults={
                    "reason_code": _reason(entry, start),
                    "programs": _programs(entry),
                    "effective_to": end,
                    "version": entry.text("version", version),
                },
            )
    return {"fact_reasons": len(entries)}


def _kind(entry: _Entry) -> str:
    kind = entry.text("kind")
    if kind not in FactKind.values:
        raise entry.fail("kind", f"{kind!r} is not one of {', '.join(FactKind.values)}")
    return kind


def _reason(entry: _Entry, start: object) -> str:
    code = entry.text("reason")
    known = DiscontinuationReason.objects.filter(code=code, effective_from__lte=start).exists()
    if not known:
        raise entry.fail("reason", f"unknown discontinuation reason {code!r} (discontinuation_reasons.yaml)")
    return code


def _programs(entry: _Entry) -> list[str]:
    programs = entry.strings("programs")
    wrong = [p for p in programs if p not in (ECM, CS)]
    if wrong or not programs:
        raise entry.fail("programs", f"expected a list of {ECM!r} and/or {CS!r}, got {programs!r}")
    return programs
