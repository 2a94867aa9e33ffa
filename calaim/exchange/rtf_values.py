"""The current values calaim holds for an RTF row's acuity, Lead Care Manager, milestones (columns 17, 20-27) and
encounter counts (31-32), merged from calaim's own records and what the provider reported in earlier files.

The RTF export writes these values, and the RTF import compares a row with them: a row carrying exactly these is
nothing new. That is the round trip (exchange-spec §2): a provider working in calaim's pages and one sending files
end in the same state, and calaim's own RTF imports back with nothing new.

The merge, field by field:
- a milestone date is the later of calaim's record and the latest date the provider reported in a file
  (`ProviderReport`): the care plan's last review (its latest revision), the first open-or-done comprehensive
  assessment task's opening (assessment started), the latest completed one's completion, the latest outreach
  attempt that reached the member (most recent encounter); care conferences only as reported;
- the Lead Care Manager (name, phone, email together) is the enrollment's in calaim when one is named, else the
  latest one reported; the acuity level is the latest reported (calaim records none);
- encounter counts are the provider's reported counts for the period when it reported them (`EncounterCount`),
  else calaim's: distinct days in the period with an outreach attempt that reached the member, in person, and by
  telephone or video.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max, OuterRef, QuerySet

from calaim.careplans.models import CarePlan, OutreachAttempt, Task, TaskKind, TaskStatus
from calaim.core.clock import local_date
from calaim.core.phones import normalize_phone
from calaim.ecm.models import Enrollment
from calaim.exchange.export_common import Period, in_plan
from calaim.exchange.models import EncounterCount, ProviderReport
from calaim.network.models import Organization
from calaim.plans.models import Plan

MILESTONE_DATES = (
    "care_plan_revised_on",
    "care_conference_on",
    "assessment_started_on",
    "assessment_completed_on",
    "last_encounter_on",
)
LEAD_CARE_MANAGER = ("lead_care_manager_name", "lead_care_manager_phone", "lead_care_manager_email")
IN_PERSON_METHODS = frozenset({"in_person"})
TELEPHONIC_METHODS = frozenset({"phone", "video"})


@dataclass(frozen=True)
class Milestones:
    """An enrollment's current RTF values for columns 17 and 20-27; phone in E.164 (or as recorded if not valid)."""

    acuity_level: str = ""
    care_plan_revised_on: dt.date | None = None
    care_conference_on: dt.date | None = None
    assessment_started_on: dt.date | None = None
    assessment_completed_on: dt.date | None = None
    last_encounter_on: dt.date | None = None
    lead_care_manager_name: str = ""
    lead_care_manager_phone: str = ""
    lead_care_manager_email: str = ""


@dataclass
class _Recorded:
    dates: dict[str, dt.date | None] = field(default_factory=dict)
    manager: tuple[str, str, str] | None = None


def enrollment_milestones(enrollment_ids: Iterable[uuid.UUID] | QuerySet[Any]) -> dict[uuid.UUID, Milestones]:
    """Each enrollment's current acuity, Lead Care Manager and milestone dates (the module's merge rule); an
    enrollment with nothing recorded or reported is absent (read it as `Milestones()`). `enrollment_ids` may be a
    queryset of ids (`.values("id")`), read as a subquery."""
    ids = enrollment_ids if isinstance(enrollment_ids, QuerySet) else list(enrollment_ids)
    recorded = _calaim_records(ids)
    reported = _reported(ids)
    merged: dict[uuid.UUID, Milestones] = {}
    for enrollment_id in set(recorded) | set(reported):
        ours, theirs = recorded.get(enrollment_id, _Recorded()), reported.get(enrollment_id, Milestones())
        name, phone, email = ours.manager or (
            theirs.lead_care_manager_name,
            theirs.lead_care_manager_phone,
            theirs.lead_care_manager_email,
        )
        merged[enrollment_id] = Milestones(
            acuity_level=theirs.acuity_level,
            care_plan_revised_on=_later(ours.dates.get("care_plan_revised_on"), theirs.care_plan_revised_on),
            care_conference_on=theirs.care_conference_on,
            assessment_started_on=_later(ours.dates.get("assessment_started_on"), theirs.assessment_started_on),
            assessment_completed_on=_later(ours.dates.get("assessment_completed_on"), theirs.assessment_completed_on),
            last_encounter_on=_later(ours.dates.get("last_encounter_on"), theirs.last_encounter_on),
            lead_care_manager_name=name,
            lead_care_manager_phone=phone,
            lead_care_manager_email=email,
        )
    return merged


def _later(first: dt.date | None, second: dt.date | None) -> dt.date | None:
    return max((day for day in (first, second) if day is not None), default=None)


