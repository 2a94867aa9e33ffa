"""The one way to read roster facts: scoped to the caller, and shown as a sentence with its plan-local date
("left the plan on 11/30/2026") beside the work it bears on and the discontinuation reason that answers it.

Plan staff who work the plan's members (intake, member services, UM, data analysts) see their plan's facts;
provider staff see the facts whose provider is their organization (the ECM enrollment's provider, the Community
Supports request's assigned provider); everyone else sees none. Out of scope is 404."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from calaim.access.scopes import is_active, plan_of
from calaim.accounts.models import Role, User
from calaim.community_supports.models import CS_OPEN_STATUSES, CsRequest, CsService
from calaim.core.clock import local_date, plan_today
from calaim.core.errors import NotFound
from calaim.ecm.models import ACTIVE_ENROLLMENT_STATUSES, Enrollment
from calaim.members.models import Member
from calaim.network.models import Organization, OrganizationKind
from calaim.plans.models import Dated, DiscontinuationReason, ExcludedProgram, Plan
from calaim.plans.refcache import reference_cached
from calaim.plans.selectors import latest_by_code
from calaim.referrals.models import OPEN_STATUSES
from calaim.roster.models import FactKind, FactReason, RosterFact

ECM = "ecm"
CS = "cs"
# Plan roles that see their plan's roster facts (compliance works in the PHI read log, not on members' work).
PLAN_FACT_ROLES = frozenset({Role.PLAN_INTAKE, Role.MEMBER_SERVICES, Role.PLAN_UM, Role.PLAN_DATA_ANALYST})
WORKLIST_LIMIT = 100
DATE_FORMAT = "%m/%d/%Y"

# The fact is still to be acted on: nobody resolved it and the work it bears on is still open (work ended by any
# path, the RTF or a denial included, needs no more attention).
OPEN_FACT = (
    Q(resolved_at__isnull=True)
    & (Q(enrollment__isnull=True) | Q(enrollment__status__in=ACTIVE_ENROLLMENT_STATUSES))
    & (Q(referral__isnull=True) | Q(referral__status__in=OPEN_STATUSES))
    & (Q(cs_request__isnull=True) | Q(cs_request__status__in=CS_OPEN_STATUSES))
)
# What a fact's row shows and its actions' policies read, in the one query.
_RELATED = (
    "member",
    "load",
    "provider",
    "enrollment__provider",
    "enrollment__member",
    "referral",
    "cs_request__provider",
    "cs_request__member",
)


def roster_fact_scope(user: User | None) -> QuerySet[RosterFact]:
    """Plan staff (intake, member services, UM, data analyst): their plan's facts; provider staff: the facts whose
    provider is their organization; anyone else: none."""
    if not is_active(user):
        return RosterFact.objects.none()
    if (plan_id := plan_of(user)) is not None:
        if user.role not in PLAN_FACT_ROLES:
            return RosterFact.objects.none()
        return RosterFact.objects.filter(plan_id=plan_id)
    if user.is_provider_staff:
        return RosterFact.objects.filter(provider_id=user.organization_id)
    return RosterFact.objects.none()


def in_fact_scope(user: User | None, fact: RosterFact) -> bool:
    """`roster_fact_scope` for one fact already loaded, without a query."""
    if not is_active(user):
        return False
    if (plan_id := plan_of(user)) is not None:
        return user.role in PLAN_FACT_ROLES and fact.plan_id == plan_id
    return user.is_provider_staff and fact.provider_id is not None and fact.provider_id == user.organization_id


def roster_fact_get(user: User | None, fact_id: uuid.UUID | str) -> RosterFact:
    """The fact if the caller may see it, else 404 whether or not it exists."""
    try:
        return roster_fact_scope(user).select_related("plan", *_RELATED).get(pk=fact_id)
    except (RosterFact.DoesNotExist, ValueError):
        raise NotFound("No roster fact with this id in your scope.") from None


def open_facts(user: User | None) -> QuerySet[RosterFact]:
    """The caller's facts still to act on, the most recent roster change first."""
    return (
        roster_fact_scope(user)
        .filter(OPEN_FACT)
        .select_related(*_RELATED)
        .order_by("-effective_date", "member__last_name", "member__first_name", "id")
    )


def roster_facts_list(
    user: User | None, *, kind: str | None = None, member_id: uuid.UUID | None = None, include_resolved: bool = False
) -> QuerySet[RosterFact]:
    """The API's list: the caller's open facts (or all of them), by kind and member, most recent first."""
    facts = roster_fact_scope(user) if include_resolved else roster_fact_scope(user).filter(OPEN_FACT)
    if kind:
        facts = facts.filter(kind=kind)
    if member_id:
        facts = facts.filter(member_id=member_id)
    return facts.select_related(*_RELATED).order_by("-effective_date", "-created_at", "id")


def open_facts_of_member(user: User | None, member: Member) -> QuerySet[RosterFact]:
    return open_facts(user).filter(member=member)


def open_facts_of_enrollment(user: User | None, enrollment: Enrollment) -> QuerySet[RosterFact]:
    return open_facts(user).filter(enrollment=enrollment)


def open_facts_of_cs_request(user: User | None, cs_request: CsRequest) -> QuerySet[RosterFact]:
    return open_facts(user).filter(cs_request=cs_request)


@dataclass(frozen=True)
class FactReasons:
    """The fact-to-reason mapping in force on one day, read once."""

    rows: tuple[FactReason, ...]

    def get(self, kind: str, detail: str) -> FactReason | None:
        """The row for the kind and detail, else the row for the kind (the latest version of each)."""
        found = [row for row in self.rows if row.kind == kind and row.detail in (detail, "")]
        return min(found, key=lambda row: (row.detail == "", -row.effective_from.toordinal()), default=None)


