"""ECM encounter codes: each contact calaim records with a member (an outreach attempt, recorded in calaim or reported
in an Outreach Tracker File) coded by the dated rules of `reference/encounter_codes.yaml`.

An attempt before the member enrolled (or for one who never did) is outreach, G9012 U8, coded whether or not the
member was reached: unsuccessful outreach is counted, never dropped. A contact on or after enrollment is G9012 U2 by
non-clinical staff and G9008 U1 by clinical staff (the staff type is configuration: calaim records roles, not
licensure). GQ is added when the contact was not in person. The rule in force on the date of service codes a
contact, and every code carries the version that made it.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.db.models import OuterRef, QuerySet

from calaim.accounts.models import Role
from calaim.careplans.models import OutreachAttempt, OutreachMethod
from calaim.community_supports.codes import CodeError, hcpcs_normalized, modifier_set
from calaim.exchange.export_common import in_plan
from calaim.network.models import Organization
from calaim.plans.models import Plan
from calaim.plans.reference import ReferenceDataError, _entries, _Entry

REFERENCE_DIR = Path(__file__).with_name("reference")
RULES_FILE = "encounter_codes.yaml"
OUTREACH, NON_CLINICAL, CLINICAL = "outreach", "non_clinical", "clinical"
KINDS = (OUTREACH, NON_CLINICAL, CLINICAL)
IN_PERSON, REMOTE, NOT_CODED = "in_person", "remote", "not_coded"
_RULE_KEYS = {
    "effective_from",
    "effective_to",
    *KINDS,
    "remote_modifier",
    "methods",
    "staff_types",
    "code_unreached_contacts",
    "units",
    "place_of_service",
}


@dataclass(frozen=True)
class Code:
    hcpcs: str
    modifiers: tuple[str, ...]


@dataclass(frozen=True)
class EcmCodeRules:
    """One dated version of the ECM coding rules."""

    version: str
    effective_from: dt.date
    effective_to: dt.date | None
    codes: Mapping[str, Code]  # by kind: outreach, non_clinical, clinical
    remote_modifier: str
    methods: Mapping[str, str]  # outreach method -> in_person, remote or not_coded
    default_staff_type: str
    staff_type_by_role: Mapping[str, str]
    code_unreached_contacts: bool
    units: int
    place_of_service: Mapping[str, str]  # in_person / remote -> CMS place-of-service code, or ""

    def in_force(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


@dataclass(frozen=True)
class Contact:
    """What coding reads from one recorded contact."""

    day: dt.date
    method: str
    reached: bool
    before_enrollment: bool
    staff_role: str


@dataclass(frozen=True)
class EcmEncounterCode:
    kind: str
    hcpcs: str
    modifiers: tuple[str, ...]
    units: int
    place_of_service: str
    rule_version: str


# ---- The rules, read from the file --------------------------------------------------------------------------------


def _code(entry: _Entry, key: str) -> Code:
    found = entry.value(key, dict)
    if set(found) != {"hcpcs", "modifiers"} or not isinstance(found["modifiers"], list):
        raise entry.fail(key, f"expected {{hcpcs: ..., modifiers: [...]}}, got {found!r}")
    try:
        modifiers = modifier_set(found["modifiers"])
        code = Code(hcpcs_normalized(str(found["hcpcs"])), tuple(m.strip().upper() for m in found["modifiers"]))
    except CodeError as exc:
        raise entry.fail(key, str(exc)) from exc
    if not modifiers or len(modifiers) != len(code.modifiers) or len(modifiers) > 4:
        raise entry.fail(key, "name one to four distinct modifiers (a fifth position is left for the remote one)")
    return code


def _mapping(entry: _Entry, key: str, keys: Sequence[str], values: Sequence[str], complete: bool) -> dict[str, str]:
    found = entry.value(key, dict)
    if unknown := sorted(set(found) - set(keys)):
        raise entry.fail(key, f"unknown {unknown[0]!r}; expected some of {', '.join(keys)}")
    if complete and (missing := [k for k in keys if k not in found]):
        raise entry.fail(key, f"{missing[0]!r} is missing; every one of {', '.join(keys)} must be stated")
    for name, value in found.items():
        if value not in values:
            raise entry.fail(key, f"{name}: {value!r} is not one of {', '.join(values)}")
    return {str(k): str(v) for k, v in found.items()}


def _staff_types(entry: _Entry) -> tuple[str, dict[str, str]]:
    found = entry.value("staff_types", dict)
    if set(found) != {"default", "by_role"} or not isinstance(found["by_role"], dict):
        raise entry.fail("staff_types", f"expected {{default: ..., by_role: {{...}}}}, got {found!r}")
    if found["default"] not in (NON_CLINICAL, CLINICAL):
        raise entry.fail("staff_types", f"default {found['default']!r} is not non_clinical or clinical")
    nested = _Entry(entry.file, entry.index, {"staff_types": found["by_role"]})
    return str(found["default"]), _mapping(nested, "staff_types", Role.values, (NON_CLINICAL, CLINICAL), False)


def _place_of_service(entry: _Entry) -> dict[str, str]:
    found = entry.value("place_of_service", dict)
    if set(found) != {IN_PERSON, REMOTE} or not all(isinstance(v, str) for v in found.values()):
        raise entry.fail("place_of_service", f"expected {{in_person: code, remote: code}}, got {found!r}")
    for value in found.values():
        if value and not (len(value) == 2 and value.isdigit()):
            raise entry.fail("place_of_service", f"{value!r} is not a two-digit place-of-service code")
    return {str(k): str(v) for k, v in found.items()}


def _rules(entry: _Entry, version: str) -> EcmCodeRules:
    entry.allow_only(_RULE_KEYS)
    start, end = entry.dates()
    remote = entry.text("remote_modifier")
    try:
        modifier_set([remote])
    except CodeError as exc:
        raise entry.fail("remote_modifier", str(exc)) from exc
    default_staff, by_role = _staff_types(entry)
    units = entry.value("units", int)
    if not 1 <= units <= 99:
        raise entry.fail("units", f"expected a whole number from 1 to 99, got {units}")
    return EcmCodeRules(
        version=version,
        effective_from=start,
        effective_to=end,
        codes={kind: _code(entry, kind) for kind in KINDS},
        remote_modifier=remote.strip().upper(),
        methods=_mapping(entry, "methods", OutreachMethod.values, (IN_PERSON, REMOTE, NOT_CODED), True),
        default_staff_type=default_staff,
        staff_type_by_role=by_role,
        code_unreached_contacts=entry.value("code_unreached_contacts", bool),
        units=units,
        place_of_service=_place_of_service(entry),
    )


def ecm_code_rules_read(directory: Path | None = None) -> tuple[EcmCodeRules, ...]:
    """Every dated version in the file, checked (file, entry and key named on error); versions may not overlap."""
    entries, meta = _entries(directory or REFERENCE_DIR, RULES_FILE, "rules")
    version = str(meta.get("version", "2026.1"))
    rules = sorted((_rules(entry, version) for entry in entries), key=lambda r: r.effective_from)
    for before, after in itertools.pairwise(rules):
        if before.effective_to is None or after.effective_from <= before.effective_to:
            raise ReferenceDataError(
                f"{RULES_FILE}: the rules from {after.effective_from} overlap those from {before.effective_from}; "
                "end the earlier ones first"
            )
    if not rules:
        raise ReferenceDataError(f"{RULES_FILE}: no rules")
    return tuple(rules)


@functools.cache
def _rules_cached(path: Path, modified: float) -> tuple[EcmCodeRules, ...]:
    return ecm_code_rules_read(path.parent)


def ecm_code_rules() -> tuple[EcmCodeRules, ...]:
    """The reference file's rules, read again when the file changes."""
    path = REFERENCE_DIR / RULES_FILE
    return _rules_cached(path, path.stat().st_mtime)