def _reported(ids: Any) -> dict[uuid.UUID, Milestones]:
    """Per enrollment, the latest non-empty value of each field across the provider's reports."""
    latest: dict[uuid.UUID, dict[str, Any]] = defaultdict(dict)
    names = ("acuity_level", *MILESTONE_DATES)
    reports = (
        ProviderReport.objects.filter(enrollment_id__in=ids)
        .order_by("enrollment_id", "reported_on", "created_at")
        .values("enrollment_id", *names, *LEAD_CARE_MANAGER)
    )
    for report in reports:
        values = latest[report["enrollment_id"]]
        values.update({name: report[name] for name in names if report[name] not in (None, "")})
        if report["lead_care_manager_name"]:
            values.update({name: report[name] for name in LEAD_CARE_MANAGER})
    return {enrollment_id: Milestones(**values) for enrollment_id, values in latest.items()}


def _calaim_records(ids: Any) -> dict[uuid.UUID, _Recorded]:
    """calaim's own milestones per enrollment: care plan, assessment tasks, reaching attempts, Lead Care Manager."""
    records: dict[uuid.UUID, _Recorded] = defaultdict(_Recorded)
    for enrollment_id, reviewed_on in CarePlan.objects.filter(enrollment_id__in=ids).values_list(
        "enrollment_id", "last_reviewed_on"
    ):
        records[enrollment_id].dates["care_plan_revised_on"] = reviewed_on
    assessments = (
        Task.objects.filter(enrollment_id__in=ids, kind=TaskKind.ASSESSMENT)
        .exclude(status=TaskStatus.CANCELLED)
        .values_list("enrollment_id", "created_at", "completed_at")
    )
    for enrollment_id, created_at, completed_at in assessments:
        dates = records[enrollment_id].dates
        dates["assessment_started_on"] = _earlier(dates.get("assessment_started_on"), local_date(created_at))
        if completed_at is not None:
            done = local_date(completed_at)
            dates["assessment_completed_on"] = _later(dates.get("assessment_completed_on"), done)
    reached = (
        OutreachAttempt.objects.filter(enrollment_id__in=ids, reached=True)
        .values("enrollment_id")
        .annotate(last=Max("attempted_on"))
        .values_list("enrollment_id", "last")
    )
    for enrollment_id, last in reached:
        records[enrollment_id].dates["last_encounter_on"] = last
    managers = Enrollment.objects.filter(pk__in=ids, lead_care_manager__isnull=False).values_list(
        "id", "lead_care_manager__first_name", "lead_care_manager__last_name", "lead_care_manager__username",
        "lead_care_manager__phone", "lead_care_manager__email",
    )  # fmt: skip
    for enrollment_id, first, last, username, phone, email in managers:
        name = f"{first} {last}".strip() or username
        records[enrollment_id].manager = (name, _e164(phone), email)
    return records


def _earlier(first: dt.date | None, second: dt.date) -> dt.date:
    return second if first is None else min(first, second)


def _e164(phone: str) -> str:
    try:
        return normalize_phone(phone) if phone else ""
    except ValueError:
        return phone


def encounter_counts(
    plan: Plan, provider: Organization, period: Period, member_ids: Any
) -> dict[uuid.UUID, tuple[int, int]]:
    """(In Person, Telephonic/Video) per member for the period: the provider's reported counts where it reported
    them, else calaim's distinct days of reaching attempts by mode (on days the member was in the plan); a member
    with neither counts (0, 0)."""
    days: dict[uuid.UUID, tuple[set[dt.date], set[dt.date]]] = defaultdict(lambda: (set(), set()))
    attempts = OutreachAttempt.objects.filter(
        in_plan(plan, OuterRef("attempted_on"), OuterRef("attempted_on")),
        organization=provider,
        member_id__in=member_ids,
        reached=True,
        attempted_on__gte=period.start,
        attempted_on__lte=period.end,
        method__in=IN_PERSON_METHODS | TELEPHONIC_METHODS,
    ).values_list("member_id", "method", "attempted_on")
    for member_id, method, attempted_on in attempts.distinct():
        in_person, telephonic = days[member_id]
        (in_person if method in IN_PERSON_METHODS else telephonic).add(attempted_on)
    counts = {member_id: (len(in_person), len(telephonic)) for member_id, (in_person, telephonic) in days.items()}
    reported = EncounterCount.objects.filter(
        plan=plan, provider=provider, period=period.label, member_id__in=member_ids
    ).values_list("member_id", "in_person", "telephonic")
    for member_id, in_person_count, telephonic_count in reported:
        counts[member_id] = (in_person_count, telephonic_count)
    return counts