@reference_cached
def fact_reasons_in_force(day: dt.date) -> FactReasons:
    return FactReasons(tuple(FactReason.objects.filter(Dated.in_force_on(day))))


def fact_reason_for(kind: str, detail: str, day: dt.date) -> FactReason | None:
    """The mapping in force on `day` for one fact (see `FactReasons.get`)."""
    return fact_reasons_in_force(day).get(kind, detail)


@dataclass(frozen=True)
class FactView:
    """A fact as people read it: what happened and when, the work it bears on, and the reason that answers it."""

    fact: RosterFact
    sentence: str  # "left the plan on 11/30/2026"
    work: str  # "ECM with Alpha Care Partners (Enrolled)"
    reason_code: str  # the discontinuation reason to preselect; "" when none is configured or in force
    reason_label: str

    @property
    def cs_close_text(self) -> str:
        """What the Community Supports close form is filled with: the reason and the fact, for the referrer."""
        reason = f"{self.reason_label}: " if self.reason_label else ""
        return f"{reason}the member {self.sentence} (roster)."


@dataclass(frozen=True)
class _Names:
    programs: dict[str, str]
    plans: dict[str, str]
    delegates: dict[str, str]
    services: dict[str, str]
    reasons: dict[str, str]


@dataclass(frozen=True)
class FactList:
    """A worklist's roster facts: the first WORKLIST_LIMIT, and whether there are more."""

    rows: list[FactView]
    more: bool


def worklist_facts(user: User | None) -> FactList:
    """The caller's open roster facts for a worklist, most recent first."""
    facts = list(open_facts(user)[: WORKLIST_LIMIT + 1])
    return FactList(fact_views(facts[:WORKLIST_LIMIT]), len(facts) > WORKLIST_LIMIT)


# When several facts bear on one piece of work, the one whose reason the form takes: leaving the plan first.
KIND_PRIORITY = (FactKind.TERMED, FactKind.MOVED, FactKind.PROGRAM, FactKind.DSNP, FactKind.DELEGATED)


def leading_fact(views: list[FactView]) -> FactView | None:
    """The fact whose reason a discontinuation or close form preselects (one with a reason in force)."""
    answered = [v for v in views if v.reason_code]
    return min(answered, key=lambda v: KIND_PRIORITY.index(FactKind(v.fact.kind)), default=None)


def fact_views(facts: QuerySet[RosterFact] | list[RosterFact], day: dt.date | None = None) -> list[FactView]:
    """Each fact with its sentence, work and reason, the reference names looked up once for all of them."""
    rows = list(facts)
    if not rows:
        return []
    day = day or plan_today()
    names = _names(rows, day)
    mappings = fact_reasons_in_force(day)
    views = []
    for fact in rows:
        mapping = mappings.get(fact.kind, fact.detail)
        code = mapping.reason_code if mapping is not None and mapping.reason_code in names.reasons else ""
        views.append(FactView(fact, fact_sentence(fact, names), _work(fact, names), code, names.reasons.get(code, "")))
    return views


def fact_sentence(fact: RosterFact, names: _Names | None = None) -> str:
    """What the roster said, with its plan-local date: 'entered hospice on 12/01/2026'."""
    names = names or _names([fact], plan_today())
    day = fact.effective_date.strftime(DATE_FORMAT)
    if fact.kind == FactKind.TERMED:
        return f"left the plan on {day}"
    if fact.kind == FactKind.MOVED:
        return f"moved to {names.plans.get(fact.detail, fact.detail or 'another plan')} on {day}"
    if fact.kind == FactKind.PROGRAM:
        program = names.programs.get(fact.detail, fact.detail)
        # A one-word program reads as a common noun ("entered hospice"); a named program keeps its capitals.
        return f"entered {program.lower() if program.isalpha() else program} on {day}"
    if fact.kind == FactKind.DSNP:
        return f"enrolled in a D-SNP on {day}"
    if fact.kind == FactKind.DELEGATED:
        return f"was delegated to {names.delegates.get(fact.detail, fact.detail or 'a delegate')} on {day}"
    return f"{fact.get_kind_display().lower()} on {day}"


def _work(fact: RosterFact, names: _Names) -> str:
    if fact.enrollment is not None:
        return f"ECM with {fact.enrollment.provider.name} ({fact.enrollment.get_status_display()})"
    if fact.cs_request is not None:
        request = fact.cs_request
        service = names.services.get(request.service_code, request.service_code)
        provider = f" with {request.provider.name}" if request.provider is not None else ""
        return f"Community Supports: {service}{provider} ({request.get_status_display()})"
    if fact.referral is not None:
        received = local_date(fact.referral.received_at).strftime(DATE_FORMAT)
        return f"ECM referral received {received} ({fact.referral.get_status_display()})"
    return ""


def _names(facts: list[RosterFact], day: dt.date) -> _Names:
    details = {kind: {f.detail for f in facts if f.kind == kind} for kind in FactKind.values}
    services = {f.cs_request.service_code for f in facts if f.cs_request is not None}
    return _Names(
        programs={code: p.name for code, p in latest_by_code(ExcludedProgram, day).items()}
        if details[FactKind.PROGRAM]
        else {},
        plans={p.code: p.name for p in Plan.objects.filter(code__in=details[FactKind.MOVED])},
        delegates={
            o.code: o.name
            for o in Organization.objects.filter(code__in=details[FactKind.DELEGATED], kind=OrganizationKind.DELEGATE)
        },
        services={s.code: s.name for s in CsService.objects.filter(code__in=services).order_by("effective_from")},
        reasons={code: r.label for code, r in latest_by_code(DiscontinuationReason, day).items()},
    )