def ecm_code_rules_check() -> dict[str, int]:
    """Read the file as `load_reference` does, so a malformed one fails the load (nothing is stored: the file is
    read where it is used)."""
    return {"ecm_encounter_rules": len(ecm_code_rules_read())}


def rules_on(rules: Sequence[EcmCodeRules], day: dt.date) -> EcmCodeRules | None:
    return next((r for r in rules if r.in_force(day)), None)


# ---- Coding ---------------------------------------------------------------------------------------------------


def ecm_code(contact: Contact, rules: EcmCodeRules) -> EcmEncounterCode | None:
    """The contact's code under `rules`, or None when the rules do not code it (a method not coded, or a contact
    with an enrolled member that did not reach them unless the rules say to code those)."""
    mode = rules.methods.get(contact.method, NOT_CODED)
    if mode == NOT_CODED:
        return None
    if contact.before_enrollment:
        kind = OUTREACH
    elif not contact.reached and not rules.code_unreached_contacts:
        return None
    else:
        kind = rules.staff_type_by_role.get(contact.staff_role, rules.default_staff_type)
    code = rules.codes[kind]
    modifiers = code.modifiers + ((rules.remote_modifier,) if mode == REMOTE else ())
    return EcmEncounterCode(kind, code.hcpcs, modifiers, rules.units, rules.place_of_service[mode], rules.version)


def ecm_encounter_kind(hcpcs: str, modifiers: Sequence[str | None], on: dt.date) -> str | None:
    """Which ECM encounter a claim line is (outreach, non_clinical or clinical) under the rules in force on `on`,
    its modifiers in any of five positions and the remote one ignored; None when it is none, or two at once."""
    rules = rules_on(ecm_code_rules(), on)
    if rules is None:
        return None
    code, claimed = hcpcs_normalized(hcpcs), modifier_set(modifiers)
    kinds = {k for k, c in rules.codes.items() if c.hcpcs == code and set(c.modifiers) <= claimed}
    return kinds.pop() if len(kinds) == 1 else None


# ---- Calaim's records ------------------------------------------------------------------------------------------


def contact_of(attempt: OutreachAttempt) -> Contact:
    """An outreach attempt as a contact: before enrollment when the enrollment had not begun on its day."""
    enrolled_on = attempt.enrollment.enrolled_on
    return Contact(
        day=attempt.attempted_on,
        method=attempt.method,
        reached=attempt.reached,
        before_enrollment=enrolled_on is None or attempt.attempted_on < enrolled_on,
        staff_role=attempt.performed_by.role,
    )


def ecm_contacts(plan: Plan, provider: Organization, start: dt.date, end: dt.date) -> QuerySet[OutreachAttempt]:
    """The provider's recorded contacts from `start` to `end` (both included) with members in the plan on the day."""
    on_the_day = OuterRef("attempted_on")
    return (
        OutreachAttempt.objects.filter(
            in_plan(plan, on_the_day, on_the_day),
            organization=provider,
            attempted_on__gte=start,
            attempted_on__lte=end,
        )
        .select_related("member", "enrollment", "performed_by")
        .order_by("attempted_on", "created_at", "id")
    )


@dataclass(frozen=True)
class CodedContact:
    attempt: OutreachAttempt
    code: EcmEncounterCode | None
    reason: str  # why it has no code


def ecm_encounters(plan: Plan, provider: Organization, start: dt.date, end: dt.date) -> list[CodedContact]:
    """Each of the provider's contacts in the dates with its code, or why it has none."""
    rules = ecm_code_rules()
    found = []
    for attempt in ecm_contacts(plan, provider, start, end):
        in_force = rules_on(rules, attempt.attempted_on)
        if in_force is None:
            found.append(CodedContact(attempt, None, f"no ECM coding rules in force on {attempt.attempted_on}"))
            continue
        code = ecm_code(contact_of(attempt), in_force)
        found.append(CodedContact(attempt, code, "" if code else _why_not_coded(attempt, in_force)))
    return found


def _why_not_coded(attempt: OutreachAttempt, rules: EcmCodeRules) -> str:
    if rules.methods.get(attempt.method, NOT_CODED) == NOT_CODED:
        return f"method {attempt.get_method_display().lower()} is not coded (encounter rules {rules.version})"
    return f"did not reach the enrolled member (encounter rules {rules.version} code only contacts that did)"
